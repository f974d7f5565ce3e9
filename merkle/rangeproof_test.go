package merkle

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

const (
	// maxRangeExhaustive is the largest size whose every range is proved
	// and checked; maxRangeCorrupt the largest whose every range is also
	// corrupted in every way.
	maxRangeExhaustive = 64
	maxRangeCorrupt    = 24
)

// refRangeProof builds the range proof of [lo, hi) from the reference tree,
// with the node shapes of transparency-dev's compact.RangeNodes.
func refRangeProof(tree *testTree, lo, hi, size int64) RangeProof {
	nodeHashes := func(begin, end int64) []Hash {
		hs := []Hash{}
		for _, id := range compact.RangeNodes(uint64(begin), uint64(end), nil) {
			from, to := id.Coverage()
			hs = append(hs, refMTH(tree.leaves[from:to]))
		}
		return hs
	}
	return RangeProof{Left: nodeHashes(0, lo), Right: nodeHashes(hi, size)}
}

// refRangeVisits returns the nodes a verifier of [lo, hi) learns, by
// merging the proof and leaves with transparency-dev's compact.Range.
func refRangeVisits(t *testing.T, lo, hi, size int64, leaves []Hash, p RangeProof) map[int64]Hash {
	t.Helper()
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	want := map[int64]Hash{}
	visitor := func(id compact.NodeID, h []byte) {
		want[StoredHashIndex(int(id.Level), int64(id.Index))] = Hash(h)
	}
	add := func(begin, end int64, hs []Hash) *compact.Range {
		var bs [][]byte
		for i, id := range compact.RangeNodes(uint64(begin), uint64(end), nil) {
			visitor(id, hs[i][:])
			bs = append(bs, append([]byte(nil), hs[i][:]...))
		}
		r, err := rf.NewRange(uint64(begin), uint64(end), bs)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cr := add(0, lo, p.Left)
	for _, l := range leaves {
		if err := cr.Append(append([]byte(nil), l[:]...), visitor); err != nil {
			t.Fatal(err)
		}
	}
	if err := cr.AppendRange(add(hi, size, p.Right), visitor); err != nil {
		t.Fatal(err)
	}
	return want
}

// checkRangeOK proves and checks [lo, hi) of size and compares everything
// with the references. It returns the proof.
func checkRangeOK(t *testing.T, tree *testTree, lo, hi, size int64) RangeProof {
	t.Helper()
	want := refRangeProof(tree, lo, hi, size)
	r := &countingReader{r: tree.store}
	p, err := ProveRange(lo, hi, size, r)
	if err != nil || !equalHashes(p.Left, want.Left) || !equalHashes(p.Right, want.Right) {
		t.Fatalf("ProveRange(%d, %d, %d) = %x, %v, want %x", lo, hi, size, p, err, want)
	}
	if r.calls > 1 {
		t.Errorf("ProveRange(%d, %d, %d) read %d times", lo, hi, size, r.calls)
	}
	left, right := RangeProofIndexes(lo, hi, size)
	for i, x := range append(left, right...) {
		if got := tree.store[x]; got != append(p.Left, p.Right...)[i] {
			t.Fatalf("RangeProofIndexes(%d, %d, %d)[%d] = %d: wrong node", lo, hi, size, i, x)
		}
	}
	leaves := tree.leaves[lo:hi]
	got := map[int64]Hash{}
	last := int64(-1)
	err = CheckRange(lo, hi, size, leaves, p, tree.root(size), func(index int64, h Hash) {
		if index <= last {
			t.Errorf("CheckRange(%d, %d, %d) visited index %d after %d", lo, hi, size, index, last)
		}
		last = index
		if tree.store[index] != h {
			t.Errorf("CheckRange(%d, %d, %d) visited a wrong hash at %d", lo, hi, size, index)
		}
		got[index] = h
	})
	if err != nil {
		t.Fatalf("CheckRange(%d, %d, %d): %v", lo, hi, size, err)
	}
	if wantVisits := refRangeVisits(t, lo, hi, size, leaves, p); !maps.Equal(got, wantVisits) {
		t.Fatalf("CheckRange(%d, %d, %d) visited %d nodes %v, compact.Range %d nodes %v", lo, hi, size, len(got), keys(got), len(wantVisits), keys(wantVisits))
	}
	if err := CheckRange(lo, hi, size, leaves, p, tree.root(size), nil); err != nil {
		t.Fatalf("CheckRange(%d, %d, %d) without visit: %v", lo, hi, size, err)
	}
	return p
}

func keys(m map[int64]Hash) []int64 {
	var ks []int64
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

type rangeProbe struct {
	desc         string
	lo, hi, size int64
	leaves       []Hash
	proof        RangeProof
	root         Hash
	resized      bool // same hashes, another tree size
}

// corruptRange returns wrong variants of a valid range proof: every
// single-hash corruption of the proof and the leaves, every truncation, an
// extra hash, a dropped leaf, and wrong lo, hi, size and root.
func corruptRange(lo, hi, size int64, leaves []Hash, p RangeProof, root Hash) []rangeProbe {
	probe := func(desc string, lo, hi, size int64, leaves []Hash, p RangeProof, root Hash) rangeProbe {
		return rangeProbe{desc, lo, hi, size, leaves, p, root, false}
	}
	resized := func(desc string, newSize int64) rangeProbe {
		return rangeProbe{desc, lo, hi, newSize, leaves, p, root, true}
	}
	ps := []rangeProbe{
		probe("wrong root", lo, hi, size, leaves, p, someHash),
		resized("size + 1", size+1),
		resized("size - 1", size-1),
		resized("size * 2", size*2),
		resized("size / 2", size/2),
		probe("lo, hi - 1", lo-1, hi-1, size, leaves, p, root),
		probe("lo, hi + 1", lo+1, hi+1, size, leaves, p, root),
		probe("lo - 1", lo-1, hi, size, leaves, p, root),
		probe("hi + 1", lo, hi+1, size, leaves, p, root),
		probe("extra left hash", lo, hi, size, leaves, RangeProof{with(p.Left, len(p.Left), Hash{}), p.Right}, root),
		probe("extra right hash", lo, hi, size, leaves, RangeProof{p.Left, with(p.Right, 0, Hash{})}, root),
		probe("extra leaf", lo, hi, size, with(leaves, len(leaves), Hash{}), p, root),
	}
	if root != EmptyRoot() {
		ps = append(ps, probe("empty root", lo, hi, size, leaves, p, EmptyRoot()))
	}
	if len(p.Left) > 0 {
		ps = append(ps, probe("left hashes moved right", lo, hi, size, leaves, RangeProof{nil, append(append([]Hash{}, p.Left...), p.Right...)}, root))
	}
	if len(p.Right) > 0 {
		ps = append(ps, probe("right hash moved left", lo, hi, size, leaves, RangeProof{with(p.Left, len(p.Left), p.Right[0]), p.Right[1:]}, root))
	}
	for i := range p.Left {
		ps = append(ps,
			probe(fmt.Sprintf("left[%d] flipped", i), lo, hi, size, leaves, RangeProof{flipped(p.Left, i), p.Right}, root),
			probe(fmt.Sprintf("left truncated to %d", i), lo, hi, size, leaves, RangeProof{p.Left[:i], p.Right}, root))
	}
	for i := range p.Right {
		ps = append(ps,
			probe(fmt.Sprintf("right[%d] flipped", i), lo, hi, size, leaves, RangeProof{p.Left, flipped(p.Right, i)}, root),
			probe(fmt.Sprintf("right truncated to %d", i), lo, hi, size, leaves, RangeProof{p.Left, p.Right[:i]}, root))
	}
	for i := range leaves {
		ps = append(ps,
			probe(fmt.Sprintf("leaf %d flipped", i), lo, hi, size, flipped(leaves, i), p, root),
			probe(fmt.Sprintf("leaf %d dropped", i), lo, hi, size, without(leaves, i), p, root))
	}
	if len(leaves) > 1 {
		ps = append(ps, probe("leaves 0, 1 swapped", lo, hi, size, swapped(leaves, 0, 1), p, root))
	}
	return ps
}

func checkRangeCorruptions(t *testing.T, tree *testTree, lo, hi, size int64, p RangeProof) {
	t.Helper()
	for _, c := range corruptRange(lo, hi, size, tree.leaves[lo:hi], p, tree.root(size)) {
		visited := false
		err := CheckRange(c.lo, c.hi, c.size, c.leaves, c.proof, c.root, func(int64, Hash) { visited = true })
		if c.resized && c.size == size {
			continue // size * 2 or size / 2 of 0: no change
		}
		if c.resized && sameRangeShape(t, lo, hi, size, c.size, len(p.Left), len(p.Right)) {
			// RFC 6962 roots do not commit to the size: where both sizes
			// combine the same hashes in the same way, the proof checks for
			// both. A signed checkpoint binds size and root instead.
			if err != nil || !visited {
				t.Errorf("[%d, %d) of %d, %s: same shape, but CheckRange = %v", lo, hi, size, c.desc, err)
			}
			continue
		}
		if !errors.Is(err, ErrProof) {
			t.Errorf("[%d, %d) of %d, %s: CheckRange = %v, want ErrProof", lo, hi, size, c.desc, err)
		}
		if visited {
			t.Errorf("[%d, %d) of %d, %s: failed CheckRange visited nodes", lo, hi, size, c.desc)
		}
	}
}

// sameRangeShape reports whether the range proof shapes of [lo, hi) in
// trees of size1 and size2 compute the same function of the same hashes:
// whether the reference, compact.Range, folds stand-in hashes to the same
// root for both.
func sameRangeShape(t *testing.T, lo, hi, size1, size2 int64, nLeft, nRight int) bool {
	t.Helper()
	stand := func(n int, tag string) []Hash {
		hs := make([]Hash, n)
		for i := range hs {
			hs[i] = LeafHash(fmt.Appendf(nil, "%s %d", tag, i))
		}
		return hs
	}
	left, leaves, right := stand(nLeft, "left"), stand(int(hi-lo), "leaf"), stand(nRight, "right")
	root1, ok1 := refShapeRoot(lo, hi, size1, left, leaves, right)
	root2, ok2 := refShapeRoot(lo, hi, size2, left, leaves, right)
	if !ok1 {
		t.Fatalf("reference rejects the shape of [%d, %d) of %d", lo, hi, size1)
	}
	return ok2 && root1 == root2
}

// refShapeRoot folds left, leaves and right as a range proof of [lo, hi)
// in a tree of size with compact.Range. It reports false if the hash
// counts do not fit the shape.
func refShapeRoot(lo, hi, size int64, left, leaves, right []Hash) (Hash, bool) {
	if !validRange(lo, hi, size) {
		return Hash{}, false
	}
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	bytesOf := func(hs []Hash) [][]byte {
		var bs [][]byte
		for _, h := range hs {
			bs = append(bs, append([]byte(nil), h[:]...))
		}
		return bs
	}
	cr, err := rf.NewRange(0, uint64(lo), bytesOf(left))
	if err != nil {
		return Hash{}, false
	}
	for _, l := range bytesOf(leaves) {
		if err := cr.Append(l, nil); err != nil {
			return Hash{}, false
		}
	}
	rr, err := rf.NewRange(uint64(hi), uint64(size), bytesOf(right))
	if err != nil || cr.AppendRange(rr, nil) != nil {
		return Hash{}, false
	}
	root, err := cr.GetRootHash(nil)
	if err != nil || root == nil {
		return EmptyRoot(), err == nil
	}
	return Hash(root), true
}

func TestRangeExhaustive(t *testing.T) {
	tree := newTestTree(maxRangeExhaustive)
	for size := int64(0); size <= maxRangeExhaustive; size++ {
		for lo := int64(0); lo <= size; lo++ {
			for hi := lo; hi <= size; hi++ {
				p := checkRangeOK(t, tree, lo, hi, size)
				if size <= maxRangeCorrupt {
					checkRangeCorruptions(t, tree, lo, hi, size, p)
				}
			}
		}
	}
}

// TestRangeSampled checks random ranges of larger trees, every third one
// with all corruptions.
func TestRangeSampled(t *testing.T) {
	const maxSize = 1100
	tree := newTestTree(maxSize)
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int64{127, 128, 129, 130, 131, 255, 256, 257, 1023, 1024, 1025, maxSize}
	for size := int64(maxRangeExhaustive + 1); size < 140; size++ {
		sizes = append(sizes, size)
	}
	for _, size := range sizes {
		for i := range 40 {
			lo := rng.Int64N(size + 1)
			hi := lo + rng.Int64N(size-lo+1)
			p := checkRangeOK(t, tree, lo, hi, size)
			if i%8 == 0 {
				checkRangeCorruptions(t, tree, lo, hi, size, p)
			}
		}
	}
}

func TestRangeProofIndexesInvalid(t *testing.T) {
	for _, r := range [][3]int64{{-1, 0, 5}, {3, 2, 5}, {0, 6, 5}, {0, 0, -1}} {
		if l, rr := RangeProofIndexes(r[0], r[1], r[2]); l != nil || rr != nil {
			t.Errorf("RangeProofIndexes(%v) = %v, %v, want nil", r, l, rr)
		}
		if err := CheckRange(r[0], r[1], r[2], nil, RangeProof{}, Hash{}, nil); !errors.Is(err, ErrProof) {
			t.Errorf("CheckRange(%v) = %v, want ErrProof", r, err)
		}
	}
}

// TestRangeProofSizeBound checks the bound the package doc promises: any
// 1,000 consecutive entries of a tree of a million need at most 35 hashes.
func TestRangeProofSizeBound(t *testing.T) {
	const size, n = 1_000_000, 1000
	most := 0
	for lo := int64(0); lo+n <= size; lo++ {
		left, right := RangeProofIndexes(lo, lo+n, size)
		if k := len(left) + len(right); k > most {
			most = k
		}
	}
	if most != 35 || most*HashSize > 2048 {
		t.Errorf("largest proof of %d of %d entries: %d hashes, want 35 (at most 2048 bytes)", n, size, most)
	}
}

func TestCheckRangeAllocs(t *testing.T) {
	tree := newTestTree(100)
	p, err := ProveRange(37, 61, 100, tree.store)
	if err != nil {
		t.Fatal(err)
	}
	root := tree.root(100)
	allocs := testing.AllocsPerRun(100, func() {
		if err := CheckRange(37, 61, 100, tree.leaves[37:61], p, root, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("CheckRange without visit allocates %v times", allocs)
	}
}
