package repl

import (
	"fmt"
	"slices"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// PeerID identifies a remote peer: a libp2p peer.ID converts both ways,
// repl.PeerID(id) and peer.ID(p).
type PeerID string

// Local is what the Machine knows of the local copy of its feed.
type Local struct {
	Latest int64         // size of the latest checkpoint held (0 if none)
	Held   feed.RangeSet // entries held
	Forked bool          // the feed is forked: nothing more is followed
}

// Want says what to replicate: every entry up to the best checkpoint known
// (All), or the entries of Ranges clipped to that checkpoint; the engine
// wants the union of what the feed's follow and fetches want (see
// Engine.StartFetch). Live keeps following new checkpoints; otherwise the want
// ends once caught up.
type Want struct {
	All    bool
	Ranges feed.RangeSet // if not All
	Live   bool
}

// WantOf returns the want of r's entries, or of every entry if r is nil.
func WantOf(r *feed.Range, live bool) Want {
	if r == nil {
		return Want{All: true, Live: live}
	}
	return Want{Ranges: feed.RangeSet{}.Add(r.Lo, r.Hi), Live: live}
}

// entries returns the ranges of w below latest.
func (w Want) entries(latest int64) []feed.Range {
	if w.All {
		return feed.RangeSet{}.Add(0, latest)
	}
	return w.Ranges.Intersect(0, latest)
}

// PeerState is what a peer announced in its handshake.
type PeerState struct {
	Latest     int64         // size of its latest checkpoint
	LatestHeld bool          // we hold a checkpoint of that size (we could verify it)
	Ranges     feed.RangeSet // entries it holds
	ToldLatest int64         // our latest, as our handshake told it
	ToldRanges feed.RangeSet // our ranges, as our Status told it
	// Resync: its checkpoint could not be verified from our latest (the
	// handshakes crossed while our latest changed), so it must be told our
	// latest again, to prove its own from there or expose a fork.
	Resync bool
}

// A Machine schedules the replication of one feed among its peers. It is
// pure and single-threaded, like etcd raft's RawNode: the caller feeds it
// events (each with the current time), then collects the actions it
// emitted with Ready and carries them out. It never does I/O, reads a
// clock or starts goroutines, so a test can drive any number of peers
// through any interleaving deterministically.
type Machine struct {
	cfg      MachineConfig
	local    Local
	want     *Want // nil: not following
	sawPeer  bool  // a peer's handshake arrived since the want was set
	caughtUp bool

	peers    map[PeerID]*peer
	reqs     map[uint64]*request // in flight, by ID
	inflight feed.RangeSet       // union of the ranges in reqs
	nextID   uint64
	block    blockSizer
	actions  []Action
}

// NewMachine returns a Machine for a feed in the given local state,
// following nothing until SetWant.
func NewMachine(cfg MachineConfig, local Local) *Machine {
	cfg.fill()
	return &Machine{
		cfg:    cfg,
		local:  local,
		peers:  make(map[PeerID]*peer),
		reqs:   make(map[uint64]*request),
		nextID: 1,
		block:  newBlockSizer(cfg),
	}
}

// Ready returns the actions emitted since the last call, in order.
func (m *Machine) Ready() []Action {
	a := m.actions
	m.actions = nil
	return a
}

// CaughtUp reports whether everything wanted up to the latest checkpoint
// held is held (and at least one peer has been heard from).
func (m *Machine) CaughtUp() bool { return m.caughtUp }

// Following reports whether the machine has a want and the feed is not
// forked.
func (m *Machine) Following() bool { return m.want != nil && !m.local.Forked }

// SetWant starts (or changes) what is replicated; nil stops following,
// cancelling what is in flight.
func (m *Machine) SetWant(now time.Time, w *Want) {
	if sameWant(m.want, w) {
		return // a fetch's end that leaves the union as it was
	}
	if w != nil {
		c := *w
		w = &c
	}
	if w == nil || m.want == nil {
		m.sawPeer = len(m.peers) > 0
	}
	m.want = w
	m.caughtUp = false
	if !m.Following() {
		m.cancelAll()
	}
	m.step(now)
}

// LocalChanged reports a change of the local feed: a new checkpoint or new
// entries, from any source (a local append, a peer's data, an import).
func (m *Machine) LocalChanged(now time.Time, l Local) {
	m.local = l
	if l.Forked {
		m.cancelAll()
	}
	m.step(now)
}

// AddPeer adds a peer whose handshake completed.
func (m *Machine) AddPeer(now time.Time, id PeerID, st PeerState) {
	if _, ok := m.peers[id]; ok {
		panic(fmt.Sprintf("repl: peer %s added twice", id))
	}
	p := newPeer(id, st, now, m.cfg)
	m.peers[id] = p
	m.sawPeer = true
	if st.Resync {
		m.Resync(now, id)
	}
	m.step(now)
}

// RemovePeer removes a peer that left (stream closed); whatever it was
// asked for is asked of others.
func (m *Machine) RemovePeer(now time.Time, id PeerID) {
	p, ok := m.peers[id]
	if !ok {
		return
	}
	for _, r := range p.reqs {
		m.release(r)
	}
	delete(m.peers, id)
	m.step(now)
}

// Misbehaved blocks a peer that broke the protocol (a failed verification,
// a malformed message): it gets nothing more, and its requests go to
// others.
func (m *Machine) Misbehaved(now time.Time, id PeerID, reason string) {
	if _, ok := m.peers[id]; !ok {
		return
	}
	m.emit(Action{Kind: BlockPeer, Peer: id, Reason: reason})
	m.RemovePeer(now, id)
}

// PeerLatest returns the latest size the peer announced (-1 if unknown).
func (m *Machine) PeerLatest(id PeerID) int64 {
	if p, ok := m.peers[id]; ok {
		return p.latest
	}
	return -1
}

// PeerCheckpoint reports a Checkpoint the peer pushed, after the caller
// checked its signature and tried to apply it: latest is its size, held
// whether we now hold a checkpoint of that size. A peer's announced latest
// never shrinks: a smaller one is a replay and blocks the peer. (The same
// size again is how a peer tells us its latest when our push could not
// be applied: we push again from there.)
func (m *Machine) PeerCheckpoint(now time.Time, id PeerID, latest int64, held bool) error {
	p, ok := m.peers[id]
	if !ok {
		return nil
	}
	if latest < p.latest {
		err := fmt.Errorf("replayed checkpoint: size %d after %d", latest, p.latest)
		m.Misbehaved(now, id, err.Error())
		return err
	}
	p.latest, p.latestHeld, p.assumed = latest, held || p.latestHeld && latest == p.latest, 0
	m.step(now)
	return nil
}

// Resync tells a peer our latest again when a checkpoint it pushed could
// not be applied because its proof started from another size than our
// latest: the peer then pushes again, from the right size.
func (m *Machine) Resync(now time.Time, id PeerID) {
	p, ok := m.peers[id]
	if !ok || m.local.Latest >= p.latest {
		return
	}
	l := m.local.Latest
	m.emit(Action{Kind: SendCheckpoint, Peer: id, Size: l, From: l})
	p.told = push{l, l}
	m.step(now)
}

// CheckpointHeld reports that we now hold a checkpoint of this size (one
// we could not verify when a peer announced it): peers at that size can
// be asked to prove against it.
func (m *Machine) CheckpointHeld(now time.Time, size int64) {
	for _, p := range m.peers {
		if p.latest == size {
			p.latestHeld = true
		}
	}
	m.step(now)
}

// PeerHave reports a Have. Ranges must be sorted, not overlapping, and
// lie below the larger of the peer's latest and ours as we told it.
func (m *Machine) PeerHave(now time.Time, id PeerID, ranges []feed.Range) error {
	p, ok := m.peers[id]
	if !ok {
		return nil
	}
	err := checkSorted(ranges, max(p.base(), p.told.size))
	if err == nil {
		if p.ranges = union(p.ranges, ranges); len(p.ranges) > maxPeerRanges {
			err = fmt.Errorf("holds more than %d separate ranges", maxPeerRanges)
		}
	}
	if err != nil {
		m.Misbehaved(now, id, "have: "+err.Error())
		return err
	}
	m.step(now)
	return nil
}

// maxPeerRanges bounds how fragmented a peer's holdings may be.
const maxPeerRanges = 4 * wire.MaxRanges

// Expect returns the request a Data or Error with this ID from the peer
// answers, in flight or timed out; ok is false if none (an unsolicited
// answer is a protocol violation).
func (m *Machine) Expect(id PeerID, reqID uint64) (req wire.Request, ok bool) {
	p, found := m.peers[id]
	if !found {
		return req, false
	}
	if r, found := p.reqs[reqID]; found {
		return r.Request, true
	}
	if e, found := p.expired[reqID]; found {
		return e.Request, true
	}
	return req, false
}

// DataArrived reports that the answer to request reqID, bytes of
// entries, came in from the peer and is about to be verified and stored
// (DataApplied follows, or the peer is found to misbehave). The peer's
// window counts it no more, so the peer serves more while we apply it,
// and its measurements take the arrival time: how fast the peer answers,
// not how fast we store. Callers that apply as they receive may skip it.
func (m *Machine) DataArrived(now time.Time, id PeerID, reqID uint64, bytes int64) {
	p, ok := m.peers[id]
	if !ok {
		return
	}
	r, ok := p.reqs[reqID]
	if !ok || !r.arrived.IsZero() {
		return
	}
	prev := p.arrive(r, now)
	p.observe(now, prev, r, bytes, m.cfg)
	m.step(now)
}

// DataApplied reports that the peer answered request reqID with count
// entries (bytes in all) that verified and are stored.
func (m *Machine) DataApplied(now time.Time, id PeerID, reqID uint64, count, bytes int64) {
	p, ok := m.peers[id]
	if !ok {
		return
	}
	r, prev := p.answered(reqID, now)
	if r == nil {
		return
	}
	m.local.Held = m.local.Held.Add(r.Lo, r.Lo+count)
	p.bytesDown += bytes
	p.entriesDown += count
	if r.live {
		twin := r.twin
		m.release(r)
		if r.arrived.IsZero() { // else measured when it arrived
			p.observe(now, prev, r, bytes, m.cfg)
		}
		m.block.observe(count, bytes)
		if twin != nil && twin.live {
			m.cancel(twin, now)
		}
	}
	m.step(now)
}

// ErrorReceived reports an Error answer. A peer that does not hold what
// it announced, or cannot prove against the size asked, is not asked for
// it again; unknown IDs are protocol violations.
func (m *Machine) ErrorReceived(now time.Time, id PeerID, reqID uint64, code wire.ErrorCode) error {
	p, ok := m.peers[id]
	if !ok {
		return nil
	}
	r, _ := p.answered(reqID, now)
	if r == nil {
		err := fmt.Errorf("error for request %d, which is not outstanding", reqID)
		m.Misbehaved(now, id, err.Error())
		return err
	}
	if r.live {
		m.release(r)
		p.window = max(1, p.window/2)
	}
	switch code {
	case wire.CodeCancelled:
	case wire.CodeNotHeld:
		p.ranges = p.ranges.Remove(r.Lo, r.Hi)
	case wire.CodeRefused:
		p.backoff = now.Add(m.cfg.RequestTimeout / 4)
	default: // cannot prove, bad request: not at this size
		p.cannotProve = r.Size
	}
	m.step(now)
	return nil
}

// Tick advances time: requests past their timeout go to other peers, and
// a peer silent for StallTimeout with requests outstanding is blocked.
func (m *Machine) Tick(now time.Time) {
	for _, id := range m.peerIDs() {
		p := m.peers[id]
		if p.stalled(now, m.cfg.StallTimeout) {
			m.Misbehaved(now, id, fmt.Sprintf("stalled: no answer for %v", m.cfg.StallTimeout))
			continue
		}
		for _, r := range p.sortedReqs() {
			if r.arrived.IsZero() && now.Sub(r.sent) >= p.timeout(m.cfg) {
				m.expire(p, r, now)
			}
		}
	}
	m.step(now)
}

// step runs after every event: announcements, scheduling, caught-up.
func (m *Machine) step(now time.Time) {
	m.announce()
	m.schedule(now)
	m.checkCaughtUp()
}

func (m *Machine) emit(a Action) { m.actions = append(m.actions, a) }

// peerIDs returns the peers' IDs in order, so that iteration (and so
// every test) is deterministic.
func (m *Machine) peerIDs() []PeerID {
	ids := make([]PeerID, 0, len(m.peers))
	for id := range m.peers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// announce pushes our latest checkpoint to peers whose latest we believe
// smaller, with a proof from that size, once we hold the entries it adds
// (so we can prove it, and serve what the peer will ask next); and our
// new ranges to every peer.
func (m *Machine) announce() {
	for _, id := range m.peerIDs() {
		p := m.peers[id]
		l, base := m.local.Latest, p.base()
		if l > base && p.told != (push{l, base}) && m.local.Held.Covers(base, l) {
			m.emit(Action{Kind: SendCheckpoint, Peer: id, Size: l, From: base})
			p.told, p.assumed = push{l, base}, l
		}
		if fresh := subtract(m.local.Held, p.toldRanges); len(fresh) > 0 {
			m.emit(Action{Kind: SendHave, Peer: id, Ranges: fresh})
			p.toldRanges = union(p.toldRanges, fresh)
		}
	}
}

// wanted returns the entries wanted now: [0, latest), or the want's
// ranges clipped to it.
func (m *Machine) wanted() []feed.Range {
	if !m.Following() {
		return nil
	}
	return m.want.entries(m.local.Latest)
}

// Holds reports whether the entries of w up to the best checkpoint known
// are held, a peer having been heard from since the feed was last
// followed: a fetch of w is done.
func (m *Machine) Holds(w Want) bool {
	return m.sawPeer && coversAll(m.local.Held, w.entries(m.local.Latest))
}

func coversAll(held feed.RangeSet, rs []feed.Range) bool {
	for _, r := range rs {
		if !held.Covers(r.Lo, r.Hi) {
			return false
		}
	}
	return true
}

func (m *Machine) checkCaughtUp() {
	up := m.Following() && m.sawPeer && coversAll(m.local.Held, m.wanted())
	if up && !m.caughtUp {
		m.emit(Action{Kind: CaughtUp})
		if !m.want.Live {
			m.want = nil
		}
	}
	m.caughtUp = up || (m.caughtUp && m.want == nil)
}
