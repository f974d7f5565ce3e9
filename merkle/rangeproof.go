package merkle

import (
	"fmt"
	"math/bits"
)

// RangeProof proves that a run of leaves [lo, hi) belongs to a tree of a
// given size and root. Left is the compact range [0, lo) and Right the
// compact range [hi, size), each as perfect subtree hashes ordered left to
// right. A verifier rebuilds the compact range [0, size) from Left, the
// leaf hashes and Right, and folds it into the root.
//
// Its size is O(log size) hashes whatever hi-lo is: at most one hash per
// set bit of lo on the left, and at most two per level on the right.
type RangeProof struct {
	Left, Right []Hash
}

// maxRangeNodes bounds the node count of a compact range [begin, end)
// with int64 bounds: at most one node per level on each border.
const maxRangeNodes = 2 * maxLevels

// validRange reports whether [lo, hi) is a range of a tree of size leaves.
func validRange(lo, hi, size int64) bool {
	return 0 <= lo && lo <= hi && hi <= size && size <= MaxTreeSize
}

// RangeProofIndexes returns the stored-hash indexes of the hashes of a
// range proof for [lo, hi) in a tree of size leaves: left those of
// RangeProof.Left, right those of RangeProof.Right, in that order. A node
// that serves ranges can fetch them in one read. It returns nil, nil when
// [lo, hi) is not inside [0, size) (ProveRange reports that as an error).
func RangeProofIndexes(lo, hi, size int64) (left, right []int64) {
	if !validRange(lo, hi, size) {
		return nil, nil
	}
	var buf [maxRangeNodes]node
	nodes := compactRange(0, lo, buf[:0])
	left = nodeIndexes(nodes, make([]int64, 0, len(nodes)))
	nodes = compactRange(hi, size, buf[:0])
	right = nodeIndexes(nodes, make([]int64, 0, len(nodes)))
	return left, right
}

// ProveRange returns the range proof for the leaves [lo, hi) of the tree of
// size leaves, reading the hashes with a single ReadHashes call (none when
// the proof is empty, that is when lo == 0 and hi == size).
func ProveRange(lo, hi, size int64, r HashReader) (RangeProof, error) {
	if !validRange(lo, hi, size) {
		return RangeProof{}, fmt.Errorf("merkle: ProveRange: range [%d, %d) is not inside a tree of size %d", lo, hi, size)
	}
	left, right := RangeProofIndexes(lo, hi, size)
	if len(left)+len(right) == 0 {
		return RangeProof{}, nil
	}
	indexes := append(left[:len(left):len(left)], right...)
	hashes, err := readHashes(r, indexes)
	if err != nil {
		return RangeProof{}, fmt.Errorf("merkle: ProveRange [%d, %d) of size %d: %w", lo, hi, size, err)
	}
	n := len(left)
	return RangeProof{Left: hashes[:n:n], Right: hashes[n:]}, nil
}

// CheckRange verifies that leaves are the leaf hashes of [lo, hi) in the
// tree of size leaves with the given root, using the range proof p. Every
// failure wraps [ErrProof].
//
// If visit is not nil and the check succeeds, CheckRange then calls it for
// every perfect node it received or computed, with its stored-hash index,
// in increasing index order: the hashes of p.Left, then each leaf followed
// by the parents it completes, then each hash of p.Right followed by the
// parents it completes. Those are verified hashes that a replica can store
// to serve proofs itself. To report nothing from a failed check, CheckRange
// keeps the computed parents (about hi-lo hashes) until the root matches.
//
// It costs one NodeHash per computed node plus O(log size), and allocates
// only the buffer for visit.
func CheckRange(lo, hi, size int64, leaves []Hash, p RangeProof, root Hash, visit func(index int64, h Hash)) error {
	if err := checkRangeShape(lo, hi, size, leaves, p); err != nil {
		return err
	}
	var computed []Hash
	if visit != nil {
		computed = make([]Hash, 0, hi-lo+maxLevels)
	}
	var stackBuf [maxLevels]Hash
	stack := append(stackBuf[:0], p.Left...)
	pos := lo
	for _, leaf := range leaves {
		stack, computed = pushNode(stack, 0, pos, leaf, visit != nil, computed)
		pos++
	}
	var nodeBuf [maxRangeNodes]node
	for i, n := range compactRange(hi, size, nodeBuf[:0]) {
		stack, computed = pushNode(stack, n.level, n.pos, p.Right[i], visit != nil, computed)
	}
	if got := foldRoot(stack); got != root {
		return fmt.Errorf("%w: range [%d, %d) of tree size %d: computed root %v, want %v", ErrProof, lo, hi, size, got, root)
	}
	if visit != nil {
		replayRange(lo, hi, size, leaves, p, computed, visit)
	}
	return nil
}

// checkRangeShape checks the arguments of CheckRange whose validity does
// not depend on hash values.
func checkRangeShape(lo, hi, size int64, leaves []Hash, p RangeProof) error {
	if !validRange(lo, hi, size) {
		return fmt.Errorf("%w: range [%d, %d) is not inside a tree of size %d", ErrProof, lo, hi, size)
	}
	if int64(len(leaves)) != hi-lo {
		return fmt.Errorf("%w: range [%d, %d) needs %d leaf hashes, got %d", ErrProof, lo, hi, hi-lo, len(leaves))
	}
	if want := bits.OnesCount64(uint64(lo)); len(p.Left) != want {
		return fmt.Errorf("%w: range [%d, %d) of tree size %d: left proof has %d hashes, want %d", ErrProof, lo, hi, size, len(p.Left), want)
	}
	if want := compactRangeSize(hi, size); len(p.Right) != want {
		return fmt.Errorf("%w: range [%d, %d) of tree size %d: right proof has %d hashes, want %d", ErrProof, lo, hi, size, len(p.Right), want)
	}
	return nil
}

// pushNode appends the perfect node h at (level, pos) to the compact range
// [0, pos) held in stack, merging it with the equal-sized subtrees to its
// left, and returns the new stack. If record is set, it appends each merged
// parent to computed. The caller guarantees that stack has one hash per
// set bit of pos and that pos is a multiple of 2^level.
func pushNode(stack []Hash, level int, pos int64, h Hash, record bool, computed []Hash) ([]Hash, []Hash) {
	n := len(stack)
	for k := merges(level, pos); k > 0; k-- {
		n--
		h = NodeHash(stack[n], h)
		if record {
			computed = append(computed, h)
		}
	}
	return append(stack[:n], h), computed
}

// replayRange calls visit for the nodes of a successful CheckRange, in the
// order pushNode produced them, taking the merged parents from computed.
func replayRange(lo, hi, size int64, leaves []Hash, p RangeProof, computed []Hash, visit func(int64, Hash)) {
	var nodeBuf [maxRangeNodes]node
	for i, n := range compactRange(0, lo, nodeBuf[:0]) {
		visit(n.index(), p.Left[i])
	}
	emit := func(n node, h Hash) {
		index := n.index()
		visit(index, h)
		// The parents a node completes are stored right after it.
		for k := 1; k <= merges(n.level, n.pos); k++ {
			visit(index+int64(k), computed[0])
			computed = computed[1:]
		}
	}
	for i, leaf := range leaves {
		emit(node{0, lo + int64(i)}, leaf)
	}
	for i, n := range compactRange(hi, size, nodeBuf[:0]) {
		emit(n, p.Right[i])
	}
	if len(computed) != 0 {
		panic("merkle: CheckRange: replay left computed hashes over")
	}
}
