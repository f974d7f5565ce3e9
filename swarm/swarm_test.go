package swarm

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/steledb/stele/crypto"
)

// TestProvideFind: five hosts in a private swarm bootstrap through one of
// them and their routing tables fill; A provides a feed's discovery ID;
// E, which joined after that (so holds no copy of the record itself),
// finds A through the DHT and connects to it.
func TestProvideFind(t *testing.T) {
	ctx := testContext(t)
	hosts := newLocalSwarm(t, ctx, 4)
	for i, h := range hosts {
		if err := h.WaitRoutingTable(ctx, len(hosts)-1); err != nil {
			t.Fatalf("host %d: %v", i, err)
		}
	}
	a := hosts[1]
	id := crypto.Discovery(newKey(t).Public())
	if err := a.Provide(ctx, id); err != nil {
		t.Fatal(err)
	}
	if m := a.Metrics(); m.DHTProvides != 1 || m.RoutingTablePeers != len(hosts)-1 || m.Peers != len(hosts)-1 {
		t.Errorf("A metrics %+v: want 1 provide, %d peers", m, len(hosts)-1)
	}

	e := newLocalHost(t, func(c *Config) { c.BootstrapPeers = hosts[0].Addrs() })
	hosts = append(hosts, e)
	if err := e.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	for i, h := range hosts {
		if err := h.WaitRoutingTable(ctx, len(hosts)-1); err != nil {
			t.Fatalf("host %d: %v", i, err)
		}
	}
	// Joining, E may have connected to A: the connection must come from
	// what the DHT says.
	if err := e.host.Network().ClosePeer(a.ID()); err != nil {
		t.Fatal(err)
	}
	var found bool
	for ai := range e.FindProviders(ctx, id) {
		if ai.ID != a.ID() {
			t.Errorf("provider %s, want only %s", ai.ID, a.ID())
			continue
		}
		if found {
			continue
		}
		found = true
		if err := e.Connect(ctx, ai); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatal("E did not find A")
	}
	if got := e.Connectedness(a.ID()); got != network.Connected {
		t.Errorf("E to A: %v, want connected", got)
	}
	if m := e.Metrics(); m.DHTLookups != 1 {
		t.Errorf("E metrics %+v: want 1 lookup", m)
	}

	// A blocked provider is never offered again.
	e.Block(a.ID(), "test")
	for ai := range e.FindProviders(ctx, id) {
		t.Errorf("found blocked provider %s", ai.ID)
	}
}

func TestWaitRoutingTableEndsWithContext(t *testing.T) {
	h := newLocalHost(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.WaitRoutingTable(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitRoutingTable on a lone host: %v, want %v", err, context.Canceled)
	}
	if err := h.WaitRoutingTable(ctx, 0); err != nil {
		t.Fatalf("WaitRoutingTable for 0 peers: %v", err)
	}
}

// TestBootstrapFails: a node whose only bootstrap peer is gone fails to
// bootstrap, and says so.
func TestBootstrapFails(t *testing.T) {
	ctx := testContext(t)
	// TCP only: a QUIC dial to a closed port waits out its handshake
	// timeout, where TCP is refused at once.
	gone := newLocalHost(t, func(c *Config) { c.ListenAddrs = mustAddrs("/ip4/127.0.0.1/tcp/0") })
	addrs := gone.Addrs()
	if err := gone.Close(); err != nil {
		t.Fatal(err)
	}
	h := newLocalHost(t, func(c *Config) { c.BootstrapPeers = addrs })
	if err := h.Bootstrap(ctx); err == nil || !strings.Contains(err.Error(), "no bootstrap peer reached") {
		t.Fatalf("Bootstrap: %v, want no bootstrap peer reached", err)
	}
}

func TestConnectSelf(t *testing.T) {
	h := newLocalHost(t, nil)
	if err := h.Connect(t.Context(), h.AddrInfo()); err == nil {
		t.Fatal("host connected to itself")
	}
}

// TestPeerIDOf: the host's peer ID derives from its key alone.
func TestPeerIDOf(t *testing.T) {
	key := newKey(t)
	want, err := PeerIDOf(key)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(key, LocalConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.ID() != want {
		t.Fatalf("host ID %s, PeerIDOf %s", h.ID(), want)
	}
	for _, a := range h.Addrs() {
		if !strings.HasSuffix(a.String(), "/p2p/"+want.String()) {
			t.Errorf("address %s does not end in /p2p/<ID>", a)
		}
	}
}
