package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/feed/chunk"
)

// A chunkData is one chunk cut from a file, with its leaf hash (hashed
// by the worker that cut it, while the chunk is in its core's cache) and
// its :stele.chunk/hash.
type chunkData struct {
	leaf feed.Leaf
	hash Hash
}

// A readJob is one file to chunk and hash. Its worker sends the file's
// chunks in order on chunks, closes it, then sends the outcome on done.
type readJob struct {
	file   *localFile
	full   string
	chunks chan chunkData
	done   chan readResult
}

type readResult struct {
	hash    Hash
	size    int64
	missing bool // the file vanished since the scan
	err     error
}

// chunkBacklog is how many chunks of one file a worker cuts ahead of the
// appender: with two workers, at most 2 × 32 × 256 KiB in flight.
const chunkBacklog = 32

// maxChunk is the largest chunk, the capacity of chunk buffers.
var maxChunk = chunk.Default.Max

// readFiles chunks and hashes files on all cores, and returns their jobs
// in the order given: the appender drains them one after the other, so
// each file's chunks become consecutive content entries (one range to
// fetch per file) while the next files are being read.
func readFiles(ctx context.Context, v format, root string, files []*localFile, free chan []byte) <-chan *readJob {
	ordered := make(chan *readJob, runtime.GOMAXPROCS(0))
	work := make(chan *readJob)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, readBufferSize)
			for job := range work {
				job.done <- cutFile(ctx, v, job, free, buf)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer func() { close(work); wg.Wait() }()
		for _, f := range files {
			job := &readJob{file: f, full: filepath.Join(root, filepath.FromSlash(f.path)),
				chunks: make(chan chunkData, chunkBacklog), done: make(chan readResult, 1)}
			select {
			case ordered <- job:
			case <-ctx.Done():
				return
			}
			select {
			case work <- job:
			case <-ctx.Done():
				close(job.chunks)
				job.done <- readResult{err: ctx.Err()}
				return
			}
		}
	}()
	return ordered
}

// cutFile reads one file, sending its chunks; it always closes the
// chunk channel. buf is the worker's read buffer, reused from file to
// file (a chunk.Reader would allocate one per file, and most files are
// small).
func cutFile(ctx context.Context, v format, job *readJob, free chan []byte, buf []byte) readResult {
	defer close(job.chunks)
	f, err := os.Open(job.full)
	if errors.Is(err, fs.ErrNotExist) {
		return readResult{missing: true}
	}
	if err != nil {
		return readResult{err: err}
	}
	defer f.Close()
	whole := v.newFileHash()
	size := int64(0)
	err = cutStream(f, buf, func(c []byte) error {
		leaf := feed.NewLeaf(chunkBuffer(free, c))
		whole.addLeaf(leaf)
		size += int64(len(c))
		select {
		case job.chunks <- chunkData{leaf: leaf, hash: v.chunkHash(leaf)}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		return readResult{err: fmt.Errorf("read %s: %w", job.file.path, err)}
	}
	return readResult{hash: whole.sum(), size: size}
}

// cutStream cuts r into content-defined chunks with chunk.Default, as a
// chunk.Reader does (the boundaries depend on the content only), using buf
// (at least 2 × chunk.Default.Max bytes) for reading. emit's argument is
// valid only during the call.
func cutStream(r io.Reader, buf []byte, emit func([]byte) error) error {
	start, end, eof := 0, 0, false
	for {
		// Cut only with a maximal chunk's worth of data in hand, or at the
		// end: then the boundary is the one the content defines.
		for !eof && end-start < maxChunk {
			if start > 0 && end == len(buf) {
				end = copy(buf, buf[start:end])
				start = 0
			}
			n, err := r.Read(buf[end:])
			end += n
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
		}
		if start == end {
			return nil
		}
		n := chunk.Default.Cut(buf[start:end])
		if err := emit(buf[start : start+n]); err != nil {
			return err
		}
		start += n
	}
}

// readBufferSize is each reader's buffer: four maximal chunks, so that
// reads are large and compaction copies are rare.
var readBufferSize = 4 * maxChunk
