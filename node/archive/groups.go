package archive

import (
	"context"
	"fmt"
	"os"
	"path"

	"github.com/steledb/stele/merkle"
)

// Small files are written in groups. A content feed stores its entries in
// chunks of up to 256 KiB (package feed), so a 16 KiB file is one entry
// of a chunk shared with its neighbours, and reading each small file on
// its own would read (and checksum) the whole chunk each time: sixteen
// times the file's bytes. Files published together have consecutive
// entries, so a group of them is read in one scan instead.
const (
	groupBytes = 4 << 20 // the most bytes of one group
	groupFiles = 256     // the most files of one group
)

// planJobs splits the regular files of files into what one worker writes
// at a time: a file on its own, or a group of small files (each under
// directMin, stored as one run of entries) that follow each other in
// path order and in the content feed.
func planJobs(files []*File) [][]*File {
	var jobs [][]*File
	var group []*File
	var groupSize, next int64
	flush := func() {
		if len(group) > 0 {
			jobs = append(jobs, group)
			group, groupSize = nil, 0
		}
	}
	for _, f := range files {
		if f.Kind != KindFile {
			continue
		}
		lo, hi, ok := oneRun(f)
		if !ok || f.Size >= directMin {
			flush()
			jobs = append(jobs, []*File{f})
			continue
		}
		if len(group) > 0 && (lo != next || groupSize+f.Size > groupBytes || len(group) == groupFiles) {
			flush()
		}
		group = append(group, f)
		groupSize += f.Size
		next = hi
	}
	flush()
	return jobs
}

// planLanes puts jobs of planJobs that create small files in one
// directory, one after the other, into one lane, which one worker writes
// in order; every other job is a lane of its own. Creating a file takes
// its directory's lock, so two workers filling one directory with small
// files wait for each other, and Linux has the waiting one spin on the
// lock: on ext4 without a journal, which looks at every recently deleted
// inode before reusing one, that spinning was a tenth of a clone's CPU
// time. Files of different directories still go in parallel.
func planLanes(jobs [][]*File) [][][]*File {
	var lanes [][][]*File
	laneDir := ""
	for _, job := range jobs {
		dir, small := smallFilesDir(job)
		if n := len(lanes); small && n > 0 && dir == laneDir {
			lanes[n-1] = append(lanes[n-1], job)
			continue
		}
		lanes = append(lanes, [][]*File{job})
		laneDir = ""
		if small {
			laneDir = dir
		}
	}
	return lanes
}

// smallFilesDir returns the directory of a job's files if they are all
// small and in one directory.
func smallFilesDir(job []*File) (dir string, ok bool) {
	dir = path.Dir(job[0].Path)
	for _, f := range job {
		if f.Size >= directMin || path.Dir(f.Path) != dir {
			return "", false
		}
	}
	return dir, true
}

// oneRun returns the entries [lo, hi) of f's chunks if they are
// consecutive.
func oneRun(f *File) (lo, hi int64, ok bool) {
	if len(f.Chunks) == 0 {
		return 0, 0, false
	}
	lo = f.Chunks[0].Entry
	for i, c := range f.Chunks {
		if c.Entry != lo+int64(i) {
			return 0, 0, false
		}
	}
	return lo, lo + int64(len(f.Chunks)), true
}

// writeJob writes one job of planJobs.
func (w *writer) writeJob(ctx context.Context, job []*File) error {
	if len(job) == 1 {
		return w.writeFile(ctx, job[0], job[0].Path)
	}
	return w.writeGroup(ctx, job)
}

// writeGroup writes a group of planJobs from one scan of their entries.
func (w *writer) writeGroup(ctx context.Context, files []*File) error {
	lo, _, _ := oneRun(files[0])
	_, hi, _ := oneRun(files[len(files)-1])
	if err := w.holder.Hold(ctx, w.a.content, lo, hi); err != nil {
		return fmt.Errorf("read %s: %w", files[0].Path, err)
	}
	g := &groupWriter{w: w, files: files, lo: lo}
	if w.a.format.ofLeaves() {
		leaves, err := w.a.content.LeafHashes(lo, hi)
		if err != nil {
			return fmt.Errorf("read %s: %w", files[0].Path, err)
		}
		g.leaves = leaves
	}
	defer g.closeDir()
	err := w.a.content.Scan(lo, hi, g.entry)
	if err == nil && g.next < len(files) {
		err = fmt.Errorf("read %s: content entries %d:%d are not all stored: %w", files[g.next].Path, lo, hi, ErrCorrupt)
	}
	if err != nil && g.out != nil {
		g.out.Close()
		g.dir.Remove(path.Base(files[g.next].Path))
	}
	return err
}

// A groupWriter writes the files of a group as their entries come, in
// order: file next is open (out) once its first entry has come, chunk
// of its chunks next.
type groupWriter struct {
	w     *writer
	files []*File
	next  int
	chunk int
	out   *os.File
	hash  *fileHash // of file next
	// lo is the group's first entry, leaves the leaf hashes of its
	// entries if its files' hashes are made of them.
	lo     int64
	leaves []merkle.Hash
	// dir is the directory of file next, opened once for the files in
	// it: a path under an os.Root is resolved one component at a time, a
	// few system calls each, for every file and again for its times.
	dir     *os.Root
	dirPath string
}

// openDir makes dir the directory of p.
func (g *groupWriter) openDir(p string) error {
	if d := path.Dir(p); g.dir == nil || d != g.dirPath {
		g.closeDir()
		dir, err := g.w.root.OpenRoot(d)
		if err != nil {
			return err
		}
		g.dir, g.dirPath = dir, d
	}
	return nil
}

func (g *groupWriter) closeDir() {
	if g.dir != nil {
		g.dir.Close()
		g.dir = nil
	}
}

func (g *groupWriter) entry(entry int64, data []byte) error {
	f := g.files[g.next]
	if want := f.Chunks[g.chunk]; entry != want.Entry || int64(len(data)) != want.Size {
		return fmt.Errorf("read %s: content entry %d has %d bytes, the chunk list says entry %d of %d bytes: %w", f.Path, entry, len(data), want.Entry, want.Size, ErrCorrupt)
	}
	if g.out == nil {
		if err := g.openDir(f.Path); err != nil {
			return err
		}
		out, err := g.dir.OpenFile(path.Base(f.Path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		g.out = out
		g.hash = g.w.a.format.newFileHash()
	}
	g.hash.addData(data)
	if g.leaves != nil {
		g.hash.addLeaves(g.leaves[entry-g.lo : entry-g.lo+1])
	}
	if _, err := (progressWriter{g.out, g.w}).Write(data); err != nil {
		return err
	}
	if g.chunk++; g.chunk < len(f.Chunks) {
		return nil
	}
	return g.finishFile(f)
}

// finishFile checks the file just written, closes it and gives it its
// mode and time.
func (g *groupWriter) finishFile(f *File) error {
	if err := g.hash.check(f); err != nil {
		return err
	}
	err := g.out.Chmod(f.Mode)
	if cerr := g.out.Close(); err == nil {
		err = cerr
	}
	g.out = nil
	name := path.Base(f.Path)
	if err != nil {
		g.dir.Remove(name)
		return err
	}
	g.next, g.chunk = g.next+1, 0
	return g.dir.Chtimes(name, f.Mtime, f.Mtime)
}
