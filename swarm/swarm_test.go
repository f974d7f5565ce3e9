package swarm

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/steledb/stele/crypto"
)

// TestProvideFind: five hosts in a private swarm bootstrap through one of
// them, their routing tables fill, A provides a feed's discovery ID and E
// finds A through the DHT and connects to it.
func TestProvideFind(t *testing.T) {
	ctx := testContext(t)
	hosts := newLocalSwarm(t, ctx, 5)
	for i, h := range hosts {
		if err := h.WaitRoutingTable(ctx, len(hosts)-1); err != nil {
			t.Fatalf("host %d: %v", i, err)
		}
	}
	a, e := hosts[1], hosts[4]
	id := crypto.Discovery(newKey(t).Public())
	if err := a.Provide(ctx, id); err != nil {
		t.Fatal(err)
	}
	if m := a.Metrics(); m.DHTProvides != 1 || m.RoutingTablePeers != len(hosts)-1 || m.Peers != len(hosts)-1 {
		t.Errorf("A metrics %+v: want 1 provide, %d peers", m, len(hosts)-1)
	}
	// E must learn A's addresses from the DHT (the provider record or a
	// peer lookup), not from a live connection.
	if err := e.host.Network().ClosePeer(a.ID()); err != nil {
		t.Fatal(err)
	}
	e.host.Peerstore().ClearAddrs(a.ID())

	var found bool
	for ai := range e.FindProviders(ctx, id) {
		if ai.ID != a.ID() {
			t.Errorf("provider %s, want only %s", ai.ID, a.ID())
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
}
