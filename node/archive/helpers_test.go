package archive

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/dbs"
)

// testArchives returns archives over a fresh store, with a fixed clock.
func testArchives(t testing.TB) *Archives {
	t.Helper()
	dir := t.TempDir()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	store, err := feed.Open(filepath.Join(dir, "feeds"), feed.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &Archives{Feeds: store, DBs: dbs.New(store, filepath.Join(dir, "graphs"), func() time.Time { return clock })}
}

func newArchive(t testing.TB, s *Archives) *Archive {
	t.Helper()
	a, err := s.Create("")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// publish publishes dir and fails the test on error.
func publish(t testing.TB, a *Archive, dir, msg string) PublishResult {
	t.Helper()
	res, err := a.Publish(context.Background(), dir, PublishOptions{Message: msg})
	if err != nil {
		t.Fatalf("publish %s: %v", msg, err)
	}
	return res
}

// A tree builds a directory for tests.
type tree struct {
	t    testing.TB
	root string
	tick int // files get distinct, increasing modification times
}

func newTree(t testing.TB) *tree {
	return &tree{t: t, root: t.TempDir()}
}

func (tr *tree) path(p string) string { return filepath.Join(tr.root, filepath.FromSlash(p)) }

func (tr *tree) write(p string, data []byte, mode fs.FileMode) {
	tr.t.Helper()
	full := tr.path(p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(full, data, mode); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.Chmod(full, mode); err != nil {
		tr.t.Fatal(err)
	}
	tr.tick++
	// Times in the past, with nanoseconds, outside the racy window.
	mtime := time.Date(2025, 6, 1, 0, 0, tr.tick, 123456789, time.UTC)
	if err := os.Chtimes(full, mtime, mtime); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *tree) mkdir(p string, mode fs.FileMode) {
	tr.t.Helper()
	if err := os.MkdirAll(tr.path(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.Chmod(tr.path(p), mode); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *tree) symlink(p, target string) {
	tr.t.Helper()
	if err := os.Symlink(target, tr.path(p)); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *tree) remove(p string) {
	tr.t.Helper()
	if err := os.RemoveAll(tr.path(p)); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *tree) rename(from, to string) {
	tr.t.Helper()
	if err := os.Rename(tr.path(from), tr.path(to)); err != nil {
		tr.t.Fatal(err)
	}
}

// randomBytes returns n bytes from a PRNG seeded with seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// manifest describes a directory tree as a clone must reproduce it: one
// line per path with kind, mode, modification time and content hash (or
// symlink target). The clone state file is left out.
func manifest(t testing.TB, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, full)
		if rel == "." || rel == CloneStateFile {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(full)
			lines = append(lines, fmt.Sprintf("%s symlink -> %s", rel, target))
		case info.IsDir():
			lines = append(lines, fmt.Sprintf("%s dir %o", rel, info.Mode().Perm()))
		default:
			data, err := os.ReadFile(full)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%s file %o %d %s %x", rel, info.Mode().Perm(), info.Size(),
				info.ModTime().UTC().Format(time.RFC3339Nano), sha256.Sum256(data)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// countingHolder records what readers asked to hold, on top of the local
// store: the entries and bytes of each feed.
type countingHolder struct {
	mu      sync.Mutex
	entries map[string]int64
	bytes   map[string]int64
}

func newCountingHolder() *countingHolder {
	return &countingHolder{entries: map[string]int64{}, bytes: map[string]int64{}}
}

func (h *countingHolder) Hold(ctx context.Context, f *feed.Feed, lo, hi int64) error {
	if err := (LocalHolder{}).Hold(ctx, f, lo, hi); err != nil {
		return err
	}
	n := int64(0)
	if lo < hi {
		if err := f.Scan(lo, hi, func(_ int64, data []byte) error { n += int64(len(data)); return nil }); err != nil {
			return err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries[f.Address()] += hi - lo
	h.bytes[f.Address()] += n
	return nil
}
