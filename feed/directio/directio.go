// Package directio writes files past the page cache (O_DIRECT) where the
// file system allows it, in whole aligned blocks, falling back to plain
// writes where it does not.
//
// Direct I/O moves data between the disk and the caller's buffer without
// a copy in the page cache, so the buffer's address, the file offset and
// the length of every transfer must be multiples of the device's logical
// block size; Block (4 KiB) suits every device Linux supports. A Writer
// gathers what it is given into an aligned buffer and writes it in whole
// blocks; its last block is padded with zeros and the file then cut back
// to the exact length:
//
//	offset:    0           4096          8192    9000  12288
//	written:   [  block 0  ][  block 1  ][ data  | pad ]
//	truncate:                                    ^ 9000
//
// To append to a file whose end is not block-aligned, the caller gives
// NewWriter the bytes of the last partial block, which are written again.
// A caller that wants to keep what it wrote in memory (for readers that
// follow it) has the Writer hand over each buffer it wrote from
// (SetRetire) rather than copy it. A direct write returns only once the
// disk has the data, so a caller with other work to do (a clone checking
// and copying the next chunks) has the Writer write each full buffer in
// the background while it fills a second one (SetAsync).
//
// Why bother: data written once and not read back soon (a log segment
// that is synced anyway, a downloaded file) gains nothing from the cache
// but a second copy in memory, and on virtual machines whose host backs
// guest memory lazily, each fresh cache page costs more than the write.
package directio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Block is the alignment of direct transfers.
const Block = 4096

// AlignedBuffer returns size bytes (a multiple of Block) at a
// Block-aligned address.
func AlignedBuffer(size int) []byte {
	if size%Block != 0 {
		panic(fmt.Sprintf("directio: buffer of %d bytes is not a multiple of %d", size, Block))
	}
	raw := make([]byte, size+Block)
	skip := (Block - int(uintptr(unsafe.Pointer(&raw[0]))%Block)) % Block
	return raw[skip : skip+size : skip+size]
}

// BufferSize is the size of the buffers GetBuffer recycles.
const BufferSize = 4 << 20

var buffers sync.Pool

// GetBuffer returns an aligned buffer of size bytes, a recycled one if
// size is BufferSize: writers would otherwise allocate (and clear) one
// each time.
func GetBuffer(size int) []byte {
	if size == BufferSize {
		if b, ok := buffers.Get().(*[]byte); ok {
			return *b
		}
	}
	return AlignedBuffer(size)
}

// PutBuffer recycles a buffer from GetBuffer; one of another size than
// BufferSize is left to the collector.
func PutBuffer(b []byte) {
	if len(b) == BufferSize {
		buffers.Put(&b)
	}
}

// AlignDown and AlignUp round an offset to a block boundary.
func AlignDown(off int64) int64 { return off &^ (Block - 1) }
func AlignUp(off int64) int64   { return (off + Block - 1) &^ (Block - 1) }

// Open opens path with O_DIRECT, or without it on a file system that
// refuses it (tmpfs on older kernels).
func Open(path string, flag int, perm os.FileMode) (*os.File, error) {
	return openDirect(path, flag, perm)
}

