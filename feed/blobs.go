package feed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed/directio"
)

// Large entry chunks live outside Pebble, in append-only segment files of
// their feed, so that their bytes are written once: Pebble would write
// them to its log, again when it flushes, and again at every compaction.
// Pebble keeps, under the chunk's key, a pointer:
//
//	0x00 uvarint(segment) uvarint(offset) uvarint(length) crc32c(4 bytes, little-endian)
//
// (an inline chunk starts with its entry count, never 0), and one record
// per segment:
//
//	'F' pub 'b' be64(segment) -> uvarint(length) uvarint(live)
//
// length is how many bytes of the file committed batches wrote, live how
// many of them chunks still point to. A batch writes its chunks at the end
// of the feed's last segment, syncs the file, and only then commits the
// Pebble batch holding the pointers and the new length, so a pointer never
// points at bytes that are not on disk. Bytes past the committed length
// (a batch that crashed or failed) are cut off when the feed is next
// opened, as are segment files no record names. Dropping chunks lowers
// live and punches holes where they were; a segment with nothing live
// that is not the last is deleted. Readers and reclamation never wait for
// each other: holes are punched only when no reader is inside the feed's
// segments.
const (
	blobPointerTag = 0x00
	// blobMinChunk is the smallest chunk (encoded) kept in a segment.
	blobMinChunk = 16 << 10
	// blobBufferSize is the write buffer of a segment writer, a multiple
	// of directio.Block: chunks are gathered into writes this large.
	blobBufferSize = directio.BufferSize
)

// blobSegmentMax is the size past which a feed starts a new segment: a
// bound on what a dropped range leaves allocated where holes cannot be
// punched. A variable so that tests roll segments sooner.
var blobSegmentMax int64 = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// A blobRef locates a chunk in a segment.
type blobRef struct {
	seg    uint64
	off, n int64
	crc    uint32
}

func (r blobRef) encode() []byte {
	b := []byte{blobPointerTag}
	b = binary.AppendUvarint(b, r.seg)
	b = binary.AppendUvarint(b, uint64(r.off))
	b = binary.AppendUvarint(b, uint64(r.n))
	return binary.LittleEndian.AppendUint32(b, r.crc)
}

// parseBlobRef decodes a pointer; ok is false for an inline chunk.
func parseBlobRef(val []byte) (r blobRef, ok bool, err error) {
	if len(val) == 0 || val[0] != blobPointerTag {
		return r, false, nil
	}
	p := val[1:]
	var fields [3]uint64
	for k := range fields {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return r, true, errCorruptChunk
		}
		fields[k], p = v, p[n:]
	}
	if len(p) != 4 || fields[1] > 1<<62 || fields[2] > 1<<31 {
		return r, true, errCorruptChunk
	}
	return blobRef{seg: fields[0], off: int64(fields[1]), n: int64(fields[2]), crc: binary.LittleEndian.Uint32(p)}, true, nil
}

// A segment is the committed state of one segment file.
type segment struct{ length, live int64 }

func (s segment) encode() []byte {
	return binary.AppendUvarint(binary.AppendUvarint(nil, uint64(s.length)), uint64(s.live))
}

func parseSegment(val []byte) (segment, error) {
	l, n := binary.Uvarint(val)
	live, m := binary.Uvarint(val[max(n, 0):])
	if n <= 0 || m <= 0 || n+m != len(val) || live > l || l > 1<<62 {
		return segment{}, errors.New("corrupt blob segment record")
	}
	return segment{int64(l), int64(live)}, nil
}

// blobs are one feed's segment files. Changes to segs come from the
// feed's writer (under Feed.write); mu guards every field for readers.
type blobs struct {
	dir       string
	recent    *recentCache // the store's; nil if it keeps none
	diskReads atomic.Int64 // reads of segment files (segmentReader), for tests
	diskBytes atomic.Int64 // and the bytes they read

	mu    sync.Mutex
	segs  map[uint64]segment
	last  uint64 // the segment appended to; valid if len(segs) > 0
	files map[uint64]*os.File
	// tail is the committed bytes of the last partial block of segment
	// tailSeg, which ends at tailEnd: the next batch writes that block
	// again and need not read it back from the disk.
	tail    []byte
	tailSeg uint64
	tailEnd int64

	readers int          // scans inside the segments now
	dead    []holeRecord // dropped chunks waiting for the readers to leave
	doomed  []uint64     // segments to delete once the readers leave

	// db and pub name the records of owed holes (holes.go); nextHoles is
	// the sequence number of the next one, under Feed.write.
	db        *pebble.DB
	pub       crypto.PublicKey
	nextHoles uint64
}

func (s *Store) blobDir(pub crypto.PublicKey) string {
	return filepath.Join(s.dir, "blobs", fmt.Sprintf("%x", pub[:]))
}

func segmentPath(dir string, seg uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%016x.blob", seg))
}

