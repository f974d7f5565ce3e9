package swarm

import (
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/network"
)

// Metrics is a snapshot of the host's counters and gauges, for the node's
// /metrics endpoint. Counters only grow over the host's life.
type Metrics struct {
	Peers             int // connected peers (gauge)
	RoutingTablePeers int // peers in the DHT routing table (gauge)
	BlockedPeers      int // peers on the block list (gauge)
	Protected         int // replication partners protected (gauge)
	SyncStreamsIn     int // inbound sync streams open (gauge)
	SyncStreamsOut    int // outbound sync streams open (gauge)

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
	blocks, lookups, provides, provideErrors       atomic.Uint64
	streamsOpened, streamsAccepted, streamsRefused atomic.Uint64
	uploadsRefused                                 atomic.Uint64
}

// Metrics returns the current counters and gauges.
func (h *Host) Metrics() Metrics {
	h.protectMu.Lock()
	protected := len(h.protected)
	h.protectMu.Unlock()
	sync := h.syncScopeStat()
	return Metrics{
		SyncStreamsIn:     sync.NumStreamsInbound,
		SyncStreamsOut:    sync.NumStreamsOutbound,
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

// syncScopeStat returns what the sync service scope holds now.
func (h *Host) syncScopeStat() network.ScopeStat {
	var stat network.ScopeStat
	_ = h.rm.ViewService(SyncService, func(s network.ServiceScope) error {
		stat = s.Stat()
		return nil
	})
	return stat
}
