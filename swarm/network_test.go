package swarm

import (
	"io"
	"testing"

	"github.com/steledb/stele/swarm/repl"
)

// The adapter is what the replication engine needs.
var _ repl.Network = (*SyncNetwork[repl.PeerID, repl.Stream])(nil)

type (
	replPeerID = repl.PeerID
	replStream = repl.Stream
)

// TestSyncNetwork: a sync stream round trip through the adapter on both
// sides; each open stream protects its peer until it ends; Block blocks.
func TestSyncNetwork(t *testing.T) {
	ctx := testContext(t)
	a, b := connectPair(t, ctx, nil, nil)
	na := NewSyncNetwork[replPeerID, replStream](a)
	nb := NewSyncNetwork[replPeerID, replStream](b)
	type inbound struct {
		from      replPeerID
		protected bool
	}
	got := make(chan inbound, 1)
	nb.Serve(func(p replPeerID, s replStream) {
		got <- inbound{p, b.IsProtected(a.ID())}
		defer s.Close()
		_, _ = io.Copy(s, s)
	})
	defer nb.Stop()

	s, err := na.OpenStream(ctx, replPeerID(b.ID()))
	if err != nil {
		t.Fatal(err)
	}
	if !a.IsProtected(b.ID()) {
		t.Error("A does not protect B while a sync stream is open")
	}
	if _, err := s.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo %q, %v", buf, err)
	}
	if in := <-got; in.from != replPeerID(a.ID()) || !in.protected {
		t.Errorf("B's handler got %+v, want A's ID, protected", in)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_ = s.Reset() // a second end unprotects nothing more
	if a.IsProtected(b.ID()) {
		t.Error("A still protects B after the stream ended")
	}

	if _, err := na.OpenStream(ctx, "not a peer ID"); err == nil {
		t.Error("opened a stream to a malformed peer ID")
	}
	na.Block(replPeerID(b.ID()), "bad data")
	if !a.IsBlocked(b.ID()) {
		t.Error("Block did not block")
	}
	if _, err := na.OpenStream(ctx, replPeerID(b.ID())); err == nil {
		t.Error("opened a stream to a blocked peer")
	}
}

func TestNewSyncNetworkChecksStreamType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a stream type libp2p streams do not implement")
		}
	}()
	type notAStream interface{ Frobnicate() }
	NewSyncNetwork[replPeerID, notAStream](nil)
}
