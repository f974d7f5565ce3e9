package swarm

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// A Block is the record of a blocked peer.
type Block struct {
	Peer   peer.ID
	Reason string    // why, as given to Host.Block
	Since  time.Time // when it was blocked
}

// gater is the host's connection gater: it refuses every connection with
// a blocked peer, at every stage, and with LoopbackOnly every address
// outside 127.0.0.0/8 and ::1.
type gater struct {
	loopbackOnly bool

	mu      sync.Mutex
	blocked map[peer.ID]Block
}

func newGater(loopbackOnly bool) *gater {
	return &gater{loopbackOnly: loopbackOnly, blocked: make(map[peer.ID]Block)}
}

// block adds b and reports whether the peer was not blocked before. A
// peer blocked again keeps its first record.
func (g *gater) block(b Block) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.blocked[b.Peer]; ok {
		return false
	}
	g.blocked[b.Peer] = b
	return true
}

// unblock removes p and reports whether it was blocked.
func (g *gater) unblock(p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.blocked[p]
	delete(g.blocked, p)
	return ok
}

func (g *gater) isBlocked(p peer.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.blocked[p]
	return ok
}

// list returns the blocks sorted by time, then peer.
func (g *gater) list() []Block {
	g.mu.Lock()
	out := slices.Collect(maps.Values(g.blocked))
	g.mu.Unlock()
	slices.SortFunc(out, func(a, b Block) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.Peer, b.Peer)
	})
	return out
}

func (g *gater) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.blocked)
}

func (g *gater) addrAllowed(a ma.Multiaddr) bool {
	return !g.loopbackOnly || manet.IsIPLoopback(a)
}

func (g *gater) InterceptPeerDial(p peer.ID) bool {
	return !g.isBlocked(p)
}

func (g *gater) InterceptAddrDial(p peer.ID, a ma.Multiaddr) bool {
	return !g.isBlocked(p) && g.addrAllowed(a)
}

func (g *gater) InterceptAccept(c network.ConnMultiaddrs) bool {
	return g.addrAllowed(c.RemoteMultiaddr())
}

func (g *gater) InterceptSecured(_ network.Direction, p peer.ID, c network.ConnMultiaddrs) bool {
	return !g.isBlocked(p) && g.addrAllowed(c.RemoteMultiaddr())
}

func (g *gater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	return !g.isBlocked(c.RemotePeer()), 0
}
