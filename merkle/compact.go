package merkle

import "math/bits"

// node names a perfect node: the subtree of 2^level leaves starting at leaf
// pos (pos is a multiple of 2^level).
type node struct {
	level int
	pos   int64
}

// index returns the node's stored-hash index.
func (n node) index() int64 { return nodeIndex(n.level, n.pos>>uint(n.level)) }

// decompose splits the compact range [begin, end) into its two borders,
// as bit masks of levels: left holds the levels of the nodes that rise
// from begin (lowest first), right those that descend to end (highest
// first). It is compact.Decompose from transparency-dev/merkle.
func decompose(begin, end int64) (left, right uint64) {
	if begin == 0 {
		return 0, uint64(end)
	}
	xbegin := uint64(begin - 1)
	// Below the level where the paths to leaves begin-1 and end diverge,
	// the nodes right of the path to begin-1 and left of the path to end
	// make up the range.
	d := bits.Len64(xbegin^uint64(end)) - 1
	mask := uint64(1)<<uint(d) - 1
	return ^xbegin & mask, uint64(end) & mask
}

// compactRangeSize returns the number of nodes in the compact range
// [begin, end).
func compactRangeSize(begin, end int64) int {
	left, right := decompose(begin, end)
	return bits.OnesCount64(left) + bits.OnesCount64(right)
}

// compactRange appends the nodes of the compact range [begin, end) to buf,
// left to right, and returns it. Requires 0 <= begin <= end.
func compactRange(begin, end int64, buf []node) []node {
	left, right := decompose(begin, end)
	pos := begin
	for left != 0 {
		level := bits.TrailingZeros64(left)
		buf = append(buf, node{level, pos})
		pos += 1 << uint(level)
		left &^= 1 << uint(level)
	}
	for right != 0 {
		level := bits.Len64(right) - 1
		buf = append(buf, node{level, pos})
		pos += 1 << uint(level)
		right &^= 1 << uint(level)
	}
	return buf
}

// nodeIndexes appends the stored-hash indexes of nodes to buf.
func nodeIndexes(nodes []node, buf []int64) []int64 {
	for _, n := range nodes {
		buf = append(buf, n.index())
	}
	return buf
}

// merges returns how many left neighbours a node at level merges with when
// it is appended to the compact range [0, pos): one per trailing one bit
// of pos>>level.
func merges(level int, pos int64) int {
	return bits.TrailingZeros64(^uint64(pos >> uint(level)))
}
