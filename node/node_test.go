package node

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startNode makes a local-profile repo bootstrapping from boot (if any) and
// starts a node on it.
func startNode(t *testing.T, boot *Node) *Node {
	t.Helper()
	cfg, err := repo.ProfileConfig(repo.ProfileLocal)
	if err != nil {
		t.Fatal(err)
	}
	if boot != nil {
		for _, a := range boot.Host.Addrs() {
			cfg.Swarm.Bootstrap = append(cfg.Swarm.Bootstrap, a.String())
		}
	}
	r, err := repo.Init(filepath.Join(t.TempDir(), "repo"), repo.Options{Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	n, err := Start(r, Options{AnnounceInterval: 50 * time.Millisecond})
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Error(err)
		}
		r.Close()
	})
	return n
}

func entries(lo, hi int) [][]byte {
	out := make([][]byte, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, []byte(fmt.Sprintf("entry %d", i)))
	}
	return out
}

// authorAndPeer starts two nodes: one authors a feed of 1,000 entries,
// the other has it in its routing table.
func authorAndPeer(t *testing.T, ctx context.Context) (*feed.Feed, *Node) {
	t.Helper()
	a := startNode(t, nil)
	b := startNode(t, a)
	f, err := a.Repo.Feeds.Create("log")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Append(entries(0, 1000)...); err != nil {
		t.Fatal(err)
	}
	if err := b.Host.WaitRoutingTable(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return f, b
}

func TestSeedFollowsLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f, b := authorAndPeer(t, ctx)
	if err := b.Seed(f.PublicKey(), nil, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx, f.PublicKey(), nil, nil); err != nil {
		t.Fatal(err)
	}
	rf, err := b.Repo.Feeds.Feed(f.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if rf.Ranges().String() != "0:1000" {
		t.Fatalf("replica holds %s", rf.Ranges())
	}
	// Live: the follower holds new entries without being asked.
	changed := rf.Watch()
	if _, err := f.Append(entries(1000, 1010)...); err != nil {
		t.Fatal(err)
	}
	for rf.Ranges().String() != "0:1010" {
		select {
		case <-changed:
			changed = rf.Watch()
		case <-ctx.Done():
			t.Fatalf("follower holds %s after the author appended", rf.Ranges())
		}
	}
	if err := rf.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestMetrics(t *testing.T) {
	n := startNode(t, nil)
	rec := httptest.NewRecorder()
	n.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{"stele_peers 0", "stele_verification_failures_total 0", "stele_blocked_peers 0", "stele_dht_lookups_total", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestSeedMaxStorage: a seed over its storage limit stops fetching.
func TestSeedMaxStorage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := startNode(t, nil)
	b := startNode(t, a)
	f, _ := a.Repo.Feeds.Create("big")
	big := make([][]byte, 64)
	for i := range big {
		big[i] = make([]byte, 64<<10)
		for k := range big[i] {
			big[i][k] = byte(i*31 + k*7 + k*k>>3)
		}
	}
	for range 8 {
		if _, err := f.Append(big...); err != nil {
			t.Fatal(err)
		}
	}
	b.Host.WaitRoutingTable(ctx, 1)
	if err := b.Seed(f.PublicKey(), nil, 1<<20); err != nil {
		t.Fatal(err)
	}
	rf, err := b.Repo.Feeds.Replicate(f.PublicKey(), "")
	if err != nil {
		rf, err = b.Repo.Feeds.Feed(f.PublicKey())
	}
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the storage loop has stopped the follow: the engine's want
	// is cleared, so the feed is not followed any more.
	for {
		st, ok := b.Engine.Status(f.PublicKey())
		if ok && st.Want == nil && rf.Ranges().Count() > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("seed over its limit still followed; holds %d entries", rf.Ranges().Count())
		case <-rf.Watch():
		case <-time.After(500 * time.Millisecond): // the loop runs on its own timer
		}
	}
	if held := rf.Ranges().Count(); held == 512 {
		t.Fatalf("a seed limited to 1 MiB fetched all %d entries (32 MiB)", held)
	}
}

// TestHoldsAddUp holds two ranges at once of a feed whose seed wants a
// third: each Hold returns holding its range (once, every fetch set the
// feed's one want in turn, and a Hold outside a seed's range waited for
// the seed's instead), and nothing else is fetched.
func TestHoldsAddUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f, b := authorAndPeer(t, ctx)
	if err := b.Seed(f.PublicKey(), &feed.Range{Lo: 0, Hi: 10}, 0); err != nil {
		t.Fatal(err)
	}
	rf, err := b.Repo.Feeds.Feed(f.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, r := range []feed.Range{{Lo: 500, Hi: 510}, {Lo: 800, Hi: 805}} {
		go func() { errs <- b.Hold(ctx, rf, r.Lo, r.Hi) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !rf.Ranges().Covers(500, 510) || !rf.Ranges().Covers(800, 805) {
		t.Fatalf("replica holds %s after both Holds returned", rf.Ranges())
	}
	if err := b.Sync(ctx, f.PublicKey(), &feed.Range{Lo: 0, Hi: 10}, nil); err != nil {
		t.Fatal(err)
	}
	if got := rf.Ranges().String(); got != "0:10 500:510 800:805" {
		t.Errorf("replica holds %s, want the seed's range and the two held", got)
	}
}
