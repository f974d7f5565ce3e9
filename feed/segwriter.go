package feed

import (
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"
)

// segmentBlock is the alignment of direct writes: offsets, lengths and
// buffer addresses are multiples of it (4 KiB suits every block device).
const segmentBlock = 4096

// A segmentWriter appends to a segment file, bypassing the page cache
// (O_DIRECT) where the file system allows it. Every batch is synced
// before it commits, so a cached copy would buy nothing but a second copy
// of each byte in memory: direct writes go to the disk at its speed and
// leave the cache to readers. Direct I/O writes whole aligned blocks, so
// the writer starts at the block holding the file's end (rewriting the
// committed bytes of that block with the same bytes) and pads its last
// block, then cuts the file back to its exact length.
type segmentWriter struct {
	fh   *os.File
	buf  []byte // segmentBlock-aligned; buf[:n] goes at base
	base int64  // a multiple of segmentBlock
	n    int
}

// openSegmentWriter opens the segment at path, whose committed length is
// length, for appending (creating it if create).
func openSegmentWriter(path string, length int64, create bool, size int) (*segmentWriter, error) {
	flags := os.O_WRONLY
	if create {
		flags |= os.O_CREATE | os.O_EXCL
	}
	fh, err := openDirect(path, flags)
	if err != nil {
		return nil, fmt.Errorf("blob segment: %w", err)
	}
	w := &segmentWriter{fh: fh, buf: getSegmentBuffer(size), base: length &^ (segmentBlock - 1)}
	if w.n = int(length - w.base); w.n > 0 {
		if err := readAtPath(path, w.buf[:w.n], w.base); err != nil {
			fh.Close()
			return nil, fmt.Errorf("blob segment %s: read its last block: %w", path, err)
		}
	}
	return w, nil
}

// segmentBuffers recycles writers' buffers: a batch would otherwise
// allocate (and clear) blobBufferSize bytes.
var segmentBuffers sync.Pool

func getSegmentBuffer(size int) []byte {
	if b, ok := segmentBuffers.Get().(*[]byte); ok && len(*b) == size {
		return *b
	}
	return alignedBuffer(size)
}

// alignedBuffer returns size bytes (a multiple of segmentBlock) at a
// block-aligned address.
func alignedBuffer(size int) []byte {
	raw := make([]byte, size+segmentBlock)
	skip := (segmentBlock - int(uintptr(unsafe.Pointer(&raw[0]))%segmentBlock)) % segmentBlock
	return raw[skip : skip+size : skip+size]
}

func readAtPath(path string, p []byte, off int64) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	_, err = fh.ReadAt(p, off)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// offset is where the next byte written goes.
func (w *segmentWriter) offset() int64 { return w.base + int64(w.n) }

func (w *segmentWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := copy(w.buf[w.n:], p)
		w.n += k
		p = p[k:]
		written += k
		if w.n == len(w.buf) {
			if err := w.writeBlocks(len(w.buf)); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// writeBlocks writes buf[:size] (size a multiple of segmentBlock) at base
// and keeps what follows buf[:n] for the next write.
func (w *segmentWriter) writeBlocks(size int) error {
	if _, err := w.fh.WriteAt(w.buf[:size], w.base); err != nil {
		return fmt.Errorf("write %s at offset %d: %w", w.fh.Name(), w.base, err)
	}
	w.n = copy(w.buf, w.buf[size:w.n])
	w.base += int64(size)
	return nil
}

// finish writes what is buffered, cuts the file to end exactly at
// offset and syncs it. The writer is done with.
func (w *segmentWriter) finish() error {
	if end := w.offset(); w.n > 0 {
		full := (w.n + segmentBlock - 1) &^ (segmentBlock - 1)
		clear(w.buf[w.n:full]) // the padding of the last block
		w.n = full
		if err := w.writeBlocks(full); err != nil {
			return err
		}
		w.base, w.n = end, 0 // offset stays the end
		if err := w.fh.Truncate(end); err != nil {
			return fmt.Errorf("truncate %s: %w", w.fh.Name(), err)
		}
	}
	if err := w.fh.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", w.fh.Name(), err)
	}
	return nil
}

func (w *segmentWriter) close() error {
	if buf := w.buf; buf != nil {
		segmentBuffers.Put(&buf)
		w.buf = nil
	}
	return w.fh.Close()
}
