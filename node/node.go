// Package node wires a stele node together: the repo (feed store and
// identity), the libp2p host and its DHT (package swarm), the replication
// engine (swarm/repl) and the graph databases (node/dbs). It owns every
// goroutine they need and stops them all on Close.
//
// A running node
//
//   - serves every feed it holds, authored or replicated, to any peer that
//     proves it knows the feed's address;
//   - provides the discovery ID of every feed it holds in the DHT, and
//     re-provides them on a timer;
//   - follows the feeds it seeds (the repo's seeds.json): finds their
//     providers through the DHT, connects, fetches and verifies what it
//     lacks, and keeps up live as the author appends;
//   - exposes counters for Prometheus (Collector).
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
	"github.com/steledb/stele/swarm"
	"github.com/steledb/stele/swarm/repl"
)

// Options tune a node. The zero value is usable.
type Options struct {
	// Logger receives the node's logs (default: discard).
	Logger *slog.Logger
	// DiscoverInterval is how often a followed feed's providers are looked
	// up again (default 30 s; 2 s while it has no peer).
	DiscoverInterval time.Duration
	// AnnounceInterval is how often the node looks for feeds it has not
	// provided yet (new ones) (default 2 s).
	AnnounceInterval time.Duration
}

// A Node is a running stele node.
type Node struct {
	Repo   *repo.Repo
	Host   *swarm.Host
	Engine *repl.Engine
	DBs    *dbs.Manager

	log    *slog.Logger
	opts   Options
	net    *swarm.SyncNetwork[repl.PeerID, repl.Stream]
	reprov *swarm.Reprovider
	seeds  *seedList

	stop chan struct{} // closed by Close
	wg   sync.WaitGroup

	seedMu sync.Mutex // serialises changes to a seed's record

	mu        sync.Mutex
	following map[crypto.PublicKey]*followed
	provided  map[crypto.DiscoveryID]bool
	closed    bool
}

// Start starts a node on an open repo. The repo stays the caller's: Close
// the node before closing the repo.
func Start(r *repo.Repo, opts Options) (*Node, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.DiscoverInterval <= 0 {
		opts.DiscoverInterval = 30 * time.Second
	}
	if opts.AnnounceInterval <= 0 {
		opts.AnnounceInterval = 2 * time.Second
	}
	cfg, err := SwarmConfig(r.Config)
	if err != nil {
		return nil, err
	}
	host, err := swarm.New(r.Identity, cfg)
	if err != nil {
		return nil, fmt.Errorf("start swarm: %w", err)
	}
	seeds, err := loadSeeds(filepath.Join(r.Path, SeedsFile))
	if err != nil {
		host.Close()
		return nil, err
	}
	n := &Node{
		Repo: r, Host: host, DBs: dbs.New(r.Feeds, filepath.Join(r.Path, "graphs"), nil),
		log: opts.Logger, opts: opts, seeds: seeds,
		stop: make(chan struct{}), following: map[crypto.PublicKey]*followed{}, provided: map[crypto.DiscoveryID]bool{},
	}
	n.net = swarm.NewSyncNetwork[repl.PeerID, repl.Stream](host)
	n.Engine = repl.NewEngine(r.Feeds, repl.PeerID(host.ID()), wrapNetwork(n.net), repl.Config{UploadBytesPerSecond: r.Config.Limits.Upload}, nil)
	n.net.Serve(func(p repl.PeerID, s repl.Stream) { n.Engine.HandleStream(wrapStream(s), p) })
	n.goLoop(func(ctx context.Context) { n.Engine.Run(ctx) })
	n.goLoop(n.bootstrap)
	n.reprov = swarm.NewReprovider(host, n.heldDiscoveryIDs, swarm.ReproviderConfig{})
	n.reprov.Start()
	n.goLoop(n.announceLoop)
	for _, s := range seeds.list() {
		if err := n.startSeed(s); err != nil {
			n.log.Warn("cannot seed feed", "feed", crypto.FormatAddress(s.pub), "err", err)
		}
	}
	n.log.Info("node started", "peer", host.ID().String(), "addrs", fmt.Sprint(host.Addrs()))
	return n, nil
}

// SwarmConfig turns the repo's swarm settings into the host's.
func SwarmConfig(c repo.Config) (swarm.Config, error) {
	cfg := swarm.PublicConfig()
	if c.Swarm.Private {
		cfg = swarm.LocalConfig()
		cfg.DHTPrefix = swarmPrefix(c.Swarm.DHTPrefix)
	}
	listen, err := multiaddrs(c.Swarm.Listen)
	if err != nil {
		return cfg, fmt.Errorf("swarm.listen: %w", err)
	}
	cfg.ListenAddrs = listen
	if len(c.Swarm.Bootstrap) > 0 || c.Swarm.Private {
		if cfg.BootstrapPeers, err = multiaddrs(c.Swarm.Bootstrap); err != nil {
			return cfg, fmt.Errorf("swarm.bootstrap: %w", err)
		}
	}
	cfg.LoopbackOnly = c.Swarm.Private && allLoopback(append(cfg.ListenAddrs, cfg.BootstrapPeers...))
	cfg.RelayService = c.Swarm.RelayService
	return cfg, cfg.Validate()
}

