package node

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/steledb/stele/crypto"
)

// MetricsHandler serves the node's metrics in the Prometheus text format:
// the swarm's and the replication engine's counters, per-feed replication
// figures labelled by feed address, and the Go runtime's.
func (n *Node) MetricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{n}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

var (
	descPeers        = prometheus.NewDesc("stele_peers", "Connected peers.", nil, nil)
	descRouting      = prometheus.NewDesc("stele_dht_routing_table_peers", "Peers in the DHT routing table.", nil, nil)
	descBlocked      = prometheus.NewDesc("stele_blocked_peers", "Peers blocked for misbehaving.", nil, nil)
	descLookups      = prometheus.NewDesc("stele_dht_lookups_total", "DHT provider lookups.", nil, nil)
	descProvides     = prometheus.NewDesc("stele_dht_provides_total", "DHT provide operations.", nil, nil)
	descProvideErrs  = prometheus.NewDesc("stele_dht_provide_errors_total", "DHT provide operations that failed.", nil, nil)
	descVerifyFails  = prometheus.NewDesc("stele_verification_failures_total", "Checkpoints, ranges and fork evidence from peers that failed verification.", nil, nil)
	descViolations   = prometheus.NewDesc("stele_protocol_violations_total", "Peers caught breaking the sync protocol.", nil, nil)
	descUploadsDeny  = prometheus.NewDesc("stele_uploads_refused_total", "Requests refused by the upload limit.", nil, nil)
	descFeedUp       = prometheus.NewDesc("stele_feed_bytes_up_total", "Entry bytes served, per feed.", []string{"feed"}, nil)
	descFeedDown     = prometheus.NewDesc("stele_feed_bytes_down_total", "Entry bytes received and verified, per feed.", []string{"feed"}, nil)
	descFeedPeers    = prometheus.NewDesc("stele_feed_peers", "Peers replicating a feed with this node.", []string{"feed"}, nil)
	descFeedForked   = prometheus.NewDesc("stele_feed_forked", "1 if the feed is forked.", []string{"feed"}, nil)
	descStoreBytes   = prometheus.NewDesc("stele_store_bytes", "Bytes the feed store takes on disk.", nil, nil)
	descSeededFeeds  = prometheus.NewDesc("stele_seeded_feeds", "Feeds this node seeds.", nil, nil)
	descStreamsOpen  = prometheus.NewDesc("stele_sync_streams", "Open sync streams.", []string{"direction"}, nil)
	descStreamsTotal = prometheus.NewDesc("stele_sync_streams_total", "Sync streams opened, accepted and refused.", []string{"event"}, nil)
)

// collector reads the node's counters at scrape time.
type collector struct{ n *Node }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPeers, descRouting, descBlocked, descLookups, descProvides, descProvideErrs,
		descVerifyFails, descViolations, descUploadsDeny, descFeedUp, descFeedDown, descFeedPeers, descFeedForked,
		descStoreBytes, descSeededFeeds, descStreamsOpen, descStreamsTotal} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	h := c.n.Host.Metrics()
	gauge(descPeers, float64(h.Peers))
	gauge(descRouting, float64(h.RoutingTablePeers))
	gauge(descBlocked, float64(h.BlockedPeers))
	counter(descLookups, float64(h.DHTLookups))
	counter(descProvides, float64(h.DHTProvides))
	counter(descProvideErrs, float64(h.DHTProvideErrors))
	counter(descUploadsDeny, float64(h.UploadsRefused))
	gauge(descStreamsOpen, float64(h.SyncStreamsIn), "in")
	gauge(descStreamsOpen, float64(h.SyncStreamsOut), "out")
	counter(descStreamsTotal, float64(h.StreamsOpened), "opened")
	counter(descStreamsTotal, float64(h.StreamsAccepted), "accepted")
	counter(descStreamsTotal, float64(h.StreamsRefused), "refused")
	e := c.n.Engine.Metrics()
	counter(descVerifyFails, float64(e.VerificationFailures))
	counter(descViolations, float64(e.ProtocolViolations))
	for _, f := range e.Feeds {
		addr := crypto.FormatAddress(f.Feed)
		counter(descFeedUp, float64(f.BytesUp), addr)
		counter(descFeedDown, float64(f.BytesDown), addr)
		gauge(descFeedPeers, float64(f.Peers), addr)
		forked := 0.0
		if f.Forked {
			forked = 1
		}
		gauge(descFeedForked, forked, addr)
	}
	gauge(descStoreBytes, float64(c.n.Repo.Feeds.DiskUsage()))
	gauge(descSeededFeeds, float64(len(c.n.seeds.list())))
}
