package swarm

import (
	"slices"
	"strings"
	"testing"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/config"
	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// TestLocalConfigStaysOnLoopback: a local node listens on loopback only,
// knows no peer outside this machine, speaks a private DHT, and runs
// nothing that reaches out by itself.
func TestLocalConfigStaysOnLoopback(t *testing.T) {
	c := LocalConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, a := range c.ListenAddrs {
		if !manet.IsIPLoopback(a) {
			t.Errorf("listen address %s is not loopback", a)
		}
	}
	for _, a := range c.BootstrapPeers {
		if !manet.IsIPLoopback(a) {
			t.Errorf("bootstrap address %s is not loopback", a)
		}
		if slices.ContainsFunc(dht.DefaultBootstrapPeers, a.Equal) {
			t.Errorf("public bootstrap peer %s", a)
		}
	}
	if !c.Private || c.DHTPrefix == AminoPrefix || c.DHTMode != DHTServer {
		t.Errorf("DHT: private %v, prefix %q, mode %v; want private, own prefix, server", c.Private, c.DHTPrefix, c.DHTMode)
	}
	if !c.LoopbackOnly || c.AutoNAT || c.RelayClient || c.HolePunching || c.PortMapping || c.RelayService {
		t.Errorf("outside-facing features on: %+v", c)
	}

	lc := libp2pConfig(t, c)
	if lc.NATManager != nil || lc.Relay || lc.EnableAutoRelay || lc.EnableHolePunching ||
		lc.EnableAutoNATv2 || lc.AutoNATConfig.EnableService || lc.EnableRelayService {
		t.Errorf("libp2p options enable an outside-facing service: %+v", lc)
	}
	if r := lc.AutoNATConfig.ForceReachability; r == nil || *r != network.ReachabilityPublic {
		t.Error("reachability not forced public")
	}
}

// TestPublicConfig checks the public preset without starting it: starting
// it would map ports and dial the Amino bootstrap peers.
func TestPublicConfig(t *testing.T) {
	c := PublicConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(c.BootstrapPeers, dht.DefaultBootstrapPeers, ma.Multiaddr.Equal) {
		t.Errorf("bootstrap peers %v, want dht.DefaultBootstrapPeers", c.BootstrapPeers)
	}
	if c.Private || c.DHTPrefix != AminoPrefix || c.DHTMode != DHTAuto || c.LoopbackOnly {
		t.Errorf("not the public Amino DHT: %+v", c)
	}
	var tcp, quic bool
	for _, a := range c.ListenAddrs {
		ip, err := manet.ToIP(a)
		if err != nil || !ip.IsUnspecified() {
			t.Errorf("listen address %s is not on all interfaces", a)
		}
		tcp = tcp || strings.Contains(a.String(), "/tcp/")
		quic = quic || strings.Contains(a.String(), "/quic-v1")
	}
	if !tcp || !quic {
		t.Errorf("listen addresses %v: want TCP and QUIC", c.ListenAddrs)
	}

	lc := libp2pConfig(t, c)
	if lc.NATManager == nil || !lc.Relay || !lc.EnableAutoRelay || !lc.EnableHolePunching ||
		!lc.EnableAutoNATv2 || !lc.AutoNATConfig.EnableService {
		t.Errorf("libp2p options lack NAT traversal: %+v", lc)
	}
	if lc.AutoNATConfig.ForceReachability != nil || lc.EnableRelayService {
		t.Errorf("public preset forces reachability or runs a relay: %+v", lc)
	}
	if len(lc.Transports) != 2 || len(lc.SecurityTransports) != 2 || len(lc.Muxers) != 1 {
		t.Errorf("%d transports, %d security, %d muxers; want TCP+QUIC, Noise+TLS, yamux",
			len(lc.Transports), len(lc.SecurityTransports), len(lc.Muxers))
	}
}

// TestPublicPresetStarts starts the public preset's services (AutoNAT v2,
// relay client, hole punching) with nothing that could reach outside:
// loopback listeners, no bootstrap peers, no port mapping, and the
// loopback gater as a safety net.
func TestPublicPresetStarts(t *testing.T) {
	h := newLocalHostFrom(t, PublicConfig(), func(c *Config) {
		c.ListenAddrs = LocalConfig().ListenAddrs
		c.BootstrapPeers = nil
		c.PortMapping = false
		c.LoopbackOnly = true
	})
	if got := h.dht.Mode(); got != dht.ModeAuto {
		t.Errorf("DHT mode %v, want auto", got)
	}
	if len(h.Addrs()) == 0 {
		t.Error("no listen address")
	}
}

// libp2pConfig applies c's libp2p options to a libp2p config, which
// starts nothing.
func libp2pConfig(t *testing.T, c Config) config.Config {
	t.Helper()
	h := &Host{gater: newGater(c.LoopbackOnly), ready: make(chan struct{})}
	var err error
	if h.connMgr, err = newWatchedConnMgr(c); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.connMgr.Close() })
	if h.rm, err = c.Limits.resourceManager(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.rm.Close() })
	opts, err := c.libp2pOptions(newKey(t), h)
	if err != nil {
		t.Fatal(err)
	}
	var lc config.Config
	if err := lc.Apply(opts...); err != nil {
		t.Fatal(err)
	}
	return lc
}

