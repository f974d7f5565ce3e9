package repl

import (
	"slices"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// schedule fills every peer's window with blocks of wanted entries that
// are neither held nor in flight and that the peer holds, lowest first,
// one block per peer per round so that work spreads over all peers; the
// fastest peers choose first. When nothing new is left, idle peers take
// over requests that a slower peer has kept too long (the endgame).
func (m *Machine) schedule(now time.Time) {
	wanted := m.wanted()
	if coversAll(m.local.Held, wanted) {
		return
	}
	peers := m.peersBySpeed()
	for progress := true; progress; {
		progress = false
		for _, p := range peers {
			if !p.canSend(now, m.cfg) {
				continue
			}
			if r, ok := m.nextBlock(p, wanted); ok {
				m.send(p, r, now)
				progress = true
			}
		}
	}
	for _, p := range peers {
		for p.canSend(now, m.cfg) && m.endgame(p, now) {
		}
	}
}

// peersBySpeed orders peers by timeouts (fewest first: a peer that just
// let a request expire is asked last), then by measured rate (fastest
// first, unmeasured last), then by ID.
func (m *Machine) peersBySpeed() []*peer {
	out := make([]*peer, 0, len(m.peers))
	for _, id := range m.peerIDs() {
		out = append(out, m.peers[id])
	}
	slices.SortStableFunc(out, func(a, b *peer) int {
		switch {
		case a.timeouts != b.timeouts:
			return a.timeouts - b.timeouts
		case a.rate > b.rate:
			return -1
		case a.rate < b.rate:
			return 1
		}
		return 0
	})
	return out
}

// nextBlock finds the first block of the wanted ranges that p can serve
// and that is neither held nor in flight.
func (m *Machine) nextBlock(p *peer, wanted []feed.Range) (wire.Request, bool) {
	size := p.requestSize(m.local.Latest)
	for _, w := range wanted {
		lo, hi := w.Lo, min(w.Hi, size)
		if lo >= hi {
			break // the ranges are sorted: the rest lie beyond size too
		}
		free := subtract(m.local.Held.Missing(lo, hi), m.inflight)
		if r, ok := firstIn(free, p.ranges); ok {
			return wire.Request{Lo: r.Lo, Hi: min(r.Hi, r.Lo+m.block.entries), Size: size}, true
		}
	}
	return wire.Request{}, false
}

// endgame gives p a twin of the oldest request another peer has held for
// more than two of p's round trips, if p can serve it. Whichever answers
// first wins; the other is cancelled.
func (m *Machine) endgame(p *peer, now time.Time) bool {
	if p.srtt == 0 {
		return false
	}
	size := p.requestSize(m.local.Latest)
	var best *request
	for _, id := range m.reqIDs() {
		r := m.reqs[id]
		if r.peer == p || r.twin != nil || !r.arrived.IsZero() || now.Sub(r.sent) <= 2*p.srtt ||
			r.Hi > size || !p.ranges.Covers(r.Lo, r.Hi) {
			continue
		}
		if best == nil || r.sent.Before(best.sent) {
			best = r
		}
	}
	if best == nil {
		return false
	}
	twin := m.send(p, wire.Request{Lo: best.Lo, Hi: best.Hi, Size: size}, now)
	twin.twin, best.twin = best, twin
	return true
}

func (m *Machine) reqIDs() []uint64 {
	ids := make([]uint64, 0, len(m.reqs))
	for id := range m.reqs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (m *Machine) send(p *peer, req wire.Request, now time.Time) *request {
	req.ID = m.nextID
	m.nextID++
	r := &request{Request: req, peer: p, sent: now, live: true}
	m.reqs[r.ID] = r
	m.inflight = m.inflight.Add(r.Lo, r.Hi)
	p.sent(r, now)
	m.emit(Action{Kind: SendRequest, Peer: p.id, Request: req})
	return r
}

// release takes a request out of flight; its range becomes missing again
// unless its twin still covers it.
func (m *Machine) release(r *request) {
	if !r.live {
		return
	}
	r.live = false
	delete(m.reqs, r.ID)
	r.peer.drop(r)
	m.inflight = m.inflight.Remove(r.Lo, r.Hi)
	if t := r.twin; t != nil {
		t.twin, r.twin = nil, nil
		if t.live {
			m.inflight = m.inflight.Add(t.Lo, t.Hi)
		}
	}
}

// cancel withdraws a live request: its peer is told, and an answer that
// crosses the Cancel is still accepted.
func (m *Machine) cancel(r *request, now time.Time) {
	m.release(r)
	r.peer.expire(r, now, 2*m.cfg.MaxInFlight)
	m.emit(Action{Kind: SendCancel, Peer: r.peer.id, Request: wire.Request{ID: r.ID}})
}

// expire cancels a request that timed out and halves its peer's window.
func (m *Machine) expire(p *peer, r *request, now time.Time) {
	m.cancel(r, now)
	p.window = max(1, p.window/2)
	p.timeouts++
}

func (m *Machine) cancelAll() {
	for _, id := range m.reqIDs() {
		// A zero time: cancelling everything is not about a peer's speed,
		// and any answer that crosses it is still accepted.
		m.cancel(m.reqs[id], time.Time{})
	}
}

// A blockSizer adapts the entries asked per request so that responses
// carry about TargetResponseBytes, from the smoothed size of the entries
// received; it moves by at most a factor of two per response.
type blockSizer struct {
	entries  int64
	perEntry float64
	cfg      MachineConfig
}

func newBlockSizer(cfg MachineConfig) blockSizer {
	return blockSizer{entries: min(max(cfg.InitialBlock, cfg.MinBlock), cfg.MaxBlock), cfg: cfg}
}

func (b *blockSizer) observe(count, bytes int64) {
	if count <= 0 {
		return
	}
	sample := float64(bytes) / float64(count)
	if b.perEntry == 0 {
		b.perEntry = sample
	} else {
		b.perEntry = 0.75*b.perEntry + 0.25*sample
	}
	target := int64(float64(b.cfg.TargetResponseBytes) / max(b.perEntry, 1))
	next := min(max(target, b.entries/2), 2*b.entries)
	b.entries = min(max(next, b.cfg.MinBlock), b.cfg.MaxBlock)
}
