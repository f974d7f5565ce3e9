package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steledb/stele/feed/chunk"
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/merkle"
)

var formats = []struct {
	name string
	v    format
}{{"format 1", format1}, {"format 2", format2}}

// newArchiveOf makes an archive of format v over a fresh store.
func newArchiveOf(t *testing.T, v format) *Archive {
	t.Helper()
	a, err := testArchives(t).create("", v)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hashTree is files whose hashes cover the cases: empty, one chunk, many
// chunks (written directly, past directMin), a chunk repeated within a
// file.
func hashTree(t *testing.T) *tree {
	tr := newTree(t)
	tr.write("empty", nil, 0o644)
	tr.write("one.txt", []byte("one chunk\n"), 0o644)
	tr.write("many.bin", randomBytes(3, 3<<20), 0o644)
	half := randomBytes(4, 300<<10)
	tr.write("twice.bin", append(append([]byte(nil), half...), half...), 0o600)
	return tr
}

// referenceFileHash computes what :stele.file/hash must be, the naive
// way: SHA-256 of the bytes (format 1), or the RFC 6962 root over the
// leaf hashes of the chunks chunk.Default cuts (format 2).
func referenceFileHash(v format, data []byte) Hash {
	if v == format1 {
		return sha256.Sum256(data)
	}
	var leaves []merkle.Hash
	for rest := data; len(rest) > 0; {
		n := chunk.Default.Cut(rest)
		leaves = append(leaves, merkle.LeafHash(rest[:n]))
		rest = rest[n:]
	}
	return Hash(referenceRoot(leaves))
}

func referenceRoot(leaves []merkle.Hash) merkle.Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return merkle.NodeHash(referenceRoot(leaves[:k]), referenceRoot(leaves[k:]))
}

// TestHashesOfEachFormat publishes the same tree into an archive of each
// format and checks every file's and chunk's hash against the naive
// reference, then that the archive clones, and pulls (which hashes local
// files to tell them from local edits).
func TestHashesOfEachFormat(t *testing.T) {
	for _, tc := range formats {
		t.Run(tc.name, func(t *testing.T) {
			a := newArchiveOf(t, tc.v)
			tr := hashTree(t)
			publish(t, a, tr.root, "")
			checkHashes(t, a, tr)
			dir := filepath.Join(t.TempDir(), "clone")
			if _, err := a.Clone(context.Background(), dir, 0, CloneOptions{}); err != nil {
				t.Fatal(err)
			}
			if got, want := manifest(t, dir), manifest(t, tr.root); got != want {
				t.Errorf("clone differs from the tree:\n%s\nwant\n%s", got, want)
			}
			checkPullTellsEdits(t, a, tr, dir)
		})
	}
}

