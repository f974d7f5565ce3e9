package repl

import (
	"context"
	"errors"
	"fmt"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// Connect opens a sync stream for the feed at pub to peer p and runs the
// handshake; the stream then runs in a goroutine the engine owns until it
// ends or Run returns. The feed must be held or followed. Connecting to a
// peer already connected for the feed does nothing.
func (e *Engine) Connect(ctx context.Context, pub crypto.PublicKey, p PeerID) error {
	if reason, blocked := e.Blocked(p); blocked {
		return fmt.Errorf("connect to %s: peer blocked: %s", p, reason)
	}
	if !e.enter() {
		return ErrNotRunning
	}
	defer e.wg.Done()
	s, err := e.session(pub, false)
	if err != nil {
		return fmt.Errorf("connect for %s: %w", crypto.FormatAddress(pub), err)
	}
	if s.conn(p) != nil {
		return nil
	}
	st, err := e.net.OpenStream(ctx, p)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", p, err)
	}
	c := newConn(s, p, st, true)
	stop := context.AfterFunc(ctx, func() { st.Reset() })
	stopped := e.resetOnStop(st)
	ps, err := c.openerHandshake()
	stopped()
	if !stop() {
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		c.close(true)
		return fmt.Errorf("sync with %s: %w", p, err)
	}
	if !s.register(c, ps) {
		c.close(false) // the peer's own stream to us won
		return nil
	}
	if !e.goAdd(c.run) {
		c.close(false)
		s.unregister(c)
		return ErrNotRunning
	}
	return nil
}

// HandleStream serves an inbound sync stream from remote until it ends.
// A stream for a feed this store does not hold, or whose opener does not
// prove it knows the feed's key, is reset without a word.
func (e *Engine) HandleStream(st Stream, remote PeerID) {
	if _, blocked := e.Blocked(remote); blocked || !e.enter() {
		st.Reset()
		return
	}
	defer e.wg.Done()
	st.SetReadDeadline(e.clock.Now().Add(e.cfg.HandshakeTimeout))
	msg, err := wire.ReadMsg(st, e.cfg.MaxMessage)
	hello, ok := msg.(*wire.Hello)
	if err != nil || !ok {
		st.Reset()
		return
	}
	pub, known := e.lookupDiscovery(hello.DiscoveryID)
	if !known || !crypto.CheckCapability(pub, []byte(remote), []byte(e.self), hello.Capability) {
		st.Reset()
		return
	}
	s, err := e.session(pub, false)
	if err != nil {
		st.Reset()
		return
	}
	c := newConn(s, remote, st, false)
	stopped := e.resetOnStop(st)
	ps, err := c.responderHandshake(hello)
	stopped()
	if err != nil {
		c.close(true)
		return
	}
	if s.register(c, ps) {
		c.run()
	} else {
		c.close(false)
	}
}

// resetOnStop resets st if Run stops before the returned func is called:
// a handshake in progress must not hold Run up for its whole timeout.
func (e *Engine) resetOnStop(st Stream) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-e.done:
			st.Reset()
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// A handshakeError is the peer's fault: it is blocked.
type handshakeError struct{ err error }

func (e handshakeError) Error() string { return e.err.Error() }

// openerHandshake: Hello ->, <- HelloAck, Status ->, <- Status. The
// messages alternate, so the handshake needs no buffering in the stream.
func (c *conn) openerHandshake() (PeerState, error) {
	s, e := c.s, c.s.e
	c.setDeadlines()
	told := s.f.Len()
	hello := &wire.Hello{DiscoveryID: s.disc, Capability: crypto.ProveCapability(s.pub, []byte(e.self), []byte(c.id)), Latest: told}
	if err := c.writeMsg(hello); err != nil {
		return PeerState{}, err
	}
	msg, err := wire.ReadMsg(c.br, e.cfg.MaxMessage)
	if err != nil {
		return PeerState{}, fmt.Errorf("peer does not serve the feed (no hello_ack): %w", err)
	}
	ack, ok := msg.(*wire.HelloAck)
	if !ok {
		return PeerState{}, c.fail(fmt.Errorf("%s instead of hello_ack", wire.Name(msg)))
	}
	if !crypto.CheckCapability(s.pub, []byte(c.id), []byte(e.self), ack.Capability) {
		return PeerState{}, c.fail(errors.New("hello_ack: capability proof does not check"))
	}
	ours, err := c.sendStatus(told, ack.Latest)
	if err != nil {
		return PeerState{}, err
	}
	return c.readStatus(ack.Latest, told, ours)
}

