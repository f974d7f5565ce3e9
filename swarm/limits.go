package swarm

import (
	"errors"
	"fmt"
	"maps"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
)

// SyncProtocol is the protocol ID of stele's sync protocol (see the
// package doc).
const SyncProtocol protocol.ID = "/stele/sync/1.0.0"

// SyncService is the resource-manager service scope every sync stream is
// moved into, on both sides, so that Limits.SyncStreams and
// Limits.SyncStreamsPerPeer bound them whatever else the host runs.
const SyncService = "stele-sync"

// serviceOf maps the protocols that have a service scope to it.
var serviceOf = map[protocol.ID]string{SyncProtocol: SyncService}

// Limits are the explicit resource-manager limits of a Host. libp2p's own
// services (identify, ping, AutoNAT, relay, hole punching) keep their
// default limits within these.
type Limits struct {
	// Memory is what all of libp2p may reserve, in bytes (buffers,
	// stream windows); the built-in defaults scale with it.
	Memory int64
	// FileDescriptors is how many sockets libp2p may hold.
	FileDescriptors int
	// Conns is the number of connections, in and out; inbound ones get
	// at most half. It must exceed the connection manager's high mark.
	Conns int
	// SyncStreams bounds the sync streams open at once, in and out; one
	// stream carries one feed between two peers.
	SyncStreams int
	// SyncStreamsPerPeer bounds the sync streams open with one peer,
	// that is the feeds replicated with it at once.
	SyncStreamsPerPeer int
	// SyncMemory bounds the memory sync streams may reserve.
	SyncMemory int64
}

// DefaultLimits are sized for a daemon holding a few thousand feeds.
func DefaultLimits() Limits {
	return Limits{
		Memory:             1 << 30,
		FileDescriptors:    4096,
		Conns:              1024,
		SyncStreams:        16384,
		SyncStreamsPerPeer: 4096,
		SyncMemory:         256 << 20,
	}
}

func (l Limits) validate(connHigh int) error {
	var errs []error
	if l.Memory < 128<<20 {
		errs = append(errs, fmt.Errorf("memory limit %d: want at least 128 MiB", l.Memory))
	}
	if l.FileDescriptors < 16 {
		errs = append(errs, fmt.Errorf("file descriptor limit %d: want at least 16", l.FileDescriptors))
	}
	if l.Conns <= connHigh {
		errs = append(errs, fmt.Errorf("connection limit %d: want more than the connection manager's high mark %d", l.Conns, connHigh))
	}
	if l.SyncStreams < 1 || l.SyncStreamsPerPeer < 1 || l.SyncStreamsPerPeer > l.SyncStreams {
		errs = append(errs, fmt.Errorf("sync stream limits %d total, %d per peer: want 1 <= per peer <= total", l.SyncStreams, l.SyncStreamsPerPeer))
	}
	if l.SyncMemory < 1<<20 || l.SyncMemory > l.Memory {
		errs = append(errs, fmt.Errorf("sync memory limit %d: want 1 MiB to the memory limit", l.SyncMemory))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("limits: %w", err)
	}
	return nil
}

// resourceManager builds the resource manager for l.
func (l Limits) resourceManager() (network.ResourceManager, error) {
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(l.concrete()))
	if err != nil {
		return nil, fmt.Errorf("resource manager: %w", err)
	}
	return rm, nil
}

// concrete turns l into rcmgr's limit configuration: libp2p's defaults
// scaled to l.Memory and l.FileDescriptors, the sync service's scopes, and
// system and per-peer stream limits raised to make room for them.
func (l Limits) concrete() rcmgr.ConcreteLimitConfig {
	scaling := rcmgr.DefaultLimits
	// The copy shares DefaultLimits' maps, if anyone filled them: clone
	// them so that building limits never writes to a global.
	scaling.ServiceLimits = maps.Clone(scaling.ServiceLimits)
	scaling.ServicePeerLimits = maps.Clone(scaling.ServicePeerLimits)
	scaling.ProtocolLimits = maps.Clone(scaling.ProtocolLimits)
	scaling.ProtocolPeerLimits = maps.Clone(scaling.ProtocolPeerLimits)
	scaling.PeerLimits = maps.Clone(scaling.PeerLimits)
	libp2p.SetDefaultServiceLimits(&scaling)

	total := rcmgr.BaseLimit{
		Streams: l.SyncStreams, StreamsInbound: l.SyncStreams, StreamsOutbound: l.SyncStreams,
		Memory: l.SyncMemory,
	}
	perPeer := rcmgr.BaseLimit{
		Streams: l.SyncStreamsPerPeer, StreamsInbound: l.SyncStreamsPerPeer, StreamsOutbound: l.SyncStreamsPerPeer,
		Memory: l.SyncMemory,
	}
	scaling.AddServiceLimit(SyncService, total, rcmgr.BaseLimitIncrease{})
	scaling.AddServicePeerLimit(SyncService, perPeer, rcmgr.BaseLimitIncrease{})
	// The protocol scope, which libp2p enters before our handler runs,
	// gets twice the service's limits: the service scope is the one that
	// binds, so there is one limit to reason about, and refusals are
	// counted (Metrics.StreamsRefused).
	scaling.AddProtocolLimit(SyncProtocol, doubled(total), rcmgr.BaseLimitIncrease{})
	scaling.AddProtocolPeerLimit(SyncProtocol, doubled(perPeer), rcmgr.BaseLimitIncrease{})

	scaled := scaling.Scale(l.Memory, l.FileDescriptors)
	// Other protocols (DHT, identify, ...) keep what the defaults grant on
	// top of the sync streams.
	const headroom = 1024
	system := rcmgr.ResourceLimits{
		Conns:           rcmgr.LimitVal(l.Conns),
		ConnsInbound:    rcmgr.LimitVal(l.Conns / 2),
		ConnsOutbound:   rcmgr.LimitVal(l.Conns),
		Streams:         rcmgr.LimitVal(2*l.SyncStreams + headroom),
		StreamsInbound:  rcmgr.LimitVal(2*l.SyncStreams + headroom),
		StreamsOutbound: rcmgr.LimitVal(2*l.SyncStreams + headroom),
		FD:              rcmgr.LimitVal(l.FileDescriptors),
		Memory:          rcmgr.LimitVal64(l.Memory),
	}
	peerStreams := rcmgr.LimitVal(2*l.SyncStreamsPerPeer + headroom)
	partial := rcmgr.PartialLimitConfig{
		System: system,
		PeerDefault: rcmgr.ResourceLimits{
			Streams: peerStreams, StreamsInbound: peerStreams, StreamsOutbound: peerStreams,
		},
	}
	return partial.Build(scaled)
}

func doubled(l rcmgr.BaseLimit) rcmgr.BaseLimit {
	l.Streams *= 2
	l.StreamsInbound *= 2
	l.StreamsOutbound *= 2
	l.Memory *= 2
	return l
}
