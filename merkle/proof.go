package merkle

import (
	"fmt"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// InclusionProof is an RFC 6962 audit path (RFC 9162 section 2.1.3): the
// sibling hashes from a leaf up to the root, lowest first.
type InclusionProof []Hash

// ConsistencyProof is an RFC 6962 consistency proof (RFC 9162 section
// 2.1.4) that a tree of size2 leaves extends the tree of its first size1.
type ConsistencyProof []Hash

// TreeRoot returns the root of the tree of size leaves from stored hashes,
// with one ReadHashes call of at most 1 + log2(size) hashes. It is
// [tlog.TreeHash].
func TreeRoot(size int64, r HashReader) (Hash, error) {
	if !validSize(size) {
		return Hash{}, fmt.Errorf("merkle: TreeRoot: size %d is not in [0, MaxTreeSize]", size)
	}
	h, err := tlog.TreeHash(size, r)
	if err != nil {
		return Hash{}, fmt.Errorf("merkle: TreeRoot(%d): %w", size, err)
	}
	return h, nil
}

// ProveInclusion returns the inclusion proof of leaf index in the tree of
// size leaves, reading stored hashes with one ReadHashes call.
func ProveInclusion(index, size int64, r HashReader) (InclusionProof, error) {
	if index < 0 || index >= size || size > MaxTreeSize {
		return nil, fmt.Errorf("merkle: ProveInclusion: index %d is not in a tree of size %d", index, size)
	}
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return nil, fmt.Errorf("merkle: ProveInclusion(%d, %d): %w", index, size, err)
	}
	return InclusionProof(p), nil
}

// CheckInclusion verifies that p proves that leaf is the leaf hash at index
// in the tree of size leaves with the given root. Every failure wraps
// [ErrProof].
func CheckInclusion(p InclusionProof, index, size int64, leaf, root Hash) error {
	if index < 0 || index >= size || size > MaxTreeSize {
		return fmt.Errorf("%w: inclusion: index %d is not in a tree of size %d", ErrProof, index, size)
	}
	if want := inclusionLen(index, size); len(p) != want {
		return fmt.Errorf("%w: inclusion of index %d in tree size %d: proof has %d hashes, want %d", ErrProof, index, size, len(p), want)
	}
	if err := tlog.CheckRecord(tlog.RecordProof(p), size, root, index, leaf); err != nil {
		return fmt.Errorf("%w: inclusion of index %d in tree size %d: root mismatch", ErrProof, index, size)
	}
	return nil
}

// ProveConsistency returns the consistency proof between the trees of
// size1 and size2 leaves, reading stored hashes with one ReadHashes call.
// The proof is empty when size1 is 0 or equals size2.
func ProveConsistency(size1, size2 int64, r HashReader) (ConsistencyProof, error) {
	if size1 < 0 || size1 > size2 || size2 > MaxTreeSize {
		return nil, fmt.Errorf("merkle: ProveConsistency: invalid sizes %d, %d", size1, size2)
	}
	if size1 == 0 || size1 == size2 {
		return ConsistencyProof{}, nil
	}
	p, err := tlog.ProveTree(size2, size1, r)
	if err != nil {
		return nil, fmt.Errorf("merkle: ProveConsistency(%d, %d): %w", size1, size2, err)
	}
	return ConsistencyProof(p), nil
}

// CheckConsistency verifies that p proves that the tree of size2 leaves
// with root2 extends the tree of size1 leaves with root1. Every failure
// wraps [ErrProof].
//
// Equal sizes need an empty proof and equal roots. Size 0 needs an empty
// proof, and root1 must be the empty-tree root SHA-256("") (stricter than
// transparency-dev/merkle, which accepts any root1 there: a size-0
// checkpoint with any other root is malformed).
func CheckConsistency(p ConsistencyProof, size1 int64, root1 Hash, size2 int64, root2 Hash) error {
	if err := checkConsistencyTrivial(p, size1, root1, size2, root2); err != nil || size1 == 0 || size1 == size2 {
		return err
	}
	if want := consistencyLen(size1, size2); len(p) != want {
		return fmt.Errorf("%w: consistency %d -> %d: proof has %d hashes, want %d", ErrProof, size1, size2, len(p), want)
	}
	if err := tlog.CheckTree(tlog.TreeProof(p), size2, root2, size1, root1); err != nil {
		return fmt.Errorf("%w: consistency %d -> %d: root mismatch", ErrProof, size1, size2)
	}
	return nil
}

// checkConsistencyTrivial checks the sizes, and the cases size1 == 0 and
// size1 == size2, which need no hashing.
func checkConsistencyTrivial(p ConsistencyProof, size1 int64, root1 Hash, size2 int64, root2 Hash) error {
	switch {
	case size1 < 0 || size1 > size2 || size2 > MaxTreeSize:
		return fmt.Errorf("%w: consistency: invalid sizes %d -> %d", ErrProof, size1, size2)
	case (size1 == 0 || size1 == size2) && len(p) != 0:
		return fmt.Errorf("%w: consistency %d -> %d: proof has %d hashes, want 0", ErrProof, size1, size2, len(p))
	case size1 == 0 && root1 != emptyRoot:
		return fmt.Errorf("%w: consistency 0 -> %d: old root %v is not the empty-tree root", ErrProof, size2, root1)
	case size1 == size2 && root1 != root2:
		return fmt.Errorf("%w: consistency %d -> %d: roots %v and %v differ", ErrProof, size1, size2, root1, root2)
	}
	return nil
}