func checkHashes(t *testing.T, a *Archive, tr *tree) {
	t.Helper()
	snap, err := a.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range snap.Files() {
		data, err := os.ReadFile(tr.path(f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceFileHash(a.format, data); f.Hash != want {
			t.Errorf("%s: hash %v, want %v", f.Path, f.Hash, want)
		}
	}
	db, _ := a.meta.DB()
	n := 0
	for d := range db.Datoms(graphdb.AEVT, graphdb.Ref(a.attrs.chunkHash)) {
		entry, _ := db.Value(d.E, a.attrs.chunkEntry)
		data, err := a.content.Get(entry.Long())
		if err != nil {
			t.Fatal(err)
		}
		want := Hash(sha256.Sum256(data))
		if a.format == format2 {
			want = Hash(merkle.LeafHash(data))
		}
		if !bytes.Equal([]byte(d.V.Str()), want[:]) {
			t.Errorf("chunk at entry %d: hash %x, want %v", entry.Long(), d.V.Str(), want)
		}
		n++
	}
	if n != int(a.content.Len()) || n < 10 {
		t.Errorf("%d chunk entities for %d content entries", n, a.content.Len())
	}
}

// checkPullTellsEdits touches one file of the clone (same content, new
// time) and edits another (same size), changes both upstream, and
// pulls: the touched file is updated, the edited one is a conflict.
func checkPullTellsEdits(t *testing.T, a *Archive, tr *tree, dir string) {
	t.Helper()
	later := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "many.bin"), later, later); err != nil {
		t.Fatal(err)
	}
	edited := randomBytes(5, 300<<10*2)
	if err := os.WriteFile(filepath.Join(dir, "twice.bin"), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	tr.write("many.bin", randomBytes(6, 1<<20), 0o644)
	tr.write("twice.bin", []byte("upstream"), 0o600)
	publish(t, a, tr.root, "")
	res, err := a.Pull(context.Background(), dir, 0, CloneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 || res.Written[0] != "many.bin" || len(res.Conflicts) != 1 || res.Conflicts[0].Path != "twice.bin" {
		t.Errorf("pull: %+v; want many.bin written and twice.bin a conflict", res)
	}
}

// TestCheckFiles checks a sound version of each format, then one with a
// file whose hash its chunks do not have.
func TestCheckFiles(t *testing.T) {
	for _, tc := range formats {
		t.Run(tc.name, func(t *testing.T) {
			a := newArchiveOf(t, tc.v)
			tr := hashTree(t)
			tr.symlink("link", "one.txt")
			v := publish(t, a, tr.root, "").Version
			if res, err := a.CheckFiles(context.Background(), 0, nil); err != nil || res != (CheckResult{Version: v, Checked: 4}) {
				t.Fatalf("check: %+v, %v; want version %d, 4 files checked", res, err, v)
			}
			spoilHash(t, a, "many.bin")
			_, err := a.CheckFiles(context.Background(), 0, nil)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "many.bin") {
				t.Fatalf("check: %v, want ErrCorrupt naming many.bin", err)
			}
			if res, err := a.CheckFiles(context.Background(), v, nil); err != nil || res.Checked != 4 {
				t.Errorf("check of the version before: %+v, %v", res, err)
			}
		})
	}
}

// TestCheckHistory checks every version's files, each content once, and
// finds a wrong hash in a version before the latest, which CheckFiles of
// the latest does not see.
func TestCheckHistory(t *testing.T) {
	for _, tc := range formats {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			a := newArchiveOf(t, tc.v)
			tr := hashTree(t)
			publish(t, a, tr.root, "")
			tr.write("one.txt", []byte("edited\n"), 0o644) // a new content
			tr.rename("twice.bin", "moved.bin")            // the same content
			tr.write("empty", nil, 0o600)                  // only its mode
			publish(t, a, tr.root, "")
			v, _ := a.Version()
			if res, err := a.CheckHistory(ctx, nil); err != nil || res != (HistoryCheck{Versions: v, Checked: 5}) {
				t.Fatalf("check: %+v, %v; want %d versions, 5 contents (4, then one.txt's new one)", res, err, v)
			}
			spoilHash(t, a, "many.bin")
			bad, _ := a.Version()
			tr.write("many.bin", randomBytes(5, 1<<20), 0o644)
			publish(t, a, tr.root, "")
			if _, err := a.CheckFiles(ctx, 0, nil); err != nil {
				t.Fatalf("check of the latest version: %v", err)
			}
			_, err := a.CheckHistory(ctx, nil)
			if want := fmt.Sprintf("version %d: read many.bin", bad); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Fatalf("check: %v, want ErrCorrupt saying %q", err, want)
			}
		})
	}
}

// spoilHash transacts a wrong hash for the file at p.
func spoilHash(t *testing.T, a *Archive, p string) {
	t.Helper()
	snap, err := a.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := snap.File(p)
	h := f.Hash
	h[31] ^= 1
	e := graphdb.Entity{}
	for k, x := range fileValues(f) {
		e[k] = x
	}
	e[attrHash] = graphdb.Bytes(h[:])
	if _, err := a.Database().Transact([]graphdb.Op{e}); err != nil {
		t.Fatal(err)
	}
}

// TestCloneRefusesWrongFileHash gives a large file (written directly)
// and a small one (written with its group) a hash their chunks do not
// have, in each format: the clone fails with ErrCorrupt naming the file
// and leaves nothing behind.
func TestCloneRefusesWrongFileHash(t *testing.T) {
	for _, tc := range formats {
		for _, victim := range []string{"many.bin", "one.txt"} {
			t.Run(tc.name+"/"+victim, func(t *testing.T) {
				a := newArchiveOf(t, tc.v)
				tr := hashTree(t)
				for i := range 4 { // a group around one.txt
					tr.write("one"+strings.Repeat("x", i+1), []byte("neighbour"), 0o644)
				}
				publish(t, a, tr.root, "")
				spoilHash(t, a, victim)
				parent := t.TempDir()
				_, err := a.Clone(context.Background(), filepath.Join(parent, "clone"), 0, CloneOptions{})
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), victim) {
					t.Fatalf("clone: %v, want ErrCorrupt naming %s", err, victim)
				}
				if entries, _ := os.ReadDir(parent); len(entries) != 0 {
					t.Errorf("the failed clone left %v", entries)
				}
			})
		}
	}
}

// TestUnknownFormat: an archive of a format from a later stele is
// refused when opened, saying which format it has.
func TestUnknownFormat(t *testing.T) {
	s := testArchives(t)
	_, err := s.create("", FormatVersion+1) // which opens it
	if !errors.Is(err, ErrUnknownFormat) || errors.Is(err, ErrNotArchive) || !strings.Contains(err.Error(), "format 3") {
		t.Fatalf("open: %v, want ErrUnknownFormat saying it has format 3", err)
	}
}
