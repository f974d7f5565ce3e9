package feed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/cockroachdb/pebble/v2"
)

// Dropping chunks frees their segment space by punching holes, after the
// drop's batch commits and once no reader is inside the segments. A
// process killed in between would leave that space allocated for good, so
// the drop's batch also records the chunks whose holes are owed:
//
//	'F' pub 'a' be64(seq) -> (uvarint(segment) uvarint(offset) uvarint(length))...
//
// The record is deleted once the holes are punched; a feed opened with
// records left punches their holes then. Punching a hole twice is
// harmless: dead bytes of a segment are never written again (a segment is
// appended to past its committed length only, and a new segment takes a
// number above every other).

// A holeRecord is one drop's chunks whose holes are owed.
type holeRecord struct {
	seq  uint64
	refs []blobRef
}

func encodeHoles(refs []blobRef) []byte {
	var b []byte
	for _, r := range refs {
		b = binary.AppendUvarint(b, r.seg)
		b = binary.AppendUvarint(b, uint64(r.off))
		b = binary.AppendUvarint(b, uint64(r.n))
	}
	return b
}

var errCorruptHoles = errors.New("corrupt record of owed holes")

func parseHoles(b []byte) ([]blobRef, error) {
	var refs []blobRef
	for len(b) > 0 {
		var f [3]uint64
		for k := range f {
			v, n := binary.Uvarint(b)
			if n <= 0 || n != uvarintLen(v) { // canonical only: one encoding per record
				return nil, errCorruptHoles
			}
			f[k], b = v, b[n:]
		}
		if f[1] > 1<<62 || f[2] > 1<<31 {
			return nil, errCorruptHoles
		}
		refs = append(refs, blobRef{seg: f[0], off: int64(f[1]), n: int64(f[2])})
	}
	return refs, nil
}

// retire records chunks that committed batches no longer point to, and
// segments left with nothing live.
func (bl *blobs) retire(dead holeRecord, doomed []uint64) {
	bl.mu.Lock()
	defer bl.mu.Unlock()
	if len(dead.refs) > 0 {
		bl.dead = append(bl.dead, dead)
	}
	bl.doomed = append(bl.doomed, doomed...)
	bl.reclaimLocked()
}

// reclaimLocked punches the holes and deletes the segments waiting for
// the readers to leave. Failures only leave space allocated.
func (bl *blobs) reclaimLocked() {
	if bl.readers > 0 {
		return
	}
	gone := make(map[uint64]bool)
	for _, seg := range bl.doomed {
		gone[seg] = true
		bl.recent.drop(bl, seg, false)
		if fh, ok := bl.files[seg]; ok {
			fh.Close()
			delete(bl.files, seg)
		}
		os.Remove(segmentPath(bl.dir, seg))
	}
	for _, rec := range bl.dead {
		for _, ref := range rec.refs {
			if gone[ref.seg] {
				continue
			}
			if fh, ok := bl.files[ref.seg]; ok {
				punchHole(fh, ref.off, ref.n)
			} else if fh, err := os.OpenFile(segmentPath(bl.dir, ref.seg), os.O_RDWR, 0); err == nil {
				punchHole(fh, ref.off, ref.n)
				fh.Close()
			}
		}
	}
	bl.forgetHoles(bl.dead)
	bl.dead, bl.doomed = nil, nil
}

// oweHoles adds to b the record of dead's holes, for retire to hand to
// reclamation once b commits. f.write must be held.
func (f *Feed) oweHoles(b *pebble.Batch, dead []blobRef) (holeRecord, error) {
	if len(dead) == 0 {
		return holeRecord{}, nil
	}
	rec := holeRecord{seq: f.blobs.nextHoles, refs: dead}
	f.blobs.nextHoles++
	return rec, b.Set(feedKey(f.pub, kindHoles, rec.seq), encodeHoles(dead), nil)
}

// forgetHoles deletes the records of holes just punched. A failure only
// means they are punched again at the next open.
func (bl *blobs) forgetHoles(recs []holeRecord) {
	if len(recs) == 0 || bl.db == nil {
		return
	}
	b := bl.db.NewBatch()
	defer b.Close()
	for _, r := range recs {
		b.Delete(feedKey(bl.pub, kindHoles, r.seq), nil)
	}
	_ = b.Commit(pebble.NoSync)
}

// punchOwedHoles punches the holes that records left by an earlier
// process owe, and deletes the records; it runs as the feed opens, after
// the segment files are reconciled (segments deleted since are skipped).
func (f *Feed) punchOwedHoles() error {
	bl := f.blobs
	if len(bl.segs) == 0 {
		// No segment, no hole owed: and no seek, which in a large store
		// read cold would cost an open a few hundred milliseconds.
		return nil
	}
	lo, hi := kindBounds(f.pub, kindHoles)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return err
	}
	var recs []holeRecord
	for ok := it.First(); ok; ok = it.Next() {
		refs, err := parseHoles(it.Value())
		if err != nil {
			it.Close()
			return fmt.Errorf("owed holes %d of %s: %w", keySuffix(it.Key()), f.Address(), err)
		}
		recs = append(recs, holeRecord{seq: keySuffix(it.Key()), refs: refs})
		bl.nextHoles = max(bl.nextHoles, keySuffix(it.Key())+1)
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, rec := range recs {
		for _, ref := range rec.refs {
			if _, ok := bl.segs[ref.seg]; !ok {
				continue
			}
			if fh, err := os.OpenFile(segmentPath(bl.dir, ref.seg), os.O_RDWR, 0); err == nil {
				punchHole(fh, ref.off, ref.n)
				fh.Close()
			}
		}
	}
	bl.forgetHoles(recs)
	return nil
}
