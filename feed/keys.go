package feed

import (
	"encoding/binary"

	"github.com/steledb/stele/crypto"
)

// Key kinds of the store's key space (see the package doc for the layout).
const (
	prefixFeed = 'F' // 'F' pub kind ...: everything about one feed
	prefixName = 'N' // 'N' name -> pub: local feed names

	kindMeta       = 'm' // feed metadata
	kindEntries    = 'e' // be64(first index) -> entry chunk
	kindHashes     = 'h' // be64(tile) -> hash tile
	kindCheckpoint = 'c' // be64(size) -> checkpoint record
	kindRange      = 'r' // be64(lo) -> be64(hi): held ranges
	kindFork       = 'x' // be64(seq) -> fork evidence
	kindBlobSeg    = 'b' // be64(segment) -> blob segment record (blobs.go)
	kindHoles      = 'a' // be64(seq) -> dropped chunks whose holes are owed (holes.go); next to 'b', whose blocks the open reads anyway
)

const feedKeyLen = 1 + 32 + 1 + 8

// feedKey returns 'F' || pub || kind || be64(n).
func feedKey(pub crypto.PublicKey, kind byte, n uint64) []byte {
	k := make([]byte, feedKeyLen)
	k[0] = prefixFeed
	copy(k[1:], pub[:])
	k[33] = kind
	binary.BigEndian.PutUint64(k[34:], n)
	return k
}

// kindBounds returns the key bounds [lo, hi) of every key of one kind of one feed.
func kindBounds(pub crypto.PublicKey, kind byte) (lo, hi []byte) {
	lo = feedKey(pub, kind, 0)[:34]
	hi = append([]byte(nil), lo...)
	hi[33]++
	return lo, hi
}

// feedBounds returns the key bounds [lo, hi) of every key of one feed.
func feedBounds(pub crypto.PublicKey) (lo, hi []byte) {
	lo = feedKey(pub, 0, 0)[:33]
	hi = append([]byte(nil), lo...)
	// Increment the 32-byte key as a big-endian number to get the
	// exclusive upper bound; an all-0xff key rolls over into the prefix.
	for i := len(hi) - 1; i >= 0; i-- {
		hi[i]++
		if hi[i] != 0 {
			break
		}
	}
	return lo, hi
}

// keySuffix returns the be64 suffix of a feed key.
func keySuffix(k []byte) uint64 { return binary.BigEndian.Uint64(k[34:]) }

func metaKey(pub crypto.PublicKey) []byte { return feedKey(pub, kindMeta, 0)[:34] }

func nameKey(name string) []byte { return append([]byte{prefixName}, name...) }

func be64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
