package repl

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/merkle"
	"github.com/steledb/stele/swarm/wire"
)

// A conn is one sync stream: one feed with one peer. Its goroutines: the
// reader (the goroutine that runs it), which checks what arrives; the
// appliers, which verify and store Data while the reader reads the next
// (so that the peer can send it meanwhile); the writer, which sends what
// the machine queues and the pings; the server, which prepares the
// answers to the peer's requests one at a time; and the sender, which
// writes each under the upload limit while the server prepares the next.
// All of them end when the stream does.
type conn struct {
	s        *session
	id       PeerID
	st       Stream
	br       *bufio.Reader
	outbound bool
	bucket   *tokenBucket

	outMu  sync.Mutex
	outQ   []wire.Message
	outSig chan struct{}

	wmu sync.Mutex // one frame at a time on the stream

	// The peer's requests waiting for the server, and those it took and
	// has not written the answers of yet.
	srvMu     sync.Mutex
	queue     []wire.Request
	inService []uint64
	queueSig  chan struct{}
	sendQ     chan answer // from the server to the sender

	applyQ chan arrived

	done      chan struct{}
	closeOnce sync.Once

	bytesUp atomic.Int64
}

func newConn(s *session, id PeerID, st Stream, outbound bool) *conn {
	return &conn{
		s: s, id: id, st: st, outbound: outbound,
		br:       bufio.NewReaderSize(st, 64<<10),
		outSig:   make(chan struct{}, 1),
		queueSig: make(chan struct{}, 1),
		sendQ:    make(chan answer),
		applyQ:   make(chan arrived, appliers),
		done:     make(chan struct{}),
	}
}

// send queues a message for the writer; it never blocks.
func (c *conn) send(m wire.Message) {
	if c == nil {
		return
	}
	c.outMu.Lock()
	c.outQ = append(c.outQ, m)
	c.outMu.Unlock()
	select {
	case c.outSig <- struct{}{}:
	default:
	}
}

// close ends the stream: reset when the peer misbehaved, else closed.
func (c *conn) close(reset bool) {
	c.closeOnce.Do(func() {
		close(c.done)
		if reset {
			c.st.Reset()
		} else {
			c.st.Close()
		}
	})
}

// run serves the stream after its handshake until it ends, then removes
// it from its session.
func (c *conn) run() {
	c.bucket = c.s.e.acquireBucket(c.id)
	var wg sync.WaitGroup
	wg.Add(3 + appliers)
	go func() { defer wg.Done(); c.writeLoop() }()
	go func() { defer wg.Done(); c.serveLoop() }()
	go func() { defer wg.Done(); c.sendLoop() }()
	for range appliers {
		go func() { defer wg.Done(); c.applyLoop() }()
	}
	c.readLoop()
	c.close(false)
	wg.Wait()
	c.s.unregister(c)
	c.s.e.releaseBucket(c.id)
}

// An arrived Data and the pooled frame buffer its entries lie in, if
// any, recycled once the Data is stored.
type arrived struct {
	d   *wire.Data
	buf []byte
}

// pooledFrame is the size from which a frame is read into a pooled
// buffer: allocating (and clearing) megabytes for every Data, then
// collecting them, cost more than the copies.
const pooledFrame = 64 << 10

func (c *conn) readLoop() {
	cfg := c.s.e.cfg
	var buf []byte // the pooled buffer of the last frame, if large
	alloc := func(n int) []byte {
		if n < pooledFrame {
			buf = nil
			return make([]byte, n)
		}
		buf = frameBuffers.get(n)[:n]
		return buf
	}
	for {
		buf = nil // ours only if this frame is read into it
		c.st.SetReadDeadline(c.s.e.clock.Now().Add(cfg.ReadTimeout))
		msg, err := wire.ReadMsgInto(c.br, cfg.MaxMessage, alloc)
		if err != nil {
			frameBuffers.put(buf)
			if errors.Is(err, wire.ErrMalformed) {
				c.violation(err.Error())
			}
			return
		}
		if d, ok := msg.(*wire.Data); ok {
			c.arrived(d)
			select {
			case c.applyQ <- arrived{d, buf}:
			case <-c.done:
				frameBuffers.put(buf)
			}
			continue
		}
		// Other messages keep their buffer (they may point into it).
		if err := c.handle(msg); err != nil {
			c.violation(fmt.Sprintf("%s: %v", wire.Name(msg), err))
			return
		}
	}
}

// arrived tells the machine that d came in, before it waits for an
// applier: the peer may be asked for more meanwhile.
func (c *conn) arrived(d *wire.Data) {
	var bytes int64
	for _, e := range d.Entries {
		bytes += int64(len(e))
	}
	now := c.s.e.clock.Now()
	c.s.do(func(m *Machine) { m.DataArrived(now, c.id, d.ID, bytes) })
}

// violation blocks the peer: it broke the protocol or sent data that
// failed verification.
func (c *conn) violation(reason string) {
	c.s.e.counters.violations.Add(1)
	now := c.s.e.clock.Now()
	c.s.do(func(m *Machine) { m.Misbehaved(now, c.id, reason) })
	c.s.e.block(c.id, reason)
}

func (c *conn) handle(msg wire.Message) error {
	now := c.s.e.clock.Now()
	switch m := msg.(type) {
	case *wire.Request:
		return c.queueRequest(*m)
	case *wire.Cancel:
		c.cancelRequest(m.ID)
	case *wire.Error:
		var err error
		c.s.do(func(mc *Machine) { err = mc.ErrorReceived(now, c.id, m.ID, m.Code) })
		return err
	case *wire.Have:
		var err error
		c.s.do(func(mc *Machine) { err = mc.PeerHave(now, c.id, fromWire(m.Ranges)) })
		return err
	case *wire.Checkpoint:
		return c.receiveCheckpoint(m)
	case *wire.Fork:
		return c.s.receiveFork(m.Evidence)
	case *wire.Ping:
	default:
		return errors.New("unexpected after the handshake")
	}
	return nil
}

