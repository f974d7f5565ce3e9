package swarm

import (
	"errors"
	"fmt"
	"slices"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// AminoPrefix is the DHT protocol prefix of the public IPFS (Amino) DHT.
const AminoPrefix protocol.ID = dht.DefaultPrefix

// PrivatePrefix is the DHT protocol prefix LocalConfig uses. A node that
// speaks it never exchanges DHT messages with an IPFS node, even if the
// two happen to connect.
const PrivatePrefix protocol.ID = "/stele-private"

// Config says how a Host joins the network. Start from PublicConfig or
// LocalConfig and change fields; New validates the result.
type Config struct {
	// ListenAddrs are the multiaddrs to listen on, e.g.
	// /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/udp/4001/quic-v1. Port 0
	// takes a free port; Host.Addrs reports the one taken.
	ListenAddrs []ma.Multiaddr

	// BootstrapPeers are full multiaddrs (ending in /p2p/<peer ID>) of
	// the peers Bootstrap connects to first. A node whose list is empty
	// is a bootstrap node itself and waits for others to connect.
	BootstrapPeers []ma.Multiaddr

	// Private marks a private swarm: its own DHT (DHTPrefix must not be
	// AminoPrefix), its own bootstrap list (no Amino bootstrap peer may
	// appear in it), and no filter that keeps non-public addresses out
	// of the routing table, so that a swarm on one machine or one LAN
	// forms.
	Private bool

	// DHTPrefix is the DHT protocol prefix: AminoPrefix for the public
	// network, anything else for a private swarm.
	DHTPrefix protocol.ID

	// DHTMode is the DHT mode: server for reachable daemons (always in
	// private test swarms, where no AutoNAT runs), auto on the public
	// network (client until AutoNAT finds the node reachable).
	DHTMode DHTMode

	// LoopbackOnly restricts the host to 127.0.0.0/8 and ::1: listen and
	// bootstrap addresses must be loopback, and the connection gater
	// refuses to dial or accept any other address. It is the guarantee
	// that a local node never sends a packet off this machine.
	LoopbackOnly bool

	// PreferTCP dials a peer's TCP addresses first and its QUIC ones only
	// if TCP fails or has not connected within quicFallbackDelay. On
	// loopback a TCP+yamux stream carries about twice what a QUIC stream
	// does (BenchmarkSyncStream); on the internet QUIC's faster handshake
	// and hole punching matter more, so the public preset keeps libp2p's
	// ranking, which dials QUIC first.
	PreferTCP bool

	// ForcePublicReachability makes the host consider itself publicly
	// reachable without asking AutoNAT, so that nothing probes for it.
	ForcePublicReachability bool

	// AutoNAT runs the AutoNAT v2 client (is this node reachable?) and
	// serves AutoNAT to other peers.
	AutoNAT bool
	// RelayClient enables the circuit relay v2 transport and AutoRelay:
	// a node behind NAT reserves slots on relays it finds among its DHT
	// peers and advertises relayed addresses.
	RelayClient bool
	// HolePunching upgrades relayed connections to direct ones (DCUtR).
	// It needs RelayClient.
	HolePunching bool
	// PortMapping asks the router for a port mapping (UPnP, NAT-PMP).
	PortMapping bool
	// RelayService offers a circuit relay v2 service to other peers once
	// this node is publicly reachable: volunteers may help NATed users.
	RelayService bool

	// Limits are the resource manager's limits.
	Limits Limits

	// ConnLow and ConnHigh are the connection manager's watermarks: above
	// ConnHigh connections it closes the least useful ones down to
	// ConnLow, never those of protected replication partners, and never
	// a connection younger than ConnGracePeriod.
	ConnLow, ConnHigh int
	ConnGracePeriod   time.Duration

	// UploadLimit, if not nil, gives the upload rate allowed to each peer
	// (see Host.AllowUpload). Nil means unlimited.
	UploadLimit UploadLimit
}

// DHTMode is the mode of the Kademlia DHT.
type DHTMode int

const (
	// DHTAuto is a client until AutoNAT reports public reachability,
	// then a server.
	DHTAuto DHTMode = iota
	// DHTServer answers DHT queries and is stored in routing tables.
	DHTServer
	// DHTClient only queries.
	DHTClient
)

var dhtModeNames = []string{DHTAuto: "auto", DHTServer: "server", DHTClient: "client"}

// String returns "auto", "server" or "client".
func (m DHTMode) String() string {
	if m < 0 || int(m) >= len(dhtModeNames) {
		return fmt.Sprintf("DHTMode(%d)", int(m))
	}
	return dhtModeNames[m]
}

// ParseDHTMode parses the names String returns.
func ParseDHTMode(s string) (DHTMode, error) {
	if i := slices.Index(dhtModeNames, s); i >= 0 {
		return DHTMode(i), nil
	}
	return 0, fmt.Errorf("DHT mode %q: want auto, server or client", s)
}

func (m DHTMode) dhtOption() dht.ModeOpt {
	switch m {
	case DHTServer:
		return dht.ModeServer
	case DHTClient:
		return dht.ModeClient
	}
	return dht.ModeAuto
}

// PublicConfig is the default: the public IPFS (Amino) DHT and its
// standard bootstrap peers, all interfaces over TCP and QUIC on port 4001,
// and everything that helps a node behind NAT be reached (AutoNAT, relay
// client, hole punching, port mapping).
func PublicConfig() Config {
	return Config{
		ListenAddrs: mustAddrs(
			"/ip4/0.0.0.0/tcp/4001",
			"/ip4/0.0.0.0/udp/4001/quic-v1",
			"/ip6/::/tcp/4001",
			"/ip6/::/udp/4001/quic-v1",
		),
		BootstrapPeers:  slices.Clone(dht.DefaultBootstrapPeers),
		DHTPrefix:       AminoPrefix,
		DHTMode:         DHTAuto,
		AutoNAT:         true,
		RelayClient:     true,
		HolePunching:    true,
		PortMapping:     true,
		Limits:          DefaultLimits(),
		ConnLow:         100,
		ConnHigh:        400,
		ConnGracePeriod: time.Minute,
	}
}

// LocalConfig is a node for a private swarm on this machine: it listens
// on 127.0.0.1 only (free TCP and QUIC ports), has no bootstrap peers
// (add the local ones), speaks the DHT under PrivatePrefix in server mode,
// runs nothing that probes or dials out on its own (no AutoNAT, relay,
// hole punching or port mapping), and its gater refuses every address
// outside 127.0.0.0/8 and ::1. It prefers TCP, the faster transport on
// loopback.
func LocalConfig() Config {
	return Config{
		ListenAddrs: mustAddrs(
			"/ip4/127.0.0.1/tcp/0",
			"/ip4/127.0.0.1/udp/0/quic-v1",
		),
		Private:      true,
		DHTPrefix:    PrivatePrefix,
		DHTMode:      DHTServer,
		LoopbackOnly: true,
		PreferTCP:    true,
		// On loopback AutoNAT can never confirm reachability; forcing it
		// keeps every reachability-driven subsystem quiet.
		ForcePublicReachability: true,
		Limits:                  DefaultLimits(),
		ConnLow:                 100,
		ConnHigh:                400,
		ConnGracePeriod:         time.Minute,
	}
}

// Validate says what is wrong with c, if anything.
func (c Config) Validate() error {
	var errs []error
	if len(c.ListenAddrs) == 0 {
		errs = append(errs, errors.New("no listen address"))
	}
	if _, err := c.bootstrapInfos(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateSwarm()...)
	errs = append(errs, c.validateLoopback()...)
	if c.HolePunching && !c.RelayClient {
		errs = append(errs, errors.New("hole punching needs the relay client"))
	}
	if c.ConnGracePeriod < 0 {
		errs = append(errs, fmt.Errorf("negative connection grace period %v", c.ConnGracePeriod))
	}
	if c.ConnLow < 0 || c.ConnLow > c.ConnHigh {
		errs = append(errs, fmt.Errorf("connection watermarks low %d, high %d: want 0 <= low <= high", c.ConnLow, c.ConnHigh))
	}
	if err := c.Limits.validate(c.ConnHigh); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("swarm config: %w", err)
	}
	return nil
}

