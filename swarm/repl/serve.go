package repl

import (
	"errors"
	"fmt"
	"slices"
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

// serveLoop prepares the answers to the peer's requests in order, one at
// a time, and hands each to sendLoop, which writes it once the upload
// limit allows: a request's entries are read from the store while the
// answer before goes out, so the disk and the stream work at once; a slow
// peer holds at most two answers in memory, the one being written and the
// next. (Two preparers, reading at once, measured slower: they break up
// the sequential reads of one segment.)
func (c *conn) serveLoop() {
	for {
		select {
		case <-c.done:
			return
		case <-c.queueSig:
		}
		for {
			r, ok := c.nextRequest()
			if !ok {
				break
			}
			a := c.prepare(r)
			select {
			case c.sendQ <- a:
			case <-c.done:
				answerBuffers.put(a.buf)
				return
			}
		}
	}
}

// nextRequest takes the first queued request; it stays owed until its
// answer is written.
func (c *conn) nextRequest() (wire.Request, bool) {
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if len(c.queue) == 0 {
		return wire.Request{}, false
	}
	r := c.queue[0]
	c.queue = c.queue[1:]
	c.inService = append(c.inService, r.ID)
	return r, true
}

// An answer is a framed response ready to write, carrying bytes of
// entries; buf is the pooled buffer a Data's frame lies in, recycled once
// the frame is written.
type answer struct {
	id    uint64
	frame []byte
	buf   []byte
	bytes int
}

func (c *conn) prepare(r wire.Request) answer {
	frame, bytes, buf := c.s.serve(r, c.s.e.cfg.MaxData, answerBuffers.get(0))
	return answer{id: r.ID, frame: frame, buf: buf, bytes: bytes}
}

func (c *conn) sendLoop() {
	for {
		var a answer
		select {
		case <-c.done:
			return
		case a = <-c.sendQ:
		}
		if a.bytes > 0 && !c.bucket.wait(a.bytes, c.done) {
			return
		}
		// No longer owed once written: the peer may ask again as soon as it
		// reads the answer, and that request must find room.
		c.srvMu.Lock()
		c.inService = slices.DeleteFunc(c.inService, func(id uint64) bool { return id == a.id })
		c.srvMu.Unlock()
		err := c.write(a.frame)
		answerBuffers.put(a.buf)
		if err != nil {
			c.close(true)
			return
		}
		c.bytesUp.Add(int64(a.bytes))
		c.s.bytesUp.Add(int64(a.bytes))
	}
}

var errEnough = errors.New("enough entries")

// A bufferPool recycles large buffers across streams.
type bufferPool struct{ p sync.Pool }

// get returns an empty buffer of at least n bytes' capacity.
func (bp *bufferPool) get(n int) []byte {
	if b, ok := bp.p.Get().(*[]byte); ok && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]byte, 0, n)
}

func (bp *bufferPool) put(b []byte) {
	if cap(b) > 0 {
		bp.p.Put(&b)
	}
}

// answerBuffers hold the frames of answers being sent (each up to a
// MaxData and a bit): growing a fresh one for every burst of requests
// would copy each byte served twice more. frameBuffers hold large frames
// received, until their Data is stored. Two pools, so that neither draws
// (and drops) the other's buffers, which differ in size.
var answerBuffers, frameBuffers bufferPool

// serve answers a request from the feed: the longest run of held entries
// from r.Lo, up to r.Hi and maxData bytes (at least one entry), with its
// range proof against r.Size; or an Error. It returns the answer's frame
// and the bytes of entries it carries. A Data's entries are encoded into
// buf as they are read, after room for the rest of the frame, which is put
// in front once the proof is known (wire.AppendDataHead); buf (grown as
// needed) is returned for reuse once the frame is sent.
func (s *session) serve(r wire.Request, maxData int, buf []byte) (frame []byte, bytes int, out []byte) {
	fail := func(code wire.ErrorCode, format string, args ...any) ([]byte, int, []byte) {
		return wire.AppendFrame(nil, &wire.Error{ID: r.ID, Code: code, Message: fmt.Sprintf(format, args...)}), 0, buf
	}
	if latest := s.f.Len(); r.Size > latest {
		return fail(wire.CodeCannotProve, "size %d is beyond our latest checkpoint %d", r.Size, latest)
	}
	held := s.f.Ranges().Intersect(r.Lo, r.Hi)
	if len(held) == 0 || held[0].Lo != r.Lo {
		return fail(wire.CodeNotHeld, "entry %d not held", r.Lo)
	}
	// Each entry's encoding adds a tag and a length (a few bytes) to it.
	if need := wire.DataHeadMax + maxData + maxData/64; cap(buf) < need {
		answerBuffers.put(buf)
		buf = answerBuffers.get(need)
	}
	body := buf[:wire.DataHeadMax]
	n := int64(0)
	err := s.f.Scan(r.Lo, held[0].Hi, func(_ int64, data []byte) error {
		if n > 0 && bytes+len(data) > maxData {
			return errEnough
		}
		body = wire.AppendDataEntry(body, data)
		bytes += len(data)
		n++
		return nil
	})
	buf = body // grown, if it was
	if err != nil && err != errEnough {
		return fail(wire.CodeNotHeld, "entries %d:%d: %v", r.Lo, held[0].Hi, err)
	}
	proof, err := s.f.ProveRange(r.Lo, r.Lo+n, r.Size)
	if err != nil {
		return fail(wire.CodeCannotProve, "entries %d:%d against size %d: %v", r.Lo, r.Lo+n, r.Size, err)
	}
	var head [wire.DataHeadMax]byte
	h := wire.AppendDataHead(head[:0], &wire.Data{ID: r.ID, Lo: r.Lo, Size: r.Size, Left: proof.Left, Right: proof.Right}, len(body)-wire.DataHeadMax)
	start := wire.DataHeadMax - len(h)
	copy(body[start:], h)
	return body[start:], bytes, buf
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
