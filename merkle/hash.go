package merkle

import (
	"crypto/sha256"
	"errors"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a SHA-256 tree hash. It is an alias of [tlog.Hash], so the values
// this package computes can be passed to tlog functions unchanged.
type Hash = tlog.Hash

// HashReader reads stored hashes by their tlog stored-hash index
// (see [StoredHashIndex]). It is [tlog.HashReader]: ReadHashes must return
// exactly one hash per index, or an error.
type HashReader = tlog.HashReader

// HashSize is the size of a Hash in bytes.
const HashSize = tlog.HashSize

// ErrProof is wrapped by every verification failure: a proof of the wrong
// length, a root that does not match, arguments that describe no valid proof
// (an index outside the tree, a range that is not inside it). The message
// says which check failed and for which index, range or sizes.
var ErrProof = errors.New("merkle: proof verification failed")

// emptyRoot is the root of the tree with no leaves: SHA-256 of the empty
// string (RFC 6962, section 2.1).
var emptyRoot = Hash(sha256.Sum256(nil))

// EmptyRoot returns the root of the empty tree, SHA-256("").
func EmptyRoot() Hash { return emptyRoot }

// MaxTreeSize is the largest tree size this package handles: 2^62-1
// leaves. A tree stores about two hashes per leaf, so the stored-hash
// indexes of a larger one overflow int64, and tlog's size arithmetic loops
// forever on sizes above 2^62. Larger sizes are errors everywhere (ErrProof
// for checks), so a hostile size in a proof request or a checkpoint cannot
// overflow or hang anything.
const MaxTreeSize = 1<<62 - 1

// validSize reports whether size is a tree size this package handles.
func validSize(size int64) bool { return 0 <= size && size <= MaxTreeSize }

// leafStackMax is the size up to which LeafHash hashes from a stack buffer.
const leafStackMax = 256

// LeafHash returns the hash of a leaf with the given entry:
// SHA-256(0x00 || entry). It equals [tlog.RecordHash].
func LeafHash(entry []byte) Hash {
	if len(entry) >= leafStackMax {
		return tlog.RecordHash(entry)
	}
	// A stack buffer avoids the allocation of a hash.Hash for the common
	// small entry.
	var buf [leafStackMax]byte
	buf[0] = 0x00
	n := copy(buf[1:], entry)
	return sha256.Sum256(buf[:1+n])
}

// NodeHash returns the hash of an interior node: SHA-256(0x01 || left || right).
// It equals [tlog.NodeHash].
func NodeHash(left, right Hash) Hash {
	return tlog.NodeHash(left, right)
}

// StoredHashIndex maps the node at (level, n) -- the n'th node from the
// left on that level, leaves being level 0 -- to its position in the flat
// stored-hash layout of tlog. It is [tlog.StoredHashIndex].
func StoredHashIndex(level int, n int64) int64 {
	return tlog.StoredHashIndex(level, n)
}

// SplitStoredHashIndex is the inverse of [StoredHashIndex].
func SplitStoredHashIndex(index int64) (level int, n int64) {
	return tlog.SplitStoredHashIndex(index)
}

// StoredHashCount returns the number of stored hashes of a tree with n
// leaves. It is [tlog.StoredHashCount].
func StoredHashCount(n int64) int64 {
	return tlog.StoredHashCount(n)
}

// leafIndex returns StoredHashIndex(0, n) in constant time:
// n + n/2 + n/4 + ... = 2n - popcount(n).
func leafIndex(n int64) int64 {
	return 2*n - int64(bits.OnesCount64(uint64(n)))
}

// nodeIndex returns StoredHashIndex(level, n) in constant time. A node is
// stored right after the leaf that completes it, at an offset of its level.
func nodeIndex(level int, n int64) int64 {
	last := (n+1)<<uint(level) - 1
	return leafIndex(last) + int64(level)
}
