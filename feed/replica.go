package feed

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/merkle"
)

// ApplyCheckpoint verifies a signed checkpoint received for this feed and
// stores it. proof is a consistency proof between the new checkpoint and
// the latest one held (from the smaller to the larger; empty if none is
// held or the sizes are equal). It reports whether the checkpoint was new.
//
// Errors: ErrVerification (bad signature, bad proof: nothing stored, the
// sender is at fault), *ForkError (the author signed two inconsistent
// checkpoints: the evidence is stored and the feed marked forked),
// ErrForked (already forked: nothing more is followed).
func (f *Feed) ApplyCheckpoint(signed []byte, proof merkle.ConsistencyProof) (bool, error) {
	c, err := openSigned(signed, f.verifier)
	if err != nil {
		return false, fmt.Errorf("checkpoint for %s: %w", f.Address(), err)
	}
	f.write.Lock()
	defer f.write.Unlock()
	if _, forked := f.Forked(); forked {
		return false, fmt.Errorf("checkpoint for %s: %w", f.Address(), ErrForked)
	}
	latest, ok := f.Latest()
	switch {
	case !ok:
		return true, f.storeCheckpoint(checkpointRecord{cp: c})
	case c.Size == latest.Size:
		if c.Root == latest.Root {
			return false, nil
		}
		return false, f.fork(ForkEvidence{A: latest, B: c})
	case c.Size > latest.Size:
		if err := merkle.CheckConsistency(proof, latest.Size, latest.Root, c.Size, c.Root); err != nil {
			return false, fmt.Errorf("checkpoint of size %d for %s: consistency with size %d: %w: %w", c.Size, f.Address(), latest.Size, ErrVerification, err)
		}
		return true, f.storeCheckpoint(checkpointRecord{cp: c, proofFrom: latest.Size, proof: proof})
	default:
		return f.applyOlder(c, latest, proof)
	}
}

// applyOlder handles a checkpoint smaller than the latest held: it is
// checked against an equal-sized one held, else against the stored tree,
// else with the proof given.
func (f *Feed) applyOlder(c, latest SignedCheckpoint, proof merkle.ConsistencyProof) (bool, error) {
	if held, err := f.readCheckpoint(c.Size); err == nil {
		if held.cp.Root == c.Root {
			return false, nil
		}
		return false, f.fork(ForkEvidence{A: held.cp, B: c})
	}
	if root, err := merkle.TreeRoot(c.Size, f.hashes()); err == nil {
		if root == c.Root {
			return true, f.storeCheckpoint(checkpointRecord{cp: c})
		}
		local, err := merkle.ProveOldRoot(c.Size, latest.Size, f.hashes())
		if err != nil {
			return false, err
		}
		return false, f.fork(ForkEvidence{A: c, B: latest, Proof: local})
	}
	if err := merkle.CheckConsistency(proof, c.Size, c.Root, latest.Size, latest.Root); err != nil {
		return false, fmt.Errorf("checkpoint of size %d for %s: consistency with size %d: %w: %w", c.Size, f.Address(), latest.Size, ErrVerification, err)
	}
	return true, f.storeCheckpoint(checkpointRecord{cp: c, proofFrom: latest.Size, proof: proof})
}

func (f *Feed) fork(ev ForkEvidence) error {
	if err := CheckForkEvidence(ev); err != nil {
		panic(fmt.Sprintf("feed: built invalid fork evidence: %v", err))
	}
	if err := f.recordFork(ev); err != nil {
		return err
	}
	return &ForkError{Evidence: ev}
}

func (f *Feed) storeCheckpoint(rec checkpointRecord) error {
	key := feedKey(f.pub, kindCheckpoint, uint64(rec.cp.Size))
	if err := f.s.db.Set(key, rec.encode(), pebble.NoSync); err != nil {
		return fmt.Errorf("store checkpoint: %w", err)
	}
	f.mu.Lock()
	if rec.cp.Size > f.latest.Size {
		f.latest = rec.cp
	}
	f.notifyLocked()
	f.mu.Unlock()
	return nil
}

