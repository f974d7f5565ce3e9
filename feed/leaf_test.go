package feed

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/steledb/stele/merkle"
)

func newLeaves(lo, hi int64) []Leaf {
	var out []Leaf
	for _, e := range entries(lo, hi) {
		out = append(out, NewLeaf(e))
	}
	return out
}

// AppendLeaves builds the tree Append would, alone and in a group commit
// with Appends, and LeafHashes reads back each entry's leaf hash.
func TestAppendLeaves(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 5)
	f := newAuthor(t, s, "", 3)
	if _, err := f.AppendLeaves(newLeaves(3, 10)...); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				e := []byte(fmt.Sprintf("w%d-%d", w, i))
				var err error
				if w%2 == 0 {
					_, err = f.AppendLeaves(NewLeaf(e))
				} else {
					_, err = f.Append(e)
				}
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	all, err := f.GetRange(0, f.Len())
	if err != nil {
		t.Fatal(err)
	}
	if cp, _ := f.Latest(); cp.Size != 90 || cp.Root != referenceRoot(all) {
		t.Fatalf("checkpoint of size %d, root %v; want 90 entries rooted at %v", cp.Size, cp.Root, referenceRoot(all))
	}
	if err := f.Verify(nil); err != nil {
		t.Fatal(err)
	}
	checkLeafHashes(t, f, 0, f.Len(), all)
}

func checkLeafHashes(t *testing.T, f *Feed, lo, hi int64, data [][]byte) {
	t.Helper()
	got, err := f.LeafHashes(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != int(hi-lo) {
		t.Fatalf("LeafHashes(%d, %d) gave %d hashes", lo, hi, len(got))
	}
	for i, h := range got {
		if h != merkle.LeafHash(data[i]) {
			t.Fatalf("leaf hash of entry %d = %v, want %v", lo+int64(i), h, merkle.LeafHash(data[i]))
		}
	}
}

// A replica's leaf hashes are those its ranges were verified with; for
// entries it does not hold it has none to give.
func TestLeafHashesOfReplica(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 6)
	author := newAuthor(t, s, "", 40)
	_, replica := newReplica(t, author)
	replicate(t, author, replica, 8, 20)
	checkLeafHashes(t, replica, 8, 20, entries(8, 20))
	for _, r := range [][2]int64{{0, 9}, {19, 21}, {30, 31}} {
		if _, err := replica.LeafHashes(r[0], r[1]); !errors.Is(err, ErrNotHeld) {
			t.Errorf("LeafHashes(%d, %d) of a replica holding 8:20: %v, want ErrNotHeld", r[0], r[1], err)
		}
	}
	if _, err := replica.LeafHashes(5, 4); err == nil {
		t.Error("LeafHashes(5, 4) did not fail")
	}
	if got, err := replica.LeafHashes(9, 9); err != nil || len(got) != 0 {
		t.Errorf("LeafHashes(9, 9) = %v, %v; want none", got, err)
	}
}