func fromWire(rs []wire.Range) []feed.Range {
	out := make([]feed.Range, len(rs))
	for i, r := range rs {
		out[i] = feed.Range{Lo: r.Lo, Hi: r.Hi}
	}
	return out
}

// queueRequest checks a request and queues it for the server. More than
// MaxInFlight requests owed an answer is a flood.
func (c *conn) queueRequest(r wire.Request) error {
	if r.Lo >= r.Hi || r.Hi > r.Size {
		return fmt.Errorf("bad range %d:%d of size %d", r.Lo, r.Hi, r.Size)
	}
	c.srvMu.Lock()
	defer c.srvMu.Unlock()
	if owed := len(c.queue) + len(c.inService); owed >= c.s.e.cfg.MaxInFlight {
		return fmt.Errorf("request flood: more than %d in flight", c.s.e.cfg.MaxInFlight)
	}
	if slices.Contains(c.inService, r.ID) || slices.ContainsFunc(c.queue, func(q wire.Request) bool { return q.ID == r.ID }) {
		return fmt.Errorf("request ID %d reused while owed an answer", r.ID)
	}
	c.queue = append(c.queue, r)
	select {
	case c.queueSig <- struct{}{}:
	default:
	}
	return nil
}

// cancelRequest answers a cancelled request that is still queued with
// CodeCancelled at once; one being served is answered with its Data.
func (c *conn) cancelRequest(id uint64) {
	c.srvMu.Lock()
	i := slices.IndexFunc(c.queue, func(q wire.Request) bool { return q.ID == id })
	if i >= 0 {
		c.queue = slices.Delete(c.queue, i, i+1)
	}
	c.srvMu.Unlock()
	if i >= 0 {
		c.send(&wire.Error{ID: id, Code: wire.CodeCancelled, Message: "cancelled"})
	}
}

// appliers is how many answers a connection verifies and stores at once:
// while one is written and synced, the next one's entries are hashed and
// checked against its proof, on another core. The feed orders the stores.
const appliers = 2

func (c *conn) applyLoop() {
	for {
		select {
		case <-c.done:
			return
		case r := <-c.applyQ:
			err := c.receiveData(r.d)
			frameBuffers.put(r.buf) // the feed copied what it kept
			if err != nil {
				c.violation(fmt.Sprintf("data: %v", err))
				return
			}
		}
	}
}

// receiveData checks that a Data answers an outstanding request with the
// entries asked for, verifies and stores it, and reports it to the
// machine.
func (c *conn) receiveData(d *wire.Data) error {
	c.s.mu.Lock()
	req, ok := c.s.m.Expect(c.id, d.ID)
	if ok {
		c.s.applying++
	}
	c.s.mu.Unlock()
	if !ok {
		return fmt.Errorf("answers request %d, which is not outstanding", d.ID)
	}
	k, bytes, err := c.applyData(d, req)
	now := c.s.e.clock.Now()
	c.s.do(func(m *Machine) {
		c.s.applying--
		if err == nil {
			m.DataApplied(now, c.id, d.ID, k, bytes)
		}
		// The feed may hold the entries of other answers being applied,
		// not accounted for yet: the last applier reports its state.
		if c.s.applying == 0 {
			m.LocalChanged(now, readLocal(c.s.f))
		}
	})
	return err
}

// applyData stores the entries of d, which answers req, and returns how
// many entries and bytes it stored.
func (c *conn) applyData(d *wire.Data, req wire.Request) (k, bytes int64, err error) {
	k = int64(len(d.Entries))
	if d.Lo != req.Lo || k == 0 || k > req.Hi-req.Lo || d.Size != req.Size {
		return 0, 0, fmt.Errorf("entries %d:%d of size %d do not answer request %d:%d of size %d", d.Lo, d.Lo+k, d.Size, req.Lo, req.Hi, req.Size)
	}
	for _, e := range d.Entries {
		bytes += int64(len(e))
	}
	if maxData := int64(c.s.e.cfg.MaxData); bytes > maxData && k > 1 {
		return 0, 0, fmt.Errorf("%d bytes of entries, limit %d", bytes, maxData)
	}
	err = c.s.f.ApplyRange(d.Lo, d.Entries, d.Size, merkle.RangeProof{Left: d.Left, Right: d.Right})
	if errors.Is(err, feed.ErrVerification) || errors.Is(err, feed.ErrTooLarge) {
		c.s.e.counters.verificationFailures.Add(1)
		return 0, 0, err
	}
	if err != nil { // forked meanwhile, or a local storage fault: not the peer's
		return 0, 0, nil
	}
	c.s.bytesDown.Add(bytes)
	return k, bytes, nil
}

func (c *conn) receiveCheckpoint(m *wire.Checkpoint) error {
	if len(m.Checkpoint) == 0 {
		return errors.New("no checkpoint")
	}
	r, err := c.s.receiveCheckpoint(c, m.Checkpoint, m.Proof, m.From)
	if err != nil {
		return err
	}
	now := c.s.e.clock.Now()
	c.s.do(func(mc *Machine) {
		mc.LocalChanged(now, readLocal(c.s.f))
		if err = mc.PeerCheckpoint(now, c.id, r.size, r.held); err == nil && r.resync {
			mc.Resync(now, c.id)
		}
	})
	return err
}
