package swarm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	p2pswarm "github.com/libp2p/go-libp2p/p2p/net/swarm"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/steledb/stele/crypto"
)

// ErrBlocked is returned when dialing or opening a stream to a peer on
// the block list.
var ErrBlocked = errors.New("peer is blocked")

// A Host is a libp2p host with stele's policies and a Kademlia DHT. Its
// methods are safe for concurrent use. Its goroutines are libp2p's, the
// DHT's and one per FindProviders lookup (which ends with the lookup);
// Close stops them all.
type Host struct {
	host      host.Host
	dht       *dht.IpfsDHT
	rm        network.ResourceManager // libp2p does not close it
	gater     *gater
	connMgr   *watchedConnMgr
	upload    *uploadLimiter
	bootstrap []peer.AddrInfo // config's bootstrap peers, without this host
	// bootstrapping is set by the first Bootstrap call: until then the
	// DHT sees no bootstrap peers, so New dials nothing by itself.
	bootstrapping atomic.Bool
	ready         chan struct{} // closed once New has set every field
	stats         counters

	protectMu sync.Mutex
	protected map[peer.ID]int // Protect calls not yet undone

	closers   sync.WaitGroup // closing connections of blocked peers
	closeOnce sync.Once
	closeErr  error
}

// New starts a host with identity key: it listens on cfg.ListenAddrs and
// runs the DHT, but dials nothing until Bootstrap, Connect or OpenStream
// is called. The caller must Close it.
func New(key crypto.PrivateKey, cfg Config) (*Host, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Host{
		gater:     newGater(cfg.LoopbackOnly),
		upload:    newUploadLimiter(cfg.UploadLimit),
		ready:     make(chan struct{}),
		protected: make(map[peer.ID]int),
	}
	self, err := PeerIDOf(key)
	if err != nil {
		return nil, err
	}
	if h.bootstrap, err = cfg.bootstrapInfos(); err != nil {
		return nil, err
	}
	// A bootstrap node may share its config with the others.
	h.bootstrap = withoutPeer(h.bootstrap, self)
	if h.connMgr, err = newWatchedConnMgr(cfg); err != nil {
		return nil, err
	}
	if h.rm, err = cfg.Limits.resourceManager(); err != nil {
		return nil, errors.Join(err, h.connMgr.Close())
	}
	opts, err := cfg.libp2pOptions(key, h)
	if err != nil {
		return nil, errors.Join(err, h.rm.Close(), h.connMgr.Close())
	}
	// Both Close methods may be called twice: libp2p closes them itself
	// on some failures.
	if h.host, err = libp2p.New(opts...); err != nil {
		return nil, fmt.Errorf("start libp2p host: %w", errors.Join(err, h.rm.Close(), h.connMgr.Close()))
	}
	if h.dht, err = dht.New(h.host, cfg.dhtOptions(h)...); err != nil {
		return nil, fmt.Errorf("start DHT: %w", errors.Join(err, h.host.Close(), h.rm.Close()))
	}
	h.host.Network().Notify(&network.NotifyBundle{ConnectedF: h.closeIfBlocked})
	close(h.ready)
	return h, nil
}

// libp2pOptions are the libp2p options for cfg; h supplies the resource
// manager, the gater, the connection manager and AutoRelay's peer source.
func (c Config) libp2pOptions(key crypto.PrivateKey, h *Host) ([]libp2p.Option, error) {
	priv, err := libp2pKey(key)
	if err != nil {
		return nil, err
	}
	opts := []libp2p.Option{
		libp2p.Identity(priv),
		libp2p.ListenAddrs(c.ListenAddrs...),
		libp2p.ChainOptions(libp2p.DefaultSecurity, libp2p.DefaultMuxers),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.ResourceManager(h.rm),
		libp2p.ConnectionManager(h.connMgr),
		libp2p.ConnectionGater(h.gater),
		libp2p.UserAgent("stele"),
		// Metrics reach the node's /metrics through Host.Metrics, not
		// through Prometheus's global registry, which every host in the
		// process would share.
		libp2p.DisableMetrics(),
	}
	if c.PreferTCP {
		opts = append(opts, libp2p.SwarmOpts(p2pswarm.WithDialRanker(tcpFirst)))
	}
	if c.ForcePublicReachability {
		opts = append(opts, libp2p.ForceReachabilityPublic())
	}
	if c.AutoNAT {
		opts = append(opts, libp2p.EnableAutoNATv2(), libp2p.EnableNATService())
	}
	if c.RelayClient {
		opts = append(opts, libp2p.EnableRelay(), libp2p.EnableAutoRelayWithPeerSource(h.relayCandidates))
	} else {
		opts = append(opts, libp2p.DisableRelay())
	}
	if c.HolePunching {
		opts = append(opts, libp2p.EnableHolePunching())
	}
	if c.PortMapping {
		opts = append(opts, libp2p.NATPortMap())
	}
	if c.RelayService {
		opts = append(opts, libp2p.EnableRelayService())
	}
	return opts, nil
}