// loadBlobs reads the segment records and brings the files in line with
// them: it cuts off bytes past the committed length, and deletes files no
// record names (their batch never committed) or with nothing live.
func (f *Feed) loadBlobs() error {
	bl := &blobs{dir: f.s.blobDir(f.pub), recent: f.s.recent, segs: make(map[uint64]segment), files: make(map[uint64]*os.File), db: f.s.db, pub: f.pub}
	f.blobs = bl
	lo, hi := kindBounds(f.pub, kindBlobSeg)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		seg, err := parseSegment(it.Value())
		if err != nil {
			it.Close()
			return fmt.Errorf("blob segment %d: %w", keySuffix(it.Key()), err)
		}
		bl.segs[keySuffix(it.Key())] = seg
		bl.last = max(bl.last, keySuffix(it.Key()))
	}
	if err := it.Close(); err != nil {
		return err
	}
	files, err := os.ReadDir(bl.dir)
	if errors.Is(err, fs.ErrNotExist) {
		if len(bl.segs) > 0 {
			return fmt.Errorf("blob segments: directory %s is missing", bl.dir)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob segments: %w", err)
	}
	for _, e := range files {
		if err := bl.reconcile(f.s.db, f.pub, e.Name()); err != nil {
			return err
		}
	}
	for seg, st := range bl.segs {
		if _, err := os.Stat(segmentPath(bl.dir, seg)); err != nil && st.live > 0 {
			return fmt.Errorf("blob segment %s, holding %d bytes of entries: %w", segmentPath(bl.dir, seg), st.live, err)
		}
	}
	return f.punchOwedHoles()
}

// reconcile brings one file of the segment directory in line with its
// record.
func (bl *blobs) reconcile(db *pebble.DB, pub crypto.PublicKey, name string) error {
	path := filepath.Join(bl.dir, name)
	seg, err := strconv.ParseUint(strings.TrimSuffix(name, ".blob"), 16, 64)
	if err != nil || !strings.HasSuffix(name, ".blob") {
		return nil // not ours
	}
	st, ok := bl.segs[seg]
	switch {
	case !ok:
		return os.Remove(path)
	case st.live == 0 && seg != bl.last:
		if err := os.Remove(path); err != nil {
			return err
		}
		delete(bl.segs, seg)
		return db.Delete(feedKey(pub, kindBlobSeg, seg), pebble.Sync)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() > st.length {
		return os.Truncate(path, st.length)
	}
	if fi.Size() < st.length {
		return fmt.Errorf("blob segment %s is %d bytes, %d were committed (truncated?)", path, fi.Size(), st.length)
	}
	return nil
}

// file returns the open segment file, opening it if needed, and its
// committed length. Segment files are opened for direct I/O where the file
// system allows (see segmentReader).
func (bl *blobs) file(seg uint64) (*os.File, int64, error) {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	committed := bl.segs[seg].length
	if fh, ok := bl.files[seg]; ok {
		return fh, committed, nil
	}
	fh, err := directio.Open(segmentPath(bl.dir, seg), os.O_RDWR, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("blob segment: %w", err)
	}
	bl.files[seg] = fh
	return fh, committed, nil
}

// enter and leave bracket a reader's use of segment data: what Drop
// frees is reclaimed only when no reader is inside.
func (bl *blobs) enter() {
	bl.mu.Lock()
	bl.readers++
	bl.mu.Unlock()
}

func (bl *blobs) leave() {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	bl.readers--
	bl.reclaimLocked()
}

// close closes the open segment files.
func (bl *blobs) close() {
	bl.recent.drop(bl, 0, true)
	bl.mu.Lock()
	defer bl.mu.Unlock()
	for seg, fh := range bl.files {
		fh.Close()
		delete(bl.files, seg)
	}
}

// dirAllocated sums what the files under dir take on disk (holes
// excluded).
func dirAllocated(dir string) int64 {
	total := int64(0)
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				total += allocatedSize(fi)
			}
		}
		return nil
	})
	return total
}

// A blobWriter writes one batch's large chunks at the end of the feed's
// last segment (or a new one). Use it under Feed.write: put, then finish
// before committing the Pebble batch, then committed or abort.
type blobWriter struct {
	bl      *blobs
	seg     uint64
	sw      *segmentWriter // nil until the first chunk
	path    string
	start   int64 // the committed length when the batch began
	created bool
	live    map[uint64]int64   // live bytes added (or removed) per segment
	next    map[uint64]segment // the records finish wrote
	retired []*window          // the buffers written from, for the recent cache
}

func (bl *blobs) writer() *blobWriter { return &blobWriter{bl: bl, live: make(map[uint64]int64)} }

