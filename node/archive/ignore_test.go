package archive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ignoreCases were checked against git check-ignore --no-index (git 2.x)
// with the patterns as the .gitignore at the root of a repository: want
// is whether git ignores the path. A trailing / marks a directory.
var ignoreCases = []struct {
	patterns string
	path     string
	want     bool
}{
	{"*.log", "a.log", true},
	{"*.log", "dir/a.log", true},
	{"*.log", "a.log.txt", false},
	{"/*.log", "dir/a.log", false},
	{"/*.log", "a.log", true},
	{"build/", "build/", true},
	{"build/", "build", false}, // a file named build
	{"build/", "src/build/", true},
	{"build", "src/build", true},
	{"doc/frotz", "doc/frotz", true},
	{"doc/frotz", "a/doc/frotz", false},
	{"doc/frotz/", "doc/frotz/", true},
	{"**/foo", "foo", true},
	{"**/foo", "a/b/foo", true},
	{"**/foo/bar", "x/foo/bar", true},
	{"abc/**", "abc/x", true},
	{"abc/**", "abc/x/y", true},
	{"abc/**", "abc/", false}, // git check-ignore says true: it empties abc, but abc itself stays
	{"a/**/b", "a/b", true},
	{"a/**/b", "a/x/y/b", true},
	{"a/**/b", "x/a/b", false},
	{"*.txt\n!keep.txt", "keep.txt", false},
	{"*.txt\n!keep.txt", "drop.txt", true},
	{"!keep.txt\n*.txt", "keep.txt", true},
	{"# comment\n", "# comment", false},
	{"\\#hash", "#hash", true},
	{"\\!bang", "!bang", true},
	{"trail   ", "trail", true},
	{"space\\ ", "space ", true},
	{"space\\ ", "space", false},
	{"fo?", "foo", true},
	{"fo?", "fo/", false},
	{"[a-c]x", "bx", true},
	{"[!a-c]x", "bx", false},
	{"[!a-c]x", "dx", true},
	{"a**b", "axyb", true},
	{"a/*/c", "a/b/c", true},
	{"a/*/c", "a/b/d/c", false},
	{"*", "anything/deep", true},
	{"", "x", false},
	{"/", "x", false},
}

func TestIgnoreRules(t *testing.T) {
	for _, tt := range ignoreCases {
		isDir := strings.HasSuffix(tt.path, "/")
		p := strings.TrimSuffix(tt.path, "/")
		rules := ParseIgnore([]byte(tt.patterns))
		// A path is ignored if it or any parent directory is (Publish
		// does not descend into excluded directories).
		got := false
		names := strings.Split(p, "/")
		for i := range names {
			sub := strings.Join(names[:i+1], "/")
			if _, ex := rules.Match(sub, isDir || i < len(names)-1); ex {
				got = true
				break
			}
		}
		if got != tt.want {
			t.Errorf("patterns %q, path %q: ignored %v, want %v", tt.patterns, tt.path, got, tt.want)
		}
	}
}

// TestScanIgnores checks nested .steleignore files and the clone state
// file on a real tree.
func TestScanIgnores(t *testing.T) {
	tr := newTree(t)
	for _, p := range []string{"keep.txt", "a.log", "sub/b.log", "sub/keep.log", "sub/deep/c.tmp",
		"other/c.tmp", "build/out.o", CloneStateFile, "sub/" + CloneStateFile} {
		tr.write(p, []byte(p), 0o644)
	}
	tr.write(IgnoreFile, []byte("*.log\nbuild/\n"), 0o644)
	tr.write("sub/"+IgnoreFile, []byte("!keep.log\n*.tmp\n"), 0o644)
	s, err := scanDir(tr.root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range s.files {
		got = append(got, f.path)
	}
	want := ".steleignore keep.txt other other/c.tmp sub sub/.stele-clone sub/.steleignore sub/deep sub/keep.log"
	if strings.Join(got, " ") != want {
		t.Errorf("scan:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestScanSkipsSpecialFiles(t *testing.T) {
	tr := newTree(t)
	tr.write("f", []byte("x"), 0o644)
	if err := mkfifo(filepath.Join(tr.root, "pipe")); err != nil {
		t.Skip("no fifos here:", err)
	}
	s, err := scanDir(tr.root)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.files) != 1 || len(s.skipped) != 1 || s.skipped[0] != "pipe" {
		t.Errorf("scan: %+v", s)
	}
	if _, err := scanDir(filepath.Join(tr.root, "f")); err == nil {
		t.Error("scanning a file succeeded")
	}
	if _, err := scanDir(filepath.Join(tr.root, "nope")); !os.IsNotExist(err) {
		t.Errorf("scanning nothing: %v", err)
	}
}

// FuzzIgnore parses arbitrary patterns and matches arbitrary paths:
// nothing panics.
func FuzzIgnore(f *testing.F) {
	f.Add([]byte("*.log\n!keep.log\nbuild/\n/a/**/b\n[!x]?\\#\n"), "a/x/b", true)
	f.Fuzz(func(t *testing.T, patterns []byte, path string, isDir bool) {
		ParseIgnore(patterns).Match(path, isDir)
	})
}
