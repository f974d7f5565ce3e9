package feed

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// maxSectionBytes bounds one section: a piece of maxPieceBytes of entries
// with its framing and proofs, or one entry of up to 64 MiB alone.
const maxSectionBytes = 64<<20 + 1<<20

// fileReader reads sections, tracking offsets and the running checksum.
type fileReader struct {
	r   *bufio.Reader
	off int64
	sum hash.Hash
}

func (fr *fileReader) fail(off int64, format string, args ...any) *FileError {
	return &FileError{Offset: off, Index: -1, Checkpoint: -1, Reason: fmt.Sprintf(format, args...), Err: ErrVerification}
}

func (fr *fileReader) read(b []byte) error {
	n, err := io.ReadFull(fr.r, b)
	fr.sum.Write(b[:n])
	fr.off += int64(n)
	return err
}

// next reads one section: its tag, payload and starting offset.
func (fr *fileReader) next() (tag byte, payload []byte, off int64, err error) {
	off = fr.off
	sumBefore := fr.sum.Sum(nil)
	var t [1]byte
	if err := fr.read(t[:]); err != nil {
		return 0, nil, off, fr.fail(off, "truncated: the file ends before its end section")
	}
	n, err := binary.ReadUvarint(byteCounter{fr})
	if err != nil {
		return 0, nil, off, fr.fail(off, "truncated or malformed section header")
	}
	if n > maxSectionBytes {
		return 0, nil, off, fr.fail(off, "section of %d bytes exceeds the limit of %d", n, maxSectionBytes)
	}
	if t[0] == secEnd {
		// The end section carries the checksum of everything before it.
		payload = make([]byte, n)
		if err := fr.read(payload); err != nil {
			return 0, nil, off, fr.fail(off, "truncated end section")
		}
		if !bytes.Equal(payload, sumBefore) {
			return 0, nil, off, fr.fail(off, "checksum mismatch: the file is corrupt")
		}
		if _, err := fr.r.ReadByte(); err != io.EOF {
			return 0, nil, off, fr.fail(fr.off, "junk after the end section")
		}
		return t[0], payload, off, nil
	}
	payload = make([]byte, n)
	if err := fr.read(payload); err != nil {
		return 0, nil, off, fr.fail(off, "truncated: section of %d bytes is cut short", n)
	}
	return t[0], payload, off, nil
}

type byteCounter struct{ fr *fileReader }

func (b byteCounter) ReadByte() (byte, error) {
	var x [1]byte
	err := b.fr.read(x[:])
	return x[0], err
}

// A fileCheckpoint is a checkpoint carried in a feed file.
type fileCheckpoint struct {
	cp    SignedCheckpoint
	proof merkle.ConsistencyProof // to the latest
}

// A filePiece is a verified run of entries from a feed file.
type filePiece struct {
	lo, size int64
	proof    merkle.RangeProof
	entries  [][]byte
}

// walkFile reads and verifies a feed file from start to end, calling
// onPiece (if not nil) with each verified piece.
func walkFile(r io.Reader, onPiece func(filePiece) error, progress func(done, total int64)) (FileSummary, []fileCheckpoint, error) {
	fr := &fileReader{r: bufio.NewReaderSize(r, 1<<20), sum: sha256.New()}
	var sum FileSummary
	magic := make([]byte, len(fileMagic))
	if err := fr.read(magic); err != nil || string(magic) != fileMagic {
		return sum, nil, fr.fail(0, "not a stele feed file (bad magic)")
	}
	tag, payload, off, err := fr.next()
	if err != nil {
		return sum, nil, err
	}
	if tag != secAddress || len(payload) != 32 {
		return sum, nil, fr.fail(off, "want the address section first")
	}
	copy(sum.Address[:], payload)
	cps, tag, payload, off, err := readFileCheckpoints(fr, sum.Address)
	if err != nil {
		return sum, nil, err
	}
	sum.Latest, sum.Checkpoints = cps[len(cps)-1].cp, len(cps)
	if tag != secRanges {
		return sum, nil, fr.fail(off, "want the ranges section after the checkpoints")
	}
	if sum.Ranges, err = decodeRangeSet(payload, sum.Latest.Size); err != nil {
		return sum, nil, fr.fail(off, "ranges: %v", err)
	}
	sum.Entries = sum.Ranges.Count()
	roots := make(map[int64]merkle.Hash, len(cps))
	for _, c := range cps {
		roots[c.cp.Size] = c.cp.Root
	}
	err = readPieces(fr, &sum, roots, onPiece, progress)
	return sum, cps, err
}

