package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"syscall"
)

// A PullResult says what Pull did.
type PullResult struct {
	From, To  int64
	Written   []string // paths created or replaced
	Removed   []string
	Conflicts []Conflict // paths left alone
}

// A Conflict is a path Pull did not update, and why.
type Conflict struct {
	Path   string
	Reason string
}

// Pull brings the clone in dir from the version it holds to version to
// (0: the latest): it writes the files that changed between the two
// versions and removes those the archive deleted. A path whose local
// state is neither the old version's nor the new one's was changed
// locally: Pull leaves it alone and reports it as a Conflict, unless
// opts.Force, which makes every path of the new version match it
// (files that the archive never held are kept either way).
func (a *Archive) Pull(ctx context.Context, dir string, to int64, opts CloneOptions) (PullResult, error) {
	state, err := ReadCloneState(dir)
	if err != nil {
		return PullResult{}, err
	}
	if state.Archive != a.Address() {
		return PullResult{}, fmt.Errorf("%s is a clone of %s, not %s", dir, state.Archive, a.Address())
	}
	old, err := a.Snapshot(state.Version)
	if err != nil {
		return PullResult{}, err
	}
	next, err := a.Snapshot(to)
	if err != nil {
		return PullResult{}, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return PullResult{}, err
	}
	defer root.Close()
	p := &puller{writer: writer{a: a, holder: a.holder, root: root, progress: opts.Progress}, force: opts.Force,
		res: PullResult{From: old.Version, To: next.Version}}
	if err := p.run(ctx, old, next); err != nil {
		return p.res, fmt.Errorf("pull %s into %s: %w", a.Address(), dir, err)
	}
	return p.res, writeCloneState(root, CloneState{Archive: a.Address(), Version: next.Version})
}

type puller struct {
	writer
	force bool
	res   PullResult
}

// run plans the change of every path, then removes (deepest first),
// then writes (directories, files, symlinks, directory modes).
func (p *puller) run(ctx context.Context, old, next *Snapshot) error {
	var removes []string
	var writes []*File
	for _, path := range unionPaths(old, next) {
		o, n := old.files[path], next.files[path]
		if n != nil {
			ok, err := p.localIs(n)
			if err != nil {
				return err
			}
			if ok {
				if n.Kind == KindDir {
					writes = append(writes, n) // for its mode
				}
				continue
			}
		}
		if !p.force && o != nil && n != nil && sameFile(o, n) {
			continue // the archive did not change it: the user did
		}
		if !p.force {
			ok, err := p.localWas(o, path)
			if err != nil {
				return err
			}
			if !ok {
				p.res.Conflicts = append(p.res.Conflicts, Conflict{path, "changed locally"})
				continue
			}
		}
		on, err := p.diskKind(path)
		if err != nil {
			return err
		}
		if on != 0 && (n == nil || on != n.Kind || on == KindSymlink) {
			removes = append(removes, path)
		}
		if n != nil {
			writes = append(writes, n)
		}
	}
	failed, err := p.removeAll(removes)
	if err != nil {
		return err
	}
	kept := writes[:0]
	for _, f := range writes {
		if !failed[f.Path] {
			kept = append(kept, f)
		}
	}
	err = p.writeAll(ctx, kept)
	sort.Slice(p.res.Conflicts, func(i, j int) bool { return p.res.Conflicts[i].Path < p.res.Conflicts[j].Path })
	return err
}

// removeAll removes paths deepest first. A directory still holding files
// the archive never had is kept, as a conflict: Pull never deletes what
// it did not write.
func (p *puller) removeAll(paths []string) (failed map[string]bool, err error) {
	failed = map[string]bool{}
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for _, path := range paths {
		err := p.root.Remove(path)
		switch {
		case err == nil:
			p.res.Removed = append(p.res.Removed, path)
		case errors.Is(err, fs.ErrNotExist):
		case isDir(p.root, path):
			p.res.Conflicts = append(p.res.Conflicts, Conflict{path, "directory holds files the archive does not"})
			failed[path] = true
		default:
			return nil, err
		}
	}
	return failed, nil
}