// quicFallbackDelay is how long PreferTCP waits for TCP before dialing
// QUIC as well.
const quicFallbackDelay = 250 * time.Millisecond

// tcpFirst is the dial ranker of PreferTCP: TCP addresses at once, the
// others after quicFallbackDelay (or at once when every TCP dial failed).
func tcpFirst(addrs []ma.Multiaddr) []network.AddrDelay {
	out := make([]network.AddrDelay, len(addrs))
	for i, a := range addrs {
		out[i] = network.AddrDelay{Addr: a, Delay: quicFallbackDelay}
		if isTCP(a) {
			out[i].Delay = 0
		}
	}
	return out
}

func isTCP(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_TCP)
	return err == nil
}

// libp2pKey converts a stele Ed25519 key to libp2p's form, which is the
// 64 bytes seed || public key.
func libp2pKey(k crypto.PrivateKey) (p2pcrypto.PrivKey, error) {
	seed, pub := k.Seed(), k.Public()
	priv, err := p2pcrypto.UnmarshalEd25519PrivateKey(append(seed[:], pub[:]...))
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return priv, nil
}

// PeerIDOf returns the peer ID a host with identity key has.
func PeerIDOf(key crypto.PrivateKey) (peer.ID, error) {
	priv, err := libp2pKey(key)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(priv)
}

// Close stops the DHT and the host, closing every connection. It is safe
// to call more than once.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.closeErr = errors.Join(h.dht.Close(), h.host.Close())
		h.closers.Wait()
		h.closeErr = errors.Join(h.closeErr, h.rm.Close())
	})
	return h.closeErr
}

// ID returns the host's peer ID.
func (h *Host) ID() peer.ID { return h.host.ID() }

// Addrs returns the host's full addresses, each ending in /p2p/<ID>, as
// `stele id` prints them and other nodes take them for bootstrap.
func (h *Host) Addrs() []ma.Multiaddr {
	addrs, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: h.ID(), Addrs: h.host.Addrs()})
	if err != nil {
		panic(fmt.Sprintf("swarm: own peer ID %s does not encode: %v", h.ID(), err))
	}
	return addrs
}

// AddrInfo returns the host's ID and listen addresses.
func (h *Host) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: h.ID(), Addrs: h.host.Addrs()}
}

// Peers returns the peers the host is connected to.
func (h *Host) Peers() []peer.ID { return h.host.Network().Peers() }

// PeerAddrs returns the remote addresses of the connections to p.
func (h *Host) PeerAddrs(p peer.ID) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, c := range h.host.Network().ConnsToPeer(p) {
		out = append(out, c.RemoteMultiaddr())
	}
	return out
}

// Connectedness reports the state of the host's connections to p.
func (h *Host) Connectedness(p peer.ID) network.Connectedness {
	return h.host.Network().Connectedness(p)
}

