package swarm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"

	"github.com/steledb/stele/crypto"
)

// dhtOptions are the DHT options for c; h supplies the bootstrap peers.
func (c Config) dhtOptions(h *Host) []dht.Option {
	opts := []dht.Option{
		dht.Mode(c.DHTMode.dhtOption()),
		dht.ProtocolPrefix(c.DHTPrefix),
		dht.BootstrapPeersFunc(h.dhtBootstrapPeers),
	}
	if !c.Private {
		// As Kubo's WAN DHT: only peers that look publicly reachable are
		// queried or kept, so LAN and loopback addresses do not pollute
		// the public routing tables.
		opts = append(opts,
			dht.QueryFilter(dht.PublicQueryFilter),
			dht.RoutingTableFilter(dht.PublicRoutingTableFilter))
	}
	return opts
}

// dhtBootstrapPeers is what the DHT dials when its routing table empties:
// nothing until Bootstrap has been called.
func (h *Host) dhtBootstrapPeers() []peer.AddrInfo {
	if !h.bootstrapping.Load() {
		return nil
	}
	return h.bootstrap
}

// Bootstrap joins the swarm: it connects to every bootstrap peer at once,
// and once at least one answers (or if this node has none, being a
// bootstrap node itself) starts the DHT's routing-table refresh. From
// then on the DHT reconnects to the bootstrap peers by itself whenever
// its routing table empties. It fails only if every bootstrap peer fails.
func (h *Host) Bootstrap(ctx context.Context) error {
	h.bootstrapping.Store(true)
	if err := h.connectAny(ctx, h.bootstrap); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if err := h.dht.Bootstrap(ctx); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	return nil
}

// connectAny connects to all of infos in parallel and succeeds if any
// connection does (or if infos is empty).
func (h *Host) connectAny(ctx context.Context, infos []peer.AddrInfo) error {
	if len(infos) == 0 {
		return nil
	}
	errs := make([]error, len(infos))
	var wg sync.WaitGroup
	for i, ai := range infos {
		wg.Go(func() { errs[i] = h.Connect(ctx, ai) })
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("no bootstrap peer reached: %w", errors.Join(errs...))
}

// RoutingTableSize returns the number of peers in the DHT routing table.
func (h *Host) RoutingTableSize() int { return h.dht.RoutingTable().Size() }

// WaitRoutingTable waits until the DHT routing table holds at least n
// peers, or ctx ends. It wakes on every routing-table addition, never on
// a timer, so tests need not sleep.
func (h *Host) WaitRoutingTable(ctx context.Context, n int) error {
	for {
		changed := h.connMgr.rtChanged.wait() // before the check: no lost wakeup
		size := h.RoutingTableSize()
		if size >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d peers in the routing table, have %d: %w", n, size, ctx.Err())
		}
	}
}

// Provide announces in the DHT that this host holds the feed of id, and
// returns once the closest peers have stored the record. Records expire
// after 48 hours; see Reprovider.
func (h *Host) Provide(ctx context.Context, id crypto.DiscoveryID) error {
	if err := h.dht.Provide(ctx, id.CID(), true); err != nil {
		h.stats.provideErrors.Add(1)
		return fmt.Errorf("provide %s: %w", id, err)
	}
	h.stats.provides.Add(1)
	return nil
}

// FindProviders looks up the peers that hold the feed of id and sends
// each on the returned channel as soon as it is found, without this host
// and blocked peers. The channel is closed when the lookup ends or ctx
// does; the caller must read it to the end or cancel ctx.
func (h *Host) FindProviders(ctx context.Context, id crypto.DiscoveryID) <-chan peer.AddrInfo {
	h.stats.lookups.Add(1)
	found := h.dht.FindProvidersAsync(ctx, id.CID(), 0)
	out := make(chan peer.AddrInfo)
	go func() {
		defer close(out)
		for ai := range found {
			if ai.ID == h.ID() || h.gater.isBlocked(ai.ID) {
				continue
			}
			select {
			case out <- ai:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// relayCandidates is AutoRelay's peer source: the DHT routing table's
// peers, which on the public network are reachable servers.
func (h *Host) relayCandidates(ctx context.Context, num int) <-chan peer.AddrInfo {
	out := make(chan peer.AddrInfo, max(num, 0))
	select {
	case <-h.ready:
	case <-ctx.Done():
		close(out)
		return out
	}
	for _, p := range h.dht.RoutingTable().ListPeers() {
		if len(out) == cap(out) {
			break
		}
		if ai := h.host.Peerstore().PeerInfo(p); len(ai.Addrs) > 0 {
			out <- ai
		}
	}
	close(out)
	return out
}

// kbucketTag is the connection-manager tag kad-dht v0.42 gives the peers
// it adds to its routing table.
const kbucketTag = "kbucket"

// watchedConnMgr is the connection manager, watched for the only sign
// kad-dht gives of a routing-table addition: the table's PeerAdded
// callback, which the DHT owns, tags or protects the peer with
// kbucketTag.
type watchedConnMgr struct {
	*connmgr.BasicConnMgr
	rtChanged *signal
}

func newWatchedConnMgr(c Config) (*watchedConnMgr, error) {
	cm, err := connmgr.NewConnManager(c.ConnLow, c.ConnHigh, connmgr.WithGracePeriod(c.ConnGracePeriod))
	if err != nil {
		return nil, fmt.Errorf("connection manager: %w", err)
	}
	return &watchedConnMgr{BasicConnMgr: cm, rtChanged: newSignal()}, nil
}

func (m *watchedConnMgr) TagPeer(p peer.ID, tag string, value int) {
	m.BasicConnMgr.TagPeer(p, tag, value)
	if tag == kbucketTag {
		m.rtChanged.notify()
	}
}

func (m *watchedConnMgr) Protect(p peer.ID, tag string) {
	m.BasicConnMgr.Protect(p, tag)
	if tag == kbucketTag {
		m.rtChanged.notify()
	}
}

// A signal wakes every waiter on each notify. notify never blocks, so it
// may be called with other locks held (kad-dht holds its routing table's).
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

// wait returns a channel closed at the next notify.
func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func (s *signal) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}
