package repl

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
)

func TestFullDownloadFromAuthor(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 5000, 100)
	reader := newNode(t, n, "reader", Config{})
	ctx := testCtx(t)
	if err := reader.e.Follow(f.PublicKey(), nil, false); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.Connect(ctx, f.PublicKey(), "author"); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.WaitCaughtUp(ctx, f.PublicKey()); err != nil {
		t.Fatal(err)
	}
	sameEntries(t, f, replicaOf(t, reader, f.PublicKey()))

	st, _ := reader.e.Status(f.PublicKey())
	if len(st.Peers) != 1 || st.Peers[0].EntriesDown != 5000 || st.BytesDown != 500_000 {
		t.Errorf("reader status: %+v", st)
	}
	ast, _ := author.e.Status(f.PublicKey())
	if ast.BytesUp != 500_000 || len(ast.Peers) != 1 || ast.Peers[0].BytesUp != 500_000 {
		t.Errorf("author status: bytes up %d, peers %+v", ast.BytesUp, ast.Peers)
	}
	if m := reader.e.Metrics(); m.Peers != 1 || len(m.Feeds) != 1 || m.Feeds[0].BytesDown != 500_000 || m.VerificationFailures != 0 {
		t.Errorf("reader metrics: %+v", m)
	}
}

func TestDownloadFromVolunteersWithoutAuthor(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 20_000, 64)
	pub := f.PublicKey()
	ctx := testCtx(t)
	var volunteers []*node
	for _, id := range []PeerID{"v1", "v2"} {
		v := newNode(t, n, id, Config{})
		if err := v.e.Follow(pub, nil, true); err != nil {
			t.Fatal(err)
		}
		if err := v.e.Connect(ctx, pub, "author"); err != nil {
			t.Fatal(err)
		}
		if err := v.e.WaitCaughtUp(ctx, pub); err != nil {
			t.Fatal(err)
		}
		volunteers = append(volunteers, v)
	}
	author.stop()

	reader := newNode(t, n, "reader", Config{Machine: MachineConfig{InitialBlock: 256, MaxBlock: 1024}})
	if err := reader.e.Follow(pub, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.Connect(ctx, pub, "author"); err == nil {
		t.Fatal("connected to the stopped author")
	}
	for _, v := range volunteers {
		if err := reader.e.Connect(ctx, pub, v.id); err != nil {
			t.Fatal(err)
		}
	}
	if err := reader.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	r := replicaOf(t, reader, pub)
	if r.Len() != 20_000 || !r.Ranges().Covers(0, 20_000) {
		t.Fatalf("reader holds %s of %d", r.Ranges(), r.Len())
	}
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
	for _, v := range volunteers {
		if st, _ := v.e.Status(pub); st.BytesUp == 0 {
			t.Errorf("volunteer %s served nothing: the download was not spread", v.id)
		}
	}
}

func TestLiveFollowing(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 10, 20)
	pub := f.PublicKey()
	ctx := testCtx(t)
	var followers []*feed.Feed
	for _, id := range []PeerID{"f1", "f2", "f3"} {
		nd := newNode(t, n, id, Config{})
		if err := nd.e.Follow(pub, nil, true); err != nil {
			t.Fatal(err)
		}
		if err := nd.e.Connect(ctx, pub, "author"); err != nil {
			t.Fatal(err)
		}
		followers = append(followers, replicaOf(t, nd, pub))
	}
	for round := 1; round <= 20; round++ {
		size := int64(10 + round*5)
		appendEntries(t, f, int(size-5), int(size), 20)
		for _, r := range followers {
			err := waitFeed(ctx, r, "new entries", func(r *feed.Feed) bool { return r.Ranges().Covers(0, size) })
			if err != nil {
				t.Fatalf("round %d: %v (holds %s)", round, err, r.Ranges())
			}
		}
	}
	for _, r := range followers {
		sameEntries(t, f, r)
	}
}

// TestFork: two stores hold the same author key and append different
// entries. Every engine ends with the feed forked and the evidence stored.
func TestFork(t *testing.T) {
	n := newMemNet(t)
	a := newNode(t, n, "a", Config{})
	fa := authorFeed(t, a.store, 100, 10)
	pub := fa.PublicKey()
	key, err := a.store.ExportKey(pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := newNode(t, n, "b", Config{})
	fb, err := b.store.ImportKey(key, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := fb.ConfirmLatest(); err != nil { // the mistake: appending without fetching
		t.Fatal(err)
	}
	appendEntries(t, fb, 0, 50, 11)
	follower := newNode(t, n, "follower", Config{})
	ctx := testCtx(t)
	if err := follower.e.Follow(pub, nil, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range []PeerID{"a", "b"} {
		if err := follower.e.Connect(ctx, pub, p); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("connect to %s: %v", p, err)
		}
	}
	if err := a.e.Connect(ctx, pub, "b"); err != nil {
		t.Logf("a connects to b: %v", err)
	}
	for _, nd := range []*node{a, b, follower} {
		f := replicaOf(t, nd, pub)
		if err := waitFeed(ctx, f, "fork", func(f *feed.Feed) bool { _, forked := f.Forked(); return forked }); err != nil {
			t.Fatalf("%s: %v", nd.id, err)
		}
		evs, err := f.ForkEvidence()
		if err != nil || len(evs) == 0 {
			t.Errorf("%s: fork evidence %v, %v", nd.id, evs, err)
		}
	}
	if err := follower.e.WaitCaughtUp(ctx, pub); !errors.Is(err, feed.ErrForked) {
		t.Errorf("WaitCaughtUp on a forked feed: %v", err)
	}
	if n.blockCount() != 0 {
		t.Errorf("a fork blocked peers: %+v", n.blocks)
	}
}

func TestWaitCaughtUpEmptyFeed(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f, err := author.store.Create("")
	if err != nil {
		t.Fatal(err)
	}
	reader := newNode(t, n, "reader", Config{})
	ctx := testCtx(t)
	reader.e.Follow(f.PublicKey(), nil, false)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := reader.e.WaitCaughtUp(short, f.PublicKey()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caught up with no peer: %v", err)
	}
	if err := reader.e.Connect(ctx, f.PublicKey(), "author"); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.WaitCaughtUp(ctx, f.PublicKey()); err != nil {
		t.Fatal(err)
	}
}
