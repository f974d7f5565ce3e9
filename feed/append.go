package feed

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/merkle"
)

// Appended describes a successful Append: the entries went to [Lo, Hi) and
// are covered by Checkpoint (whose size may exceed Hi when concurrent
// appends were committed together).
type Appended struct {
	Lo, Hi     int64
	Checkpoint SignedCheckpoint
}

// An appendReq is one caller's Append waiting in the group commit queue.
type appendReq struct {
	entries [][]byte
	leaves  []merkle.Hash // the entries' leaf hashes, or nil to compute
	result  Appended
	err     error
	done    bool // guarded by committer.mu
}

// A committer implements group commit: the first caller to find no commit
// under way becomes the leader and commits, in one synced write with one
// signed checkpoint, everything queued until the queue is empty; the others
// wait for it. Many small concurrent appends thus share an fsync and a
// signature.
type committer struct {
	mu      sync.Mutex
	queue   []*appendReq
	leading bool
	done    *sync.Cond // signalled when a group is committed
}

// Append adds entries to the end of an author's feed. When it returns nil
// the entries, their tree hashes and a checkpoint signed over them are
// durably stored: a crash loses nothing. A failed Append leaves the feed
// as it was.
func (f *Feed) Append(entries ...[]byte) (Appended, error) {
	return f.append(entries, nil)
}

// append appends entries whose leaf hashes are leaves (nil: not computed
// yet).
func (f *Feed) append(entries [][]byte, leaves []merkle.Hash) (Appended, error) {
	if len(entries) == 0 {
		return Appended{}, errors.New("append: no entries")
	}
	for i, e := range entries {
		if len(e) > f.s.opts.EntryLimit {
			return Appended{}, fmt.Errorf("append: entry %d is %d bytes, limit is %d: %w", i, len(e), f.s.opts.EntryLimit, ErrTooLarge)
		}
	}
	req := &appendReq{entries: entries, leaves: leaves}
	c := &f.commit
	c.mu.Lock()
	if c.done == nil {
		c.done = sync.NewCond(&c.mu)
	}
	c.queue = append(c.queue, req)
	if c.leading {
		for !req.done {
			c.done.Wait()
		}
		c.mu.Unlock()
		return req.result, req.err
	}
	c.leading = true
	for len(c.queue) > 0 {
		group := c.queue
		c.queue = nil
		c.mu.Unlock()
		f.commitGroup(group)
		c.mu.Lock()
		for _, r := range group {
			r.done = true
		}
		c.done.Broadcast()
	}
	c.leading = false
	c.mu.Unlock()
	return req.result, req.err
}

// commitGroup commits a group of appends and records each one's result.
func (f *Feed) commitGroup(group []*appendReq) {
	var all [][]byte
	var leaves []merkle.Hash
	if len(group) == 1 {
		all, leaves = group[0].entries, group[0].leaves
	} else {
		for _, r := range group {
			all = append(all, r.entries...)
			leaves = appendLeaves(leaves, r)
		}
	}
	cp, err := f.commitAppend(all, leaves)
	lo := cp.Size - int64(len(all))
	for _, r := range group {
		if err != nil {
			r.err = err
			continue
		}
		r.result = Appended{Lo: lo, Hi: lo + int64(len(r.entries)), Checkpoint: cp}
		lo = r.result.Hi
	}
}

// appendLeaves appends the leaf hashes of r's entries to leaves,
// computing those not given.
func appendLeaves(leaves []merkle.Hash, r *appendReq) []merkle.Hash {
	if r.leaves != nil {
		return append(leaves, r.leaves...)
	}
	for _, e := range r.entries {
		leaves = append(leaves, merkle.LeafHash(e))
	}
	return leaves
}

// commitAppend appends entries (possibly none, to sign the first
// checkpoint of a new feed) in one synced batch. leaves, unless nil, are
// the entries' leaf hashes.
func (f *Feed) commitAppend(entries [][]byte, leaves []merkle.Hash) (SignedCheckpoint, error) {
	f.write.Lock()
	defer f.write.Unlock()
	if err := f.checkAppendable(); err != nil {
		return SignedCheckpoint{}, err
	}
	f.mu.RLock()
	fr, oldRanges := f.frontier.Clone(), f.ranges
	f.mu.RUnlock()

	lo := fr.Size()
	hashes := make([]indexedHash, 0, 2*len(entries)+1)
	for i, e := range entries {
		var leaf merkle.Hash
		if leaves != nil {
			leaf = leaves[i]
		} else {
			leaf = merkle.LeafHash(e)
		}
		fr.Append(leaf, func(index int64, h merkle.Hash) {
			hashes = append(hashes, indexedHash{index, h})
		})
	}
	cp := merkle.Checkpoint{Origin: Origin(f.pub), Size: fr.Size(), Root: fr.Root(), Time: f.s.opts.Now().Unix()}
	signed, err := merkle.SignCheckpoint(cp, f.signer)
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("append: sign checkpoint: %w", err)
	}
	scp := SignedCheckpoint{Checkpoint: cp, Note: signed}
	newRanges := oldRanges.Add(lo, fr.Size())

	b := f.s.db.NewBatchWithSize(writeBatchSize(lo, entries))
	defer b.Close()
	w := f.blobs.writer()
	if err := f.writeAppend(b, w, lo, entries, hashes, scp, oldRanges, newRanges); err != nil {
		w.abort()
		return SignedCheckpoint{}, fmt.Errorf("append: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		w.abort()
		return SignedCheckpoint{}, fmt.Errorf("append: commit: %w", err)
	}
	w.committed(nil)

	f.mu.Lock()
	f.frontier, f.latest, f.ranges = fr, scp, newRanges
	f.notifyLocked()
	f.mu.Unlock()
	return scp, nil
}

func (f *Feed) writeAppend(b *pebble.Batch, w *blobWriter, lo int64, entries [][]byte, hashes []indexedHash, cp SignedCheckpoint, oldRanges, newRanges RangeSet) error {
	if err := putEntries(b, w, f.pub, lo, entries); err != nil {
		return err
	}
	if _, err := w.finish(b, f.pub); err != nil {
		return err
	}
	if err := putHashes(f.s.db, b, f.pub, hashes); err != nil {
		return err
	}
	rec := checkpointRecord{cp: cp}
	if err := b.Set(feedKey(f.pub, kindCheckpoint, uint64(cp.Size)), rec.encode(), nil); err != nil {
		return err
	}
	return f.putRanges(b, oldRanges, newRanges)
}

// checkAppendable says why this feed cannot be appended to, if it cannot.
func (f *Feed) checkAppendable() error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	switch {
	case f.signer == nil:
		return fmt.Errorf("append to %s: %w", f.Address(), ErrNotAuthor)
	case f.meta.ForkedAt != 0:
		return fmt.Errorf("append to %s: %w", f.Address(), ErrForked)
	case f.meta.Restored:
		return fmt.Errorf("append to %s: %w", f.Address(), ErrRestoredKey)
	case f.frontier == nil:
		return fmt.Errorf("append to %s: the tree hashes of [0, %d) are not held; sync the feed first: %w", f.Address(), f.latest.Size, ErrHashNotHeld)
	}
	return nil
}
