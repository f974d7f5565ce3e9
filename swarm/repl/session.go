package repl

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// A session is the runtime state of one feed: its Machine, guarded by mu,
// and its streams, one per peer.
type session struct {
	e        *Engine
	f        *feed.Feed
	pub      crypto.PublicKey
	disc     crypto.DiscoveryID
	verifier note.Verifier

	mu         sync.Mutex
	m          *Machine
	conns      map[PeerID]*conn
	changed    chan struct{}     // closed and replaced after every event
	unverified map[PeerID][]byte // a peer's latest checkpoint we could not verify yet
	forkSent   bool
	// applying counts the Data being stored: their appliers report the
	// feed's change with the answer's accounting, so the watch leaves it
	// to them, and the machine never counts itself caught up on data
	// whose answers it has not accounted for yet.
	applying int
	wants    wants // the follow's and the fetches' (wants.go)

	bytesUp, bytesDown atomic.Int64
}

func newSession(e *Engine, f *feed.Feed) *session {
	v, err := crypto.NoteVerifier(f.PublicKey(), feed.Origin(f.PublicKey()))
	if err != nil {
		panic("repl: note verifier for a valid key: " + err.Error())
	}
	return &session{
		e: e, f: f, pub: f.PublicKey(), disc: crypto.Discovery(f.PublicKey()), verifier: v,
		m:          NewMachine(e.cfg.Machine, readLocal(f)),
		conns:      make(map[PeerID]*conn),
		changed:    make(chan struct{}),
		unverified: make(map[PeerID][]byte),
	}
}

func readLocal(f *feed.Feed) Local {
	_, forked := f.Forked()
	return Local{Latest: f.Len(), Held: f.Ranges(), Forked: forked}
}

// do runs fn on the machine and carries out the actions it emitted:
// messages are queued on the streams (never blocking), while blocking a
// peer, which may call into the network, happens after mu is released.
func (s *session) do(fn func(m *Machine)) {
	s.mu.Lock()
	fn(s.m)
	after := s.dispatchLocked()
	s.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// tick advances the machine's time, unless it has no peer (then nothing
// can time out): an engine with many idle feeds does no work per tick.
func (s *session) tick(now time.Time) {
	s.mu.Lock()
	idle := len(s.m.peers) == 0
	s.mu.Unlock()
	if !idle {
		s.do(func(m *Machine) { m.Tick(now) })
	}
}

func (s *session) dispatchLocked() []func() {
	var after []func()
	for _, a := range s.m.Ready() {
		c := s.conns[a.Peer]
		switch a.Kind {
		case SendRequest:
			r := a.Request
			c.send(&r)
		case SendCancel:
			c.send(&wire.Cancel{ID: a.Request.ID})
		case SendHave:
			c.send(&wire.Have{Ranges: toWire(a.Ranges)})
		case SendCheckpoint:
			if msg := s.checkpointMsg(a.Size, a.From); msg != nil {
				c.send(msg)
			}
		case BlockPeer:
			after = append(after, func() { s.e.block(a.Peer, a.Reason) })
		case CaughtUp:
			// The machine's want ended (it was not live): so does the
			// follow's, which must not come back with the next fetch.
			if f := s.wants.follow; f != nil && !f.Live {
				s.wants.follow = nil
			}
		}
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return after
}

// checkpointMsg returns a push of our checkpoint of size with a
// consistency proof from `from`, or without one (From = size) if from is
// not smaller or our tree cannot prove it.
func (s *session) checkpointMsg(size, from int64) *wire.Checkpoint {
	cp, err := s.f.Checkpoint(size)
	if err != nil {
		return nil
	}
	msg := &wire.Checkpoint{Checkpoint: cp.Note, From: size}
	if proof, ok := s.proveOldRoot(from, size); ok {
		msg.Proof, msg.From = proof, from
	}
	return msg
}

func toWire(rs []feed.Range) []wire.Range {
	out := make([]wire.Range, len(rs))
	for i, r := range rs {
		out[i] = wire.Range{Lo: r.Lo, Hi: r.Hi}
	}
	return out
}

// watch reports the feed's local changes to the machine until done: a
// local append, a checkpoint or entries applied by any stream. It also
// retries the peers' checkpoints that could not be verified before.
func (s *session) watch(done <-chan struct{}) {
	for {
		changed := s.f.Watch()
		s.localChanged()
		select {
		case <-changed:
		case <-done:
			return
		}
	}
}

func (s *session) localChanged() {
	now := s.e.clock.Now()
	s.retryUnverified()
	s.do(func(m *Machine) {
		if s.applying == 0 {
			m.LocalChanged(now, readLocal(s.f))
		}
	})
}

func (s *session) conn(p PeerID) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[p]
}

func (s *session) allConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	return out
}

// register adds a stream whose handshake completed. With two streams for
// the same feed and peer (both opened at once), both ends keep the one
// opened by the smaller peer ID; between two opened by the same side, the
// newer. It reports false if c lost and must be closed.
func (s *session) register(c *conn, st PeerState) bool {
	var loser *conn
	s.mu.Lock()
	if old := s.conns[c.id]; old != nil {
		if s.opener(old) < s.opener(c) {
			s.mu.Unlock()
			return false
		}
		loser = old
		s.m.RemovePeer(s.e.clock.Now(), old.id)
	}
	s.conns[c.id] = c
	s.m.AddPeer(s.e.clock.Now(), c.id, st)
	forked := s.m.local.Forked
	after := s.dispatchLocked()
	s.mu.Unlock()
	if loser != nil {
		loser.close(false)
	}
	if forked {
		s.sendFork(c)
	}
	for _, f := range after {
		f()
	}
	return true
}

func (s *session) opener(c *conn) PeerID {
	if c.outbound {
		return s.e.self
	}
	return c.id
}

// unregister removes a stream that ended (if it is still the peer's).
func (s *session) unregister(c *conn) {
	s.do(func(m *Machine) {
		if s.conns[c.id] == c {
			delete(s.conns, c.id)
			delete(s.unverified, c.id)
			m.RemovePeer(s.e.clock.Now(), c.id)
		}
	})
}

// waitState returns whether the feed is caught up or forked, and a channel
// closed at the next change.
func (s *session) waitState() (caughtUp, forked bool, changed <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.CaughtUp(), s.m.local.Forked, s.changed
}

// FeedStatus is the replication state of one feed.
type FeedStatus struct {
	MachineStatus
	Address            string
	BytesUp, BytesDown int64 // entry bytes served and received, all peers
}

func (s *session) status() FeedStatus {
	s.mu.Lock()
	st := FeedStatus{MachineStatus: s.m.Status(), Address: s.f.Address()}
	for i, p := range st.Peers {
		if c := s.conns[p.ID]; c != nil {
			st.Peers[i].BytesUp = c.bytesUp.Load()
		}
	}
	s.mu.Unlock()
	st.BytesUp, st.BytesDown = s.bytesUp.Load(), s.bytesDown.Load()
	return st
}
