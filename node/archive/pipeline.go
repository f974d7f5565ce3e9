package archive

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/steledb/stele/feed/chunk"
)

// A chunkData is one chunk cut from a file, with its hash.
type chunkData struct {
	data []byte
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

// readFiles chunks and hashes files on all cores, and returns their jobs
// in the order given: the appender drains them one after the other, so
// each file's chunks become consecutive content entries (one range to
// fetch per file) while the next files are being read.
func readFiles(ctx context.Context, root string, files []*localFile) <-chan *readJob {
	ordered := make(chan *readJob, runtime.GOMAXPROCS(0))
	work := make(chan *readJob)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range work {
				job.done <- cutFile(ctx, job)
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
// chunk channel.
func cutFile(ctx context.Context, job *readJob) readResult {
	defer close(job.chunks)
	f, err := os.Open(job.full)
	if errors.Is(err, fs.ErrNotExist) {
		return readResult{missing: true}
	}
	if err != nil {
		return readResult{err: err}
	}
	defer f.Close()
	whole := sha256.New()
	r, err := chunk.NewReader(io.TeeReader(f, whole), chunk.Default)
	if err != nil {
		return readResult{err: err}
	}
	size := int64(0)
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return readResult{err: fmt.Errorf("read %s: %w", job.file.path, err)}
		}
		size += int64(len(c))
		cd := chunkData{data: append([]byte(nil), c...), hash: sha256.Sum256(c)}
		select {
		case job.chunks <- cd:
		case <-ctx.Done():
			return readResult{err: ctx.Err()}
		}
	}
	return readResult{hash: Hash(whole.Sum(nil)), size: size}
}