// open picks the segment to write: the last, or a new one past
// blobSegmentMax.
func (w *blobWriter) open() error {
	bl := w.bl
	bl.mu.Lock()
	seg, st, any := bl.last, bl.segs[bl.last], len(bl.segs) > 0
	var tail []byte
	if bl.tail != nil && bl.tailSeg == seg && bl.tailEnd == st.length {
		tail = bl.tail
	}
	bl.mu.Unlock()
	if any && st.length >= blobSegmentMax {
		seg, st, any = seg+1, segment{}, false
	}
	w.path = segmentPath(bl.dir, seg)
	if !any {
		if err := os.MkdirAll(bl.dir, 0o700); err != nil {
			return fmt.Errorf("blob segments: %w", err)
		}
		os.Remove(w.path) // a file left by a batch that never committed
		w.created = true
	}
	sw, err := openSegmentWriter(w.path, st.length, w.created, blobBufferSize, tail)
	if err != nil {
		return err
	}
	w.seg, w.sw, w.start = seg, sw, st.length
	if bl.recent != nil {
		sw.w.SetRetire(w.retire)
	}
	return nil
}

// putChunk writes entries as one chunk and returns where it went.
func (w *blobWriter) putChunk(entries [][]byte) (blobRef, error) {
	if w.sw == nil {
		if err := w.open(); err != nil {
			return blobRef{}, err
		}
	}
	hdr := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64*(len(entries)+1)), uint64(len(entries)))
	for _, e := range entries {
		hdr = binary.AppendUvarint(hdr, uint64(len(e)))
	}
	ref := blobRef{seg: w.seg, off: w.sw.offset()}
	crc, err := w.sw.writeSum(hdr, 0)
	if err != nil {
		return blobRef{}, err
	}
	for _, e := range entries {
		if crc, err = w.sw.writeSum(e, crc); err != nil {
			return blobRef{}, err
		}
	}
	ref.n, ref.crc = w.sw.offset()-ref.off, crc
	w.live[w.seg] += ref.n
	return ref, nil
}

// release counts chunks the batch stops pointing to.
func (w *blobWriter) release(refs []blobRef) {
	for _, r := range refs {
		w.live[r.seg] -= r.n
	}
}

// finish makes the batch's chunks durable and adds the segment records to
// b. It returns the segments left with nothing live, whose records it
// deletes: remove their files (retire) once b is committed.
func (w *blobWriter) finish(b *pebble.Batch, pub crypto.PublicKey) (doomed []uint64, err error) {
	if w.sw != nil {
		if err := w.sw.finish(); err != nil {
			return nil, err
		}
		if w.created {
			// The new file, and the directories MkdirAll may have made.
			for _, dir := range []string{w.bl.dir, filepath.Dir(w.bl.dir), filepath.Dir(filepath.Dir(w.bl.dir))} {
				if err := syncDir(dir); err != nil {
					return nil, err
				}
			}
		}
	}
	w.next = make(map[uint64]segment, len(w.live))
	bl := w.bl
	bl.mu.Lock()
	defer bl.mu.Unlock()
	last := bl.last
	if w.sw != nil {
		last = max(last, w.seg)
	}
	for seg, delta := range w.live {
		st := bl.segs[seg]
		if seg == w.seg && w.sw != nil {
			st.length = w.sw.offset()
		}
		st.live += delta
		if st.live < 0 || st.live > st.length {
			panic(fmt.Sprintf("blob segment %d: %d live bytes of %d", seg, st.live, st.length))
		}
		w.next[seg] = st
		key := feedKey(pub, kindBlobSeg, seg)
		if st.live == 0 && seg != last {
			doomed = append(doomed, seg)
			err = b.Delete(key, nil)
		} else {
			err = b.Set(key, st.encode(), nil)
		}
		if err != nil {
			return nil, err
		}
	}
	return doomed, nil
}

// committed records the state finish wrote, once b is committed.
func (w *blobWriter) committed(doomed []uint64) {
	bl := w.bl
	bl.mu.Lock()
	defer bl.mu.Unlock()
	for seg, st := range w.next {
		bl.segs[seg] = st
	}
	for _, seg := range doomed {
		delete(bl.segs, seg)
	}
	if w.sw != nil {
		bl.last = max(bl.last, w.seg)
		bl.tail = append(bl.tail[:0], w.sw.w.Pending()...)
		bl.tailSeg, bl.tailEnd = w.seg, w.sw.offset()
	}
	bl.recent.add(w.retired)
	w.retired = nil
	w.close()
}

// abort undoes the batch's writes when b was not committed.
func (w *blobWriter) abort() {
	opened := w.sw != nil
	w.close() // first: waiting for a write in flight may retire its buffer
	for _, r := range w.retired {
		recycle(r)
	}
	w.retired = nil
	if !opened {
		return
	}
	if w.created {
		w.bl.mu.Lock()
		if fh, ok := w.bl.files[w.seg]; ok {
			fh.Close()
			delete(w.bl.files, w.seg)
		}
		w.bl.mu.Unlock()
		os.Remove(w.path)
		return
	}
	os.Truncate(w.path, w.start)
}

func (w *blobWriter) close() {
	if w.sw != nil {
		w.sw.close()
		w.sw = nil
	}
}
