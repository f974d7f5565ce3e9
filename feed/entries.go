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
	return appendChunk(make([]byte, 0, encodedChunkSize(entries)), entries)
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

// writeBatchSize estimates the size of a batch that writes entries from
// first on and their tree hashes (about two per entry, in tiles rewritten
// whole), so that the batch is allocated once rather than grown by
// copying. Chunks bound for segments take a pointer's room.
func writeBatchSize(first int64, entries [][]byte) int {
	tiles := 2*len(entries)/tileHashes + 2
	n := tiles*(feedKeyLen+16+4*8+tileHashes*32) + 4096
	for len(entries) > 0 {
		k := nextChunk(first, entries)
		n += feedKeyLen + 16
		if size := encodedChunkSize(entries[:k]); size < blobMinChunk {
			n += size
		} else {
			n += binary.MaxVarintLen64*3 + 5 // a pointer
		}
		first, entries = first+int64(k), entries[k:]
	}
	return n
}

// nextChunk returns how many of entries (from index first on) the next
// chunk holds.
func nextChunk(first int64, entries [][]byte) (n int) {
	limit := chunkSpan - int(first%chunkSpan)
	for size := 0; n < len(entries) && n < limit && (n == 0 || size+len(entries[n]) <= chunkBytes); n++ {
		size += len(entries[n])
	}
	return n
}

// putEntries writes entries first..first+len(entries) to b as chunks:
// inline, or (chunks of blobMinChunk bytes or more) through w to the
// feed's segments.
func putEntries(b *pebble.Batch, w *blobWriter, pub crypto.PublicKey, first int64, entries [][]byte) error {
	for len(entries) > 0 {
		n := nextChunk(first, entries)
		key := feedKey(pub, kindEntries, uint64(first))
		if err := putChunk(b, w, key, entries[:n]); err != nil {
			return err
		}
		first += int64(n)
		entries = entries[n:]
	}
	return nil
}

func putChunk(b *pebble.Batch, w *blobWriter, key []byte, entries [][]byte) error {
	size := encodedChunkSize(entries)
	if size >= blobMinChunk {
		ref, err := w.putChunk(entries)
		if err != nil {
			return err
		}
		return b.Set(key, ref.encode(), nil)
	}
	// Encoded in place in the batch: entry data is copied once.
	op := b.SetDeferred(len(key), size)
	copy(op.Key, key)
	appendChunk(op.Value[:0], entries)
	return op.Finish()
}

// scanEntries calls fn(i, data) for every stored entry i in [lo, hi), in
// order. The data slice is only valid during the call. Entries that are not
// stored are skipped; callers check the range set first.
func (f *Feed) scanEntries(lo, hi int64, fn func(i int64, data []byte) error) error {
	return f.scan(lo, hi, false, fn)
}

// scan is scanEntries; with fromDisk, every chunk is read from the disk,
// none from the copies kept in memory (recent.go), for Verify.
func (f *Feed) scan(lo, hi int64, fromDisk bool, fn func(i int64, data []byte) error) error {
	bl := f.blobs
	bl.enter()
	defer bl.leave()
	klo, _ := kindBounds(f.pub, kindEntries)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: klo, UpperBound: feedKey(f.pub, kindEntries, uint64(hi))})
	if err != nil {
		return err
	}
	defer it.Close()
	// The chunk holding lo starts at or before lo.
	ok := it.SeekLT(feedKey(f.pub, kindEntries, uint64(lo)+1))
	if !ok {
		ok = it.First()
	}
	r := bl.reader()
	r.fromDisk = fromDisk
	defer r.release()
	upper := feedKey(f.pub, kindEntries, uint64(hi))
	r.runEnd = func(ref blobRef, limit int64) int64 {
		return f.segmentRunEnd(it.Key(), upper, ref, limit)
	}
	for ; ok; ok = it.Next() {
		first := int64(keySuffix(it.Key()))
		val, err := it.ValueAndErr()
		if err == nil {
			val, _, err = r.chunkData(val)
		}
		if err == nil {
			_, err = decodeChunk(val, func(k int, data []byte) error {
				i := first + int64(k)
				if i < lo || i >= hi {
					return nil
				}
				return fn(i, data)
			})
		}
		if errors.Is(err, errCorruptChunk) {
			return fmt.Errorf("entry chunk at index %d: %w", first, err)
		}
		if err != nil {
			return err
		}
	}
	return it.Error()
}

