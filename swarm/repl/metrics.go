package repl

import (
	"sync/atomic"

	"github.com/steledb/stele/crypto"
)

type counters struct {
	verificationFailures atomic.Int64
	violations           atomic.Int64
	blockedPeers         atomic.Int64
}

// Metrics are the engine's counters, for the node to export (as
// Prometheus metrics, say). Counters only grow.
type Metrics struct {
	VerificationFailures int64 // checkpoints, ranges and fork evidence that failed verification
	ProtocolViolations   int64 // peers caught breaking the protocol (including the above)
	BlockedPeers         int64 // peers blocked
	Peers                int   // distinct peers with a stream now
	Feeds                []FeedMetrics
}

// FeedMetrics are one feed's replication counters.
type FeedMetrics struct {
	Feed               crypto.PublicKey
	Peers              int   // streams now
	BytesUp, BytesDown int64 // entry bytes served and received
	Forked             bool
}

// Metrics returns a snapshot of the counters.
func (e *Engine) Metrics() Metrics {
	m := Metrics{
		VerificationFailures: e.counters.verificationFailures.Load(),
		ProtocolViolations:   e.counters.violations.Load(),
		BlockedPeers:         e.counters.blockedPeers.Load(),
	}
	peers := make(map[PeerID]bool)
	for _, s := range e.allSessions() {
		conns := s.allConns()
		for _, c := range conns {
			peers[c.id] = true
		}
		_, forked := s.f.Forked()
		m.Feeds = append(m.Feeds, FeedMetrics{Feed: s.pub, Peers: len(conns), BytesUp: s.bytesUp.Load(), BytesDown: s.bytesDown.Load(), Forked: forked})
	}
	m.Peers = len(peers)
	return m
}
