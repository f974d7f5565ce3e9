package merkle

import (
	"bytes"
	"errors"
	"math/bits"
	"sync"
	"testing"
)

// fuzzTreeSize is the size of the tree the proof fuzzers check against.
const fuzzTreeSize = 300

var fuzzTree = sync.OnceValue(func() *testTree { return newTestTree(fuzzTreeSize) })

// hashesOf splits b into 32-byte hashes, dropping a partial tail.
func hashesOf(b []byte) []Hash {
	hs := make([]Hash, len(b)/HashSize)
	for i := range hs {
		copy(hs[i][:], b[i*HashSize:])
	}
	return hs
}

func bytesOf[P ~[]Hash](p P) []byte {
	var b []byte
	for _, h := range p {
		b = append(b, h[:]...)
	}
	return b
}

// fuzzRoot returns the root of the fuzz tree of size leaves, or a hash that
// is no root if size is outside the tree.
func fuzzRoot(size int64) Hash {
	if size < 0 || size > fuzzTreeSize {
		return someHash
	}
	return fuzzTree().root(size)
}

// fuzzLeaf returns leaf index of the fuzz tree, with flip xor-ed into its
// first byte, or a hash of no leaf if index is outside the tree.
func fuzzLeaf(index int64, flip byte) Hash {
	if index < 0 || index >= fuzzTreeSize {
		return someHash
	}
	h := fuzzTree().leaves[index]
	h[0] ^= flip
	return h
}

func FuzzCheckInclusion(f *testing.F) {
	tree := fuzzTree()
	for _, c := range [][2]int64{{0, 1}, {5, 8}, {17, 100}, {299, 300}, {3, 3}} {
		if p, err := ProveInclusion(c[0], c[1], tree.store); err == nil {
			f.Add(c[0], c[1], byte(0), bytesOf(p))
		} else {
			f.Add(c[0], c[1], byte(1), []byte{})
		}
	}
	for _, size := range hugeSizes {
		f.Add(size-1, size, byte(0), bytesOf(zeroProof(inclusionLen(size-1, size))))
	}
	f.Fuzz(func(t *testing.T, index, size int64, flip byte, proof []byte) {
		p := InclusionProof(hashesOf(proof))
		err := CheckInclusion(p, index, size, fuzzLeaf(index, flip), fuzzRoot(size))
		if err != nil {
			if !errors.Is(err, ErrProof) {
				t.Fatalf("error %v does not wrap ErrProof", err)
			}
			return
		}
		// Verified: it must be the real proof of the real leaf. (A size
		// that aliases another size's shape still needs that size's root,
		// which fuzzRoot only gives for the true size.)
		want, werr := ProveInclusion(index, size, tree.store)
		if flip != 0 || werr != nil || !equalHashes(p, want) {
			t.Fatalf("CheckInclusion(%d, %d, flip %d) accepted %x, real proof %x (%v)", index, size, flip, p, want, werr)
		}
	})
}

func FuzzCheckConsistency(f *testing.F) {
	tree := fuzzTree()
	for _, c := range [][2]int64{{0, 0}, {1, 8}, {6, 8}, {4, 300}, {100, 257}, {7, 7}} {
		p, _ := ProveOldRoot(c[0], c[1], tree.store)
		f.Add(c[0], c[1], byte(0), bytesOf(p))
	}
	for _, size := range hugeSizes {
		f.Add(int64(3), size, byte(0), bytesOf(zeroProof(consistencyLen(3, size))))
	}
	f.Fuzz(func(t *testing.T, size1, size2 int64, flip byte, proof []byte) {
		p := ConsistencyProof(hashesOf(proof))
		root1 := fuzzRoot(size1)
		root1[0] ^= flip
		root2 := fuzzRoot(size2)
		if err := CheckConsistency(p, size1, root1, size2, root2); err == nil {
			want, werr := ProveConsistency(size1, size2, tree.store)
			if flip != 0 || werr != nil || !equalHashes(p, want) {
				t.Fatalf("CheckConsistency(%d, %d, flip %d) accepted %x, real proof %x (%v)", size1, size2, flip, p, want, werr)
			}
		} else if !errors.Is(err, ErrProof) {
			t.Fatalf("error %v does not wrap ErrProof", err)
		}
		old, err := OldRootFromConsistency(p, size1, size2, root2)
		if err != nil {
			if !errors.Is(err, ErrProof) {
				t.Fatalf("error %v does not wrap ErrProof", err)
			}
			return
		}
		want, werr := ProveOldRoot(size1, size2, tree.store)
		if werr != nil || !equalHashes(p, want) || old != fuzzRoot(size1) {
			t.Fatalf("OldRootFromConsistency(%d, %d) accepted %x giving %x, real proof %x (%v)", size1, size2, p, old, want, werr)
		}
	})
}