// segmentRunEnd returns where the run of segment chunks that starts with
// ref, the chunk stored under key from, ends: the chunks under the keys
// that follow, up to upper, as long as each lies right after the one
// before in ref's segment and ends within limit bytes of ref.off. A run
// ends with a whole chunk, so that the read after it starts at the next
// chunk's block and reads nothing twice (a run cut inside a chunk made
// every 4 MiB answer of a sync read a 256 KiB chunk twice). It reads
// only pointers, which Pebble holds in its cache.
func (f *Feed) segmentRunEnd(from, upper []byte, ref blobRef, limit int64) int64 {
	end := ref.off + ref.n
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: from, UpperBound: upper})
	if err != nil {
		return end
	}
	defer it.Close()
	ok := it.First()
	for ok = ok && it.Next(); ok; ok = it.Next() {
		next, isRef, err := parseBlobRef(it.Value())
		if err != nil || !isRef || next.seg != ref.seg || next.off != end || end+next.n-ref.off > limit {
			break
		}
		end += next.n
	}
	return end
}

// chunkData returns the encoded chunk a stored value holds or points to,
// and the pointer if it is one.
func (r *segmentReader) chunkData(val []byte) ([]byte, *blobRef, error) {
	ref, isRef, err := parseBlobRef(val)
	if err != nil || !isRef {
		return val, nil, err
	}
	data, err := r.read(ref)
	return data, &ref, err
}

// dropEntries deletes the stored entries of [lo, hi) in b. Chunks that
// straddle lo or hi keep their entries outside [lo, hi); a chunk that
// straddles both is split around the hole. The segment space of the
// chunks removed or rewritten is released through w.
func (f *Feed) dropEntries(b *pebble.Batch, w *blobWriter, lo, hi int64) ([]blobRef, error) {
	left, err := f.chunkAt(lo)
	if err != nil {
		return nil, err
	}
	right, err := f.chunkAt(hi - 1)
	if err != nil {
		return nil, err
	}
	dead, err := f.blobRefs(lo, hi)
	if err != nil {
		return nil, err
	}
	if err := b.DeleteRange(feedKey(f.pub, kindEntries, uint64(lo)), feedKey(f.pub, kindEntries, uint64(hi)), nil); err != nil {
		return nil, err
	}
	if left.first < lo && left.end() > lo {
		if left.ref != nil {
			dead = append(dead, *left.ref)
		}
		if err := putChunk(b, w, feedKey(f.pub, kindEntries, uint64(left.first)), left.entries[:lo-left.first]); err != nil {
			return nil, err
		}
	}
	if right.first < hi && right.end() > hi {
		if err := putChunk(b, w, feedKey(f.pub, kindEntries, uint64(hi)), right.entries[hi-right.first:]); err != nil {
			return nil, err
		}
	}
	w.release(dead)
	return dead, nil
}

// blobRefs returns the segment pointers of the chunks whose keys are in
// [lo, hi).
func (f *Feed) blobRefs(lo, hi int64) ([]blobRef, error) {
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: feedKey(f.pub, kindEntries, uint64(lo)), UpperBound: feedKey(f.pub, kindEntries, uint64(hi))})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var refs []blobRef
	for ok := it.First(); ok; ok = it.Next() {
		val, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		ref, isRef, err := parseBlobRef(val)
		if err != nil {
			return nil, fmt.Errorf("entry chunk at index %d: %w", keySuffix(it.Key()), err)
		}
		if isRef {
			refs = append(refs, ref)
		}
	}
	return refs, it.Error()
}

// A chunk is a decoded entry chunk.
type chunk struct {
	first   int64
	entries [][]byte
	ref     *blobRef // where it is stored, if in a segment
}

func (c chunk) end() int64 { return c.first + int64(len(c.entries)) }

// chunkAt returns the stored chunk whose key is the greatest at or below
// index i (the chunk that holds i, if i is stored), or an empty chunk.
func (f *Feed) chunkAt(i int64) (chunk, error) {
	bl := f.blobs
	bl.enter()
	defer bl.leave()
	klo, _ := kindBounds(f.pub, kindEntries)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: klo, UpperBound: feedKey(f.pub, kindEntries, uint64(i)+1)})
	if err != nil {
		return chunk{}, err
	}
	defer it.Close()
	if !it.Last() {
		return chunk{first: -1}, it.Error()
	}
	c := chunk{first: int64(keySuffix(it.Key()))}
	val, err := it.ValueAndErr()
	r := bl.reader()
	defer r.release()
	if err == nil {
		val, c.ref, err = r.chunkData(val)
	}
	if err == nil {
		_, err = decodeChunk(val, func(_ int, data []byte) error {
			c.entries = append(c.entries, append([]byte(nil), data...))
			return nil
		})
	}
	if err != nil {
		return chunk{}, fmt.Errorf("entry chunk at index %d: %w", c.first, err)
	}
	return c, nil
}
