package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// A localFile is what a scan of the published directory found at a path.
type localFile struct {
	path   string
	kind   Kind
	size   int64
	mode   fs.FileMode
	mtime  int64 // nanoseconds
	target string
}

// A scan is the state of a directory tree: its files in path order, and
// what was left out.
type scan struct {
	files   []localFile
	skipped []string // sockets, devices, pipes
}

// scanDir walks root (without following symlinks) and returns what it
// holds, leaving out what .steleignore files exclude and the clone state
// file. It reads no file contents.
func scanDir(root string) (*scan, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	s := &scan{}
	var ign ignorer
	err = filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return err
		}
		if rel == "." {
			return enterDir(&ign, full, "")
		}
		p := filepath.ToSlash(rel)
		if ign.excluded(p, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		f, ok, err := statLocal(full, p, d)
		if err != nil {
			return err
		}
		if !ok {
			s.skipped = append(s.skipped, p)
			return nil
		}
		s.files = append(s.files, f)
		if d.IsDir() {
			return enterDir(&ign, full, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", root, err)
	}
	// WalkDir's lexical order by name is not path order ("a/b" < "a-b"
	// as names, not as paths): sort by path.
	sort.Slice(s.files, func(i, j int) bool { return s.files[i].path < s.files[j].path })
	return s, nil
}

// enterDir reads a directory's .steleignore, if any.
func enterDir(ign *ignorer, full, p string) error {
	data, err := os.ReadFile(filepath.Join(full, IgnoreFile))
	if errors.Is(err, fs.ErrNotExist) {
		ign.enter(p, nil)
		return nil
	}
	if err != nil {
		return err
	}
	ign.enter(p, ParseIgnore(data))
	return nil
}

// statLocal describes one path; ok is false for kinds an archive does
// not hold.
func statLocal(full, p string, d fs.DirEntry) (localFile, bool, error) {
	info, err := d.Info()
	if err != nil {
		return localFile{}, false, err
	}
	f := localFile{path: p, mode: info.Mode().Perm()}
	switch {
	case info.Mode().IsRegular():
		f.kind, f.size, f.mtime = KindFile, info.Size(), info.ModTime().UnixNano()
	case info.IsDir():
		f.kind = KindDir
	case info.Mode()&fs.ModeSymlink != 0:
		f.kind, f.mode = KindSymlink, 0
		if f.target, err = os.Readlink(full); err != nil {
			return localFile{}, false, err
		}
	default:
		return localFile{}, false, nil
	}
	return f, true, nil
}
