package merkle

import (
	"bytes"
	"maps"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// frontierTestSize is how many leaves the Frontier is compared over, one
// append at a time.
const frontierTestSize = 1100

func TestHashes(t *testing.T) {
	for _, entry := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("y"), leafStackMax-1), bytes.Repeat([]byte("z"), leafStackMax), make([]byte, 5000)} {
		if got, want := LeafHash(entry), refLeaf(entry); got != want {
			t.Errorf("LeafHash(%d bytes) = %x, want %x", len(entry), got, want)
		}
		if got, want := LeafHash(entry), tlog.RecordHash(entry); got != want {
			t.Errorf("LeafHash(%d bytes) = %x, tlog says %x", len(entry), got, want)
		}
	}
	l, r := LeafHash([]byte("l")), LeafHash([]byte("r"))
	if got, want := NodeHash(l, r), refNode(l, r); got != want {
		t.Errorf("NodeHash = %x, want %x", got, want)
	}
	if NodeHash(l, r) == NodeHash(r, l) {
		t.Error("NodeHash ignores the order of children")
	}
}

func TestStoredHashIndex(t *testing.T) {
	for level := 0; level < 62; level++ {
		for _, n := range []int64{0, 1, 2, 3, 5, 7, 8, 1000, 1<<20 - 1} {
			if n > (1<<62-1)>>level-1 {
				continue
			}
			want := tlog.StoredHashIndex(level, n)
			if got := nodeIndex(level, n); got != want {
				t.Errorf("nodeIndex(%d, %d) = %d, want %d", level, n, got, want)
			}
			if got := StoredHashIndex(level, n); got != want {
				t.Errorf("StoredHashIndex(%d, %d) = %d, want %d", level, n, got, want)
			}
			if l, m := SplitStoredHashIndex(want); l != level || m != n {
				t.Errorf("SplitStoredHashIndex(%d) = %d, %d, want %d, %d", want, l, m, level, n)
			}
		}
	}
	for n := int64(0); n < 300; n++ {
		if got, want := StoredHashCount(n), tlog.StoredHashCount(n); got != want {
			t.Errorf("StoredHashCount(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestFrontierAgainstTlog appends leaves one by one and checks every
// visited (index, hash) against tlog.StoredHashes and every root against
// tlog.TreeHash.
func TestFrontierAgainstTlog(t *testing.T) {
	f, _ := NewFrontier(0, nil)
	var store memStore
	for n := int64(0); n < frontierTestSize; n++ {
		leaf := LeafHash(testEntry(int(n)))
		want, err := tlog.StoredHashesForRecordHash(n, leaf, store)
		if err != nil {
			t.Fatal(err)
		}
		first := tlog.StoredHashIndex(0, n)
		var got []Hash
		f.Append(leaf, func(index int64, h Hash) {
			if index != first+int64(len(got)) {
				t.Fatalf("leaf %d: visited index %d, want %d", n, index, first+int64(len(got)))
			}
			got = append(got, h)
		})
		if !equalHashes(got, want) {
			t.Fatalf("leaf %d: visited %x, tlog.StoredHashes %x", n, got, want)
		}
		store = append(store, got...)
		if int64(len(store)) != StoredHashCount(n+1) {
			t.Fatalf("leaf %d: %d stored hashes, want %d", n, len(store), StoredHashCount(n+1))
		}
		root, err := tlog.TreeHash(n+1, store)
		if err != nil || f.Root() != root || f.Size() != n+1 {
			t.Fatalf("leaf %d: size %d root %x, tlog %x (%v)", n, f.Size(), f.Root(), root, err)
		}
	}
}

// TestFrontierAgainstCompact checks the Frontier's hashes and visited nodes
// against transparency-dev's compact.Range, the reference implementation
// of compact ranges.
func TestFrontierAgainstCompact(t *testing.T) {
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	f, _ := NewFrontier(0, nil)
	for n := 0; n < frontierTestSize; n++ {
		leaf := LeafHash(testEntry(n))
		want := map[int64]Hash{}
		err := cr.Append(leaf[:], func(id compact.NodeID, h []byte) {
			want[StoredHashIndex(int(id.Level), int64(id.Index))] = Hash(h)
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]Hash{}
		f.Append(leaf, func(index int64, h Hash) { got[index] = h })
		if !maps.Equal(got, want) {
			t.Fatalf("leaf %d: visited %v, compact.Range %v", n, got, want)
		}
		if !sameHashes(f.Hashes(), cr.Hashes()) {
			t.Fatalf("leaf %d: hashes %x, compact.Range %x", n, f.Hashes(), cr.Hashes())
		}
		root, err := cr.GetRootHash(nil)
		if fr := f.Root(); err != nil || !bytes.Equal(root, fr[:]) {
			t.Fatalf("leaf %d: root %x, compact.Range %x (%v)", n, f.Root(), root, err)
		}
	}
}

// sameHashes compares hashes with compact.Range's [][]byte.
func sameHashes(hs []Hash, bs [][]byte) bool {
	if len(hs) != len(bs) {
		return false
	}
	for i := range hs {
		if !bytes.Equal(hs[i][:], bs[i]) {
			return false
		}
	}
	return true
}

func TestLoadFrontier(t *testing.T) {
	tree := newTestTree(maxExhaustive)
	f, _ := NewFrontier(0, nil)
	for n := int64(0); n <= maxExhaustive; n++ {
		r := &countingReader{r: tree.store}
		loaded, err := LoadFrontier(n, r)
		if err != nil {
			t.Fatalf("LoadFrontier(%d): %v", n, err)
		}
		if loaded.Size() != n || !equalHashes(loaded.Hashes(), f.Hashes()) || loaded.Root() != tree.root(n) {
			t.Fatalf("LoadFrontier(%d) = %d %x, want %x", n, loaded.Size(), loaded.Hashes(), f.Hashes())
		}
		if wantCalls := min(n, 1); int64(r.calls) != wantCalls {
			t.Errorf("LoadFrontier(%d) read %d times, want %d", n, r.calls, wantCalls)
		}
		indexes := FrontierIndexes(n)
		for i, x := range indexes {
			if tree.store[x] != f.Hashes()[i] {
				t.Fatalf("FrontierIndexes(%d)[%d] = %d holds %x, want %x", n, i, x, tree.store[x], f.Hashes()[i])
			}
		}
		if n < maxExhaustive {
			f.Append(tree.leaves[n], nil)
		}
	}
}

func TestFrontierErrors(t *testing.T) {
	h := LeafHash(nil)
	for _, tc := range []struct {
		size   int64
		hashes []Hash
	}{
		{-1, nil},
		{1, nil},
		{0, []Hash{h}},
		{3, []Hash{h}},
		{4, []Hash{h, h}},
	} {
		if _, err := NewFrontier(tc.size, tc.hashes); err == nil {
			t.Errorf("NewFrontier(%d, %d hashes): no error", tc.size, len(tc.hashes))
		}
	}
	if _, err := LoadFrontier(-1, memStore{}); err == nil {
		t.Error("LoadFrontier(-1): no error")
	}
	if _, err := LoadFrontier(5, memStore{}); err == nil {
		t.Error("LoadFrontier(5) from an empty store: no error")
	}
	if FrontierIndexes(-1) != nil || FrontierIndexes(0) != nil {
		t.Error("FrontierIndexes of size <= 0 is not nil")
	}
}

func TestFrontierCopies(t *testing.T) {
	hs := []Hash{LeafHash([]byte("a")), LeafHash([]byte("b"))}
	f, err := NewFrontier(3, hs)
	if err != nil {
		t.Fatal(err)
	}
	hs[0] = Hash{}
	if f.Hashes()[0] == (Hash{}) {
		t.Error("NewFrontier keeps the caller's slice")
	}
	f.Hashes()[0] = Hash{}
	if f.Hashes()[0] == (Hash{}) {
		t.Error("Hashes returns the internal slice")
	}
	c := f.Clone()
	root := f.Root()
	c.Append(LeafHash([]byte("c")), nil)
	if f.Size() != 3 || f.Root() != root || c.Size() != 4 {
		t.Errorf("appending to a clone changed the original: sizes %d, %d", f.Size(), c.Size())
	}
}

func TestZeroFrontier(t *testing.T) {
	var f Frontier
	if f.Size() != 0 || f.Root() != EmptyRoot() {
		t.Fatalf("zero Frontier: size %d root %x", f.Size(), f.Root())
	}
	g, _ := NewFrontier(0, nil)
	for i := range 10 {
		f.Append(LeafHash(testEntry(i)), nil)
		g.Append(LeafHash(testEntry(i)), nil)
	}
	if f.Size() != 10 || f.Root() != g.Root() {
		t.Errorf("zero Frontier after 10 appends: size %d root %x, want %x", f.Size(), f.Root(), g.Root())
	}
}

func TestFrontierAppendAllocs(t *testing.T) {
	var f Frontier // also the zero Frontier must not allocate per append
	f.Append(LeafHash(nil), nil)
	leaf := LeafHash(nil)
	var sink int64
	visit := func(index int64, _ Hash) { sink += index }
	if allocs := testing.AllocsPerRun(1000, func() { f.Append(leaf, visit) }); allocs != 0 {
		t.Errorf("Frontier.Append allocates %v times per call", allocs)
	}
	if allocs := testing.AllocsPerRun(1000, func() { f.Append(leaf, nil) }); allocs != 0 {
		t.Errorf("Frontier.Append without visit allocates %v times per call", allocs)
	}
	if sink == 0 {
		t.Error("visit not called")
	}
}
