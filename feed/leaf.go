package feed

import (
	"fmt"

	"github.com/steledb/stele/merkle"
)

// A Leaf is an entry with its Merkle leaf hash, SHA-256(0x00 || entry),
// as NewLeaf computed it. An author that makes entries on several cores
// (cutting files into chunks, say) hashes each one there, while it is in
// that core's cache, and appends them with AppendLeaves, which does not
// hash them again. The fields are unexported so that a Leaf's hash is
// always its entry's; the entry's bytes must not change until appended.
type Leaf struct {
	entry []byte
	hash  merkle.Hash
}

// NewLeaf hashes entry.
func NewLeaf(entry []byte) Leaf { return Leaf{entry, merkle.LeafHash(entry)} }

// Entry returns the entry's bytes (not a copy).
func (l Leaf) Entry() []byte { return l.entry }

// Hash returns the entry's leaf hash.
func (l Leaf) Hash() merkle.Hash { return l.hash }

// AppendLeaves is Append for entries hashed beforehand with NewLeaf.
func (f *Feed) AppendLeaves(leaves ...Leaf) (Appended, error) {
	entries := make([][]byte, len(leaves))
	hashes := make([]merkle.Hash, len(leaves))
	for i, l := range leaves {
		entries[i], hashes[i] = l.entry, l.hash
	}
	return f.append(entries, hashes)
}

// LeafHashes returns the leaf hashes of entries [lo, hi), from the tree
// hashes stored with them (computed when the entries were appended, or
// verified when they arrived): what a reader checks a list of entries
// against without reading them. It fails with ErrNotHeld if any entry of
// [lo, hi) is not held.
func (f *Feed) LeafHashes(lo, hi int64) ([]merkle.Hash, error) {
	if err := f.checkHeld(lo, hi); err != nil {
		return nil, err
	}
	indexes := make([]int64, hi-lo)
	for i := range indexes {
		indexes[i] = merkle.StoredHashIndex(0, lo+int64(i))
	}
	hashes, err := f.hashes().ReadHashes(indexes)
	if err != nil {
		return nil, fmt.Errorf("feed %s leaf hashes %d:%d: %w", f.Address(), lo, hi, err)
	}
	return hashes, nil
}