// ApplyRange verifies entries [lo, lo+len(entries)) against the held
// checkpoint of the given size with a range proof, and stores them with
// the tree hashes the check computed. Nothing is stored unless everything
// verifies; entries already held are left as they are.
func (f *Feed) ApplyRange(lo int64, entries [][]byte, size int64, proof merkle.RangeProof) error {
	hi := lo + int64(len(entries))
	where := fmt.Sprintf("entries %d:%d of %s", lo, hi, f.Address())
	if len(entries) == 0 {
		return fmt.Errorf("%s: no entries", where)
	}
	for i, e := range entries {
		if len(e) > f.s.opts.EntryLimit {
			return fmt.Errorf("%s: entry %d is %d bytes, limit is %d: %w", where, lo+int64(i), len(e), f.s.opts.EntryLimit, ErrTooLarge)
		}
	}
	if forkedAt, forked := f.Forked(); forked && hi > forkedAt {
		return fmt.Errorf("%s: %w at size %d", where, ErrForked, forkedAt)
	}
	rec, err := f.readCheckpoint(size)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	leaves := make([]merkle.Hash, len(entries))
	for i, e := range entries {
		leaves[i] = merkle.LeafHash(e)
	}
	var hashes []indexedHash
	err = merkle.CheckRange(lo, hi, size, leaves, proof, rec.cp.Root, func(index int64, h merkle.Hash) {
		hashes = append(hashes, indexedHash{index, h})
	})
	if err != nil {
		return fmt.Errorf("%s against checkpoint of size %d: %w: %w", where, size, ErrVerification, err)
	}
	sort.Slice(hashes, func(i, j int) bool { return hashes[i].index < hashes[j].index })

	f.write.Lock()
	defer f.write.Unlock()
	old := f.Ranges()
	b := f.s.db.NewBatchWithSize(writeBatchSize(lo, entries))
	defer b.Close()
	w := f.blobs.writer()
	updated := old.Add(lo, hi)
	if err := f.writeRange(b, w, lo, entries, hashes, old, updated); err != nil {
		w.abort()
		return fmt.Errorf("%s: store: %w", where, err)
	}
	// Replicated data can be fetched again: no fsync of the batch, but it
	// is atomic, so a crash never leaves entries without their hashes or
	// range record (and segment data is synced before it, so it never
	// points at lost bytes).
	if err := b.Commit(pebble.NoSync); err != nil {
		w.abort()
		return fmt.Errorf("%s: store: %w", where, err)
	}
	w.committed(nil)
	f.mu.Lock()
	f.ranges = updated
	f.notifyLocked()
	f.mu.Unlock()
	return nil
}

// writeRange writes to b the entries of [lo, lo+len(entries)) that old
// does not hold, their tree hashes and the new range set.
func (f *Feed) writeRange(b *pebble.Batch, w *blobWriter, lo int64, entries [][]byte, hashes []indexedHash, old, updated RangeSet) error {
	for _, gap := range old.Missing(lo, lo+int64(len(entries))) {
		if err := putEntries(b, w, f.pub, gap.Lo, entries[gap.Lo-lo:gap.Hi-lo]); err != nil {
			return err
		}
	}
	if _, err := w.finish(b, f.pub); err != nil {
		return err
	}
	if err := putHashes(f.s.db, b, f.pub, hashes); err != nil {
		return err
	}
	return f.putRanges(b, old, updated)
}

// Drop deletes the held entries of [lo, hi) from a replica, with the tree
// hashes only they needed, and compacts the store so that the disk space
// comes back. It keeps the hashes of the perfect subtrees that cover
// [lo, hi) (O(log n) of them), so ranges held on either side can still be
// proven to others.
func (f *Feed) Drop(ctx context.Context, lo, hi int64) error {
	if f.IsAuthor() {
		return fmt.Errorf("drop %d:%d of %s: an author keeps its whole feed", lo, hi, f.Address())
	}
	f.write.Lock()
	old := f.Ranges()
	held := old.Intersect(lo, hi)
	updated := old.Remove(lo, hi)
	err := f.commitDrop(held, old, updated)
	f.write.Unlock()
	if err != nil || len(held) == 0 {
		return err
	}
	return f.compact(ctx, held[0].Lo, held[len(held)-1].Hi)
}