// Connect connects to ai.ID, using ai.Addrs and any address already
// known, or if there is none, the addresses the DHT finds for it.
func (h *Host) Connect(ctx context.Context, ai peer.AddrInfo) error {
	if ai.ID == h.ID() {
		return fmt.Errorf("connect to %s: that is this host", ai.ID)
	}
	if h.gater.isBlocked(ai.ID) {
		return fmt.Errorf("connect to %s: %w", ai.ID, ErrBlocked)
	}
	if len(ai.Addrs) == 0 && len(h.host.Peerstore().Addrs(ai.ID)) == 0 {
		// Provider records may come without addresses; ask the DHT.
		found, err := h.dht.FindPeer(ctx, ai.ID)
		if err != nil {
			return fmt.Errorf("connect to %s: find its addresses: %w", ai.ID, err)
		}
		ai = found
	}
	if err := h.host.Connect(ctx, ai); err != nil {
		return fmt.Errorf("connect to %s: %w", ai.ID, err)
	}
	return nil
}

// protectTag is the connection-manager tag of replication partners.
const protectTag = "stele-sync"

// Protect keeps the connection manager from closing connections to p,
// a replication partner, until as many Unprotect calls undo it: every
// feed replicated with p may protect it independently.
func (h *Host) Protect(p peer.ID) {
	h.protectMu.Lock()
	defer h.protectMu.Unlock()
	if h.protected[p] == 0 {
		h.connMgr.Protect(p, protectTag)
	}
	h.protected[p]++
}

// Unprotect undoes one Protect call. It reports whether p stays
// protected.
func (h *Host) Unprotect(p peer.ID) bool {
	h.protectMu.Lock()
	defer h.protectMu.Unlock()
	switch n := h.protected[p]; n {
	case 0:
		return false
	case 1:
		delete(h.protected, p)
		h.connMgr.Unprotect(p, protectTag)
		return false
	default:
		h.protected[p] = n - 1
		return true
	}
}

// IsProtected reports whether p is protected as a replication partner.
func (h *Host) IsProtected(p peer.ID) bool {
	return h.connMgr.IsProtected(p, protectTag)
}

// Block puts p on the block list: its connections are closed at once,
// new ones are refused in both directions, its streams are refused, it
// leaves the DHT routing table and FindProviders skips it. reason is kept
// for status. Blocking this host itself, or a blocked peer again, does
// nothing.
func (h *Host) Block(p peer.ID, reason string) {
	if p == h.ID() || !h.gater.block(Block{Peer: p, Reason: reason, Since: time.Now()}) {
		return
	}
	h.stats.blocks.Add(1)
	h.protectMu.Lock()
	delete(h.protected, p)
	h.connMgr.Unprotect(p, protectTag)
	h.protectMu.Unlock()
	h.dht.RoutingTable().RemovePeer(p)
	// Errors only say that some connection was closed already.
	_ = h.host.Network().ClosePeer(p)
}

// Unblock takes p off the block list and reports whether it was on it.
func (h *Host) Unblock(p peer.ID) bool { return h.gater.unblock(p) }

// IsBlocked reports whether p is on the block list.
func (h *Host) IsBlocked(p peer.ID) bool { return h.gater.isBlocked(p) }

// Blocked returns the block list, oldest first.
func (h *Host) Blocked() []Block { return h.gater.list() }

// closeIfBlocked closes a connection with a blocked peer that got past
// the gater because it was being set up while Block ran.
func (h *Host) closeIfBlocked(_ network.Network, c network.Conn) {
	if h.gater.isBlocked(c.RemotePeer()) {
		// Notifications must not block the swarm; close elsewhere.
		h.closers.Go(func() { _ = c.Close() })
	}
}

// AllowUpload reports whether n bytes may be uploaded to p now under
// Config.UploadLimit, and if so counts them against p's budget. The sync
// engine asks before sending Data and answers a request it may not serve
// with Error code 3.
func (h *Host) AllowUpload(p peer.ID, n int) bool {
	if h.upload.allow(p, n, time.Now()) {
		return true
	}
	h.stats.uploadsRefused.Add(1)
	return false
}

// UploadBudget returns how many bytes may be uploaded to p now, so that
// the sync engine can cut a Data message short instead of refusing it.
func (h *Host) UploadBudget(p peer.ID) int {
	return h.upload.budget(p, time.Now())
}

func withoutPeer(infos []peer.AddrInfo, p peer.ID) []peer.AddrInfo {
	out := infos[:0:0]
	for _, ai := range infos {
		if ai.ID != p {
			out = append(out, ai)
		}
	}
	return out
}
