package feed

import (
	"fmt"
	"hash/crc32"
	"os"

	"github.com/steledb/stele/feed/directio"
)

// A segmentWriter appends one batch's chunks to a segment file, bypassing
// the page cache (O_DIRECT) where the file system allows it. Every batch
// is synced before it commits, so a cached copy would buy nothing but a
// second copy of each byte in memory: direct writes go to the disk at its
// speed and leave the cache to readers. Direct I/O writes whole aligned
// blocks (see package directio), so the writer starts at the block
// holding the file's end, rewriting that block's committed bytes with the
// same bytes.
type segmentWriter struct {
	fh  *os.File
	w   *directio.Writer
	crc uint32           // writeSum's running checksum
	sum func(run []byte) // updates crc; made once per writer, so writeSum allocates nothing
}

// openSegmentWriter opens the segment at path, whose committed length is
// length, for appending (creating it if create), through a buffer of size
// bytes. tail, if not nil, is the bytes of length's block before length,
// which are otherwise read from the file.
func openSegmentWriter(path string, length int64, create bool, size int, tail []byte) (*segmentWriter, error) {
	flags := os.O_RDWR
	if create {
		flags |= os.O_CREATE | os.O_EXCL
	}
	fh, err := directio.Open(path, flags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("blob segment: %w", err)
	}
	buf := directio.GetBuffer(size)
	start := directio.AlignDown(length)
	if int64(len(tail)) == length-start {
		tail = buf[:copy(buf, tail)]
	} else if tail = buf[:length-start]; len(tail) > 0 {
		// Read the whole block, as direct I/O reads.
		if _, err := directio.ReadAt(fh, buf[:directio.Block], start, len(tail)); err != nil {
			fh.Close()
			directio.PutBuffer(buf)
			return nil, fmt.Errorf("blob segment %s: read its last block: %w", path, err)
		}
	}
	w := directio.NewWriter(fh, buf, length, tail)
	// Each full buffer is written while the next fills: a replica's
	// applier copies chunks in while the disk takes the last 4 MiB,
	// rather than waiting for it with the feed's write lock held.
	w.SetAsync(directio.GetBuffer(size))
	sw := &segmentWriter{fh: fh, w: w}
	sw.sum = func(run []byte) { sw.crc = crc32.Update(sw.crc, castagnoli, run) }
	return sw, nil
}

// offset is where the next byte written goes.
func (w *segmentWriter) offset() int64 { return w.w.Offset() }

func (w *segmentWriter) Write(p []byte) (int, error) { return w.w.Write(p) }

// writeSum writes p and returns crc updated with it, computed over the
// copy (see directio.Writer.WriteCopied).
func (w *segmentWriter) writeSum(p []byte, crc uint32) (uint32, error) {
	w.crc = crc
	_, err := w.w.WriteCopied(p, w.sum)
	return w.crc, err
}

// finish writes what is buffered and syncs the file. The file may end
// with the zeros that pad its last block: the committed length is the
// segment record's, and the next batch writes over them (or the next
// open cuts them off), so no truncation is paid for with every batch. The
// writer is done with.
func (w *segmentWriter) finish() error {
	if err := w.w.Pad(); err != nil {
		return err
	}
	if err := syncData(w.fh); err != nil {
		return fmt.Errorf("sync %s: %w", w.fh.Name(), err)
	}
	return nil
}

// close waits for the write in flight, if the batch gives up before
// finish, recycles the writer's buffers (the ones it holds now: see
// blobWriter.retire) and closes the file.
func (w *segmentWriter) close() error {
	w.w.Wait() // an error here is the batch's, which is being given up
	directio.PutBuffer(w.w.Buffer())
	directio.PutBuffer(w.w.Spare())
	return w.fh.Close()
}
