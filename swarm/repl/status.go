package repl

import (
	"time"

	"github.com/steledb/stele/feed"
)

// MachineStatus is a snapshot of a Machine, for status displays.
type MachineStatus struct {
	Latest   int64
	Held     feed.RangeSet
	Want     *Want // nil: not following
	CaughtUp bool
	Forked   bool
	Block    int64 // entries asked per request now
	InFlight feed.RangeSet
	Peers    []PeerStatus
}

// PeerStatus is the Machine's view of one peer.
type PeerStatus struct {
	ID          PeerID
	Latest      int64         // its latest checkpoint's size
	Ranges      feed.RangeSet // what it holds
	InFlight    int           // requests to it in flight
	Window      int           // requests it may have in flight
	BytesDown   int64         // entry bytes received from it
	BytesUp     int64         // entry bytes served to it (filled by the Engine)
	EntriesDown int64
	RTT         time.Duration // smoothed round trip of a request
	Rate        float64       // bytes per second it delivers, smoothed
	Timeouts    int
}

// Status returns a snapshot of the machine's state.
func (m *Machine) Status() MachineStatus {
	st := MachineStatus{
		Latest: m.local.Latest, Held: m.local.Held, CaughtUp: m.caughtUp,
		Forked: m.local.Forked, Block: m.block.entries, InFlight: m.inflight,
	}
	if m.want != nil {
		w := *m.want
		st.Want = &w
	}
	for _, id := range m.peerIDs() {
		p := m.peers[id]
		st.Peers = append(st.Peers, PeerStatus{
			ID: id, Latest: p.latest, Ranges: p.ranges, InFlight: len(p.reqs), Window: p.window,
			BytesDown: p.bytesDown, EntriesDown: p.entriesDown, RTT: p.srtt, Rate: p.rate, Timeouts: p.timeouts,
		})
	}
	return st
}
