// Package merkle implements the Merkle log of a stele feed: RFC 6962 /
// RFC 9162 tree hashing, the flat stored-hash layout of
// golang.org/x/mod/sumdb/tlog, inclusion and consistency proofs, range
// proofs built on compact ranges, and C2SP tlog-checkpoint signed notes.
//
// The package is pure: functions compute over values and over a
// caller-supplied [HashReader]; nothing here does I/O, reads clocks or
// starts goroutines.
//
// # Tree hashing
//
// A log of n entries is the RFC 6962 Merkle tree over their leaf hashes:
//
//	leaf hash  = SHA-256(0x00 || entry)          LeafHash
//	node hash  = SHA-256(0x01 || left || right)  NodeHash
//	root(0)    = SHA-256("")                     the empty tree
//	root(1)    = the leaf hash
//	root(n)    = NodeHash(root of first k leaves, root of the other n-k)
//	             with k the largest power of two smaller than n
//
// # Stored hashes
//
// A writer stores every perfect node (the root of a complete subtree of
// 2^level leaves) in the order of tlog: leaf n's hash, then the hashes of
// the subtrees that leaf completes, lowest first. Node (level, k), the k'th
// subtree of 2^level leaves from the left, thus sits at index
// [StoredHashIndex](level, k). For seven leaves:
//
//	index:  0  1  2   3  4  5   6   7  8  9   10
//	node:   L0 L1 1.0 L2 L3 1.1 2.0 L4 L5 1.2 L6
//
// where Ln is leaf n and a.b is level a, position b. [Frontier.Append]
// reports exactly these (index, hash) pairs, as [tlog.StoredHashes] does.
// Sizes and indexes are int64, and trees hold at most [MaxTreeSize] =
// 2^62-1 leaves, so that every stored-hash index fits.
//
// # Compact ranges and the frontier
//
// The compact range [lo, hi) is the smallest set of perfect nodes covering
// exactly the leaves lo to hi-1 (transparency-dev/merkle,
// docs/compact_ranges.md). For [0, n) it has one node per set bit of n,
// largest first: the [Frontier] of a tree of 21 = 0b10101 leaves is
//
//	4.0 (leaves 0-15)   2.4 (leaves 16-19)   20 (leaf 20)
//
// and the root folds it from the right:
// NodeHash(4.0, NodeHash(2.4, L20)). A writer keeps only the frontier in
// memory to append and compute roots; [LoadFrontier] rebuilds it from
// stored hashes with one read.
//
// # Proofs
//
// Inclusion and consistency proofs are those of RFC 6962 (RFC 9162 section
// 2.1.3 and 2.1.4), built and checked with tlog. A range proof for
// [lo, hi) in a tree of size leaves is two compact ranges:
//
//	RangeProof.Left  = compact range [0, lo)     (one hash per set bit of lo)
//	RangeProof.Right = compact range [hi, size)  (at most two per level)
//
// The verifier merges Left, the leaf hashes of [lo, hi) and Right into the
// compact range [0, size), folds it into the root and compares. With
// size = 16 and the range [6, 13):
//
//	Left  = 2.0 (0-3), 1.2 (4-5)
//	Right = 13, 1.7 (14-15)
//
// A proof costs O(log size) hashes per range, not per entry: any 1,000
// consecutive entries of a tree of a million need at most 35 hashes (1,120
// bytes), where 1,000 inclusion proofs would need 20 each. Every
// verification failure wraps [ErrProof].
//
// A proof is checked against a size and a root that must come from the same
// signed checkpoint. RFC 6962 roots do not commit to the tree size, and
// where two sizes combine the same hashes in the same way (an inclusion
// proof of leaf 0 in trees of 3 and 4 leaves, say), a proof checks for both
// against the same root; the signature over size and root is what binds
// them.
//
// A consistency proof that checks against the newer root also determines
// the older root ([OldRootFromConsistency]): if that differs from a signed
// checkpoint of the older size, the two signed checkpoints and the proof
// are evidence that the author forked the log. When the older size is a
// power of two, RFC 6962 leaves the older root out of the proof, so such
// evidence carries it in front ([ProveOldRoot]).
//
// # Checkpoints
//
// A checkpoint is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint)
// signed note (golang.org/x/mod/sumdb/note). Its body is three lines and
// an optional fourth, each ending in a newline; for the 21 entries
// "entry 0" to "entry 20" (see ExampleFormatCheckpoint):
//
//	stele/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh
//	21
//	Svea78FcRz5nsuDIk+L3vD1cxCHH7bm4Q7d2/bhAboM=
//	time 1767225600
//
// origin, tree size in decimal (no sign, no leading zeros), root in padded
// standard base64, and the one extension line stele defines:
// "time <unix seconds>", when the author signed, a positive decimal;
// without it the time is unknown (Checkpoint.Time == 0). Any other
// extension line is rejected, so that a parsed body formats back to the
// same bytes. The time is informational: nothing here compares it to a
// clock.
//
// The note is signed by the author's Ed25519 note key whose name is the
// origin. [OpenCheckpoint] requires that signature and ignores signatures
// by other keys, so witnesses can cosign checkpoints later.
package merkle
