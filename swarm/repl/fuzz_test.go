package repl

import (
	"fmt"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// FuzzMachine drives a Machine with arbitrary event sequences and checks
// its invariants after each: it never panics; every request in flight is
// well-formed, proven against a checkpoint we hold, and listed once in
// both the machine's and its peer's books; no window is exceeded; the
// in-flight set is exactly the union of the requests; and two requests
// overlap only as endgame twins.
func FuzzMachine(f *testing.F) {
	f.Add([]byte{5, 100, 7, 0, 0, 3, 200, 2, 0, 1, 4, 9, 2, 1, 1})
	f.Add([]byte{5, 50, 0, 1, 60, 0, 2, 40, 4, 200, 4, 200, 3, 1, 2, 1, 0, 2, 0, 5})
	f.Fuzz(runScriptFuzz)
}

// runScriptFuzz runs one fuzzed event script.
func runScriptFuzz(t *testing.T, script []byte) {
	now := time.Unix(1e9, 0)
	m := NewMachine(MachineConfig{InitialBlock: 7, MaxInFlight: 5, RequestTimeout: time.Second, StallTimeout: 3 * time.Second}, Local{})
	local := Local{}
	next := func() int64 {
		if len(script) == 0 {
			return 0
		}
		b := script[0]
		script = script[1:]
		return int64(b)
	}
	peerName := func() PeerID { return PeerID(fmt.Sprint("p", next()%4)) }
	for len(script) > 0 {
		switch next() % 8 {
		case 0:
			id := peerName()
			if _, ok := m.peers[id]; !ok {
				latest := next()
				m.AddPeer(now, id, PeerState{Latest: latest, LatestHeld: next()%2 == 0, Ranges: feed.RangeSet{}.Add(next()%(latest+1), latest)})
			}
		case 1:
			m.RemovePeer(now, peerName())
		case 2, 3:
			id := peerName()
			if p, ok := m.peers[id]; ok {
				for _, r := range p.sortedReqs() {
					if next()%2 == 0 {
						m.DataApplied(now, id, r.ID, 1+next()%(r.Hi-r.Lo), 100)
					} else {
						m.ErrorReceived(now, id, r.ID, wire.ErrorCode(next()%6))
					}
					break
				}
			}
		case 4:
			now = now.Add(time.Duration(next()) * 20 * time.Millisecond)
			m.Tick(now)
		case 5:
			local.Latest += next()
			local.Held = local.Held.Add(0, next()%(local.Latest+1))
			m.LocalChanged(now, local)
		case 6:
			id := peerName()
			if p, ok := m.peers[id]; ok {
				lo := next() % (p.base() + 1)
				m.PeerHave(now, id, []feed.Range{{Lo: lo, Hi: lo + next()%4}})
			}
		case 7:
			var w *Want
			if v := next(); v%3 != 0 {
				w = &Want{All: true, Live: v%2 == 0}
				if v%5 == 0 {
					lo, hi := next(), next()+200
					w.All, w.Ranges = false, feed.RangeSet{}.Add(lo, hi)
				}
			}
			m.SetWant(now, w)
		}
		m.Ready()
		checkInvariants(t, m)
	}
}

func checkInvariants(t *testing.T, m *Machine) {
	t.Helper()
	var union feed.RangeSet
	live := 0
	for id, p := range m.peers {
		if len(p.reqs) > m.cfg.MaxInFlight {
			t.Fatalf("peer %s has %d requests in flight, limit %d", id, len(p.reqs), m.cfg.MaxInFlight)
		}
		for rid, r := range p.reqs {
			live++
			if m.reqs[rid] != r || !r.live || r.peer != p {
				t.Fatalf("request %d of %s is not in the machine's books", rid, id)
			}
			if r.Lo >= r.Hi || r.Hi > r.Size || r.Size > m.local.Latest {
				t.Fatalf("bad request %+v (latest %d)", r.Request, m.local.Latest)
			}
			union = union.Add(r.Lo, r.Hi)
		}
	}
	if live != len(m.reqs) {
		t.Fatalf("machine has %d requests, peers %d", len(m.reqs), live)
	}
	if union.String() != m.inflight.String() {
		t.Fatalf("in flight %s, requests cover %s", m.inflight, union)
	}
	for _, a := range m.reqs {
		for _, b := range m.reqs {
			if a != b && a.Lo < b.Hi && b.Lo < a.Hi && a.twin != b {
				t.Fatalf("requests %+v and %+v overlap", a.Request, b.Request)
			}
		}
	}
}
