package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
)

// ErrCorrupt is wrapped by errors for content that does not match the
// archive's metadata (a chunk of the wrong length, a file whose bytes
// do not hash to its content hash).
var ErrCorrupt = errors.New("archive content does not match its metadata")

// A FileReader reads one file of an archive version. It is an
// io.ReadSeeker (and io.ReaderAt) that fetches, through the archive's
// Holder, only the chunks holding the bytes read, so it serves byte
// ranges (http.ServeContent) sparsely. It is not safe for concurrent use.
type FileReader struct {
	a *Archive
	// ctx bounds the fetches of every read: io.Reader and its kin take
	// no context, so the reader carries the one it was opened with, as
	// an http.Request's body carries the request's.
	ctx    context.Context
	file   *File
	starts []int64 // starts[i] is the offset of chunk i; starts[len] = Size
	pos    int64
	cached int    // index of the chunk in buf, -1 if none
	buf    []byte // the content of chunk cached
}

// Open returns a reader of f, a file of one of the archive's snapshots.
func (a *Archive) Open(ctx context.Context, f *File) (*FileReader, error) {
	if f.Kind != KindFile {
		return nil, fmt.Errorf("%s is a %s, not a file", f.Path, f.Kind)
	}
	starts := make([]int64, len(f.Chunks)+1)
	for i, c := range f.Chunks {
		starts[i+1] = starts[i] + c.Size
	}
	return &FileReader{a: a, ctx: ctx, file: f, starts: starts, cached: -1}, nil
}

// Size is the file's length.
func (r *FileReader) Size() int64 { return r.file.Size }

// Read reads from the current offset.
func (r *FileReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset of the next Read.
func (r *FileReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.file.Size
	default:
		return 0, fmt.Errorf("seek: bad whence %d", whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek %s: negative offset %d", r.file.Path, offset)
	}
	r.pos = offset
	return offset, nil
}

// ReadAt reads len(p) bytes at offset off, fetching the chunks that hold
// them.
func (r *FileReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) && off < r.file.Size {
		i := sort.Search(len(r.file.Chunks), func(i int) bool { return r.starts[i+1] > off })
		chunk, err := r.chunk(i)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], chunk[off-r.starts[i]:])
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// chunk returns the content of chunk i.
func (r *FileReader) chunk(i int) ([]byte, error) {
	if r.cached == i {
		return r.buf, nil
	}
	ref := r.file.Chunks[i]
	if err := r.a.holder.Hold(r.ctx, r.a.content, ref.Entry, ref.Entry+1); err != nil {
		return nil, fmt.Errorf("read %s: %w", r.file.Path, err)
	}
	data, err := r.a.content.Get(ref.Entry)
	if err != nil {
		return nil, fmt.Errorf("read %s: chunk %d (content entry %d): %w", r.file.Path, i, ref.Entry, err)
	}
	if int64(len(data)) != ref.Size {
		return nil, fmt.Errorf("read %s: content entry %d has %d bytes, the chunk list says %d: %w", r.file.Path, ref.Entry, len(data), ref.Size, ErrCorrupt)
	}
	r.cached, r.buf = i, data
	return data, nil
}

// WriteTo writes the rest of the file to w. From offset 0 it reads runs
// of consecutive chunks at once and checks the content against the
// file's hash: the fast path of cat and clone.
func (r *FileReader) WriteTo(w io.Writer) (int64, error) {
	if r.pos != 0 {
		return io.Copy(w, struct{ io.Reader }{r})
	}
	n, err := r.a.copyFile(r.ctx, r.a.holder, w, r.file)
	r.pos += n
	return n, err
}

// copyStep is how many content entries (about 16 MiB) copyFile holds and
// copies at a time: a large file is written as its chunks arrive rather
// than once all of them have.
const copyStep = 256

// copyFile writes f's content, held through holder, to w and checks its
// hash.
func (a *Archive) copyFile(ctx context.Context, holder Holder, w io.Writer, f *File) (int64, error) {
	h := a.format.newFileHash()
	written := int64(0)
	for _, run := range chunkRuns(f.Chunks) {
		i := run.first
		for lo := run.lo; lo < run.hi; lo += copyStep {
			hi := min(lo+copyStep, run.hi)
			if err := holder.Hold(ctx, a.content, lo, hi); err != nil {
				return written, fmt.Errorf("read %s: %w", f.Path, err)
			}
			if err := a.addLeaves(h, lo, hi); err != nil {
				return written, fmt.Errorf("read %s: %w", f.Path, err)
			}
			err := a.content.Scan(lo, hi, func(entry int64, data []byte) error {
				if int64(len(data)) != f.Chunks[i].Size {
					return fmt.Errorf("content entry %d has %d bytes, the chunk list says %d: %w", entry, len(data), f.Chunks[i].Size, ErrCorrupt)
				}
				i++
				h.addData(data)
				n, err := w.Write(data)
				written += int64(n)
				return err
			})
			if err != nil {
				return written, fmt.Errorf("read %s: %w", f.Path, err)
			}
		}
	}
	return written, h.check(f)
}

// addLeaves adds the leaf hashes of content entries [lo, hi) to h, if it
// is of them: the entries were verified against them as they arrived.
func (a *Archive) addLeaves(h *fileHash, lo, hi int64) error {
	if !h.ofLeaves() {
		return nil
	}
	leaves, err := a.content.LeafHashes(lo, hi)
	if err != nil {
		return err
	}
	h.addLeaves(leaves)
	return nil
}

// A chunkRun is a run of chunks stored as consecutive content entries
// [lo, hi), the first being chunk first of the file.
type chunkRun struct {
	first  int
	lo, hi int64
}

// chunkRuns groups a chunk list into runs of consecutive entries, so a
// freshly published file is read (and fetched) in one range.
func chunkRuns(refs []ChunkRef) []chunkRun {
	var runs []chunkRun
	for i, r := range refs {
		if n := len(runs); n > 0 && runs[n-1].hi == r.Entry {
			runs[n-1].hi++
			continue
		}
		runs = append(runs, chunkRun{first: i, lo: r.Entry, hi: r.Entry + 1})
	}
	return runs
}