// ReadAt reads len(p) bytes (whole blocks, into an aligned buffer) at
// off, a multiple of Block, of a file that may end within them: it
// returns how many bytes it read, an error only if that is fewer than
// need (io.ErrUnexpectedEOF if the file ends first). A direct read of a
// file's last block returns only the bytes the file has.
func ReadAt(fh *os.File, p []byte, off int64, need int) (int, error) {
	n, err := fh.ReadAt(p, off)
	if n >= need {
		return n, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Enable turns direct I/O on for an open file and reports whether it is
// on: false where the file system (or the OS) does not support it, and
// the file is then written through the page cache as before.
func Enable(fh *os.File) bool { return setDirect(fh, true) }

// A Writer writes sequentially from an offset through an aligned buffer.
type Writer struct {
	fh     *os.File
	buf    []byte // Block-aligned; buf[:n] goes at base
	base   int64  // a multiple of Block
	n      int
	retire func(off int64, data []byte) []byte

	spare       []byte     // with SetAsync: the buffer being written, or free
	pending     chan error // the write in flight, if any
	pendingBase int64      // where it goes
}

// SetAsync makes the writer write each full buffer in the background
// while the caller fills spare (a buffer of the same size) with what
// comes next: the disk and the caller work at once. Flush and Pad wait for
// the write, so that no write is in flight once they return (the
// buffers may then be recycled); its error comes back from the next call.
// With SetRetire, a buffer written in the background is offered to retire
// once its write is done (by the call that waits for it), and what retire
// returns becomes the spare.
func (w *Writer) SetAsync(spare []byte) {
	if len(spare) != len(w.buf) {
		panic("directio: SetAsync: a spare buffer of the writer's size")
	}
	w.spare = spare
}

// Spare is the buffer given to SetAsync that the writer is not writing
// from now, for its owner to recycle once the writer is done.
func (w *Writer) Spare() []byte { return w.spare }

// Wait waits for the write in flight (SetAsync) and returns its error:
// what a caller that gives up on the writer calls before recycling its
// buffers, rather than Flush, which would write what is buffered.
func (w *Writer) Wait() error { return w.wait() }

func (w *Writer) wait() error {
	if w.pending == nil {
		return nil
	}
	err := <-w.pending
	w.pending = nil
	if err == nil && w.retire != nil {
		w.spare = w.retire(w.pendingBase, w.spare)
	}
	return err
}

// SetRetire makes the writer offer each buffer it has written from to
// retire, which returns the buffer to go on with: the same one, or a
// fresh one of the same size (the writer copies the bytes it still needs
// into it and never touches the old one again). off is the file offset of
// the buffer's first byte and data the bytes of it that hold data, not
// padding. A caller can so keep what was just written in memory, for
// readers that follow the writer closely, without copying it.
func (w *Writer) SetRetire(retire func(off int64, data []byte) []byte) { w.retire = retire }

// Buffer is the buffer the writer writes from now, for its owner to
// recycle once done.
func (w *Writer) Buffer() []byte { return w.buf }

// NewWriter returns a writer that writes to fh from off on, through buf
// (from AlignedBuffer, at least one block). tail must be the file's bytes
// from AlignDown(off) to off, which the writer's first block writes again.
func NewWriter(fh *os.File, buf []byte, off int64, tail []byte) *Writer {
	if int64(len(tail)) != off-AlignDown(off) || len(buf) < Block || len(buf)%Block != 0 {
		panic("directio: NewWriter: the tail must be the bytes of off's block before off, the buffer whole blocks")
	}
	w := &Writer{fh: fh, buf: buf, base: AlignDown(off)}
	w.n = copy(buf, tail)
	return w
}

// Pending is what the writer holds that is not yet written in whole
// blocks: after Pad or Flush, the bytes of the last partial block. It is
// valid until the next write.
func (w *Writer) Pending() []byte { return w.buf[:w.n] }

// Offset is where the next byte written goes.
func (w *Writer) Offset() int64 { return w.base + int64(w.n) }

func (w *Writer) Write(p []byte) (int, error) { return w.WriteCopied(p, nil) }

// WriteCopied writes p as Write does, and if copied is not nil calls it
// with each run of the buffer p went into, right after the copy and
// before the run is written: a checksum of what is written costs half as
// much over the copy, hot in the cache, as over p before it (a 64 KiB
// copy then CRC-32C runs at 6 to 7 GB/s here, the CRC then the copy at
// under 4). The run is valid only during the call.
func (w *Writer) WriteCopied(p []byte, copied func(run []byte)) (int, error) {
	written := 0
	for len(p) > 0 {
		k := copy(w.buf[w.n:], p)
		if copied != nil {
			copied(w.buf[w.n : w.n+k])
		}
		w.n += k
		p = p[k:]
		written += k
		if w.n == len(w.buf) {
			if err := w.writeBlocks(len(w.buf), len(w.buf)); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// writeBlocks writes buf[:size] (size a multiple of Block, past n only
// padding) at base, then keeps buf[keep:n] (keep a multiple of Block) at
// the start of the buffer for the next write, base moving past keep. A
// direct write the file system refuses after all is done again through
// the page cache.
func (w *Writer) writeBlocks(size, keep int) error {
	if err := w.wait(); err != nil {
		return err
	}
	if w.spare != nil && size == len(w.buf) && keep == size {
		// A full buffer: write it behind, go on in the spare.
		buf, base, done := w.buf, w.base, make(chan error, 1)
		go func() { done <- w.writeAt(buf[:size], base) }() // waited for by wait
		w.pending, w.pendingBase = done, base
		w.buf, w.spare = w.spare, buf
		w.n = 0
		w.base += int64(keep)
		return nil
	}
	if err := w.writeAt(w.buf[:size], w.base); err != nil {
		return err
	}
	old, next := w.buf, w.buf
	if w.retire != nil {
		next = w.retire(w.base, old[:min(w.n, size)])
	}
	w.n = copy(next, old[keep:w.n])
	w.buf = next
	w.base += int64(keep)
	return nil
}

// writeAt writes p at off, through the page cache if the file system
// refuses a direct write after all.
func (w *Writer) writeAt(p []byte, off int64) error {
	_, err := w.fh.WriteAt(p, off)
	if err != nil && isInvalid(err) && setDirect(w.fh, false) {
		_, err = w.fh.WriteAt(p, off)
	}
	if err != nil {
		return fmt.Errorf("write %s at offset %d: %w", w.fh.Name(), off, err)
	}
	return nil
}

// Flush writes what is buffered and cuts the file to end exactly at
// Offset. It does not sync. The writer may go on writing after it: the
// bytes of the last partial block stay buffered, to be written again with
// the block's next bytes.
func (w *Writer) Flush() error {
	end := w.Offset()
	if err := w.Pad(); err != nil {
		return err
	}
	if err := w.fh.Truncate(end); err != nil {
		return fmt.Errorf("truncate %s: %w", w.fh.Name(), err)
	}
	return nil
}

// Pad writes what is buffered, its last block padded with zeros, and
// leaves the file that long: up to Block-1 bytes past Offset, for a
// caller that records the true length itself and would rather not pay
// for a truncation (a metadata change to journal) each time. The writer
// may go on writing after it, over the padding.
func (w *Writer) Pad() error {
	if w.n == 0 {
		return w.wait()
	}
	full := int(AlignUp(int64(w.n)))
	clear(w.buf[w.n:full]) // the padding of the last block
	// Kept: the last block's bytes, if it is partial.
	return w.writeBlocks(full, int(AlignDown(int64(w.n))))
}

func isInvalid(err error) bool { return errors.Is(err, syscall.EINVAL) }