// validateSwarm checks that a private swarm is private and a public one
// public.
func (c Config) validateSwarm() []error {
	var errs []error
	if c.DHTPrefix == "" {
		errs = append(errs, errors.New("no DHT protocol prefix"))
	}
	if c.DHTMode < DHTAuto || c.DHTMode > DHTClient {
		errs = append(errs, fmt.Errorf("bad DHT mode %d", int(c.DHTMode)))
	}
	if !c.Private {
		if c.DHTPrefix != AminoPrefix {
			errs = append(errs, fmt.Errorf("DHT prefix %q is not the public %q: set Private", c.DHTPrefix, AminoPrefix))
		}
		return errs
	}
	if c.DHTPrefix == AminoPrefix {
		errs = append(errs, fmt.Errorf("a private swarm needs its own DHT prefix, not %q", AminoPrefix))
	}
	for _, a := range c.BootstrapPeers {
		if slices.ContainsFunc(dht.DefaultBootstrapPeers, a.Equal) {
			errs = append(errs, fmt.Errorf("bootstrap peer %s is a public Amino peer, not allowed in a private swarm", a))
		}
	}
	return errs
}

// validateLoopback checks that a loopback-only node has only loopback
// addresses and nothing that talks to the outside by itself.
func (c Config) validateLoopback() []error {
	if !c.LoopbackOnly {
		return nil
	}
	var errs []error
	for _, a := range c.ListenAddrs {
		if !manet.IsIPLoopback(a) {
			errs = append(errs, fmt.Errorf("listen address %s is not loopback", a))
		}
	}
	for _, a := range c.BootstrapPeers {
		if !manet.IsIPLoopback(a) {
			errs = append(errs, fmt.Errorf("bootstrap address %s is not loopback", a))
		}
	}
	if c.PortMapping {
		errs = append(errs, errors.New("port mapping talks to the router: not with LoopbackOnly"))
	}
	return errs
}

// bootstrapInfos groups the bootstrap multiaddrs by peer.
func (c Config) bootstrapInfos() ([]peer.AddrInfo, error) {
	infos, err := peer.AddrInfosFromP2pAddrs(c.BootstrapPeers...)
	if err != nil {
		return nil, fmt.Errorf("bootstrap peers: %w", err)
	}
	return infos, nil
}

func mustAddrs(ss ...string) []ma.Multiaddr {
	out := make([]ma.Multiaddr, len(ss))
	for i, s := range ss {
		out[i] = ma.StringCast(s)
	}
	return out
}
