package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/feed/directio"
)

// A CloneState is what a clone's directory remembers in its
// .stele-clone file: the archive and the version it holds.
type CloneState struct {
	Archive string `json:"archive"`
	Version int64  `json:"version"`
}

// ReadCloneState reads the .stele-clone file of a clone's directory.
func ReadCloneState(dir string) (CloneState, error) {
	data, err := os.ReadFile(dir + string(os.PathSeparator) + CloneStateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return CloneState{}, fmt.Errorf("%s is not a clone of an archive (it has no %s file)", dir, CloneStateFile)
	}
	if err != nil {
		return CloneState{}, err
	}
	var s CloneState
	if err := json.Unmarshal(data, &s); err != nil || s.Archive == "" || s.Version < 1 {
		return CloneState{}, fmt.Errorf("%s/%s is damaged: want {\"archive\": ADDRESS, \"version\": N}", dir, CloneStateFile)
	}
	return s, nil
}

func writeCloneState(root *os.Root, s CloneState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp := CloneStateFile + ".tmp"
	if err := root.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return root.Rename(tmp, CloneStateFile)
}

// CloneOptions tune Clone and Pull.
type CloneOptions struct {
	// Force makes Pull overwrite files changed locally.
	Force bool
	// Progress, if set, is called with the bytes written so far and the
	// bytes to write.
	Progress func(done, total int64)
}

// Clone writes version at (0: the latest) of the archive into dir, which
// must not exist or be empty, and records the archive and version in
// dir/.stele-clone. The version is checked as a whole before anything is
// written: an archive holding a path that could escape dir (.., an
// absolute path, a path through a symlink, a symlink pointing outside) is
// refused with an *UnsafePathError naming the path. Files get their mode
// and modification time; every file's content is checked against its
// hash.
func (a *Archive) Clone(ctx context.Context, dir string, at int64, opts CloneOptions) (*Snapshot, error) {
	snap, err := a.Snapshot(at)
	if err != nil {
		return nil, err
	}
	if err := checkEmptyDir(dir); err != nil {
		return nil, err
	}
	fetch := a.prefetch(ctx, snap)
	defer fetch.close()
	_, statErr := os.Stat(dir)
	existed := statErr == nil
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := a.cloneInto(ctx, fetch, dir, snap, opts); err != nil {
		undoClone(dir, existed)
		if ferr := fetch.close(); ferr != nil && !errors.Is(err, ferr) {
			err = ferr // what kept the chunks from arriving
		}
		return nil, fmt.Errorf("clone %s into %s: %w", a.Address(), dir, err)
	}
	return snap, nil
}

// A prefetcher holds a version's chunks in the background (holdAll, in
// large ranges) while a clone writes its files: a file's writer waits for
// its chunks to arrive rather than fetching them itself, one file at a
// time. Once the prefetch is over it holds through the archive's Holder.
type prefetcher struct {
	inner   Holder
	content *feed.Feed
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // once done is closed
}

func (a *Archive) prefetch(ctx context.Context, snap *Snapshot) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{inner: a.holder, content: a.content, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = a.holdAll(ctx, snap)
	}()
	return p
}

func (p *prefetcher) Hold(ctx context.Context, f *feed.Feed, lo, hi int64) error {
	if f.PublicKey() != p.content.PublicKey() {
		return p.inner.Hold(ctx, f, lo, hi)
	}
	for {
		changed := f.Watch()
		if lo >= hi || f.Ranges().Covers(lo, hi) {
			return nil
		}
		select {
		case <-changed:
		case <-p.done:
			if p.err != nil {
				return p.err
			}
			return p.inner.Hold(ctx, f, lo, hi)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close stops the prefetch, waits for it and returns its error.
func (p *prefetcher) close() error {
	p.cancel()
	<-p.done
	if errors.Is(p.err, context.Canceled) {
		return nil // stopped here, after the clone
	}
	return p.err
}

// undoClone removes what a failed clone wrote: the directory was empty
// (or absent) before.
func undoClone(dir string, existed bool) {
	if !existed {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(dir + string(os.PathSeparator) + e.Name())
	}
}

// holdAll makes sure every chunk of the version is held before anything
// is written, so a clone from a partial replica fails cleanly (and one
// through the swarm fetches in large ranges first).
func (a *Archive) holdAll(ctx context.Context, snap *Snapshot) error {
	var need feed.RangeSet
	for _, f := range snap.files {
		for _, run := range chunkRuns(f.Chunks) {
			need = need.Add(run.lo, run.hi)
		}
	}
	for _, r := range need {
		if err := a.holder.Hold(ctx, a.content, r.Lo, r.Hi); err != nil {
			return err
		}
	}
	return nil
}

func (a *Archive) cloneInto(ctx context.Context, holder Holder, dir string, snap *Snapshot, opts CloneOptions) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	w := &writer{a: a, holder: holder, root: root, progress: opts.Progress}
	for _, f := range snap.Files() {
		w.total += f.Size
	}
	if err := w.writeTree(ctx, snap.Files()); err != nil {
		return err
	}
	return writeCloneState(root, CloneState{Archive: a.Address(), Version: snap.Version})
}

// checkEmptyDir refuses a directory that holds anything.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: clone into a new directory (or \"stele pull\" an existing clone)", dir)
	}
	return nil
}