func multiaddrs(ss []string) ([]ma.Multiaddr, error) {
	out := make([]ma.Multiaddr, 0, len(ss))
	for _, s := range ss {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func allLoopback(addrs []ma.Multiaddr) bool {
	for _, a := range addrs {
		ip, err := a.ValueForProtocol(ma.P_IP4)
		if err != nil {
			ip, err = a.ValueForProtocol(ma.P_IP6)
		}
		if err != nil || !(len(ip) > 4 && ip[:4] == "127." || ip == "::1") {
			return false
		}
	}
	return true
}

// goLoop runs fn in a goroutine the node owns, with a context that ends
// when the node closes.
func (n *Node) goLoop(fn func(ctx context.Context)) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	n.wg.Add(2)
	go func() {
		defer n.wg.Done()
		select {
		case <-n.stop:
		case <-ctx.Done():
		}
		cancel()
	}()
	go func() {
		defer n.wg.Done()
		defer cancel()
		fn(ctx)
	}()
	return cancel
}

// bootstrap joins the DHT through the configured peers.
func (n *Node) bootstrap(ctx context.Context) {
	if err := n.Host.Bootstrap(ctx); err != nil && ctx.Err() == nil {
		n.log.Warn("DHT bootstrap failed", "err", err)
	}
}

// heldDiscoveryIDs lists the discovery IDs of every feed held with data.
func (n *Node) heldDiscoveryIDs() []crypto.DiscoveryID {
	feeds, err := n.Repo.Feeds.List()
	if err != nil {
		return nil
	}
	var ids []crypto.DiscoveryID
	for _, f := range feeds {
		if _, ok := f.Latest(); ok {
			ids = append(ids, crypto.Discovery(f.PublicKey()))
		}
	}
	return ids
}

// announceLoop provides new feeds (created, imported or first fetched
// since the last look) without waiting for the re-provider's round.
func (n *Node) announceLoop(ctx context.Context) {
	t := time.NewTicker(n.opts.AnnounceInterval)
	defer t.Stop()
	for {
		for _, id := range n.heldDiscoveryIDs() {
			n.mu.Lock()
			done := n.provided[id]
			n.mu.Unlock()
			if done {
				continue
			}
			if err := n.Host.Provide(ctx, id); err != nil {
				if ctx.Err() != nil {
					return
				}
				n.log.Debug("provide failed", "discovery", id.String(), "err", err)
				continue
			}
			n.mu.Lock()
			n.provided[id] = true
			n.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// A followed feed has its peers looked for while anyone (its seed, a
// sync under way) needs it.
type followed struct {
	refs   int
	cancel context.CancelFunc // the discovery loop
}

// follow replicates a feed (its seed's want) and looks for its peers,
// until unfollow.
func (n *Node) follow(pub crypto.PublicKey, want *feed.Range, live bool) error {
	if err := n.Engine.Follow(pub, want, live); err != nil {
		return err
	}
	return n.track(pub)
}

// unfollow undoes follow.
func (n *Node) unfollow(pub crypto.PublicKey) {
	n.Engine.Unfollow(pub)
	n.untrack(pub)
}

// track starts looking for the feed's peers (and enforcing its storage
// limits), until as many untracks.
func (n *Node) track(pub crypto.PublicKey) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("node closed")
	}
	if f, ok := n.following[pub]; ok {
		f.refs++
		return nil
	}
	n.following[pub] = &followed{refs: 1, cancel: n.goLoop(func(ctx context.Context) {
		limited := make(chan struct{})
		go func() {
			defer close(limited)
			n.limitLoop(ctx, pub)
		}()
		n.discover(ctx, pub)
		<-limited
	})}
	return nil
}

// untrack undoes one track: the last stops looking for the feed's peers.
func (n *Node) untrack(pub crypto.PublicKey) {
	n.mu.Lock()
	f := n.following[pub]
	if f == nil || f.refs > 1 {
		if f != nil {
			f.refs--
		}
		n.mu.Unlock()
		return
	}
	delete(n.following, pub)
	n.mu.Unlock()
	f.cancel()
}

// discover looks up the feed's providers and connects to them, again
// every DiscoverInterval (more often while the feed has no peer).
func (n *Node) discover(ctx context.Context, pub crypto.PublicKey) {
	id := crypto.Discovery(pub)
	for ctx.Err() == nil {
		n.findAndConnect(ctx, pub, id)
		wait := n.opts.DiscoverInterval
		if st, ok := n.Engine.Status(pub); !ok || len(st.Peers) == 0 {
			wait = min(wait, 2*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

func (n *Node) findAndConnect(ctx context.Context, pub crypto.PublicKey, id crypto.DiscoveryID) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	connected := map[repl.PeerID]bool{}
	if st, ok := n.Engine.Status(pub); ok {
		for _, p := range st.Peers {
			connected[p.ID] = true
		}
	}
	var wg sync.WaitGroup
	for ai := range n.Host.FindProviders(ctx, id) {
		p := repl.PeerID(ai.ID)
		if ai.ID == n.Host.ID() || connected[p] || n.Host.IsBlocked(ai.ID) {
			continue
		}
		connected[p] = true
		wg.Add(1)
		go func(ai peer.AddrInfo) {
			defer wg.Done()
			if err := n.connectFeed(ctx, pub, ai); err != nil && ctx.Err() == nil {
				n.log.Debug("cannot replicate with provider", "feed", crypto.FormatAddress(pub), "peer", ai.ID.String(), "err", err)
			}
		}(ai)
	}
	wg.Wait()
}

func (n *Node) connectFeed(ctx context.Context, pub crypto.PublicKey, ai peer.AddrInfo) error {
	if err := n.Host.Connect(ctx, ai); err != nil {
		return err
	}
	return n.Engine.Connect(ctx, pub, repl.PeerID(ai.ID))
}

// Close stops every goroutine of the node and closes the host. The repo
// stays open.
func (n *Node) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	n.mu.Unlock()
	n.reprov.Stop()
	n.net.Stop()
	close(n.stop)
	n.wg.Wait()
	err := n.DBs.Close()
	return errors.Join(err, n.Host.Close())
}
