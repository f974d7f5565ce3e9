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

// A feed file is a verifiable copy of (part of) a feed that travels by any
// means, like a CAR file or a git bundle. See "Feed files" in the package
// doc for the format.
const fileMagic = "stele feed file v1\n"

// Section tags.
const (
	secAddress    = 'A'
	secCheckpoint = 'C'
	secRanges     = 'S'
	secPiece      = 'P'
	secEnd        = 'E'
)

// Limits that keep a hostile file from making a reader allocate without
// bound.
const (
	maxPieceEntries = 4096     // entries in one piece
	maxPieceBytes   = 16 << 20 // entry bytes in one piece (a larger entry goes alone)
	maxNoteBytes    = 4096     // a signed checkpoint note
	maxProofHashes  = 130      // hashes in one proof (2 per level of a 2^63 tree, plus slack)
	maxFileRanges   = 1 << 20  // ranges in the summary
)

// A FileSummary describes a feed file.
type FileSummary struct {
	Address     crypto.PublicKey
	Latest      SignedCheckpoint
	Checkpoints int      // checkpoints carried, the latest included
	Ranges      RangeSet // entries carried
	Entries     int64
	Bytes       int64 // entry bytes
}

// A FileError reports what in a feed file failed and where.
type FileError struct {
	Offset     int64 // byte offset of the section at fault
	Index      int64 // the first entry concerned, or -1
	Checkpoint int64 // the checkpoint size concerned, or -1
	Reason     string
	Err        error // ErrVerification for anything that failed a check
}

func (e *FileError) Error() string {
	where := fmt.Sprintf("feed file, byte %d", e.Offset)
	if e.Index >= 0 {
		where += fmt.Sprintf(", entry %d", e.Index)
	}
	if e.Checkpoint >= 0 {
		where += fmt.Sprintf(", checkpoint of size %d", e.Checkpoint)
	}
	return where + ": " + e.Reason
}

func (e *FileError) Unwrap() error { return e.Err }

// Export writes a feed file holding the feed's held checkpoints (each
// with a consistency proof to the latest) and the held entries of ranges
// (all held entries if ranges is nil), in pieces of at most 4,096 entries,
// each with a range proof against the latest checkpoint that proves it.
func (f *Feed) Export(w io.Writer, ranges RangeSet) error {
	latest, ok := f.Latest()
	if !ok {
		return fmt.Errorf("export %s: no checkpoint held", f.Address())
	}
	held := f.Ranges()
	if ranges == nil {
		ranges = held
	}
	var carried RangeSet
	for _, r := range ranges {
		for _, h := range held.Intersect(r.Lo, r.Hi) {
			carried = carried.Add(h.Lo, h.Hi)
		}
	}
	fw := newFileWriter(w)
	fw.section(secAddress, f.pub[:])
	if err := f.exportCheckpoints(fw, latest); err != nil {
		return err
	}
	fw.section(secRanges, encodeRangeSet(carried))
	for _, r := range carried {
		if err := f.exportRange(fw, r, latest.Size); err != nil {
			return err
		}
	}
	return fw.finish()
}

// exportCheckpoints writes every held checkpoint, older ones first, each
// with a consistency proof to latest where the stored tree gives one (the
// latest goes last, without a proof).
func (f *Feed) exportCheckpoints(fw *fileWriter, latest SignedCheckpoint) error {
	return f.scanCheckpoints(func(rec checkpointRecord) error {
		var proof merkle.ConsistencyProof
		if rec.cp.Size < latest.Size {
			p, err := merkle.ProveConsistency(rec.cp.Size, latest.Size, f.hashes())
			if errors.Is(err, ErrHashNotHeld) {
				if rec.proofFrom != latest.Size {
					return nil // cannot be linked to the latest: leave it out
				}
				p = rec.proof
			} else if err != nil {
				return err
			}
			proof = p
		}
		fw.section(secCheckpoint, encodeFileCheckpoint(rec.cp.Note, proof))
		return nil
	})
}

// exportRange writes r in pieces, each proven against the largest
// checkpoint (up to maxSize) whose tree hashes are held.
func (f *Feed) exportRange(fw *fileWriter, r Range, maxSize int64) error {
	var piece [][]byte
	lo, pieceBytes := r.Lo, 0
	flush := func(hi int64) error {
		if len(piece) == 0 {
			return nil
		}
		size, proof, err := f.proveForExport(lo, hi, maxSize)
		if err != nil {
			return err
		}
		fw.section(secPiece, encodePiece(lo, size, proof, piece))
		piece, lo, pieceBytes = piece[:0], hi, 0
		return nil
	}
	err := f.Scan(r.Lo, r.Hi, func(i int64, data []byte) error {
		if len(piece) == maxPieceEntries || (len(piece) > 0 && pieceBytes+len(data) > maxPieceBytes) {
			if err := flush(i); err != nil {
				return err
			}
		}
		piece = append(piece, bytes.Clone(data))
		pieceBytes += len(data)
		return nil
	})
	if err != nil {
		return err
	}
	return flush(r.Hi)
}

