package swarm

import (
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// connAddrs is a network.ConnMultiaddrs for gater tests.
type connAddrs struct{ local, remote ma.Multiaddr }

func (c connAddrs) LocalMultiaddr() ma.Multiaddr  { return c.local }
func (c connAddrs) RemoteMultiaddr() ma.Multiaddr { return c.remote }

func TestGater(t *testing.T) {
	const good, bad peer.ID = "good", "bad"
	loop4 := ma.StringCast("/ip4/127.0.0.1/tcp/4001")
	loop4b := ma.StringCast("/ip4/127.9.9.9/udp/4001/quic-v1")
	loop6 := ma.StringCast("/ip6/::1/tcp/4001")
	lan := ma.StringCast("/ip4/192.168.1.2/tcp/4001")
	public := ma.StringCast("/ip4/8.8.8.8/udp/4001/quic-v1")
	dns := ma.StringCast("/dns4/localhost/tcp/4001")
	relayed := ma.StringCast("/ip4/8.8.8.8/tcp/4001/p2p/12D3KooWLnFW2ZTfgwkdxYNexzqnkCYsgRorPq4sxYCeHrbUHdwg/p2p-circuit")

	tests := []struct {
		loopbackOnly bool
		p            peer.ID
		addr         ma.Multiaddr
		want         bool
	}{
		{true, good, loop4, true},
		{true, good, loop4b, true},
		{true, good, loop6, true},
		{true, good, lan, false},
		{true, good, public, false},
		{true, good, dns, false},
		{true, good, relayed, false},
		{true, bad, loop4, false},
		{false, good, lan, true},
		{false, good, public, true},
		{false, bad, public, false},
	}
	for _, tt := range tests {
		g := newGater(tt.loopbackOnly)
		g.block(Block{Peer: bad, Reason: "test", Since: time.Unix(1, 0)})
		c := connAddrs{local: loop4, remote: tt.addr}
		got := g.InterceptAddrDial(tt.p, tt.addr) && g.InterceptSecured(network.DirInbound, tt.p, c) && g.InterceptPeerDial(tt.p)
		if got != tt.want {
			t.Errorf("loopbackOnly %v, peer %s, %s: allowed %v, want %v", tt.loopbackOnly, tt.p, tt.addr, got, tt.want)
		}
		if accept := g.InterceptAccept(c); accept != (tt.want || tt.p == bad) {
			t.Errorf("loopbackOnly %v, accept from %s: %v", tt.loopbackOnly, tt.addr, accept)
		}
	}
}

func TestGaterList(t *testing.T) {
	g := newGater(false)
	t0 := time.Unix(100, 0)
	g.block(Block{Peer: "c", Reason: "3", Since: t0.Add(2)})
	g.block(Block{Peer: "b", Reason: "1", Since: t0})
	g.block(Block{Peer: "a", Reason: "2", Since: t0})
	if g.block(Block{Peer: "a", Reason: "again", Since: t0.Add(9)}) {
		t.Error("blocking a blocked peer reported a new block")
	}
	var got []string
	for _, b := range g.list() {
		got = append(got, string(b.Peer)+":"+b.Reason)
	}
	if want := "a:2 b:1 c:3"; strings.Join(got, " ") != want {
		t.Errorf("list %q, want %q", strings.Join(got, " "), want)
	}
	if !g.unblock("b") || g.unblock("b") || g.count() != 2 {
		t.Error("unblock")
	}
}
