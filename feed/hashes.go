package feed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// Tree hashes are stored in tiles of tileHashes consecutive stored-hash
// indexes (the tlog layout), each a 32-byte presence bitmap followed by the
// present hashes in index order. An author's appends fill tiles densely; a
// sparse replica holds scattered hashes without paying for the gaps.
const tileHashes = 256

// ErrHashNotHeld is returned (wrapped) when a tree hash needed for a proof
// or a check is not stored, as on a sparse replica.
var ErrHashNotHeld = errors.New("tree hash not held")

// A hashTile is a decoded tile.
type hashTile struct {
	present [tileHashes / 64]uint64
	hashes  [tileHashes]merkle.Hash
}

func (t *hashTile) has(k int) bool { return t.present[k/64]&(1<<(k%64)) != 0 }

func (t *hashTile) set(k int, h merkle.Hash) {
	t.present[k/64] |= 1 << (k % 64)
	t.hashes[k] = h
}

func (t *hashTile) clear(k int) {
	t.present[k/64] &^= 1 << (k % 64)
	t.hashes[k] = merkle.Hash{}
}

func (t *hashTile) empty() bool { return t.present == [tileHashes / 64]uint64{} }

func (t *hashTile) encode() []byte {
	n := 0
	for _, w := range t.present {
		n += bits.OnesCount64(w)
	}
	buf := make([]byte, 0, len(t.present)*8+n*32)
	for _, w := range t.present {
		buf = binary.LittleEndian.AppendUint64(buf, w)
	}
	for k := range tileHashes {
		if t.has(k) {
			buf = append(buf, t.hashes[k][:]...)
		}
	}
	return buf
}

func decodeTile(buf []byte, t *hashTile) error {
	if len(buf) < 32 {
		return errors.New("hash tile too short")
	}
	n := 0
	for i := range t.present {
		t.present[i] = binary.LittleEndian.Uint64(buf[i*8:])
		n += bits.OnesCount64(t.present[i])
	}
	buf = buf[32:]
	if len(buf) != n*32 {
		return fmt.Errorf("hash tile holds %d bytes of hashes, bitmap says %d", len(buf), n*32)
	}
	for k := range tileHashes {
		if t.has(k) {
			copy(t.hashes[k][:], buf)
			buf = buf[32:]
		} else {
			t.hashes[k] = merkle.Hash{}
		}
	}
	return nil
}

// readTile loads tile number n into t (all absent if not stored).
func readTile(r pebble.Reader, pub crypto.PublicKey, n int64, t *hashTile) error {
	val, closer, err := r.Get(feedKey(pub, kindHashes, uint64(n)))
	if errors.Is(err, pebble.ErrNotFound) {
		*t = hashTile{}
		return nil
	}
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := decodeTile(val, t); err != nil {
		return fmt.Errorf("hash tile %d: %w", n, err)
	}
	return nil
}

// An indexedHash is a tree hash with its tlog stored-hash index.
type indexedHash struct {
	index int64
	hash  merkle.Hash
}

// putHashes merges hashes (sorted by index) into the stored tiles, writing
// each touched tile once to b. Callers pass all of a batch's hashes in one
// call: tiles are read from r, which does not see b.
func putHashes(r pebble.Reader, b *pebble.Batch, pub crypto.PublicKey, hashes []indexedHash) error {
	var t hashTile
	for len(hashes) > 0 {
		n := hashes[0].index / tileHashes
		if err := readTile(r, pub, n, &t); err != nil {
			return err
		}
		for len(hashes) > 0 && hashes[0].index/tileHashes == n {
			t.set(int(hashes[0].index%tileHashes), hashes[0].hash)
			hashes = hashes[1:]
		}
		if err := b.Set(feedKey(pub, kindHashes, uint64(n)), t.encode(), nil); err != nil {
			return err
		}
	}
	return nil
}

// deleteHashes removes the hashes whose stored index satisfies drop, for
// indexes in [lo, hi), writing each touched tile once to b.
func deleteHashes(r pebble.Reader, b *pebble.Batch, pub crypto.PublicKey, lo, hi int64, drop func(index int64) bool) error {
	var t hashTile
	for n := lo / tileHashes; n*tileHashes < hi; n++ {
		if err := readTile(r, pub, n, &t); err != nil {
			return err
		}
		changed := false
		for k := range tileHashes {
			i := n*tileHashes + int64(k)
			if i >= lo && i < hi && t.has(k) && drop(i) {
				t.clear(k)
				changed = true
			}
		}
		key := feedKey(pub, kindHashes, uint64(n))
		var err error
		switch {
		case !changed:
		case t.empty():
			err = b.Delete(key, nil)
		default:
			err = b.Set(key, t.encode(), nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hashReader reads stored tree hashes of one feed; it implements
// merkle.HashReader.
type hashReader struct {
	r   pebble.Reader
	pub crypto.PublicKey
}

func (h hashReader) ReadHashes(indexes []int64) ([]merkle.Hash, error) {
	out := make([]merkle.Hash, len(indexes))
	var t hashTile
	loaded := int64(-1)
	for i, idx := range indexes {
		if n := idx / tileHashes; n != loaded {
			if err := readTile(h.r, h.pub, n, &t); err != nil {
				return nil, err
			}
			loaded = n
		}
		k := int(idx % tileHashes)
		if !t.has(k) {
			level, n := merkle.SplitStoredHashIndex(idx)
			return nil, fmt.Errorf("node %d at level %d (stored index %d): %w", n, level, idx, ErrHashNotHeld)
		}
		out[i] = t.hashes[k]
	}
	return out, nil
}