// proveForExport proves [lo, hi) against the largest held checkpoint of at
// most maxSize whose tree hashes allow it.
func (f *Feed) proveForExport(lo, hi, maxSize int64) (int64, merkle.RangeProof, error) {
	if p, err := f.ProveRange(lo, hi, maxSize); err == nil {
		return maxSize, p, nil
	} else if !errors.Is(err, ErrHashNotHeld) {
		return 0, p, err
	}
	var sizes []int64
	f.scanCheckpoints(func(rec checkpointRecord) error {
		if rec.cp.Size >= hi && rec.cp.Size < maxSize {
			sizes = append(sizes, rec.cp.Size)
		}
		return nil
	})
	for i := len(sizes) - 1; i >= 0; i-- {
		if p, err := f.ProveRange(lo, hi, sizes[i]); err == nil {
			return sizes[i], p, nil
		}
	}
	return 0, merkle.RangeProof{}, fmt.Errorf("export %s: entries %d:%d: no held checkpoint can prove them", f.Address(), lo, hi)
}

// A fileWriter writes sections and keeps the running SHA-256 that the end
// section carries, so a reader detects truncation and trailing junk.
type fileWriter struct {
	w   *bufio.Writer
	sum hash.Hash
	err error
}

func newFileWriter(w io.Writer) *fileWriter {
	fw := &fileWriter{w: bufio.NewWriterSize(w, 1<<20), sum: sha256.New()}
	fw.write([]byte(fileMagic))
	return fw
}

func (fw *fileWriter) write(b []byte) {
	if fw.err == nil {
		fw.sum.Write(b)
		_, fw.err = fw.w.Write(b)
	}
}

func (fw *fileWriter) section(tag byte, payload []byte) {
	hdr := binary.AppendUvarint([]byte{tag}, uint64(len(payload)))
	fw.write(hdr)
	fw.write(payload)
}

func (fw *fileWriter) finish() error {
	fw.section(secEnd, fw.sum.Sum(nil))
	if fw.err != nil {
		return fmt.Errorf("write feed file: %w", fw.err)
	}
	if err := fw.w.Flush(); err != nil {
		return fmt.Errorf("write feed file: %w", err)
	}
	return nil
}

func encodeFileCheckpoint(note []byte, proof merkle.ConsistencyProof) []byte {
	buf := binary.AppendUvarint(nil, uint64(len(note)))
	buf = append(buf, note...)
	return appendHashes(buf, proof)
}

func appendHashes(buf []byte, hs []merkle.Hash) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(hs)))
	for _, h := range hs {
		buf = append(buf, h[:]...)
	}
	return buf
}

func encodeRangeSet(rs RangeSet) []byte {
	buf := binary.AppendUvarint(nil, uint64(len(rs)))
	for _, r := range rs {
		buf = binary.AppendUvarint(buf, uint64(r.Lo))
		buf = binary.AppendUvarint(buf, uint64(r.Hi))
	}
	return buf
}

func encodePiece(lo, size int64, proof merkle.RangeProof, entries [][]byte) []byte {
	buf := binary.AppendUvarint(nil, uint64(lo))
	buf = binary.AppendUvarint(buf, uint64(size))
	buf = appendHashes(buf, proof.Left)
	buf = appendHashes(buf, proof.Right)
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, uint64(len(e)))
		buf = append(buf, e...)
	}
	return buf
}

// A decoder reads the fields of one section's payload.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uvarint(what string, limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = fmt.Errorf("malformed %s", what)
		return 0
	}
	if v > limit {
		d.err = fmt.Errorf("%s %d exceeds the limit %d", what, v, limit)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) bytes(what string, limit uint64) []byte {
	n := d.uvarint(what+" length", limit)
	if d.err == nil && n > uint64(len(d.buf)) {
		d.err = fmt.Errorf("%s runs past the end of its section", what)
	}
	if d.err != nil {
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) hashes(what string) []merkle.Hash {
	n := d.uvarint(what+" hash count", maxProofHashes)
	if d.err == nil && n*32 > uint64(len(d.buf)) {
		d.err = fmt.Errorf("%s runs past the end of its section", what)
	}
	if d.err != nil {
		return nil
	}
	hs := make([]merkle.Hash, n)
	for i := range hs {
		copy(hs[i][:], d.buf[32*i:])
	}
	d.buf = d.buf[32*n:]
	return hs
}

func (d *decoder) done(what string) error {
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%d stray bytes after the %s", len(d.buf), what)
	}
	return d.err
}
