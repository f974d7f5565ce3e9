package merkle

import (
	"fmt"
	"sync"
	"testing"
)

const benchTreeSize = 1_000_000

// bigTree is a tree of a million leaves with all its stored hashes in
// memory (about 96 MB).
type bigTree struct {
	leaves []Hash
	store  memStore
	root   Hash
}

// benchTree builds the bigTree once per test binary.
var benchTree = sync.OnceValue(func() *bigTree {
	t := &bigTree{leaves: make([]Hash, benchTreeSize)}
	t.store = make(memStore, 0, StoredHashCount(benchTreeSize))
	f, _ := NewFrontier(0, nil)
	for i := range t.leaves {
		t.leaves[i] = LeafHash(testEntry(i))
		f.Append(t.leaves[i], func(_ int64, h Hash) { t.store = append(t.store, h) })
	}
	t.root = f.Root()
	return t
})

func BenchmarkLeafHash(b *testing.B) {
	for _, n := range []int{32, 200, 1024} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			entry := make([]byte, n)
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				LeafHash(entry)
			}
		})
	}
}

// BenchmarkFrontierAppend measures one append per iteration.
func BenchmarkFrontierAppend(b *testing.B) {
	leaf := LeafHash([]byte("leaf"))
	b.Run("no-visit", func(b *testing.B) {
		f, _ := NewFrontier(0, nil)
		b.ReportAllocs()
		b.SetBytes(HashSize)
		for b.Loop() {
			f.Append(leaf, nil)
		}
	})
	b.Run("visit", func(b *testing.B) {
		f, _ := NewFrontier(0, nil)
		var stored int64
		b.ReportAllocs()
		b.SetBytes(HashSize)
		for b.Loop() {
			f.Append(leaf, func(int64, Hash) { stored++ })
		}
	})
}

// BenchmarkCheckRange verifies ranges of 1, 1,000 and 1,000,000 leaves of
// a tree of a million, with and without reporting the verified nodes.
func BenchmarkCheckRange(b *testing.B) {
	tree := benchTree()
	root := tree.root
	for _, r := range []struct {
		name   string
		lo, hi int64
	}{
		{"1", 500_000, 500_001},
		{"1k", 500_000, 501_000},
		{"1M", 0, benchTreeSize},
	} {
		p, err := ProveRange(r.lo, r.hi, benchTreeSize, tree.store)
		if err != nil {
			b.Fatal(err)
		}
		leaves := tree.leaves[r.lo:r.hi]
		for _, visit := range []bool{false, true} {
			name := r.name
			var fn func(int64, Hash)
			if visit {
				name += "/visit"
				fn = func(int64, Hash) {}
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(HashSize * (r.hi - r.lo))
				for b.Loop() {
					if err := CheckRange(r.lo, r.hi, benchTreeSize, leaves, p, root, fn); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkProveRange proves 1,000 entries of a million from an in-memory
// store, and reports the proof size there and the largest over all
// positions.
func BenchmarkProveRange(b *testing.B) {
	tree := benchTree()
	const n = 1000
	most := 0
	for lo := int64(0); lo+n <= benchTreeSize; lo++ {
		left, right := RangeProofIndexes(lo, lo+n, benchTreeSize)
		most = max(most, len(left)+len(right))
	}
	b.ReportAllocs()
	var p RangeProof
	lo := int64(0)
	for b.Loop() {
		lo = (lo + 7919) % (benchTreeSize - n)
		var err error
		if p, err = ProveRange(lo, lo+n, benchTreeSize, tree.store); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(HashSize*(len(p.Left)+len(p.Right))), "proof-bytes")
	b.ReportMetric(float64(HashSize*most), "max-proof-bytes")
}

// BenchmarkProveInclusion proves one entry of a million and reports the
// proof size.
func BenchmarkProveInclusion(b *testing.B) {
	tree := benchTree()
	b.ReportAllocs()
	var p InclusionProof
	index := int64(0)
	for b.Loop() {
		index = (index + 7919) % benchTreeSize
		var err error
		if p, err = ProveInclusion(index, benchTreeSize, tree.store); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(HashSize*len(p)), "proof-bytes")
}

func BenchmarkCheckInclusion(b *testing.B) {
	tree := benchTree()
	root := tree.root
	const index = 123_456
	p, err := ProveInclusion(index, benchTreeSize, tree.store)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckInclusion(p, index, benchTreeSize, tree.leaves[index], root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckConsistency(b *testing.B) {
	tree := benchTree()
	const size1 = 654_321
	root1, err := TreeRoot(size1, tree.store)
	if err != nil {
		b.Fatal(err)
	}
	p, err := ProveConsistency(size1, benchTreeSize, tree.store)
	if err != nil {
		b.Fatal(err)
	}
	root2 := tree.root
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckConsistency(p, size1, root1, benchTreeSize, root2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(HashSize*len(p)), "proof-bytes")
}
