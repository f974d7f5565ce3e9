package feed

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/steledb/stele/merkle"
)

// testOptions gives a store a fixed clock and deterministic keys.
func testOptions(seed uint64) Options {
	clock := time.Unix(1_700_000_000, 0)
	return Options{
		Now:  func() time.Time { clock = clock.Add(time.Second); return clock },
		Rand: rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}),
	}
}

func openTestStore(t testing.TB, dir string, seed uint64) *Store {
	t.Helper()
	s, err := Open(dir, testOptions(seed))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func entry(i int64) []byte { return []byte(fmt.Sprintf("entry %d", i)) }

func entries(lo, hi int64) [][]byte {
	out := make([][]byte, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, entry(i))
	}
	return out
}

func newAuthor(t testing.TB, s *Store, name string, batches ...int64) *Feed {
	t.Helper()
	f, err := s.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	for _, b := range batches {
		if _, err := f.Append(entries(n, n+b)...); err != nil {
			t.Fatal(err)
		}
		n += b
	}
	return f
}

func TestAppendGetReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, testOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	f := newAuthor(t, s, "log", 1, 2, 100, 3)
	if got := f.Len(); got != 106 {
		t.Fatalf("Len = %d, want 106", got)
	}
	addr := f.Address()
	cp, _ := f.Latest()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTestStore(t, dir, 1)
	f, err = s.Lookup("log")
	if err != nil {
		t.Fatal(err)
	}
	if f.Address() != addr || !f.IsAuthor() {
		t.Fatalf("reopened feed %s author=%v, want %s author", f.Address(), f.IsAuthor(), addr)
	}
	if got, _ := f.Latest(); got.Root != cp.Root || got.Size != 106 {
		t.Fatalf("latest after reopen = %d %v, want 106 %v", got.Size, got.Root, cp.Root)
	}
	for _, i := range []int64{0, 1, 2, 3, 63, 64, 65, 105} {
		got, err := f.Get(i)
		if err != nil || !bytes.Equal(got, entry(i)) {
			t.Errorf("Get(%d) = %q, %v; want %q", i, got, err, entry(i))
		}
	}
	if _, err := f.Get(106); !errors.Is(err, ErrNotHeld) {
		t.Errorf("Get(106) error = %v, want ErrNotHeld", err)
	}
	got, err := f.GetRange(60, 70)
	if err != nil || len(got) != 10 || !bytes.Equal(got[9], entry(69)) {
		t.Fatalf("GetRange(60,70) = %d entries, %v", len(got), err)
	}
	// Appending after reopen continues the same tree.
	if _, err := f.Append(entry(106)); err != nil {
		t.Fatal(err)
	}
	want := referenceRoot(entries(0, 107))
	if got, _ := f.Latest(); got.Root != want {
		t.Fatalf("root after reopen+append = %v, want %v", got.Root, want)
	}
	if err := f.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

// referenceRoot computes the RFC 6962 root the naive way.
func referenceRoot(entries [][]byte) merkle.Hash {
	if len(entries) == 0 {
		return merkle.EmptyRoot()
	}
	if len(entries) == 1 {
		return merkle.LeafHash(entries[0])
	}
	k := 1
	for k*2 < len(entries) {
		k *= 2
	}
	return merkle.NodeHash(referenceRoot(entries[:k]), referenceRoot(entries[k:]))
}

func TestCheckpointHistory(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 2)
	f := newAuthor(t, s, "", 5, 7, 1)
	var sizes []int64
	var times []int64
	err := f.Checkpoints(func(cp SignedCheckpoint) error {
		sizes = append(sizes, cp.Size)
		times = append(times, cp.Time)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[0 5 12 13]" {
		t.Fatalf("checkpoint sizes = %v, want [0 5 12 13]", sizes)
	}
	for i := 1; i < len(times); i++ {
		if times[i] <= times[i-1] {
			t.Fatalf("checkpoint times not increasing: %v", times)
		}
	}
	cp, err := f.Checkpoint(12)
	if err != nil || cp.Root != referenceRoot(entries(0, 12)) {
		t.Fatalf("Checkpoint(12) = %v, %v", cp.Root, err)
	}
}

func TestAppendErrors(t *testing.T) {
	s, err := Open(t.TempDir(), Options{EntryLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := s.Create("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Append(); err == nil {
		t.Error("empty append succeeded")
	}
	if _, err := f.Append([]byte("ok"), make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized append error = %v, want ErrTooLarge", err)
	}
	if f.Len() != 0 {
		t.Errorf("failed appends changed the length to %d", f.Len())
	}
	r, err := s.Replicate(newAuthor(t, openTestStore(t, t.TempDir(), 3), "", 1).PublicKey(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Append([]byte("x")); !errors.Is(err, ErrNotAuthor) {
		t.Errorf("append to replica error = %v, want ErrNotAuthor", err)
	}
}

// TestGroupCommit appends from many goroutines at once: every entry lands
// exactly once, each caller's entries are contiguous, and fewer
// checkpoints than appends were signed.
func TestGroupCommit(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 4)
	f := newAuthor(t, s, "")
	const writers, each = 8, 50
	var wg sync.WaitGroup
	results := make([][]Appended, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				a, err := f.Append([]byte(fmt.Sprintf("w%d-%d-a", w, i)), []byte(fmt.Sprintf("w%d-%d-b", w, i)))
				if err != nil {
					t.Error(err)
					return
				}
				results[w] = append(results[w], a)
			}
		}()
	}
	wg.Wait()
	if f.Len() != writers*each*2 {
		t.Fatalf("Len = %d, want %d", f.Len(), writers*each*2)
	}
	for w, rs := range results {
		for i, a := range rs {
			got, err := f.GetRange(a.Lo, a.Hi)
			if err != nil || a.Hi-a.Lo != 2 || string(got[0]) != fmt.Sprintf("w%d-%d-a", w, i) || string(got[1]) != fmt.Sprintf("w%d-%d-b", w, i) {
				t.Fatalf("writer %d append %d at %d:%d = %q, %v", w, i, a.Lo, a.Hi, got, err)
			}
			if a.Checkpoint.Size < a.Hi {
				t.Fatalf("checkpoint size %d does not cover %d:%d", a.Checkpoint.Size, a.Lo, a.Hi)
			}
		}
	}
	n := 0
	f.Checkpoints(func(SignedCheckpoint) error { n++; return nil })
	t.Logf("%d appends committed with %d checkpoints", writers*each, n-1)
	if err := f.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestSetName(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	a := newAuthor(t, s, "a", 1)
	b := newAuthor(t, s, "b", 1)
	if err := a.SetName("b"); !errors.Is(err, ErrExists) {
		t.Fatalf("renaming onto a taken name: %v", err)
	}
	if err := a.SetName("c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup("a"); err == nil {
		t.Fatal("old name still resolves")
	}
	if f, err := s.Lookup("c"); err != nil || f != a {
		t.Fatalf("new name resolves to %v, %v", f, err)
	}
	if err := b.SetName("bad name"); err == nil {
		t.Fatal("name with a space accepted")
	}
}