func isDir(root *os.Root, p string) bool {
	info, err := root.Lstat(p)
	return err == nil && info.IsDir()
}

// diskKind is what the disk holds at p: 0 for nothing (or something an
// archive cannot hold, which is left alone).
func (p *puller) diskKind(path string) (Kind, error) {
	info, err := p.root.Lstat(path)
	if isAbsent(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	switch {
	case info.Mode().IsRegular():
		return KindFile, nil
	case info.IsDir():
		return KindDir, nil
	case info.Mode()&fs.ModeSymlink != 0:
		return KindSymlink, nil
	}
	return 0, nil
}

// isAbsent reports an error saying that nothing is at a path (or that a
// parent is not a directory).
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// writeAll writes the new version's changed paths.
func (p *puller) writeAll(ctx context.Context, files []*File) error {
	var dirs []*File
	for _, f := range files {
		p.total += f.Size
		if f.Kind == KindDir {
			dirs = append(dirs, f)
			if err := p.root.MkdirAll(f.Path, 0o755); err != nil {
				return err
			}
		}
	}
	for _, f := range files {
		if err := p.replace(ctx, f); err != nil {
			return err
		}
	}
	return p.chmodDirs(dirs)
}

// replace writes a file (through a temporary file renamed over the old
// one) or a symlink.
func (p *puller) replace(ctx context.Context, f *File) error {
	switch f.Kind {
	case KindFile:
		if err := p.mkparents(f.Path); err != nil {
			return err
		}
		tmp := f.Path + ".stele-tmp"
		p.root.Remove(tmp)
		if err := p.writeFile(ctx, f, tmp); err != nil {
			return err
		}
		if err := p.root.Rename(tmp, f.Path); err != nil {
			p.root.Remove(tmp)
			return err
		}
	case KindSymlink:
		if err := p.mkparents(f.Path); err != nil {
			return err
		}
		if err := p.root.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := p.root.Symlink(f.Target, f.Path); err != nil {
			return err
		}
	default:
		return nil
	}
	p.res.Written = append(p.res.Written, f.Path)
	return nil
}

// localWas reports whether the disk still holds the clone's version of
// a path: o, or nothing if o is nil.
func (p *puller) localWas(o *File, path string) (bool, error) {
	if o != nil {
		return p.localIs(o)
	}
	on, err := p.diskKind(path)
	return on == 0, err
}

// localIs reports whether the disk holds exactly f at its path. A file
// whose size, time and mode match is taken as unchanged; one whose size
// matches but time does not is hashed.
func (p *puller) localIs(f *File) (bool, error) {
	info, err := p.root.Lstat(f.Path)
	if isAbsent(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch f.Kind {
	case KindDir:
		return info.IsDir(), nil
	case KindSymlink:
		if info.Mode()&fs.ModeSymlink == 0 {
			return false, nil
		}
		target, err := p.root.Readlink(f.Path)
		return err == nil && target == f.Target, nil
	}
	if !info.Mode().IsRegular() || info.Size() != f.Size || info.Mode().Perm() != f.Mode {
		return false, nil
	}
	if info.ModTime().Equal(f.Mtime) {
		return true, nil
	}
	return p.hashIs(f)
}

// hashIs reports whether the file at f's path has f's content.
func (p *puller) hashIs(f *File) (bool, error) {
	in, err := p.root.Open(f.Path)
	if err != nil {
		return false, nil
	}
	defer in.Close()
	h, err := p.a.format.hashFile(in)
	return h == f.Hash, err
}

// sameFile reports whether two versions of a path are the same.
func sameFile(a, b *File) bool {
	return a.Kind == b.Kind && a.Mode == b.Mode && a.Size == b.Size && a.Mtime.Equal(b.Mtime) &&
		a.Hash == b.Hash && a.Target == b.Target
}

// unionPaths returns the paths of two snapshots, sorted.
func unionPaths(a, b *Snapshot) []string {
	seen := make(map[string]bool, len(a.paths)+len(b.paths))
	var out []string
	for _, s := range []*Snapshot{a, b} {
		for _, p := range s.paths {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}
