package archive

import (
	"fmt"
	"sync"

	"github.com/steledb/stele/feed"
)

// appendQueue is how many batches may wait for the content appender:
// with appendBatch bytes each, what Publish holds in memory beyond the
// readers' backlog.
const appendQueue = 2

// A contentAppender appends batches of chunks to the content feed from a
// goroutine of its own, in order, so that reading and hashing the next
// files overlaps the fsync of the previous batch. Appended chunk buffers
// go back to the readers through free.
type contentAppender struct {
	f     *feed.Feed
	queue chan contentBatch
	free  chan []byte
	done  chan struct{}

	mu  sync.Mutex
	err error
}

// A contentBatch is chunks to append at content entries lo, lo+1, ...
type contentBatch struct {
	lo     int64
	chunks []feed.Leaf
}

func newContentAppender(f *feed.Feed, free chan []byte) *contentAppender {
	c := &contentAppender{f: f, queue: make(chan contentBatch, appendQueue), free: free, done: make(chan struct{})}
	go c.run()
	return c
}

func (c *contentAppender) run() {
	defer close(c.done)
	for b := range c.queue {
		if c.failed() != nil {
			continue // drain: the publish fails anyway
		}
		got, err := c.f.AppendLeaves(b.chunks...)
		if err == nil && got.Lo != b.lo {
			err = fmt.Errorf("content landed at entry %d, not %d: another writer appended to the content feed", got.Lo, b.lo)
		}
		if err != nil {
			c.mu.Lock()
			c.err = fmt.Errorf("append content: %w", err)
			c.mu.Unlock()
			continue
		}
		for _, chunk := range b.chunks {
			recycle(c.free, chunk.Entry())
		}
	}
}

// add queues a batch; it returns the failure of an earlier batch, if any.
func (c *contentAppender) add(b contentBatch) error {
	if err := c.failed(); err != nil {
		return err
	}
	c.queue <- b
	return nil
}

func (c *contentAppender) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// close waits until every queued batch is appended (durably) and returns
// the first failure.
func (c *contentAppender) close() error {
	close(c.queue)
	<-c.done
	return c.failed()
}

// recycle offers a chunk buffer for reuse, if the free list has room.
func recycle(free chan []byte, buf []byte) {
	select {
	case free <- buf[:0]:
	default:
	}
}

// chunkBuffer returns a buffer holding a copy of data, reusing a free one.
func chunkBuffer(free chan []byte, data []byte) []byte {
	select {
	case buf := <-free:
		if cap(buf) >= len(data) {
			return append(buf, data...)
		}
	default:
	}
	// Capacity rounded up to 32 KiB: little waste, and a recycled buffer
	// fits most chunks of its size class or below.
	buf := make([]byte, len(data), (len(data)+32<<10-1)&^(32<<10-1))
	copy(buf, data)
	return buf
}