func TestValidate(t *testing.T) {
	public := ma.StringCast("/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWLnFW2ZTfgwkdxYNexzqnkCYsgRorPq4sxYCeHrbUHdwg")
	tests := []struct {
		name string
		base func() Config
		edit func(*Config)
		want string // in the error; "" for none
	}{
		{"local", LocalConfig, func(*Config) {}, ""},
		{"public", PublicConfig, func(*Config) {}, ""},
		{"no listen", LocalConfig, func(c *Config) { c.ListenAddrs = nil }, "no listen address"},
		{"bootstrap without peer ID", LocalConfig, func(c *Config) {
			c.BootstrapPeers = mustAddrs("/ip4/127.0.0.1/tcp/4001")
		}, "bootstrap peers"},
		{"loopback listen on all interfaces", LocalConfig, func(c *Config) {
			c.ListenAddrs = mustAddrs("/ip4/0.0.0.0/tcp/0")
		}, "listen address /ip4/0.0.0.0/tcp/0 is not loopback"},
		{"loopback with outside bootstrap", LocalConfig, func(c *Config) {
			c.BootstrapPeers = []ma.Multiaddr{public}
		}, "is not loopback"},
		{"loopback with port mapping", LocalConfig, func(c *Config) { c.PortMapping = true }, "port mapping"},
		{"private on Amino prefix", LocalConfig, func(c *Config) { c.DHTPrefix = AminoPrefix }, "own DHT prefix"},
		{"private with Amino bootstrap", LocalConfig, func(c *Config) {
			c.LoopbackOnly = false
			c.BootstrapPeers = dht.DefaultBootstrapPeers[:1]
		}, "public Amino peer"},
		{"public with own prefix", PublicConfig, func(c *Config) { c.DHTPrefix = PrivatePrefix }, "set Private"},
		{"no prefix", LocalConfig, func(c *Config) { c.DHTPrefix = "" }, "no DHT protocol prefix"},
		{"bad mode", LocalConfig, func(c *Config) { c.DHTMode = 7 }, "bad DHT mode"},
		{"hole punching without relay", PublicConfig, func(c *Config) { c.RelayClient = false }, "hole punching"},
		{"grace period", LocalConfig, func(c *Config) { c.ConnGracePeriod = -1 }, "grace period"},
		{"watermarks", LocalConfig, func(c *Config) { c.ConnLow = 500 }, "watermarks"},
		{"conns under high mark", LocalConfig, func(c *Config) { c.Limits.Conns = c.ConnHigh }, "connection limit"},
		{"little memory", LocalConfig, func(c *Config) { c.Limits.Memory = 1 << 20 }, "memory limit"},
		{"per peer over total", LocalConfig, func(c *Config) { c.Limits.SyncStreamsPerPeer = c.Limits.SyncStreams + 1 }, "sync stream limits"},
		{"no sync streams", LocalConfig, func(c *Config) { c.Limits.SyncStreams = 0 }, "sync stream limits"},
		{"sync memory", LocalConfig, func(c *Config) { c.Limits.SyncMemory = 0 }, "sync memory"},
		{"few descriptors", LocalConfig, func(c *Config) { c.Limits.FileDescriptors = 1 }, "file descriptor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.base()
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDHTModeText(t *testing.T) {
	for _, m := range []DHTMode{DHTAuto, DHTServer, DHTClient} {
		got, err := ParseDHTMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseDHTMode(%q) = %v, %v; want %v", m.String(), got, err, m)
		}
	}
	if _, err := ParseDHTMode("dual"); err == nil {
		t.Error("ParseDHTMode accepted dual")
	}
	if got := DHTMode(9).String(); got != "DHTMode(9)" {
		t.Errorf("String of a bad mode: %q", got)
	}
}
