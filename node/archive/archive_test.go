package archive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublishCloneEveryVersion publishes a tree, changes it several times
// (edit, add, delete, rename, mode, symlink), and checks that a clone of
// every version reproduces the tree of that version byte for byte, and
// that ls and cat see every version.
func TestPublishCloneEveryVersion(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	big := randomBytes(1, 5<<20+12345)
	tr.write("big.bin", big, 0o644)
	tr.write("empty", nil, 0o644)
	tr.write("docs/readme.txt", []byte("hello\n"), 0o644)
	tr.write("docs/deep/er/note.md", []byte("# note\n"), 0o600)
	tr.write("bin/run.sh", []byte("#!/bin/sh\necho hi\n"), 0o755)
	tr.write("données/résumé – ✓.txt", []byte("unicode\n"), 0o644)
	tr.write("blob.dat", randomBytes(2, 70000), 0o644)
	tr.mkdir("empty-dir", 0o750)
	tr.symlink("docs/link", "readme.txt")
	tr.symlink("up", "docs/deep/../readme.txt")

	type version struct {
		n        int64
		manifest string
	}
	var versions []version
	step := func(msg string, change func(), check func(PublishResult)) {
		t.Helper()
		change()
		res := publish(t, a, tr.root, msg)
		if !res.Changed {
			t.Fatalf("%s: nothing published", msg)
		}
		if check != nil {
			check(res)
		}
		versions = append(versions, version{res.Version, manifest(t, tr.root)})
	}
	step("first", func() {}, func(r PublishResult) {
		if r.Version != 2 || r.Added != 15 || r.BytesAdded != int64(len(big))+6+7+18+8+70000 {
			t.Errorf("first publish: %+v", r)
		}
	})
	step("edit", func() {
		edited := bytes.Clone(big)
		edited[len(edited)/2] ^= 1
		tr.write("big.bin", edited, 0o644)
		tr.write("docs/readme.txt", []byte("hello again\n"), 0o644)
	}, func(r PublishResult) {
		if r.Modified != 2 || r.Added+r.Deleted+r.Renamed != 0 || r.BytesAdded > 600<<10 {
			t.Errorf("edit: %+v", r)
		}
	})
	step("add, delete, rename", func() {
		tr.write("new/file.txt", []byte("new\n"), 0o644)
		tr.remove("blob.dat")
		tr.rename("bin/run.sh", "bin/start.sh")
	}, func(r PublishResult) {
		if r.Added != 2 || r.Deleted != 1 || r.Renamed != 1 || r.BytesAdded != 4 {
			t.Errorf("add, delete, rename: %+v", r)
		}
	})
	step("modes and kinds", func() {
		if err := os.Chmod(tr.path("empty"), 0o600); err != nil {
			t.Fatal(err)
		}
		tr.remove("docs/link")
		tr.symlink("docs/link", "deep/er/note.md")
		tr.remove("empty-dir")
		tr.write("empty-dir", []byte("now a file\n"), 0o644)
	}, nil)
	step("delete a tree", func() { tr.remove("docs") }, nil)

	for _, v := range versions {
		dir := filepath.Join(t.TempDir(), "clone")
		snap, err := a.Clone(context.Background(), dir, v.n, CloneOptions{})
		if err != nil {
			t.Fatalf("clone version %d: %v", v.n, err)
		}
		if got := manifest(t, dir); got != v.manifest {
			t.Errorf("clone of version %d differs:\n got: %s\nwant: %s", v.n, got, v.manifest)
		}
		checkCat(t, a, snap, dir)
	}
	if res := publish(t, a, tr.root, "again"); res.Changed {
		t.Errorf("publishing an unchanged tree made version %d: %+v", res.Version, res)
	}
}

// checkCat reads every file of a snapshot through a FileReader, whole and
// by seeking, and compares it with the clone.
func checkCat(t *testing.T, a *Archive, snap *Snapshot, dir string) {
	t.Helper()
	for _, f := range snap.Files() {
		if f.Kind != KindFile {
			continue
		}
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.Open(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := io.Copy(&got, r); err != nil || !bytes.Equal(got.Bytes(), want) {
			t.Errorf("version %d: cat %s: %d bytes, %v", snap.Version, f.Path, got.Len(), err)
		}
		if len(want) > 10 {
			off := int64(len(want) / 3)
			r.Seek(off, io.SeekStart)
			part := make([]byte, len(want)/2)
			if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, want[off:off+int64(len(part))]) {
				t.Errorf("version %d: %s: read at %d: %v", snap.Version, f.Path, off, err)
			}
		}
	}
}

func TestListAndResolve(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("a/b/c.txt", []byte("c"), 0o644)
	tr.write("a/d.txt", []byte("d"), 0o644)
	tr.write("a-b", []byte("x"), 0o644)
	tr.symlink("link", "a/b")
	publish(t, a, tr.root, "")
	snap, err := a.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	names := func(fs []*File) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Path)
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct{ dir, want string }{
		{"", "a a-b link"},
		{"a", "a/b a/d.txt"},
		{"a/b", "a/b/c.txt"},
	} {
		if got := names(snap.List(tt.dir)); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	if f, ok := snap.Resolve("link/c.txt"); !ok || f.Path != "a/b/c.txt" {
		t.Errorf("Resolve(link/c.txt) = %v, %v", f, ok)
	}
	if _, ok := snap.Resolve("nope"); ok {
		t.Error("Resolve(nope) found something")
	}
	if _, err := a.Snapshot(9); err == nil || !strings.Contains(err.Error(), "versions 1 to 2") {
		t.Errorf("Snapshot(9): %v", err)
	}
}

func TestPublishRefusesUnsafeTrees(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("ok.txt", []byte("ok"), 0o644)
	tr.symlink("out", "../../etc/passwd")
	_, err := a.Publish(context.Background(), tr.root, PublishOptions{})
	var unsafe *UnsafePathError
	if !errors.As(err, &unsafe) || unsafe.Path != "out" || !strings.Contains(err.Error(), IgnoreFile) {
		t.Fatalf("publish with a symlink out: %v", err)
	}
	if err := os.WriteFile(tr.path(IgnoreFile), []byte("out\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := publish(t, a, tr.root, ""); res.Added != 2 {
		t.Errorf("publish with the symlink ignored: %+v", res)
	}
}

func TestNotAuthorNotArchive(t *testing.T) {
	s := testArchives(t)
	plain, err := s.Feeds.Create("plain")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(context.Background(), plain.Address()); !errors.Is(err, ErrNotArchive) {
		t.Errorf("open a plain feed: %v", err)
	}
	if _, err := s.Open(context.Background(), "nosuch"); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("open an unknown name: %v", err)
	}
}
