package feed

import (
	"fmt"
	"hash/crc32"

	"github.com/steledb/stele/feed/directio"
)

// readAheadMax bounds one read of a segmentReader.
const readAheadMax = blobBufferSize

// A segmentReader reads the segment chunks of one scan. A batch writes
// its chunks one after another, so a scan's chunks mostly lie in sequence
// in a segment: the reader reads each run of them in one read (up to
// readAheadMax bytes), block-aligned, with direct I/O where the file
// system allows (the segment files are opened so). It asks its scan where
// the run ends, so it never reads bytes the scan will not use. Data that
// was written past the page cache is thus read past it too: a scan of
// gigabytes (a clone, a peer's sync, Verify) neither fills memory with
// pages read once nor pays for every page the kernel would allocate.
// Chunks returned are valid until the next read.
type segmentReader struct {
	bl  *blobs
	buf []byte // block-aligned; nil until the first read
	seg uint64
	off int64  // the file offset of win
	win []byte // the bytes of the last window read
	// runEnd, if set, returns where the run of chunks that lie one after
	// another in ref's segment from ref on ends, looking no further than
	// limit bytes past ref.off.
	runEnd   func(ref blobRef, limit int64) int64
	cached   *window // the recent cache's window win lies in, held
	fromFile bool    // win was read from the file (not copied from the cache)
	// fromDisk makes it read every chunk from the disk (for Verify), not
	// from the recent cache, and give the cache nothing.
	fromDisk bool
}

func (bl *blobs) reader() *segmentReader { return &segmentReader{bl: bl} }

// read returns the chunk ref points to after checking its checksum.
func (r *segmentReader) read(ref blobRef) ([]byte, error) {
	if !r.holds(ref) {
		if err := r.fill(ref); err != nil {
			return nil, err
		}
	}
	data := r.win[ref.off-r.off : ref.off-r.off+ref.n]
	trusted := r.cached != nil && r.cached.written
	if !trusted && crc32.Checksum(data, castagnoli) != ref.crc {
		return nil, fmt.Errorf("%s at offset %d: checksum mismatch: %w", segmentPath(r.bl.dir, ref.seg), ref.off, errCorruptChunk)
	}
	return data, nil
}

func (r *segmentReader) holds(ref blobRef) bool {
	return r.win != nil && ref.seg == r.seg && ref.off >= r.off && ref.off+ref.n <= r.off+int64(len(r.win))
}

// fill reads the window that starts at the block holding ref's first
// byte and ends with the run of chunks that starts with ref; or finds
// ref in the recent cache.
func (r *segmentReader) fill(ref blobRef) error {
	if !r.fromDisk && r.fromRecent(ref) {
		return nil
	}
	r.letGo()
	fh, committed, err := r.bl.file(ref.seg)
	if err != nil {
		return err
	}
	start := directio.AlignDown(ref.off)
	runEnd := ref.off + ref.n
	if r.runEnd != nil {
		runEnd = max(runEnd, r.runEnd(ref, readAheadMax-(ref.off-start)))
	}
	if !r.fromDisk {
		// Not into what the recent cache holds: a window read from the
		// disk would serve the chunks after ref in its place.
		if next := r.bl.recent.nextAfter(r.bl, ref.seg, ref.off); next >= 0 {
			runEnd = min(runEnd, max(next, ref.off+ref.n))
		}
	}
	need := directio.AlignUp(ref.off + ref.n)
	// Not past the run, the largest read, or the committed bytes.
	end := max(need, min(directio.AlignUp(runEnd), start+readAheadMax, directio.AlignUp(committed)))
	if int64(cap(r.buf)) < end-start {
		r.release()
		if end-start <= blobBufferSize {
			r.buf = directio.GetBuffer(blobBufferSize)
		} else {
			r.buf = directio.AlignedBuffer(int(end - start)) // a chunk larger than any window
		}
	}
	r.bl.diskReads.Add(1)
	n, err := directio.ReadAt(fh, r.buf[:end-start], start, int(ref.off+ref.n-start))
	if err != nil {
		r.win = nil
		return fmt.Errorf("read %s at offset %d: %w", fh.Name(), ref.off, err)
	}
	// Not past the committed bytes: the padding after them is written
	// over by the next batch, and the window may outlive this scan.
	r.bl.diskBytes.Add(int64(n))
	r.seg, r.off, r.win = ref.seg, start, r.buf[:min(int64(n), committed-start)]
	r.fromFile = true
	return nil
}

// fromRecent makes the window the recent cache's bytes around ref, if it
// holds them: a window written from, or a chunk that straddles two,
// copied out.
func (r *segmentReader) fromRecent(ref blobRef) bool {
	c := r.bl.recent
	if c == nil {
		return false
	}
	if w := c.find(r.bl, ref.seg, ref.off, ref.n); w != nil {
		r.letGo()
		r.cached = w
		r.seg, r.off, r.win, r.fromFile = ref.seg, w.off, w.data, false
		return true
	}
	if ref.n > blobBufferSize {
		return false
	}
	r.letGo()
	r.win = nil // buf is written over, whether or not the copy succeeds
	if r.buf == nil {
		r.buf = directio.GetBuffer(blobBufferSize)
	}
	if !c.copyOut(r.bl, ref.seg, ref.off, r.buf[:ref.n]) {
		return false
	}
	r.seg, r.off, r.win, r.fromFile = ref.seg, ref.off, r.buf[:ref.n], false
	return true
}

// letGo lets go of the recent cache's window, if the reader holds one.
func (r *segmentReader) letGo() {
	if r.cached != nil {
		r.bl.recent.release(r.cached)
		r.cached, r.win = nil, nil
	}
}

// release gives the reader's buffers back (its last window read from the
// file to the recent cache, for the next scan); the reader may be used
// again.
func (r *segmentReader) release() {
	r.letGo()
	if r.win != nil && r.fromFile && len(r.buf) == blobBufferSize && r.bl.recent != nil && !r.fromDisk {
		r.bl.recent.add([]*window{{bl: r.bl, seg: r.seg, off: r.off, data: r.win}})
	} else {
		directio.PutBuffer(r.buf)
	}
	r.buf, r.win = nil, nil
}
