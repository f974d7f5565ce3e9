package archive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPull(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("edit.txt", []byte("v1"), 0o644)
	tr.write("mine.txt", []byte("v1"), 0o644)
	tr.write("theirs.txt", []byte("v1"), 0o644)
	tr.write("gone.txt", []byte("v1"), 0o644)
	tr.write("old/name.txt", []byte("renamed content"), 0o644)
	tr.write("dir/inner.txt", []byte("x"), 0o644)
	tr.symlink("link", "edit.txt")
	v2 := publish(t, a, tr.root, "").Version

	clone := filepath.Join(t.TempDir(), "clone")
	if _, err := a.Clone(context.Background(), clone, v2, CloneOptions{}); err != nil {
		t.Fatal(err)
	}
	if res, err := a.Pull(context.Background(), clone, 0, CloneOptions{}); err != nil || len(res.Written)+len(res.Removed)+len(res.Conflicts) != 0 {
		t.Errorf("pull when up to date: %+v, %v", res, err)
	}

	tr.write("edit.txt", []byte("v2 longer"), 0o600)
	tr.write("theirs.txt", []byte("v2"), 0o644)
	tr.remove("gone.txt")
	tr.write("new/added.txt", []byte("added"), 0o644)
	tr.rename("old/name.txt", "old/renamed.txt")
	tr.remove("dir")
	tr.remove("link")
	tr.symlink("link", "new/added.txt")
	v3 := publish(t, a, tr.root, "")
	want := manifest(t, tr.root)

	// The user changes two files and adds one in a directory the
	// archive deletes.
	local := func(p, data string) {
		if err := os.WriteFile(filepath.Join(clone, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	local("theirs.txt", "my change")
	local("mine.txt", "my change too")
	local("dir/untracked.txt", "keep me")
	local("untracked.txt", "keep me")

	res, err := a.Pull(context.Background(), clone, 0, CloneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.From != v2 || res.To != v3.Version || conflicts(res) != "dir theirs.txt" {
		t.Errorf("pull: %+v", res)
	}
	if got, _ := os.ReadFile(filepath.Join(clone, "theirs.txt")); string(got) != "my change" {
		t.Errorf("pull overwrote a local change: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(clone, "mine.txt")); string(got) != "my change too" {
		t.Errorf("pull touched a file the archive did not change: %q", got)
	}
	state, err := ReadCloneState(clone)
	if err != nil || state.Version != v3.Version || state.Archive != a.Address() {
		t.Errorf("clone state %+v, %v", state, err)
	}

	// --force makes every path of the version match it, and keeps what
	// the archive never held.
	if _, err := a.Pull(context.Background(), clone, 0, CloneOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"dir/untracked.txt", "untracked.txt"} {
		if err := os.Remove(filepath.Join(clone, p)); err != nil {
			t.Errorf("untracked %s: %v", p, err)
		}
	}
	os.Remove(filepath.Join(clone, "dir"))
	if got := manifest(t, clone); got != want {
		t.Errorf("after pull --force:\n got %s\nwant %s", got, want)
	}

	// Pulling back to an older version works too.
	if _, err := a.Pull(context.Background(), clone, v2, CloneOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(clone, "gone.txt")); string(got) != "v1" {
		t.Errorf("pull back to version %d: gone.txt = %q", v2, got)
	}
}

func conflicts(r PullResult) string {
	var out []string
	for _, c := range r.Conflicts {
		out = append(out, c.Path)
	}
	return strings.Join(out, " ")
}

func TestPullRefusesOtherDirectories(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	if _, err := a.Pull(context.Background(), t.TempDir(), 0, CloneOptions{}); err == nil || !strings.Contains(err.Error(), "not a clone") {
		t.Errorf("pull into a plain directory: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, CloneStateFile), []byte(`{"archive":"k51other","version":1}`), 0o644)
	if _, err := a.Pull(context.Background(), dir, 0, CloneOptions{}); err == nil || !strings.Contains(err.Error(), "k51other") {
		t.Errorf("pull into another archive's clone: %v", err)
	}
	os.WriteFile(filepath.Join(dir, CloneStateFile), []byte(`{`), 0o644)
	if _, err := a.Pull(context.Background(), dir, 0, CloneOptions{}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("pull with a damaged state file: %v", err)
	}
	if _, err := a.Clone(context.Background(), dir, 0, CloneOptions{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("clone into a non-empty directory: %v", err)
	}
}
