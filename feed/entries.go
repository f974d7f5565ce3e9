package feed

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/crypto"
)

// Entries are stored in chunks: runs of consecutive entries under one key,
// so that a batch of small entries costs a few keys, not one key each.
const (
	chunkSpan  = 64        // a chunk never crosses a multiple of chunkSpan
	chunkBytes = 256 << 10 // nor holds more than this many bytes of data, unless one entry alone is larger
)

// encodeChunk encodes entries as uvarint(count) uvarint(len)... data....
func encodeChunk(entries [][]byte) []byte {
	return appendChunk(make([]byte, 0, chunkSize(entries)), entries)
}

// chunkSize bounds the encoded size of a chunk of entries.
func chunkSize(entries [][]byte) int {
	n := binary.MaxVarintLen64 * (len(entries) + 1)
	for _, e := range entries {
		n += len(e)
	}
	return n
}

// appendChunk appends the encoding of a chunk of entries to buf.
func appendChunk(buf []byte, entries [][]byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(entries)))
	for _, e := range entries {
		buf = binary.AppendUvarint(buf, uint64(len(e)))
	}
	for _, e := range entries {
		buf = append(buf, e...)
	}
	return buf
}

// encodedChunkSize is the exact encoded size of a chunk of entries.
func encodedChunkSize(entries [][]byte) int {
	n := uvarintLen(uint64(len(entries)))
	for _, e := range entries {
		n += uvarintLen(uint64(len(e))) + len(e)
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

var errCorruptChunk = errors.New("corrupt entry chunk")

// decodeChunk calls fn for each entry of a chunk, in order. The slices
// passed to fn alias buf.
func decodeChunk(buf []byte, fn func(k int, data []byte) error) (count int, err error) {
	c, n := binary.Uvarint(buf)
	if n <= 0 || c > uint64(len(buf)) {
		return 0, errCorruptChunk
	}
	p := n
	var lens [chunkSpan]uint64
	if c > chunkSpan {
		return 0, errCorruptChunk
	}
	total := uint64(0)
	for k := range c {
		l, n := binary.Uvarint(buf[p:])
		if n <= 0 {
			return 0, errCorruptChunk
		}
		lens[k], p, total = l, p+n, total+l
	}
	if total != uint64(len(buf)-p) {
		return 0, errCorruptChunk
	}
	if fn == nil {
		return int(c), nil
	}
	for k := range c {
		end := p + int(lens[k])
		if err := fn(int(k), buf[p:end:end]); err != nil {
			return int(k), err
		}
		p = end
	}
	return int(c), nil
}

// writeBatchSize estimates the size of a batch that writes entries and
// their tree hashes (about two per entry, in tiles rewritten whole), so
// that the batch is allocated once rather than grown by copying.
func writeBatchSize(entries [][]byte) int {
	tiles := 2*len(entries)/tileHashes + 2
	return chunkSize(entries) + (len(entries)/chunkSpan+1)*(feedKeyLen+16) + tiles*(feedKeyLen+16+4*8+tileHashes*32) + 4096
}

// putEntries writes entries first..first+len(entries) to b as chunks.
func putEntries(b *pebble.Batch, pub crypto.PublicKey, first int64, entries [][]byte) error {
	for len(entries) > 0 {
		n, size := 0, 0
		limit := chunkSpan - int(first%chunkSpan)
		for n < len(entries) && n < limit && (n == 0 || size+len(entries[n]) <= chunkBytes) {
			size += len(entries[n])
			n++
		}
		// Encoded in place in the batch: entry data is copied once.
		key := feedKey(pub, kindEntries, uint64(first))
		op := b.SetDeferred(len(key), encodedChunkSize(entries[:n]))
		copy(op.Key, key)
		appendChunk(op.Value[:0], entries[:n])
		if err := op.Finish(); err != nil {
			return err
		}
		first += int64(n)
		entries = entries[n:]
	}
	return nil
}

// scanEntries calls fn(i, data) for every stored entry i in [lo, hi), in
// order. The data slice is only valid during the call. Entries that are not
// stored are skipped; callers check the range set first.
func scanEntries(r pebble.Reader, pub crypto.PublicKey, lo, hi int64, fn func(i int64, data []byte) error) error {
	klo, _ := kindBounds(pub, kindEntries)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: klo, UpperBound: feedKey(pub, kindEntries, uint64(hi))})
	if err != nil {
		return err
	}
	defer it.Close()
	// The chunk holding lo starts at or before lo.
	ok := it.SeekLT(feedKey(pub, kindEntries, uint64(lo)+1))
	if !ok {
		ok = it.First()
	}
	for ; ok; ok = it.Next() {
		first := int64(keySuffix(it.Key()))
		val, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		_, err = decodeChunk(val, func(k int, data []byte) error {
			i := first + int64(k)
			if i < lo || i >= hi {
				return nil
			}
			return fn(i, data)
		})
		if errors.Is(err, errCorruptChunk) {
			return fmt.Errorf("entry chunk at index %d: %w", first, err)
		}
		if err != nil {
			return err
		}
	}
	return it.Error()
}

// dropEntries deletes the stored entries of [lo, hi) in b. Chunks that
// straddle lo or hi keep their entries outside [lo, hi); a chunk that
// straddles both is split around the hole.
func dropEntries(r pebble.Reader, b *pebble.Batch, pub crypto.PublicKey, lo, hi int64) error {
	left, err := chunkAt(r, pub, lo)
	if err != nil {
		return err
	}
	right, err := chunkAt(r, pub, hi-1)
	if err != nil {
		return err
	}
	if err := b.DeleteRange(feedKey(pub, kindEntries, uint64(lo)), feedKey(pub, kindEntries, uint64(hi)), nil); err != nil {
		return err
	}
	if left.first < lo && left.end() > lo {
		if err := b.Set(feedKey(pub, kindEntries, uint64(left.first)), encodeChunk(left.entries[:lo-left.first]), nil); err != nil {
			return err
		}
	}
	if right.first < hi && right.end() > hi {
		return b.Set(feedKey(pub, kindEntries, uint64(hi)), encodeChunk(right.entries[hi-right.first:]), nil)
	}
	return nil
}

// A chunk is a decoded entry chunk.
type chunk struct {
	first   int64
	entries [][]byte
}

func (c chunk) end() int64 { return c.first + int64(len(c.entries)) }

// chunkAt returns the stored chunk whose key is the greatest at or below
// index i (the chunk that holds i, if i is stored), or an empty chunk.
func chunkAt(r pebble.Reader, pub crypto.PublicKey, i int64) (chunk, error) {
	klo, _ := kindBounds(pub, kindEntries)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: klo, UpperBound: feedKey(pub, kindEntries, uint64(i)+1)})
	if err != nil {
		return chunk{}, err
	}
	defer it.Close()
	if !it.Last() {
		return chunk{first: -1}, it.Error()
	}
	c := chunk{first: int64(keySuffix(it.Key()))}
	val, err := it.ValueAndErr()
	if err != nil {
		return chunk{}, err
	}
	_, err = decodeChunk(val, func(_ int, data []byte) error {
		c.entries = append(c.entries, append([]byte(nil), data...))
		return nil
	})
	if err != nil {
		return chunk{}, fmt.Errorf("entry chunk at index %d: %w", c.first, err)
	}
	return c, nil
}