// readFileCheckpoints reads the checkpoint sections, checks signatures,
// order and consistency with the last (the latest), and returns them with
// the section that follows.
func readFileCheckpoints(fr *fileReader, pub crypto.PublicKey) ([]fileCheckpoint, byte, []byte, int64, error) {
	verifier, err := crypto.NoteVerifier(pub, Origin(pub))
	if err != nil {
		return nil, 0, nil, 0, err
	}
	var cps []fileCheckpoint
	var offs []int64
	for {
		tag, payload, off, err := fr.next()
		if err != nil {
			return nil, 0, nil, 0, err
		}
		if tag != secCheckpoint {
			if len(cps) == 0 {
				return nil, 0, nil, 0, fr.fail(off, "no checkpoint in the file")
			}
			return cps, tag, payload, off, checkFileChain(fr, cps, offs)
		}
		if len(cps) == maxFileRanges {
			return nil, 0, nil, 0, fr.fail(off, "too many checkpoints")
		}
		d := decoder{buf: payload}
		note := d.bytes("checkpoint note", maxNoteBytes)
		proof := d.hashes("consistency proof")
		if err := d.done("checkpoint"); err != nil {
			return nil, 0, nil, 0, fr.fail(off, "checkpoint: %v", err)
		}
		cp, err := openSigned(note, verifier)
		if err != nil {
			return nil, 0, nil, 0, fr.fail(off, "checkpoint: %v", err)
		}
		if n := len(cps); n > 0 && cp.Size <= cps[n-1].cp.Size {
			e := fr.fail(off, "checkpoints out of order (size %d after %d)", cp.Size, cps[n-1].cp.Size)
			e.Checkpoint = cp.Size
			return nil, 0, nil, 0, e
		}
		cps = append(cps, fileCheckpoint{cp: cp, proof: proof})
		offs = append(offs, off)
	}
}

// checkFileChain checks that every carried checkpoint is consistent with
// the latest, by its proof.
func checkFileChain(fr *fileReader, cps []fileCheckpoint, offs []int64) error {
	latest := cps[len(cps)-1]
	if len(latest.proof) != 0 {
		return fr.fail(offs[len(cps)-1], "the latest checkpoint carries a proof")
	}
	for i, c := range cps[:len(cps)-1] {
		if err := merkle.CheckConsistency(c.proof, c.cp.Size, c.cp.Root, latest.cp.Size, latest.cp.Root); err != nil {
			e := fr.fail(offs[i], "not consistent with the latest checkpoint (size %d): %v", latest.cp.Size, err)
			e.Checkpoint = c.cp.Size
			return e
		}
	}
	return nil
}

func decodeRangeSet(payload []byte, size int64) (RangeSet, error) {
	d := decoder{buf: payload}
	n := d.uvarint("range count", maxFileRanges)
	var rs RangeSet
	for i := uint64(0); i < n && d.err == nil; i++ {
		lo, hi := int64(d.uvarint("range start", uint64(size))), int64(d.uvarint("range end", uint64(size)))
		if d.err == nil && (hi <= lo || len(rs) > 0 && lo <= rs[len(rs)-1].Hi) {
			return nil, fmt.Errorf("range %d:%d is empty, out of order or touches the one before", lo, hi)
		}
		rs = append(rs, Range{lo, hi})
	}
	return rs, d.done("ranges")
}

// readPieces reads and verifies the pieces, which must cover the summary's
// ranges in order, then the end section.
func readPieces(fr *fileReader, sum *FileSummary, roots map[int64]merkle.Hash, onPiece func(filePiece) error, progress func(done, total int64)) error {
	var done int64
	next := func(k int) int64 { // where the next piece must start
		if k < len(sum.Ranges) {
			return sum.Ranges[k].Lo
		}
		return -1
	}
	k, at := 0, next(0)
	for {
		tag, payload, off, err := fr.next()
		if err != nil {
			return err
		}
		if tag == secEnd {
			if k < len(sum.Ranges) {
				return fr.fail(off, "entries %d:%d are missing", at, sum.Ranges[k].Hi)
			}
			return nil
		}
		if tag != secPiece {
			return fr.fail(off, "unexpected section %q", tag)
		}
		p, err := decodePiece(payload)
		if err != nil {
			return fr.fail(off, "piece: %v", err)
		}
		hi := p.lo + int64(len(p.entries))
		if p.lo != at || k >= len(sum.Ranges) || hi > sum.Ranges[k].Hi {
			e := fr.fail(off, "piece %d:%d is not where the ranges section says the next entries are", p.lo, hi)
			e.Index = p.lo
			return e
		}
		if err := verifyPiece(p, roots); err != nil {
			e := fr.fail(off, "%v", err)
			e.Index, e.Checkpoint = p.lo, p.size
			return e
		}
		for _, data := range p.entries {
			sum.Bytes += int64(len(data))
		}
		if onPiece != nil {
			if err := onPiece(p); err != nil {
				return err
			}
		}
		done += int64(len(p.entries))
		if progress != nil {
			progress(done, sum.Entries)
		}
		if at = hi; at == sum.Ranges[k].Hi {
			k++
			at = next(k)
		}
	}
}

