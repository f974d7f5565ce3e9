package feed

import (
	"bytes"
	"sync"

	"github.com/steledb/stele/feed/directio"
)

// Segments are written past the page cache (segwriter.go), so a reader
// that follows a writer closely would read back from the disk what was
// in memory a moment before: a clone writing files as their chunks
// arrive, a volunteer serving to other peers what it just received. The
// store keeps instead the buffers that its segment writers filled last,
// as they were written from (no copy), and readers look there first.
//
// Only committed data is kept: a batch's buffers join the cache when the
// batch commits, and are recycled if it aborts, since an aborted batch's
// bytes are written over by the next one. Committed segment bytes never
// change (segments are append-only; the padding past a batch's end is not
// part of its window), so a window stays true until it is evicted: the
// oldest go first once the cache holds more than its budget, and a
// feed's go when it closes or its segment is deleted.
//
// A scan that ends gives the cache its last window read from the disk
// too, since the next scan of the feed often starts in the same chunk (a
// peer's next request, the next small entry read by Get).

// DefaultRecentBytes is the default of Options.RecentBytes.
const DefaultRecentBytes = 64 << 20

// recentMin is the least data a buffer must hold to be kept: a small
// batch's buffer is mostly empty, and writing goes on in it.
const recentMin = directio.BufferSize / 4

// A window is a run of committed bytes of a segment, in the buffer they
// were written from.
type window struct {
	bl   *blobs
	seg  uint64
	off  int64
	data []byte
	refs int  // readers using it
	gone bool // evicted: recycled once the last reader lets go
	// written: the bytes a batch of this store wrote and committed, not
	// read back from the disk. Their checksums were computed from these
	// very bytes, so a reader need not check them again (a check guards
	// against what the disk did, and these never came from it).
	written bool
}

func (w *window) holds(seg uint64, off, n int64) bool {
	return w.seg == seg && off >= w.off && off+n <= w.off+int64(len(w.data))
}

// recentCache is the store's windows, oldest first, within budget bytes
// (of buffers, not data).
type recentCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	windows []*window
}

func newRecentCache(budget int64) *recentCache {
	if budget <= 0 {
		return nil
	}
	return &recentCache{budget: budget}
}

// add keeps the windows of a committed batch of bl, evicting the oldest
// to stay within the budget.
func (c *recentCache) add(ws []*window) {
	if len(ws) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		c.windows = append(c.windows, w)
		c.used += int64(cap(w.data))
	}
	for c.used > c.budget && len(c.windows) > 0 {
		c.evictLocked(c.windows[0])
		c.windows[0] = nil
		c.windows = c.windows[1:]
	}
}

func (c *recentCache) evictLocked(w *window) {
	c.used -= int64(cap(w.data))
	w.gone = true
	if w.refs == 0 {
		recycle(w)
	}
}

func recycle(w *window) {
	directio.PutBuffer(w.data[:cap(w.data)])
	w.data = nil
}

// find returns, held for the caller (release it), the window of bl
// holding all of [off, off+n) of segment seg, or nil.
func (c *recentCache) find(bl *blobs, seg uint64, off, n int64) *window {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.newestLocked(bl, seg, off, n)
	if w != nil {
		w.refs++
	}
	return w
}

// newestLocked returns the newest window of bl holding [off, off+n) of
// segment seg (readers want the newest), or nil.
func (c *recentCache) newestLocked(bl *blobs, seg uint64, off, n int64) *window {
	for i := len(c.windows) - 1; i >= 0; i-- {
		if w := c.windows[i]; w.bl == bl && w.holds(seg, off, n) {
			return w
		}
	}
	return nil
}

// nextAfter returns the start of the first window of bl's segment seg
// that starts after off, or -1 if there is none: where a read from the
// disk at off can stop, the cache holding what follows.
func (c *recentCache) nextAfter(bl *blobs, seg uint64, off int64) int64 {
	if c == nil {
		return -1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := int64(-1)
	for _, w := range c.windows {
		if w.bl == bl && w.seg == seg && w.off > off && (next < 0 || w.off < next) {
			next = w.off
		}
	}
	return next
}

// copyOut copies [off, off+len(p)) of bl's segment seg into p if windows
// hold all of it (a chunk written across two buffers).
func (c *recentCache) copyOut(bl *blobs, seg uint64, off int64, p []byte) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for done := 0; done < len(p); {
		pos := off + int64(done)
		w := c.newestLocked(bl, seg, pos, 1)
		if w == nil {
			return false
		}
		done += copy(p[done:], w.data[pos-w.off:])
	}
	return true
}

func (c *recentCache) release(w *window) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w.refs--; w.refs == 0 && w.gone {
		recycle(w)
	}
}

// drop evicts the windows of bl: of segment seg, or all of them if all.
func (c *recentCache) drop(bl *blobs, seg uint64, all bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.windows[:0]
	for _, w := range c.windows {
		if w.bl == bl && (all || w.seg == seg) {
			c.evictLocked(w)
			continue
		}
		kept = append(kept, w)
	}
	clear(c.windows[len(kept):])
	c.windows = kept
}

// recentCopyMin is the least data a partly filled buffer must hold for a
// copy of it to be kept: the bytes a batch wrote past its last full
// buffer, which a reader following the writer wants as much as the rest.
// (Left out, every batch of a peer's 4 MiB answers left a gap that the
// clone's writer, right behind, read from the disk: a third of a 1 GiB
// clone was read back so.) Smaller ones would crowd the cache with
// windows for little gain.
const recentCopyMin = 64 << 10

// retire keeps a buffer the segment writer has written from for the
// recent cache once the batch commits: the buffer itself if it holds
// enough data to be worth its size, a copy of its data if that is not
// too small.
func (w *blobWriter) retire(off int64, data []byte) []byte {
	if len(data) < recentMin {
		if len(data) >= recentCopyMin {
			w.retired = append(w.retired, &window{bl: w.bl, seg: w.seg, off: off, data: bytes.Clone(data), written: true})
		}
		return data[:cap(data)]
	}
	w.retired = append(w.retired, &window{bl: w.bl, seg: w.seg, off: off, data: data, written: true})
	return directio.GetBuffer(cap(data))
}