// responderHandshake answers a Hello that checked.
func (c *conn) responderHandshake(hello *wire.Hello) (PeerState, error) {
	s, e := c.s, c.s.e
	c.setDeadlines()
	told := s.f.Len()
	ack := &wire.HelloAck{Capability: crypto.ProveCapability(s.pub, []byte(e.self), []byte(c.id)), Latest: told}
	if err := c.writeMsg(ack); err != nil {
		return PeerState{}, err
	}
	ps, err := c.readStatus(hello.Latest, told, nil)
	if err != nil {
		return ps, err
	}
	ps.ToldRanges, err = c.sendStatus(told, hello.Latest)
	return ps, err
}

func (c *conn) setDeadlines() {
	d := c.s.e.clock.Now().Add(c.s.e.cfg.HandshakeTimeout)
	c.st.SetReadDeadline(d)
	c.st.SetWriteDeadline(d)
}

func (c *conn) writeMsg(m wire.Message) error { return c.write(wire.AppendFrame(nil, m)) }

// fail blocks the peer for a broken handshake.
func (c *conn) fail(err error) error {
	c.s.e.counters.violations.Add(1)
	c.s.e.block(c.id, "handshake: "+err.Error())
	return handshakeError{err}
}

// sendStatus sends our checkpoint of the size we announced (told), with a
// consistency proof from the peer's announced latest when ours is larger,
// and the ranges we hold, which it returns.
func (c *conn) sendStatus(told, theirs int64) (feed.RangeSet, error) {
	st := &wire.Status{}
	if cp, err := c.s.f.Checkpoint(told); err == nil {
		st.Checkpoint = cp.Note
		if proof, ok := c.s.proveOldRoot(theirs, told); ok {
			st.Proof = proof
		}
	}
	ranges := c.s.f.Ranges()
	held := ranges.Intersect(0, told) // what we announce must lie below told
	st.Ranges = toWire(held)
	return feed.RangeSet(held), c.writeMsg(st)
}

// readStatus reads the peer's Status: its checkpoint must have the size it
// announced, with a proof from ours (told) if larger, and its ranges must
// lie below it.
func (c *conn) readStatus(theirs, told int64, ours feed.RangeSet) (PeerState, error) {
	msg, err := wire.ReadMsg(c.br, c.s.e.cfg.MaxMessage)
	if err != nil {
		if errors.Is(err, wire.ErrMalformed) {
			return PeerState{}, c.fail(err)
		}
		return PeerState{}, err
	}
	st, ok := msg.(*wire.Status)
	if !ok {
		return PeerState{}, c.fail(fmt.Errorf("%s instead of status", wire.Name(msg)))
	}
	ps := PeerState{Latest: theirs, ToldLatest: told, ToldRanges: ours}
	ranges := make([]feed.Range, len(st.Ranges))
	for i, r := range st.Ranges {
		ranges[i] = feed.Range{Lo: r.Lo, Hi: r.Hi}
	}
	if err := checkSorted(ranges, theirs); err != nil {
		return ps, c.fail(fmt.Errorf("status: %w", err))
	}
	ps.Ranges = union(nil, ranges)
	if len(st.Checkpoint) == 0 {
		if theirs != 0 || len(st.Proof) > 0 {
			return ps, c.fail(fmt.Errorf("status: no checkpoint, announced size %d", theirs))
		}
		return ps, nil
	}
	from := told
	if len(st.Proof) == 0 {
		from = theirs
	}
	r, err := c.s.receiveCheckpoint(c, st.Checkpoint, st.Proof, from)
	if err == nil && r.size != theirs {
		err = fmt.Errorf("checkpoint of size %d, announced %d", r.size, theirs)
	}
	if err != nil {
		return ps, c.fail(fmt.Errorf("status: %w", err))
	}
	ps.LatestHeld, ps.Resync = r.held, r.resync
	now := c.s.e.clock.Now()
	c.s.do(func(m *Machine) { m.LocalChanged(now, readLocal(c.s.f)) })
	return ps, nil
}
