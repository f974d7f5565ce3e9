package repl

import (
	"container/heap"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// A deterministic simulation of one follower's Machine among scripted
// peers, on a virtual clock. Each simulated peer serves requests one at a
// time at its rate, after half its round trip each way, and behaves as
// its kind says.

type simKind int

const (
	honest  simKind = iota
	liar            // its data fails verification
	staller         // stops answering after its first few responses
)

type simPeer struct {
	id      PeerID
	kind    simKind
	rate    float64       // bytes per second
	rtt     time.Duration // round trip
	ranges  feed.RangeSet // entries it holds
	latest  int64
	leaveAt time.Duration // 0: never
	joinAt  time.Duration

	busyUntil time.Time
	served    int64 // entries delivered
	answers   int
	queued    map[uint64]*simEvent // responses not yet delivered
	gone      bool
	blocked   string
}

type simEvent struct {
	at   time.Time
	seq  int
	fn   func()
	dead bool
}

type eventQueue []*simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type sim struct {
	t         *testing.T
	m         *Machine
	now       time.Time
	start     time.Time
	q         eventQueue
	seq       int
	peers     map[PeerID]*simPeer
	entrySize int64
	local     Local
	log       []string
	caughtUp  []time.Duration
}

func newSim(t *testing.T, cfg MachineConfig, entrySize int64, peers ...*simPeer) *sim {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &sim{t: t, now: start, start: start, peers: map[PeerID]*simPeer{}, entrySize: entrySize}
	s.m = NewMachine(cfg, s.local)
	for _, p := range peers {
		p.queued = map[uint64]*simEvent{}
		s.peers[p.id] = p
		s.at(p.joinAt, func() { s.join(p) })
		if p.leaveAt > 0 {
			s.at(p.leaveAt, func() {
				p.gone = true
				for _, e := range p.queued {
					e.dead = true
				}
				s.m.RemovePeer(s.now, p.id)
			})
		}
	}
	return s
}

func (s *sim) at(d time.Duration, fn func()) { s.atTime(s.start.Add(d), fn) }

func (s *sim) atTime(t time.Time, fn func()) *simEvent {
	s.seq++
	e := &simEvent{at: t, seq: s.seq, fn: fn}
	heap.Push(&s.q, e)
	return e
}

// join hands the follower the peer's checkpoint (the runtime applies it
// first: the local latest grows) and then the peer.
func (s *sim) join(p *simPeer) {
	if p.latest > s.local.Latest {
		s.local.Latest = p.latest
		s.m.LocalChanged(s.now, s.local)
	}
	s.m.AddPeer(s.now, p.id, PeerState{Latest: p.latest, LatestHeld: true, Ranges: p.ranges, ToldLatest: s.local.Latest, ToldRanges: s.local.Held})
}

// appendEntries makes the author (and every peer that follows it) grow to
// n entries, pushing the checkpoint and a Have to the follower.
func (s *sim) appendEntries(d time.Duration, n int64, holders ...PeerID) {
	s.at(d, func() {
		for _, id := range holders {
			p := s.peers[id]
			old := p.latest
			p.latest = n
			p.ranges = p.ranges.Add(old, n)
			if p.gone || p.blocked != "" {
				continue
			}
			if n > s.local.Latest {
				s.local.Latest = n
				s.m.LocalChanged(s.now, s.local)
			}
			if err := s.m.PeerCheckpoint(s.now, id, n, true); err != nil {
				s.t.Fatal(err)
			}
			if err := s.m.PeerHave(s.now, id, []feed.Range{{Lo: old, Hi: n}}); err != nil {
				s.t.Fatal(err)
			}
		}
	})
}

// run processes events and the machine's actions until the queue is empty
// or the limit passes, ticking every 50 ms.
func (s *sim) run(limit time.Duration) {
	end := s.start.Add(limit)
	for tick := s.start; tick.Before(end); tick = tick.Add(50 * time.Millisecond) {
		s.atTime(tick, func() { s.m.Tick(s.now) })
	}
	for s.q.Len() > 0 {
		e := heap.Pop(&s.q).(*simEvent)
		if e.at.After(end) {
			break
		}
		if e.dead {
			continue
		}
		s.now = e.at
		e.fn()
		s.act()
	}
}

func (s *sim) act() {
	for _, a := range s.m.Ready() {
		s.log = append(s.log, fmt.Sprintf("%v %v", s.now.Sub(s.start), a))
		p := s.peers[a.Peer]
		switch a.Kind {
		case SendRequest:
			s.serve(p, a.Request)
		case SendCancel:
			s.cancel(p, a.Request.ID)
		case BlockPeer:
			p.blocked = a.Reason
			for _, e := range p.queued {
				e.dead = true
			}
		case CaughtUp:
			s.caughtUp = append(s.caughtUp, s.now.Sub(s.start))
		}
	}
}

func (s *sim) serve(p *simPeer, req wire.Request) {
	if p.kind == staller && p.answers >= 2 {
		return
	}
	p.answers++
	start := later(s.now.Add(p.rtt/2), p.busyUntil)
	if !p.ranges.Covers(req.Lo, req.Hi) {
		p.queued[req.ID] = s.atTime(start.Add(p.rtt/2), func() {
			delete(p.queued, req.ID)
			s.m.ErrorReceived(s.now, p.id, req.ID, wire.CodeNotHeld)
		})
		return
	}
	count := req.Hi - req.Lo
	bytes := count * s.entrySize
	p.busyUntil = start.Add(time.Duration(float64(bytes) / p.rate * float64(time.Second)))
	p.queued[req.ID] = s.atTime(p.busyUntil.Add(p.rtt/2), func() {
		delete(p.queued, req.ID)
		s.deliver(p, req, count, bytes)
	})
}

func (s *sim) deliver(p *simPeer, req wire.Request, count, bytes int64) {
	got, ok := s.m.Expect(p.id, req.ID)
	if !ok || got != req {
		s.t.Fatalf("%v: data for request %+v, machine expects %+v %v", s.now.Sub(s.start), req, got, ok)
	}
	if p.kind == liar {
		s.m.Misbehaved(s.now, p.id, "range proof does not verify")
		return
	}
	p.served += count
	s.local.Held = s.local.Held.Add(req.Lo, req.Lo+count)
	s.m.DataApplied(s.now, p.id, req.ID, count, bytes)
	s.m.LocalChanged(s.now, s.local)
}

// cancel: a response not yet being served is answered CodeCancelled as
// soon as the Cancel arrives; one under way is delivered anyway.
func (s *sim) cancel(p *simPeer, id uint64) {
	e, ok := p.queued[id]
	if !ok {
		return
	}
	arrive := s.now.Add(p.rtt / 2)
	if e.at.Sub(arrive) > p.rtt/2 {
		e.dead = true
		p.queued[id] = s.atTime(arrive.Add(p.rtt/2), func() {
			delete(p.queued, id)
			s.m.ErrorReceived(s.now, p.id, id, wire.CodeCancelled)
		})
	}
}

func (s *sim) dump() string {
	if len(s.log) > 60 {
		return strings.Join(s.log[:30], "\n") + "\n...\n" + strings.Join(s.log[len(s.log)-30:], "\n")
	}
	return strings.Join(s.log, "\n")
}

func all(n int64) feed.RangeSet { return feed.RangeSet{{Lo: 0, Hi: n}} }

func TestSimulation(t *testing.T) {
	const mb = 1e6
	tests := []struct {
		name     string
		n        int64 // entries of 1 KB
		want     *feed.Range
		peers    []*simPeer
		appends  func(s *sim)
		limit    time.Duration
		check    func(t *testing.T, s *sim)
		blocked  []PeerID
		wantHeld feed.RangeSet
	}{{
		name:  "one peer",
		n:     10_000,
		peers: []*simPeer{{id: "a", rate: 50 * mb, rtt: 10 * time.Millisecond, ranges: all(10_000), latest: 10_000}},
	}, {
		name: "fast peer gets most",
		n:    50_000,
		peers: []*simPeer{
			{id: "fast", rate: 100 * mb, rtt: 5 * time.Millisecond, ranges: all(50_000), latest: 50_000},
			{id: "slow", rate: 5 * mb, rtt: 50 * time.Millisecond, ranges: all(50_000), latest: 50_000},
		},
		check: func(t *testing.T, s *sim) {
			fast, slow := s.peers["fast"].served, s.peers["slow"].served
			if fast < 8*slow {
				t.Errorf("fast peer served %d entries, slow %d: want the fast one to serve most", fast, slow)
			}
			// Alone at 100 MB/s, 50 MB take 0.5 s; the slow peer must not
			// hold the end back much (the endgame takes its last blocks).
			if done := s.caughtUp[0]; done > 800*time.Millisecond {
				t.Errorf("caught up after %v", done)
			}
		},
	}, {
		name: "peer leaves mid-transfer",
		n:    20_000,
		peers: []*simPeer{
			{id: "a", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: all(20_000), latest: 20_000, leaveAt: 300 * time.Millisecond},
			{id: "b", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: all(20_000), latest: 20_000},
		},
		check: func(t *testing.T, s *sim) {
			if a := s.peers["a"].served; a == 0 || a >= 20_000 {
				t.Errorf("leaving peer served %d entries", a)
			}
		},
	}, {
		name: "liar blocked, range refetched",
		n:    20_000,
		peers: []*simPeer{
			{id: "liar", kind: liar, rate: 100 * mb, rtt: 2 * time.Millisecond, ranges: all(20_000), latest: 20_000},
			{id: "b", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: all(20_000), latest: 20_000},
		},
		blocked: []PeerID{"liar"},
		check: func(t *testing.T, s *sim) {
			if n := s.peers["liar"].served; n != 0 {
				t.Errorf("liar's data was counted: %d entries", n)
			}
		},
	}, {
		name: "staller blocked, its requests reassigned",
		n:    20_000,
		peers: []*simPeer{
			{id: "stall", kind: staller, rate: 100 * mb, rtt: 2 * time.Millisecond, ranges: all(20_000), latest: 20_000},
			{id: "b", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: all(20_000), latest: 20_000},
		},
		limit:   5 * time.Second,
		blocked: []PeerID{"stall"},
	}, {
		name: "sparse peers with disjoint ranges",
		n:    30_000,
		peers: []*simPeer{
			{id: "a", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: feed.RangeSet{{Lo: 0, Hi: 10_000}}, latest: 30_000},
			{id: "b", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: feed.RangeSet{{Lo: 10_000, Hi: 20_000}}, latest: 30_000},
			{id: "c", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: feed.RangeSet{{Lo: 20_000, Hi: 30_000}}, latest: 30_000},
		},
		check: func(t *testing.T, s *sim) {
			for _, id := range []PeerID{"a", "b", "c"} {
				if n := s.peers[id].served; n != 10_000 {
					t.Errorf("peer %s served %d entries, want its 10000", id, n)
				}
			}
		},
	}, {
		name:     "want a range",
		n:        30_000,
		want:     &feed.Range{Lo: 5_000, Hi: 7_000},
		peers:    []*simPeer{{id: "a", rate: 20 * mb, rtt: 10 * time.Millisecond, ranges: all(30_000), latest: 30_000}},
		wantHeld: feed.RangeSet{{Lo: 5_000, Hi: 7_000}},
	}, {
		name: "live append while following",
		n:    1_000,
		peers: []*simPeer{
			{id: "author", rate: 50 * mb, rtt: 2 * time.Millisecond, ranges: all(1_000), latest: 1_000},
			{id: "v", rate: 50 * mb, rtt: 2 * time.Millisecond, ranges: all(1_000), latest: 1_000},
		},
		appends: func(s *sim) {
			s.appendEntries(time.Second, 1_010, "author")
			s.appendEntries(2*time.Second, 1_020, "author")
		},
		wantHeld: all(1_020),
		check: func(t *testing.T, s *sim) {
			if len(s.caughtUp) != 3 || s.caughtUp[1] > time.Second+10*time.Millisecond || s.caughtUp[2] > 2*time.Second+10*time.Millisecond {
				t.Errorf("caught up at %v, want soon after 0, 1 s and 2 s", s.caughtUp)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, MachineConfig{RequestTimeout: time.Second, StallTimeout: 3 * time.Second}, 1000, tc.peers...)
			w := WantOf(tc.want, true)
			s.m.SetWant(s.now, &w)
			if tc.appends != nil {
				tc.appends(s)
			}
			s.run(max(tc.limit, 5*time.Second))
			want := tc.wantHeld
			if want == nil {
				want = all(tc.n)
			}
			if s.local.Held.String() != want.String() {
				t.Fatalf("held %s, want %s\n%s", s.local.Held, want, s.dump())
			}
			if len(s.caughtUp) == 0 {
				t.Errorf("never caught up\n%s", s.dump())
			}
			for id, p := range s.peers {
				isBlocked := p.blocked != ""
				wantBlocked := false
				for _, b := range tc.blocked {
					wantBlocked = wantBlocked || b == id
				}
				if isBlocked != wantBlocked {
					t.Errorf("peer %s blocked = %q, want blocked %v\n%s", id, p.blocked, wantBlocked, s.dump())
				}
			}
			for _, id := range s.m.peerIDs() {
				t.Logf("peer %s served %d entries", id, s.peers[id].served)
			}
			t.Logf("caught up at %v", s.caughtUp)
			if tc.check != nil {
				tc.check(t, s)
			}
			if t.Failed() {
				t.Log(s.dump())
			}
		})
	}
}
