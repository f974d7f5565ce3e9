package swarm

import (
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
)

// TestBlock: blocking a peer drops its connection and its streams, and
// both sides' redials and streams are refused until it is unblocked.
func TestBlock(t *testing.T) {
	ctx := testContext(t)
	a, b := connectPair(t, ctx, nil, nil)
	var served atomic.Int32
	a.SetStreamHandler(echoProtocol, func(s network.Stream) {
		served.Add(1)
		echo(s)
	})
	live, err := b.OpenStream(ctx, a.ID(), echoProtocol)
	if err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(live, []byte("before")); err != nil {
		t.Fatal(err)
	}

	const reason = "sent a range proof that does not check"
	a.Block(b.ID(), reason)
	a.Block(b.ID(), "again") // keeps the first record

	if got := a.Connectedness(b.ID()); got == network.Connected {
		t.Error("A still connected to B after Block")
	}
	if _, err := io.ReadFull(live, make([]byte, 1)); err == nil {
		t.Error("B's stream to A survived the block")
	}
	if err := a.Connect(ctx, b.AddrInfo()); !errors.Is(err, ErrBlocked) {
		t.Errorf("A connects to B: %v, want %v", err, ErrBlocked)
	}
	if _, err := a.OpenStream(ctx, b.ID(), echoProtocol); !errors.Is(err, ErrBlocked) {
		t.Errorf("A opens a stream to B: %v, want %v", err, ErrBlocked)
	}
	// B redials: A's gater refuses the connection, so no stream of B's
	// gets through, whichever transport B tries.
	for range 3 {
		if s, err := b.OpenStream(ctx, a.ID(), echoProtocol); err == nil {
			if roundTrip(s, []byte("after")) == nil {
				t.Fatal("A served B after blocking it")
			}
			_ = s.Reset()
		}
	}
	if n := served.Load(); n != 1 {
		t.Errorf("A served %d streams, want 1 (before the block)", n)
	}

	blocks := a.Blocked()
	if len(blocks) != 1 || blocks[0].Peer != b.ID() || blocks[0].Reason != reason || blocks[0].Since.IsZero() {
		t.Errorf("block list %+v, want B with reason %q", blocks, reason)
	}
	if m := a.Metrics(); m.Blocks != 1 || m.BlockedPeers != 1 {
		t.Errorf("A metrics %+v: want 1 block, 1 blocked peer", m)
	}

	if !a.Unblock(b.ID()) || a.IsBlocked(b.ID()) || a.Unblock(b.ID()) {
		t.Fatal("Unblock did not take B off the list exactly once")
	}
	// A dials B. B dialing A instead could fail once: B's DHT may be
	// dialing A too, and libp2p's dial worker hands a dial that joins it
	// the connection it made to each address, here one of the redials
	// above, which A refused and closed (then "connection failed").
	b.SetStreamHandler(echoProtocol, echo)
	s, err := a.OpenStream(ctx, b.ID(), echoProtocol)
	if err != nil {
		t.Fatalf("A opens a stream to B after unblock: %v", err)
	}
	defer s.Reset()
	if err := roundTrip(s, []byte("after unblock")); err != nil {
		t.Fatalf("A to B after unblock: %v", err)
	}
	// B's stream goes over that connection, which B holds since it served
	// A's stream, and A serves it.
	s, err = b.OpenStream(ctx, a.ID(), echoProtocol)
	if err != nil {
		t.Fatalf("B opens a stream to A after unblock: %v", err)
	}
	defer s.Reset()
	if err := roundTrip(s, []byte("after unblock")); err != nil {
		t.Fatalf("B to A after unblock: %v", err)
	}
	if n := served.Load(); n != 2 {
		t.Errorf("A served %d streams, want 2 (before the block, after unblock)", n)
	}
}

func TestBlockSelfIsIgnored(t *testing.T) {
	a := newLocalHost(t, nil)
	a.Block(a.ID(), "no")
	if a.IsBlocked(a.ID()) || len(a.Blocked()) != 0 {
		t.Fatal("host blocked itself")
	}
}

func TestProtect(t *testing.T) {
	a := newLocalHost(t, nil)
	b := newLocalHost(t, nil)
	p := b.ID()
	a.Protect(p)
	a.Protect(p)
	if !a.IsProtected(p) || a.Metrics().Protected != 1 {
		t.Fatal("not protected after Protect")
	}
	if !a.Unprotect(p) || !a.IsProtected(p) {
		t.Fatal("one Unprotect of two Protects ended the protection")
	}
	if a.Unprotect(p) || a.IsProtected(p) {
		t.Fatal("still protected after as many Unprotects as Protects")
	}
	if a.Unprotect(p) {
		t.Fatal("Unprotect of an unprotected peer reported protection")
	}
	a.Protect(p)
	a.Block(p, "misbehaved")
	if a.IsProtected(p) {
		t.Fatal("a blocked peer stays protected")
	}
}
