package archive

import (
	"context"
	"fmt"
	"io"
)

// A CheckResult is what CheckFiles found.
type CheckResult struct {
	Version int64
	Checked int // files whose chunks are held, each matching its hash
	NotHeld int // files with chunks this replica does not hold, not checked
}

// CheckFiles checks every file of version at (0: the latest) whose
// chunks the content feed holds against the file's hash, as a clone
// would, without writing anything or fetching what is not held (a sparse
// replica checks what it has). In format 2 that reads only the leaf
// hashes stored with the entries, which the feed's own Verify checks
// against the entries; in format 1 it reads and hashes the content. It
// fails, wrapping ErrCorrupt, naming the first file that does not match.
func (a *Archive) CheckFiles(ctx context.Context, at int64, progress func(done, total int64)) (CheckResult, error) {
	snap, err := a.Snapshot(at)
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Version: snap.Version}
	files := snap.Files()
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if progress != nil {
			progress(int64(i), int64(len(files)))
		}
		if f.Kind != KindFile {
			continue
		}
		if !a.holdsChunks(f) {
			res.NotHeld++
			continue
		}
		if err := a.checkFile(ctx, f); err != nil {
			return res, fmt.Errorf("version %d: %w", snap.Version, err)
		}
		res.Checked++
	}
	return res, nil
}

// holdsChunks reports whether every chunk of f is held.
func (a *Archive) holdsChunks(f *File) bool {
	held := a.content.Ranges()
	for _, run := range chunkRuns(f.Chunks) {
		if !held.Covers(run.lo, run.hi) {
			return false
		}
	}
	return true
}

// checkFile checks f, whose chunks are held, against its hash.
func (a *Archive) checkFile(ctx context.Context, f *File) error {
	h := a.format.newFileHash()
	if !h.ofLeaves() {
		_, err := a.copyFile(ctx, LocalHolder{}, io.Discard, f)
		return err
	}
	for _, run := range chunkRuns(f.Chunks) {
		if err := a.addLeaves(h, run.lo, run.hi); err != nil {
			return fmt.Errorf("read %s: %w", f.Path, err)
		}
	}
	return h.check(f)
}
