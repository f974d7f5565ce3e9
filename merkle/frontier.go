package merkle

import (
	"fmt"
	"math/bits"
)

// maxLevels bounds the number of perfect subtrees of any compact range
// [0, n) with n an int64: one per set bit, so at most 63. Stacks of this
// size never grow during an append.
const maxLevels = 64

// Frontier is the compact range [0, size): the hashes of the perfect
// subtrees that cover the first size leaves, left to right (so from the
// highest level to the lowest, one per set bit of size). It is all a writer
// needs to append leaves and compute roots without reading stored hashes.
//
// The zero Frontier is the empty tree. A Frontier is not safe for
// concurrent use.
type Frontier struct {
	size   int64
	hashes []Hash // len == popcount(size), cap == maxLevels
}

// NewFrontier returns the frontier of a tree of size leaves from the hashes
// of the perfect subtrees of [0, size), left to right, as [Frontier.Hashes]
// and [LoadFrontier] give them. It copies hashes.
func NewFrontier(size int64, hashes []Hash) (*Frontier, error) {
	if !validSize(size) {
		return nil, fmt.Errorf("merkle: NewFrontier: size %d is not in [0, MaxTreeSize]", size)
	}
	if want := bits.OnesCount64(uint64(size)); len(hashes) != want {
		return nil, fmt.Errorf("merkle: NewFrontier: size %d needs %d hashes, got %d", size, want, len(hashes))
	}
	f := &Frontier{size: size, hashes: make([]Hash, len(hashes), maxLevels)}
	copy(f.hashes, hashes)
	return f, nil
}

// FrontierIndexes returns the stored-hash indexes of the perfect subtrees
// of [0, size), left to right: the hashes [LoadFrontier] reads. It returns
// nil for size 0 and for sizes outside [0, MaxTreeSize].
func FrontierIndexes(size int64) []int64 {
	if size <= 0 || size > MaxTreeSize {
		return nil
	}
	var buf [maxLevels]node
	nodes := compactRange(0, size, buf[:0])
	return nodeIndexes(nodes, make([]int64, 0, len(nodes)))
}

// LoadFrontier reads the frontier of a tree of size leaves from stored
// hashes, with a single ReadHashes call (none for size 0).
func LoadFrontier(size int64, r HashReader) (*Frontier, error) {
	if !validSize(size) {
		return nil, fmt.Errorf("merkle: LoadFrontier: size %d is not in [0, MaxTreeSize]", size)
	}
	indexes := FrontierIndexes(size)
	if len(indexes) == 0 {
		return NewFrontier(size, nil)
	}
	hashes, err := readHashes(r, indexes)
	if err != nil {
		return nil, fmt.Errorf("merkle: LoadFrontier(%d): %w", size, err)
	}
	return NewFrontier(size, hashes)
}

// Size returns the number of leaves.
func (f *Frontier) Size() int64 { return f.size }

// Hashes returns a copy of the perfect subtree hashes of [0, size), left to
// right.
func (f *Frontier) Hashes() []Hash {
	return append([]Hash(nil), f.hashes...)
}

// Clone returns an independent copy of f.
func (f *Frontier) Clone() *Frontier {
	c := &Frontier{size: f.size, hashes: make([]Hash, len(f.hashes), maxLevels)}
	copy(c.hashes, f.hashes)
	return c
}

// Append adds the leaf hash (see [LeafHash]) as leaf number Size() and
// merges the perfect subtrees it completes. If visit is not nil, it is
// called for every new perfect node with its stored-hash index, in
// increasing index order: the leaf first, then each completed parent. These
// are exactly the hashes [tlog.StoredHashes] returns for the record, and
// the indexes run from StoredHashIndex(0, size) up by one.
//
// Append does not allocate. It panics if the tree already has MaxTreeSize
// leaves.
func (f *Frontier) Append(leaf Hash, visit func(index int64, h Hash)) {
	if f.size == MaxTreeSize {
		panic("merkle: Frontier.Append: tree is full")
	}
	if cap(f.hashes) < maxLevels {
		// A zero Frontier: allocate once, so appends never grow the slice.
		f.hashes = append(make([]Hash, 0, maxLevels), f.hashes...)
	}
	index := leafIndex(f.size)
	if visit != nil {
		visit(index, leaf)
	}
	h, n := leaf, len(f.hashes)
	// Each trailing one bit of size is a perfect subtree of the same level
	// as h, just to its left: merge them.
	for s := f.size; s&1 == 1; s >>= 1 {
		n--
		h = NodeHash(f.hashes[n], h)
		index++
		if visit != nil {
			visit(index, h)
		}
	}
	f.hashes = append(f.hashes[:n], h)
	f.size++
}

// Root returns the RFC 6962 root of the tree: the perfect subtree hashes
// folded from right to left. The root of the empty tree is SHA-256("").
func (f *Frontier) Root() Hash {
	return foldRoot(f.hashes)
}

// foldRoot returns the root of the tree whose compact range [0, size) has
// the given hashes.
func foldRoot(hashes []Hash) Hash {
	if len(hashes) == 0 {
		return emptyRoot
	}
	h := hashes[len(hashes)-1]
	for i := len(hashes) - 2; i >= 0; i-- {
		h = NodeHash(hashes[i], h)
	}
	return h
}

// readHashes calls r.ReadHashes once and checks the count it returns.
func readHashes(r HashReader, indexes []int64) ([]Hash, error) {
	hashes, err := r.ReadHashes(indexes)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(indexes) {
		return nil, fmt.Errorf("ReadHashes(%d indexes) returned %d hashes", len(indexes), len(hashes))
	}
	return hashes, nil
}
