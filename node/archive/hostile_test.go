package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
)

// hostileFile returns the operations adding a file at path p whose
// content is that of a published file.
func hostileFile(like *File, p string) graphdb.Op {
	e := graphdb.Entity{}
	for a, v := range fileValues(like) {
		e[a] = v
	}
	e[attrPath] = p
	return e
}

func hostileLink(p, target string) graphdb.Op {
	return graphdb.Entity{attrPath: p, attrKind: graphdb.Keyword(kindSymlinkIdent), attrTarget: target}
}

func hostileDir(p string) graphdb.Op {
	return graphdb.Entity{attrPath: p, attrKind: graphdb.Keyword(kindDirIdent), attrMode: int64(0o755)}
}

// TestHostileArchives transacts archives holding paths that try to write
// or point outside the clone directory, and checks that clone refuses
// them, naming the path, before writing anything anywhere.
func TestHostileArchives(t *testing.T) {
	cases := []struct {
		name string
		ops  func(ok *File) []graphdb.Op
		path string // the path the error must name
	}{
		{"dotdot", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, "../evil")} }, "../evil"},
		{"dotdot inside", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, "a/../../evil")} }, "a/../../evil"},
		{"absolute", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, "/tmp/evil")} }, "/tmp/evil"},
		{"unclean", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, "a//b")} }, "a//b"},
		{"dot", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, ".")} }, "."},
		{"clone state", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, CloneStateFile)} }, CloneStateFile},
		{"symlink out", func(*File) []graphdb.Op { return []graphdb.Op{hostileLink("link", "../outside")} }, "link"},
		{"symlink absolute", func(*File) []graphdb.Op { return []graphdb.Op{hostileLink("link", "/etc")} }, "link"},
		{"symlink deep out", func(*File) []graphdb.Op { return []graphdb.Op{hostileLink("a/b/link", "../../../x")} }, "a/b/link"},
		{"symlink through symlink", func(*File) []graphdb.Op {
			return []graphdb.Op{hostileDir("x"), hostileLink("x/s", ".."), hostileLink("t", "x/s/..")}
		}, "t"},
		{"symlink loop", func(*File) []graphdb.Op { return []graphdb.Op{hostileLink("a", "b"), hostileLink("b", "a")} }, "a"},
		{"file behind a symlinked dir", func(ok *File) []graphdb.Op {
			return []graphdb.Op{hostileDir("real"), hostileLink("d", "real"), hostileFile(ok, "d/x")}
		}, "d/x"},
		{"file behind a symlink out", func(ok *File) []graphdb.Op {
			return []graphdb.Op{hostileLink("d", "/tmp"), hostileFile(ok, "d/x")}
		}, "d"},
		{"file behind a file", func(ok *File) []graphdb.Op { return []graphdb.Op{hostileFile(ok, "ok.txt/x")} }, "ok.txt/x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := testArchives(t)
			a := newArchive(t, s)
			tr := newTree(t)
			tr.write("ok.txt", []byte("hi"), 0o644)
			publish(t, a, tr.root, "")
			snap, err := a.Snapshot(0)
			if err != nil {
				t.Fatal(err)
			}
			ok, _ := snap.File("ok.txt")
			if _, err := a.Database().Transact(tc.ops(ok)); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			dir := filepath.Join(parent, "clone")
			_, err = a.Clone(context.Background(), dir, 0, CloneOptions{})
			var unsafe *UnsafePathError
			if !errors.As(err, &unsafe) || unsafe.Path != tc.path {
				t.Fatalf("clone: %v, want an unsafe path error naming %q", err, tc.path)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the path", err)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("clone wrote %v", entries)
			}
			// The version before the hostile one is still clonable.
			if _, err := a.Clone(context.Background(), dir, 2, CloneOptions{}); err != nil {
				t.Errorf("clone of the sound version: %v", err)
			}
		})
	}
}

func TestCheckPath(t *testing.T) {
	for _, p := range []string{"a", "a/b", "données/✓", ".hidden", "a/.stele-clone", "..a", "a..", "a/..b"} {
		if err := CheckPath(p); err != nil {
			t.Errorf("CheckPath(%q): %v", p, err)
		}
	}
	for _, p := range []string{"", ".", "..", "../a", "a/..", "a/../b", "/a", "a/", "a//b", "./a", "a/./b", "a\x00b", "\xff", CloneStateFile} {
		var unsafe *UnsafePathError
		if err := CheckPath(p); !errors.As(err, &unsafe) || unsafe.Path != p {
			t.Errorf("CheckPath(%q) = %v", p, err)
		}
	}
}

func TestResolveLink(t *testing.T) {
	files := map[string]*File{
		"d":       {Kind: KindDir},
		"d/up":    {Kind: KindSymlink, Target: ".."},
		"d/self":  {Kind: KindSymlink, Target: "."},
		"d/chain": {Kind: KindSymlink, Target: "up/d/self"},
	}
	for _, tt := range []struct {
		dir, target, want string
		ok                bool
	}{
		{".", "d", "d", true},
		{"d", "..", "", true},
		{"d", "../..", "", false},
		{"d", "up/d/up", "", true},
		{"d", "up/..", "", false},
		{"d", "chain/x", "d/x", true},
		{"d", "chain/../..", "", false},
	} {
		got, err := resolveLink(files, tt.dir, tt.target, 0)
		if (err == nil) != tt.ok || tt.ok && strings.Join(got, "/") != tt.want {
			t.Errorf("resolve %q from %q = %q, %v", tt.target, tt.dir, strings.Join(got, "/"), err)
		}
	}
}