// commitDrop deletes the held ranges in one synced batch, then gives
// their segment space back. f.write must be held.
func (f *Feed) commitDrop(held []Range, old, updated RangeSet) error {
	b := f.s.db.NewBatch()
	defer b.Close()
	w := f.blobs.writer()
	var dead []blobRef
	for _, r := range held {
		refs, err := f.dropHeld(b, w, r)
		if err != nil {
			w.abort()
			return fmt.Errorf("drop %s of %s: %w", r, f.Address(), err)
		}
		dead = append(dead, refs...)
	}
	doomed, err := w.finish(b, f.pub)
	var owed holeRecord
	if err == nil {
		owed, err = f.oweHoles(b, dead)
	}
	if err == nil {
		err = f.putRanges(b, old, updated)
	}
	if err == nil {
		err = b.Commit(pebble.Sync)
	}
	if err != nil {
		w.abort()
		return fmt.Errorf("drop from %s: %w", f.Address(), err)
	}
	w.committed(doomed)
	f.mu.Lock()
	f.ranges = updated
	f.mu.Unlock()
	f.blobs.retire(owed, doomed)
	return nil
}

// dropHeld deletes the entries of held range r and the hashes of nodes
// lying entirely inside r, except r's own compact-range nodes.
func (f *Feed) dropHeld(b *pebble.Batch, w *blobWriter, r Range) ([]blobRef, error) {
	dead, err := f.dropEntries(b, w, r.Lo, r.Hi)
	if err != nil {
		return nil, err
	}
	keep := make(map[int64]bool)
	for _, idx := range compactRangeIndexes(r.Lo, r.Hi) {
		keep[idx] = true
	}
	return dead, deleteHashes(f.s.db, b, f.pub, merkle.StoredHashIndex(0, r.Lo), merkle.StoredHashIndex(0, r.Hi), func(index int64) bool {
		level, n := merkle.SplitStoredHashIndex(index)
		first, end := n<<level, (n+1)<<level
		return first >= r.Lo && end <= r.Hi && !keep[index]
	})
}

// compactRangeIndexes returns the stored indexes of the perfect subtrees
// that exactly cover [lo, hi), left to right.
func compactRangeIndexes(lo, hi int64) []int64 {
	var out []int64
	for lo < hi {
		level := 0
		for {
			size := int64(1) << (level + 1)
			if lo%size != 0 || lo+size > hi {
				break
			}
			level++
		}
		out = append(out, merkle.StoredHashIndex(level, lo>>level))
		lo += int64(1) << level
	}
	return out
}

// compact asks Pebble to rewrite the key spans of entries [lo, hi) and
// their hash tiles, so that deleted data leaves the disk now rather than
// at some later compaction.
func (f *Feed) compact(ctx context.Context, lo, hi int64) error {
	spans := [][2][]byte{
		{feedKey(f.pub, kindEntries, uint64(lo)), feedKey(f.pub, kindEntries, uint64(hi))},
		{feedKey(f.pub, kindHashes, uint64(merkle.StoredHashIndex(0, lo)/tileHashes)), feedKey(f.pub, kindHashes, uint64(merkle.StoredHashIndex(0, hi)/tileHashes+1))},
	}
	for _, s := range spans {
		if err := f.s.db.Compact(ctx, s[0], s[1], false); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("compact: %w", err)
		}
	}
	return nil
}

// ConfirmLatest clears the restored mark set by ImportKey: the caller
// asserts that the feed's latest checkpoint is held (it was fetched from
// peers, or the feed never had entries elsewhere), so appending cannot
// sign a fork.
func (f *Feed) ConfirmLatest() error {
	f.write.Lock()
	defer f.write.Unlock()
	f.mu.RLock()
	meta := f.meta
	f.mu.RUnlock()
	if !meta.Restored {
		return nil
	}
	meta.Restored = false
	if err := f.s.db.Set(metaKey(f.pub), meta.encode(), pebble.Sync); err != nil {
		return err
	}
	fr, err := f.loadFrontier()
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.meta, f.frontier = meta, fr
	f.mu.Unlock()
	return nil
}

func (f *Feed) loadFrontier() (*merkle.Frontier, error) {
	size := f.Len()
	fr, err := merkle.LoadFrontier(size, f.hashes())
	if errors.Is(err, ErrHashNotHeld) {
		return nil, nil
	}
	return fr, err
}