func decodePiece(payload []byte) (filePiece, error) {
	d := decoder{buf: payload}
	p := filePiece{lo: int64(d.uvarint("piece start", 1<<62)), size: int64(d.uvarint("checkpoint size", 1<<62))}
	p.proof.Left = d.hashes("left proof")
	p.proof.Right = d.hashes("right proof")
	n := d.uvarint("entry count", maxPieceEntries)
	p.entries = make([][]byte, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		p.entries = append(p.entries, d.bytes("entry", maxSectionBytes))
	}
	if n == 0 && d.err == nil {
		d.err = errors.New("empty piece")
	}
	return p, d.done("piece")
}

func verifyPiece(p filePiece, roots map[int64]merkle.Hash) error {
	hi := p.lo + int64(len(p.entries))
	root, ok := roots[p.size]
	if !ok {
		return fmt.Errorf("entries %d:%d are proven against a checkpoint of size %d that the file does not carry", p.lo, hi, p.size)
	}
	leaves := make([]merkle.Hash, len(p.entries))
	for i, e := range p.entries {
		leaves[i] = merkle.LeafHash(e)
	}
	if err := merkle.CheckRange(p.lo, hi, p.size, leaves, p.proof, root, nil); err != nil {
		return fmt.Errorf("entries %d:%d do not verify against the signed checkpoint of size %d: %v", p.lo, hi, p.size, err)
	}
	return nil
}

// VerifyFile reads a feed file to the end and verifies everything in it
// against the address it names: signatures, consistency of the carried
// checkpoints, every entry by its range proof, and the closing checksum.
// It needs no store. Failures are *FileError, saying what failed where.
func VerifyFile(r io.Reader, progress func(done, total int64)) (FileSummary, error) {
	sum, _, err := walkFile(r, nil, progress)
	return sum, err
}

// Import verifies a feed file, then (only if all of it verified) stores
// its checkpoints and entries as a replica (or into the feed already held,
// which must be consistent with it).
func (s *Store) Import(r io.ReadSeeker, progress func(done, total int64)) (*Feed, FileSummary, error) {
	sum, cps, err := walkFile(r, nil, progress)
	if err != nil {
		return nil, sum, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, sum, fmt.Errorf("import: %w", err)
	}
	f, err := s.Feed(sum.Address)
	if errors.Is(err, ErrNotFound) {
		f, err = s.Replicate(sum.Address, "")
	}
	if err != nil {
		return nil, sum, fmt.Errorf("import: %w", err)
	}
	if err := f.applyFileCheckpoints(cps); err != nil {
		return f, sum, fmt.Errorf("import into %s: %w", f.Address(), err)
	}
	_, _, err = walkFile(r, func(p filePiece) error {
		return f.ApplyRange(p.lo, p.entries, p.size, p.proof)
	}, nil)
	if err != nil {
		return f, sum, fmt.Errorf("import into %s: %w", f.Address(), err)
	}
	return f, sum, nil
}

// applyFileCheckpoints applies a file's latest checkpoint, linked to the
// one held with the file's proof from that size, then the older ones.
func (f *Feed) applyFileCheckpoints(cps []fileCheckpoint) error {
	latest := cps[len(cps)-1]
	var proof merkle.ConsistencyProof
	if held, ok := f.Latest(); ok && held.Size < latest.cp.Size {
		found := false
		for _, c := range cps {
			if c.cp.Size == held.Size {
				proof, found = c.proof, true
			}
		}
		if !found {
			return fmt.Errorf("the file cannot prove its checkpoint of size %d consistent with the held one of size %d", latest.cp.Size, held.Size)
		}
	}
	if _, err := f.ApplyCheckpoint(latest.cp.Note, proof); err != nil {
		return err
	}
	for _, c := range cps[:len(cps)-1] {
		if _, err := f.ApplyCheckpoint(c.cp.Note, c.proof); err != nil && !errors.Is(err, ErrVerification) {
			return err // older checkpoints that cannot be linked are history only
		}
	}
	return nil
}