// A writer writes archive files under a root directory.
type writer struct {
	a        *Archive
	holder   Holder // of the content: the archive's, or a clone's prefetcher
	root     *os.Root
	progress func(done, total int64)
	total    int64

	mu   sync.Mutex // guards done: files are written concurrently
	done int64
}

// writeTree writes files (none of which exist yet) in an order that never
// writes through a symlink: directories (writable while being filled,
// including those only implied by the paths below them), files, symlinks,
// then the directories' own modes, deepest first.
func (w *writer) writeTree(ctx context.Context, files []*File) error {
	var dirs []*File
	need := map[string]bool{}
	for _, f := range files {
		if f.Kind == KindDir {
			dirs = append(dirs, f)
			need[f.Path] = true
		} else if dir := path.Dir(f.Path); dir != "." {
			need[dir] = true
		}
	}
	for _, d := range sortedKeys(need) {
		if err := w.root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := w.writeFiles(ctx, files); err != nil {
		return err
	}
	for _, f := range files {
		if f.Kind == KindSymlink {
			if err := w.root.Symlink(f.Target, f.Path); err != nil {
				return err
			}
		}
	}
	return w.chmodDirs(dirs)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// writeFiles writes the regular files of files (none of which exist
// yet) on all cores: reading, hashing and writing one file (or a group
// of small ones, see planJobs) is one core's work, and so are the jobs of
// one lane (see planLanes), one after the other.
func (w *writer) writeFiles(ctx context.Context, files []*File) error {
	work := make(chan [][]*File)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lane := range work {
				for _, job := range lane {
					if err := w.writeJob(ctx, job); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	var err error
feed:
	for _, lane := range planLanes(planJobs(files)) {
		select {
		case work <- lane:
		case err = <-errs:
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err == nil {
		err = <-errs
	}
	return err
}

// chmodDirs gives directories their modes, deepest first (a read-only
// directory must be filled before it becomes read-only).
func (w *writer) chmodDirs(dirs []*File) error {
	sort.Slice(dirs, func(i, j int) bool { return strings.Count(dirs[i].Path, "/") > strings.Count(dirs[j].Path, "/") })
	for _, d := range dirs {
		if err := w.root.Chmod(d.Path, d.Mode); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) mkparents(p string) error {
	if dir := path.Dir(p); dir != "." {
		return w.root.MkdirAll(dir, 0o755)
	}
	return nil
}

// writeFile writes f's content at name (under the root, in an existing
// directory), then its mode and modification time.
func (w *writer) writeFile(ctx context.Context, f *File, name string) error {
	out, err := w.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = w.copyTo(ctx, out, f)
	if err == nil {
		err = out.Chmod(f.Mode) // through the descriptor: no path to resolve again
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.root.Remove(name)
		return err
	}
	return w.root.Chtimes(name, f.Mtime, f.Mtime)
}

// directMin is the size from which a clone writes a file past the page
// cache (see package directio): the file goes to the disk at its speed,
// and memory is not filled with gigabytes nobody may read soon. Smaller
// files go through the cache, where a direct write would wait for the
// disk for each one.
const directMin = 1 << 20

// copyTo writes f's content to out, directly where it is large and the
// file system allows, each full buffer in the background while the next
// chunks are read and checked into a second one (direct writes wait for
// the disk: the clone's writers spent 2 s per GiB waiting).
func (w *writer) copyTo(ctx context.Context, out *os.File, f *File) error {
	if f.Size < directMin || !directio.Enable(out) {
		_, err := w.a.copyFile(ctx, w.holder, progressWriter{out, w}, f)
		return err
	}
	dw := directio.NewWriter(out, directio.GetBuffer(directio.BufferSize), 0, nil)
	dw.SetAsync(directio.GetBuffer(directio.BufferSize))
	_, err := w.a.copyFile(ctx, w.holder, progressWriter{dw, w}, f)
	if err == nil {
		err = dw.Flush()
	} else {
		dw.Wait() // the file is removed: nothing more to write, but the buffers go back only once the write in flight is done
	}
	directio.PutBuffer(dw.Buffer())
	directio.PutBuffer(dw.Spare())
	return err
}

// progressWriter counts what goes through it.
type progressWriter struct {
	io.Writer
	w *writer
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.Writer.Write(b)
	if p.w.progress != nil {
		p.w.mu.Lock()
		p.w.done += int64(n)
		p.w.progress(p.w.done, max(p.w.total, p.w.done))
		p.w.mu.Unlock()
	}
	return n, err
}
