package repl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/steledb/stele/swarm/wire"
)

// writeLoop sends what the machine queued, framed together, and a Ping
// every PingInterval so that the peer's read deadline never fires on a
// live stream.
func (c *conn) writeLoop() {
	clock, cfg := c.s.e.clock, c.s.e.cfg
	ping := clock.NewTimer(cfg.PingInterval)
	defer func() { ping.Stop() }()
	var buf []byte
	for {
		select {
		case <-c.done:
			return
		case <-c.outSig:
		case <-ping.C():
			c.send(&wire.Ping{})
			ping = clock.NewTimer(cfg.PingInterval)
		}
		c.outMu.Lock()
		msgs := c.outQ
		c.outQ = nil
		c.outMu.Unlock()
		buf = buf[:0]
		for _, m := range msgs {
			buf = wire.AppendFrame(buf, m)
		}
		if err := c.write(buf); err != nil {
			c.close(true)
			return
		}
		if cap(buf) > 1<<20 { // do not pin a large buffer on an idle stream
			buf = nil
		}
	}
}

func (c *conn) write(frames []byte) error {
	if len(frames) == 0 {
		return nil
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.st.SetWriteDeadline(c.s.e.clock.Now().Add(c.s.e.cfg.ReadTimeout))
	_, err := c.st.Write(frames)
	return err
}

// serveLoop answers the peer's requests in order, one at a time: each
// Data waits for the upload limit, then goes straight to the stream, so
// that a slow peer holds at most one response in memory.
func (c *conn) serveLoop() {
	for {
		select {
		case <-c.done:
			return
		case <-c.queueSig:
		}
		for {
			c.srvMu.Lock()
			if len(c.queue) == 0 {
				c.busy = false
				c.srvMu.Unlock()
				// Idle: the buffers go back to the pool rather than stay
				// pinned to this stream.
				putBuffer(c.frame)
				putBuffer(c.arena)
				c.frame, c.arena = nil, nil
				break
			}
			r := c.queue[0]
			c.queue = c.queue[1:]
			c.busy, c.serving = true, r.ID
			c.srvMu.Unlock()
			if !c.serveOne(r) {
				return
			}
		}
	}
}

func (c *conn) serveOne(r wire.Request) bool {
	msg, bytes, arena := c.s.serve(r, c.s.e.cfg.MaxData, c.arena)
	if bytes > 0 && !c.bucket.wait(bytes, c.done) {
		return false
	}
	// No longer owed once written: the peer may ask again as soon as it
	// reads the answer, and that request must find room.
	c.srvMu.Lock()
	c.busy = false
	c.srvMu.Unlock()
	if need := wire.Size(msg) + binary.MaxVarintLen64; cap(c.frame) < need {
		putBuffer(c.frame)
		c.frame = getBuffer(need)
	}
	c.frame = wire.AppendFrame(c.frame[:0], msg)
	if err := c.write(c.frame); err != nil {
		c.close(true)
		return false
	}
	c.arena = arena
	c.bytesUp.Add(int64(bytes))
	c.s.bytesUp.Add(int64(bytes))
	return true
}

var errEnough = errors.New("enough entries")

// buffers recycles the responses' entry and frame buffers across streams
// (each up to a MaxData and a bit): growing a fresh one for every burst of
// requests would copy each byte served twice more.
var buffers sync.Pool

// getBuffer returns an empty buffer of at least n bytes' capacity.
func getBuffer(n int) []byte {
	if b, ok := buffers.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]byte, 0, n)
}

func putBuffer(b []byte) {
	if cap(b) > 0 {
		buffers.Put(&b)
	}
}

// serve answers a request from the feed: the longest run of held entries
// from r.Lo, up to r.Hi and maxData bytes (at least one entry), with its
// range proof against r.Size; or an Error. The entries are copied into
// buf (grown as needed and returned, for reuse once the answer is sent).
func (s *session) serve(r wire.Request, maxData int, buf []byte) (msg wire.Message, bytes int, arena []byte) {
	fail := func(code wire.ErrorCode, format string, args ...any) (wire.Message, int, []byte) {
		return &wire.Error{ID: r.ID, Code: code, Message: fmt.Sprintf(format, args...)}, 0, buf
	}
	if latest := s.f.Len(); r.Size > latest {
		return fail(wire.CodeCannotProve, "size %d is beyond our latest checkpoint %d", r.Size, latest)
	}
	held := s.f.Ranges().Intersect(r.Lo, r.Hi)
	if len(held) == 0 || held[0].Lo != r.Lo {
		return fail(wire.CodeNotHeld, "entry %d not held", r.Lo)
	}
	if cap(buf) < maxData {
		putBuffer(buf)
		buf = getBuffer(maxData)
	}
	arena = buf[:0]
	var ends []int
	err := s.f.Scan(r.Lo, held[0].Hi, func(_ int64, data []byte) error {
		if len(ends) > 0 && len(arena)+len(data) > maxData {
			return errEnough
		}
		arena = append(arena, data...)
		ends = append(ends, len(arena))
		return nil
	})
	if err != nil && err != errEnough {
		return fail(wire.CodeNotHeld, "entries %d:%d: %v", r.Lo, held[0].Hi, err)
	}
	hi := r.Lo + int64(len(ends))
	proof, err := s.f.ProveRange(r.Lo, hi, r.Size)
	if err != nil {
		return fail(wire.CodeCannotProve, "entries %d:%d against size %d: %v", r.Lo, hi, r.Size, err)
	}
	entries := make([][]byte, len(ends))
	start := 0
	for i, end := range ends {
		entries[i] = arena[start:end:end]
		start = end
	}
	return &wire.Data{ID: r.ID, Lo: r.Lo, Size: r.Size, Left: proof.Left, Right: proof.Right, Entries: entries}, len(arena), arena
}

// A tokenBucket limits the entry bytes served to one peer, across its
// streams. It may go into debt by one response: a response is sent once
// the tokens it took are paid back, so the average rate holds whatever
// the response sizes.
type tokenBucket struct {
	clock  Clock
	rate   float64 // bytes per second; 0: unlimited
	burst  float64
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (b *tokenBucket) wait(n int, done <-chan struct{}) bool {
	if b == nil || b.rate <= 0 {
		return true
	}
	b.mu.Lock()
	now := b.clock.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens -= float64(n)
	debt := -b.tokens
	b.mu.Unlock()
	if debt <= 0 {
		return true
	}
	t := b.clock.NewTimer(time.Duration(debt / b.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-done:
		return false
	}
}

type bucketRef struct {
	b    *tokenBucket
	refs int
}

func (e *Engine) acquireBucket(p PeerID) *tokenBucket {
	e.mu.Lock()
	defer e.mu.Unlock()
	ref := e.buckets[p]
	if ref == nil {
		rate := float64(e.cfg.UploadBytesPerSecond)
		burst := max(rate, float64(e.cfg.MaxData))
		ref = &bucketRef{b: &tokenBucket{clock: e.clock, rate: rate, burst: burst, tokens: burst, last: e.clock.Now()}}
		e.buckets[p] = ref
	}
	ref.refs++
	return ref.b
}

func (e *Engine) releaseBucket(p PeerID) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ref := e.buckets[p]; ref != nil {
		if ref.refs--; ref.refs == 0 {
			delete(e.buckets, p)
		}
	}
}
