package repl

import (
	"maps"
	"math"
	"slices"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// A push records the last checkpoint we announced to a peer: its size,
// and the size its consistency proof started from.
type push struct{ size, from int64 }

// A request is one Request in flight.
type request struct {
	wire.Request
	peer *peer
	sent time.Time
	// arrived is when its answer came in (DataArrived), to be verified
	// and stored: from then on the peer owes nothing for it.
	arrived time.Time
	live    bool     // counts as in flight (false once answered, expired or cancelled)
	twin    *request // the same range asked of another peer at the end of a transfer
}

// An expiredReq is a request we cancelled (timed out, or its twin came
// first). The peer still answers it, with Data if it had already sent it
// or Error CodeCancelled; either is accepted.
type expiredReq struct {
	wire.Request
	sent, cancelled time.Time
}

// peer is the Machine's view of one remote peer of the feed.
type peer struct {
	id         PeerID
	latest     int64 // its latest checkpoint's size, as it announced
	latestHeld bool  // we hold a checkpoint of that size
	ranges     feed.RangeSet
	told       push          // the last checkpoint we announced to it, and the proof's base
	assumed    int64         // the latest we believe it holds: what we announced since it last did
	toldRanges feed.RangeSet // our ranges as we announced them

	reqs        map[uint64]*request
	arrivedN    int // of reqs, those whose answer arrived and is being applied
	expired     map[uint64]expiredReq
	window      int
	cannotProve int64 // a size it said it cannot prove against
	backoff     time.Time

	// Measurements.
	minRTT, srtt time.Duration
	rate         float64 // bytes per second it delivers, smoothed
	respBytes    float64 // bytes per response, smoothed
	lastAnswer   time.Time
	silentSince  time.Time // since when it owes an answer; zero if it owes none
	bytesDown    int64
	entriesDown  int64
	timeouts     int
}

func newPeer(id PeerID, st PeerState, now time.Time, cfg MachineConfig) *peer {
	return &peer{
		id:         id,
		latest:     st.Latest,
		latestHeld: st.LatestHeld,
		ranges:     st.Ranges,
		told:       push{st.ToldLatest, st.Latest},
		assumed:    st.ToldLatest,
		toldRanges: st.ToldRanges,
		reqs:       make(map[uint64]*request),
		expired:    make(map[uint64]expiredReq),
		window:     cfg.InitialWindow,
		lastAnswer: now,
	}
}

// owed is how many of its requests the peer has still to answer.
func (p *peer) owed() int { return len(p.reqs) - p.arrivedN }

// pending reports whether the peer owes any answer, to a live request or
// an expired one.
func (p *peer) pending() bool { return p.owed()+len(p.expired) > 0 }

// canSend reports whether the peer's window has room. Answers that arrived
// and are being verified and stored do not count: the peer is done with
// them, and counting them would leave it idle while we work (with a window
// of three and two answers being applied, it would serve one request at a
// time, reading each from its disk only once it had sent the last).
func (p *peer) canSend(now time.Time, cfg MachineConfig) bool {
	return p.owed() < min(p.window, cfg.MaxInFlight) && !now.Before(p.backoff)
}

// requestSize returns the checkpoint size to ask this peer to prove
// against, given our latest l, or 0 if there is none: our latest if its
// tree reaches it (it announced as much, or we pushed it ours), else its
// own latest if we hold that checkpoint too.
func (p *peer) requestSize(l int64) int64 {
	if p.base() >= l && p.cannotProve != l && l > 0 {
		return l
	}
	if p.latestHeld && p.latest > 0 && p.latest < l && p.cannotProve != p.latest {
		return p.latest
	}
	return 0
}

// base is the size we believe the peer's latest checkpoint to be: what it
// announced, or what we announced to it since, if larger (it applies what
// we push, and tells us its latest again when it cannot).
func (p *peer) base() int64 { return max(p.latest, p.assumed) }

func (p *peer) sent(r *request, now time.Time) {
	if !p.pending() {
		p.silentSince = now
	}
	p.reqs[r.ID] = r
}

// answered removes and returns the request that an answer with this ID
// settles, or nil if there is none, and the time of the peer's previous
// answer. (Every request is answered exactly once, cancelled ones too, so
// a request stays owed until its answer comes.)
func (p *peer) answered(id uint64, now time.Time) (r *request, prev time.Time) {
	prev = p.lastAnswer
	if live, ok := p.reqs[id]; ok {
		p.drop(live)
		if !live.arrived.IsZero() {
			return live, prev // the answer was counted when it arrived
		}
		r = live
	} else if e, ok := p.expired[id]; ok {
		delete(p.expired, id)
		r = &request{Request: e.Request, peer: p, sent: e.sent}
	} else {
		return nil, prev
	}
	p.lastAnswer = now
	p.silentSince = time.Time{}
	if p.pending() {
		p.silentSince = now
	}
	return r, prev
}

// arrive records that the answer to live request r came in at now, to
// be verified and stored, and returns the time of the peer's previous
// answer.
func (p *peer) arrive(r *request, now time.Time) (prev time.Time) {
	prev = p.lastAnswer
	r.arrived = now
	p.arrivedN++
	p.lastAnswer = now
	p.silentSince = time.Time{}
	if p.pending() {
		p.silentSince = now
	}
	return prev
}

// drop takes r out of the peer's live requests.
func (p *peer) drop(r *request) {
	if _, ok := p.reqs[r.ID]; !ok {
		return
	}
	delete(p.reqs, r.ID)
	if !r.arrived.IsZero() {
		p.arrivedN--
	}
}

// expire moves a live request to the expired set (keeping it bounded).
func (p *peer) expire(r *request, now time.Time, maxExpired int) {
	p.drop(r)
	if len(p.expired) >= maxExpired {
		delete(p.expired, slices.Min(slices.Collect(maps.Keys(p.expired))))
	}
	p.expired[r.ID] = expiredReq{Request: r.Request, sent: r.sent, cancelled: now}
}

// stalled reports whether the peer has owed an answer for stall or more.
func (p *peer) stalled(now time.Time, stall time.Duration) bool {
	return p.pending() && !p.silentSince.IsZero() && now.Sub(p.silentSince) >= stall
}

// timeout is how long a request to p may take: the configured least, or
// four smoothed round trips of a slow peer.
func (p *peer) timeout(cfg MachineConfig) time.Duration {
	return max(cfg.RequestTimeout, 4*p.srtt)
}

func (p *peer) sortedReqs() []*request {
	out := make([]*request, 0, len(p.reqs))
	for _, r := range p.reqs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *request) int { return int64cmp(a.ID, b.ID) })
	return out
}

