package swarm

import "sync/atomic"

// Metrics is a snapshot of the host's counters and gauges, for the node's
// /metrics endpoint. Counters only grow over the host's life.
type Metrics struct {
	Peers             int // connected peers (gauge)
	RoutingTablePeers int // peers in the DHT routing table (gauge)
	BlockedPeers      int // peers on the block list (gauge)
	Protected         int // replication partners protected (gauge)

	Blocks           uint64 // peers put on the block list
	DHTLookups       uint64 // FindProviders calls
	DHTProvides      uint64 // successful Provide calls
	DHTProvideErrors uint64 // failed Provide calls
	StreamsOpened    uint64 // streams opened by this host through OpenStream
	StreamsAccepted  uint64 // streams handed to a handler of SetStreamHandler
	StreamsRefused   uint64 // streams refused: service limit reached, or peer blocked
	UploadsRefused   uint64 // AllowUpload calls that said no
}

// counters are the host's monotonic counters.
type counters struct {
	blocks, lookups, provides, provideErrors      atomic.Uint64
	streamsOpened, streamsAccepted, streamsRefused atomic.Uint64
	uploadsRefused                                 atomic.Uint64
}

// Metrics returns the current counters and gauges.
func (h *Host) Metrics() Metrics {
	h.protectMu.Lock()
	protected := len(h.protected)
	h.protectMu.Unlock()
	return Metrics{
		Peers:             len(h.Peers()),
		RoutingTablePeers: h.RoutingTableSize(),
		BlockedPeers:      h.gater.count(),
		Protected:         protected,
		Blocks:            h.stats.blocks.Load(),
		DHTLookups:        h.stats.lookups.Load(),
		DHTProvides:       h.stats.provides.Load(),
		DHTProvideErrors:  h.stats.provideErrors.Load(),
		StreamsOpened:     h.stats.streamsOpened.Load(),
		StreamsAccepted:   h.stats.streamsAccepted.Load(),
		StreamsRefused:    h.stats.streamsRefused.Load(),
		UploadsRefused:    h.stats.uploadsRefused.Load(),
	}
}