func FuzzCheckRange(f *testing.F) {
	tree := fuzzTree()
	for _, c := range [][3]int64{{0, 0, 0}, {0, 300, 300}, {6, 13, 16}, {100, 200, 257}, {37, 38, 300}, {5, 5, 9}} {
		p, _ := ProveRange(c[0], c[1], c[2], tree.store)
		f.Add(c[0], c[1], c[2], -1, byte(0), bytesOf(p.Left), bytesOf(p.Right))
	}
	for _, size := range hugeSizes {
		f.Add(size-1, size, size, -1, byte(0), bytesOf(zeroProof(bits.OnesCount64(uint64(size-1)))), []byte{})
	}
	f.Fuzz(func(t *testing.T, lo, hi, size int64, flipLeaf int, flip byte, left, right []byte) {
		p := RangeProof{Left: hashesOf(left), Right: hashesOf(right)}
		var leaves []Hash
		if 0 <= lo && lo <= hi && hi <= fuzzTreeSize {
			leaves = append(leaves, tree.leaves[lo:hi]...)
		}
		if 0 <= flipLeaf && flipLeaf < len(leaves) {
			leaves[flipLeaf][0] ^= flip
		} else {
			flip = 0
		}
		visits := 0
		err := CheckRange(lo, hi, size, leaves, p, fuzzRoot(size), func(index int64, h Hash) {
			visits++
			if index < 0 || index >= int64(len(tree.store)) || tree.store[index] != h {
				t.Fatalf("CheckRange(%d, %d, %d) visited a wrong hash at index %d", lo, hi, size, index)
			}
		})
		if err != nil {
			if !errors.Is(err, ErrProof) {
				t.Fatalf("error %v does not wrap ErrProof", err)
			}
			if visits != 0 {
				t.Fatalf("failed CheckRange visited %d nodes", visits)
			}
			return
		}
		want, werr := ProveRange(lo, hi, size, tree.store)
		if flip != 0 || werr != nil || !equalHashes(p.Left, want.Left) || !equalHashes(p.Right, want.Right) {
			t.Fatalf("CheckRange(%d, %d, %d) accepted %x, real proof %x (%v)", lo, hi, size, p, want, werr)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	f.Add(FormatCheckpoint(testCheckpoint()))
	f.Add(FormatCheckpoint(Checkpoint{Origin: "example.com/log", Root: EmptyRoot()}))
	f.Add([]byte("o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 5\n"))
	f.Add([]byte("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n"))
	f.Add([]byte("o\n4611686018427387904\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := ParseCheckpoint(text)
		if err != nil {
			return
		}
		if err := ValidateCheckpoint(c); err != nil {
			t.Fatalf("ParseCheckpoint(%q) = %+v, which is invalid: %v", text, c, err)
		}
		if got := FormatCheckpoint(c); !bytes.Equal(got, text) {
			t.Fatalf("ParseCheckpoint(%q) formats back as %q", text, got)
		}
	})
}