func int64cmp[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// observe updates the peer's measurements with a response of bytes to r,
// and sets its window to the requests that keep its pipe full: its
// bandwidth-delay product in responses, plus two.
func (p *peer) observe(now, prevAnswer time.Time, r *request, bytes int64, cfg MachineConfig) {
	rtt := max(now.Sub(r.sent), time.Microsecond)
	if p.minRTT == 0 || rtt < p.minRTT {
		p.minRTT = rtt
	}
	// The time the peer spent on this response: since it was asked, or
	// since its previous answer if it was busy with earlier requests.
	service := max(now.Sub(later(r.sent, prevAnswer)), time.Microsecond)
	sample := float64(bytes) / service.Seconds()
	if p.srtt == 0 {
		p.srtt, p.rate, p.respBytes = rtt, sample, float64(bytes)
	} else {
		p.srtt = (7*p.srtt + rtt) / 8
		p.rate = 0.75*p.rate + 0.25*sample
		p.respBytes = 0.75*p.respBytes + 0.25*float64(bytes)
	}
	bdp := p.rate * p.minRTT.Seconds() / max(p.respBytes, 1)
	target := int(math.Min(math.Ceil(bdp), float64(cfg.MaxInFlight))) + 2
	p.window = max(1, min(target, 2*p.window, cfg.MaxInFlight))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