// OldRootFromConsistency returns the root of the first size1 leaves of the
// tree of size2 leaves with root2, from a consistency proof that checks
// against (size2, root2); the check fails with [ErrProof] otherwise. If the
// root differs from the root of a signed size1 checkpoint, the two signed
// checkpoints and p are fork evidence.
//
// When size1 is a power of two smaller than size2, an RFC 6962 proof leaves
// the old root out (the verifier is assumed to know it), so it cannot
// determine it: here p must carry the old root in front, as RFC 9162
// section 2.1.4.2 prepends it during verification. [ProveOldRoot] returns
// proofs in this form for every size; for other sizes they equal
// ProveConsistency's. For size1 == 0 the result is the empty-tree root, for
// size1 == size2 it is root2 (both with an empty proof).
func OldRootFromConsistency(p ConsistencyProof, size1, size2 int64, root2 Hash) (Hash, error) {
	if size1 == 0 || size1 == size2 {
		root1 := root2
		if size1 == 0 {
			root1 = emptyRoot
		}
		// For size2 == 0 too, root2 must then be the empty-tree root.
		if err := checkConsistencyTrivial(p, size1, root1, size2, root2); err != nil {
			return Hash{}, err
		}
		return root1, nil
	}
	if size1 < 0 || size1 > size2 || size2 > MaxTreeSize {
		return Hash{}, fmt.Errorf("%w: consistency: invalid sizes %d -> %d", ErrProof, size1, size2)
	}
	inner, border := consistencyParts(size1, size2)
	if want := 1 + inner + border; len(p) != want {
		what := ""
		if isPowerOfTwo(size1) {
			what = " (with the old root in front, see ProveOldRoot)"
		}
		return Hash{}, fmt.Errorf("%w: old root from consistency %d -> %d: proof has %d hashes, want %d%s", ErrProof, size1, size2, len(p), want, what)
	}
	root1, got2 := consistencyRoots(p[0], p[1:], size1, size2, inner)
	if got2 != root2 {
		return Hash{}, fmt.Errorf("%w: old root from consistency %d -> %d: computed root %v, want %v", ErrProof, size1, size2, got2, root2)
	}
	return root1, nil
}

// ProveOldRoot returns the consistency proof between size1 and size2 in the
// form OldRootFromConsistency takes: ProveConsistency's proof, preceded by
// the root of the first size1 leaves when size1 is a power of two smaller
// than size2. It reads stored hashes with at most two ReadHashes calls.
func ProveOldRoot(size1, size2 int64, r HashReader) (ConsistencyProof, error) {
	p, err := ProveConsistency(size1, size2, r)
	if err != nil || size1 == 0 || size1 == size2 || !isPowerOfTwo(size1) {
		return p, err
	}
	old, err := TreeRoot(size1, r)
	if err != nil {
		return nil, err
	}
	return append(ConsistencyProof{old}, p...), nil
}

// consistencyRoots runs a consistency proof from seed, the hash of the
// perfect subtree of 2^tz(size1) leaves that ends at leaf size1-1, and
// returns the roots it implies for size1 and size2. It is RFC 9162
// section 2.1.4.2; p holds inner hashes below the point where the paths to
// leaves size1-1 and size2-1 join, then the border hashes above it.
func consistencyRoots(seed Hash, p []Hash, size1, size2 int64, inner int) (root1, root2 Hash) {
	shift := bits.TrailingZeros64(uint64(size1))
	path := uint64(size1-1) >> uint(shift)
	root1, root2 = seed, seed
	for i, h := range p[:inner] {
		if path>>uint(i)&1 == 1 {
			// h is a left sibling: it is in both trees.
			root1 = NodeHash(h, root1)
			root2 = NodeHash(h, root2)
		} else {
			// h is a right sibling, made of leaves only the new tree has.
			root2 = NodeHash(root2, h)
		}
	}
	for _, h := range p[inner:] {
		root1 = NodeHash(h, root1)
		root2 = NodeHash(h, root2)
	}
	return root1, root2
}

// inclusionParts splits the inclusion proof of index in a tree of size
// leaves at the point where the paths to leaves index and size-1 join:
// inner hashes below it, border hashes (all left siblings) above it.
func inclusionParts(index, size int64) (inner, border int) {
	inner = bits.Len64(uint64(index) ^ uint64(size-1))
	border = bits.OnesCount64(uint64(index) >> uint(inner))
	return inner, border
}

// inclusionLen returns the length of the inclusion proof of index in a tree
// of size leaves, for 0 <= index < size.
func inclusionLen(index, size int64) int {
	inner, border := inclusionParts(index, size)
	return inner + border
}

// consistencyParts returns, for 0 < size1 < size2, the inner and border
// hash counts of a consistency proof after its seed (see consistencyRoots).
func consistencyParts(size1, size2 int64) (inner, border int) {
	inner, border = inclusionParts(size1-1, size2)
	return inner - bits.TrailingZeros64(uint64(size1)), border
}

// consistencyLen returns the length of the RFC 6962 consistency proof
// between 0 < size1 < size2, which leaves out the seed when it is the old
// root itself (size1 a power of two).
func consistencyLen(size1, size2 int64) int {
	inner, border := consistencyParts(size1, size2)
	if isPowerOfTwo(size1) {
		return inner + border
	}
	return 1 + inner + border
}

func isPowerOfTwo(n int64) bool { return n > 0 && n&(n-1) == 0 }
