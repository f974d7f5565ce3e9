package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// This file holds a naive reference implementation of RFC 6962 section 2.1,
// written straight from the RFC text, and the in-memory tree the tests
// compare the package against.

// refLeaf is SHA-256(0x00 || d(i)), written without the package's code.
func refLeaf(entry []byte) Hash {
	return sha256.Sum256(append([]byte{0x00}, entry...))
}

// refNode is SHA-256(0x01 || left || right).
func refNode(left, right Hash) Hash {
	b := append([]byte{0x01}, left[:]...)
	return sha256.Sum256(append(b, right[:]...))
}

// refSplit returns k, the largest power of two smaller than n (n > 1).
func refSplit(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

// refMTH is MTH(D[n]) over leaf hashes.
func refMTH(d []Hash) Hash {
	switch n := len(d); n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return d[0]
	default:
		k := refSplit(n)
		return refNode(refMTH(d[:k]), refMTH(d[k:]))
	}
}

// refPath is PATH(m, D[n]), the audit path of leaf m.
func refPath(m int, d []Hash) []Hash {
	n := len(d)
	if n == 1 {
		return []Hash{}
	}
	k := refSplit(n)
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

// refProof is PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
func refProof(m int, d []Hash) []Hash {
	return refSubproof(m, d, true)
}

// refSubproof is SUBPROOF(m, D[n], b).
func refSubproof(m int, d []Hash, b bool) []Hash {
	n := len(d)
	if m == n {
		if b {
			return []Hash{}
		}
		return []Hash{refMTH(d)}
	}
	k := refSplit(n)
	if m <= k {
		return append(refSubproof(m, d[:k], b), refMTH(d[k:]))
	}
	return append(refSubproof(m-k, d[k:], false), refMTH(d[:k]))
}

// testEntry returns the entry of leaf i of the test trees.
func testEntry(i int) []byte {
	return binary.BigEndian.AppendUint64([]byte("entry "), uint64(i))
}

// testTree is a tree of n leaves with every perfect node stored at its
// tlog index, computed with the reference code only.
type testTree struct {
	leaves []Hash
	roots  []Hash // roots[n] is the root of the first n leaves
	store  memStore
}

func newTestTree(n int) *testTree {
	t := &testTree{leaves: make([]Hash, n)}
	for i := range t.leaves {
		t.leaves[i] = refLeaf(testEntry(i))
	}
	t.store = make(memStore, StoredHashCount(int64(n)))
	for level := 0; 1<<level <= n; level++ {
		w := 1 << level
		for k := 0; (k+1)*w <= n; k++ {
			t.store[StoredHashIndex(level, int64(k))] = refMTH(t.leaves[k*w : (k+1)*w])
		}
	}
	t.roots = make([]Hash, n+1)
	for size := range t.roots {
		t.roots[size] = refMTH(t.leaves[:size])
	}
	return t
}

// root returns the reference root of the first size leaves.
func (t *testTree) root(size int64) Hash { return t.roots[size] }

// memStore is an in-memory HashReader indexed by stored-hash index.
type memStore []Hash

func (s memStore) ReadHashes(indexes []int64) ([]Hash, error) {
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("memStore: no hash at index %d (have %d)", x, len(s))
		}
		out[i] = s[x]
	}
	return out, nil
}

// countingReader counts ReadHashes calls.
type countingReader struct {
	r     HashReader
	calls int
}

func (c *countingReader) ReadHashes(indexes []int64) ([]Hash, error) {
	c.calls++
	return c.r.ReadHashes(indexes)
}
