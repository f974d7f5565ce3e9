package archive

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// CloneStateFile is the file in a clone's directory that remembers its
// archive and version. Publish never publishes it and an archive may not
// hold it.
const CloneStateFile = ".stele-clone"

// IgnoreFile holds the gitignore-syntax patterns of what Publish leaves
// out, in the published directory or any directory below it.
const IgnoreFile = ".steleignore"

// maxLinkDepth bounds the symlinks followed to resolve one, as the
// kernel's ELOOP limit does.
const maxLinkDepth = 40

// An UnsafePathError refuses a path of an archive that could write or
// point outside the directory it is cloned to, or that cannot be
// represented on disk.
type UnsafePathError struct {
	Path   string
	Reason string
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("unsafe path %q in archive: %s", e.Path, e.Reason)
}

// CheckPath says what is wrong with an archive path, if anything: paths
// are relative, slash-separated and clean (no "", ".", ".." or empty
// components), valid UTF-8 without NUL bytes, and not the clone state file.
func CheckPath(p string) error {
	reason := ""
	switch {
	case p == "" || p == ".":
		reason = "empty path"
	case strings.HasPrefix(p, "/"):
		reason = "absolute path"
	case !utf8.ValidString(p) || strings.ContainsRune(p, 0):
		reason = "not valid UTF-8 or holds a NUL byte"
	case p == ".." || strings.HasPrefix(p, "../") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/.."):
		reason = "climbs out with .."
	case path.Clean(p) != p:
		reason = "not a clean path (empty or . components, or a trailing slash)"
	case p == CloneStateFile:
		reason = "the clone state file " + CloneStateFile + " is reserved"
	}
	if reason != "" {
		return &UnsafePathError{Path: p, Reason: reason}
	}
	return nil
}

// checkTree checks the paths of a whole tree as an archive version holds
// them, in order (so the first offending path is reported): every path is valid, no path passes through a file or a symlink
// (every parent that the archive holds is a directory), and every symlink
// target is relative and resolves, through the tree's own symlinks,
// inside the tree.
func checkTree(files map[string]*File, paths []string) error {
	for _, p := range paths {
		f := files[p]
		if err := CheckPath(p); err != nil {
			return err
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if parent, ok := files[dir]; ok && parent.Kind != KindDir {
				return &UnsafePathError{Path: p, Reason: fmt.Sprintf("its parent %q is a %s, not a directory", dir, parent.Kind)}
			}
		}
		if f.Kind == KindSymlink {
			if err := checkLink(files, p, f.Target); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLink refuses a symlink whose target is absolute or resolves
// outside the tree.
func checkLink(files map[string]*File, p, target string) error {
	switch {
	case target == "":
		return &UnsafePathError{Path: p, Reason: "symlink with an empty target"}
	case strings.HasPrefix(target, "/"):
		return &UnsafePathError{Path: p, Reason: fmt.Sprintf("symlink to the absolute path %q", target)}
	case strings.ContainsRune(target, 0) || !utf8.ValidString(target):
		return &UnsafePathError{Path: p, Reason: "symlink target is not valid UTF-8 or holds a NUL byte"}
	}
	if _, err := resolveLink(files, path.Dir(p), target, 0); err != nil {
		return &UnsafePathError{Path: p, Reason: fmt.Sprintf("symlink to %q %v", target, err)}
	}
	return nil
}

// resolveLink resolves target as the kernel would from directory dir
// (both relative to the tree's root, "." for the root itself), expanding
// the tree's symlinks on the way, and fails if it leaves the tree.
// Lexical cleaning alone is not enough: with s -> "..", the target
// "x/s/.." cleans to "x" but resolves to the root's parent.
func resolveLink(files map[string]*File, dir, target string, depth int) ([]string, error) {
	if depth > maxLinkDepth {
		return nil, fmt.Errorf("goes through more than %d symlinks", maxLinkDepth)
	}
	var stack []string
	if dir != "." {
		stack = strings.Split(dir, "/")
	}
	for _, c := range strings.Split(target, "/") {
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return nil, fmt.Errorf("points outside the archive")
			}
			stack = stack[:len(stack)-1]
			continue
		}
		stack = append(stack, c)
		p := strings.Join(stack, "/")
		if f, ok := files[p]; ok && f.Kind == KindSymlink {
			if strings.HasPrefix(f.Target, "/") {
				return nil, fmt.Errorf("goes through the symlink %q to an absolute path", p)
			}
			resolved, err := resolveLink(files, path.Dir(p), f.Target, depth+1)
			if err != nil {
				return nil, err
			}
			stack = resolved
		}
	}
	return stack, nil
}

// resolvePath returns the path p names in the tree once its symlinks
// are followed ("" for the root).
func resolvePath(files map[string]*File, p string) (string, error) {
	stack, err := resolveLink(files, ".", p, 0)
	if err != nil {
		return "", err
	}
	return strings.Join(stack, "/"), nil
}
