package repl

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
)

// TestLiveThroughVolunteer: a follower connected only to a volunteer gets
// the author's new entries through it: the volunteer pushes each
// checkpoint it applies on.
func TestLiveThroughVolunteer(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 100, 10)
	pub := f.PublicKey()
	ctx := testCtx(t)
	v := newNode(t, n, "v", Config{})
	v.e.Follow(pub, nil, true)
	if err := v.e.Connect(ctx, pub, "author"); err != nil {
		t.Fatal(err)
	}
	fol := newNode(t, n, "follower", Config{})
	fol.e.Follow(pub, nil, true)
	if err := fol.e.Connect(ctx, pub, "v"); err != nil {
		t.Fatal(err)
	}
	r := replicaOf(t, fol, pub)
	for size := 110; size <= 200; size += 10 {
		appendEntries(t, f, size-10, size, 10)
		if err := waitFeed(ctx, r, "entries", func(r *feed.Feed) bool { return r.Ranges().Covers(0, int64(size)) }); err != nil {
			t.Fatalf("size %d: %v (holds %s)", size, err, r.Ranges())
		}
	}
	sameEntries(t, f, r)
}

// TestSparseFollow replicates only a range, and a second follower gets
// that range from the sparse replica.
func TestSparseFollow(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 5000, 10)
	pub := f.PublicKey()
	ctx := testCtx(t)
	sparse := newNode(t, n, "sparse", Config{})
	if err := sparse.e.Follow(pub, &feed.Range{Lo: 1000, Hi: 2000}, false); err != nil {
		t.Fatal(err)
	}
	if err := sparse.e.Connect(ctx, pub, "author"); err != nil {
		t.Fatal(err)
	}
	if err := sparse.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if got := replicaOf(t, sparse, pub).Ranges().String(); got != "1000:2000" {
		t.Fatalf("sparse replica holds %s", got)
	}
	n.handle("author", nil)
	second := newNode(t, n, "second", Config{})
	second.e.Follow(pub, &feed.Range{Lo: 1500, Hi: 1800}, false)
	if err := second.e.Connect(ctx, pub, "sparse"); err != nil {
		t.Fatal(err)
	}
	if err := second.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	r := replicaOf(t, second, pub)
	if r.Ranges().String() != "1500:1800" {
		t.Fatalf("second replica holds %s", r.Ranges())
	}
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

// TestSimultaneousConnect: two engines open streams to each other for the
// same feed at once; both keep the same one (the one "a", the smaller
// ID, opened, unless a's Connect found b's stream already there).
func TestSimultaneousConnect(t *testing.T) {
	n := newMemNet(t)
	a := newNode(t, n, "a", Config{})
	f := authorFeed(t, a.store, 50, 10)
	pub := f.PublicKey()
	b := newNode(t, n, "b", Config{})
	b.e.Follow(pub, nil, true)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for _, c := range []struct {
		from *node
		to   PeerID
	}{{a, "b"}, {b, "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.from.e.Connect(ctx, pub, c.to); err != nil {
				t.Errorf("%s connects to %s: %v", c.from.id, c.to, err)
			}
		}()
	}
	wg.Wait()
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.e.WaitCaughtUp(short, pub); err != nil {
		for _, nd := range []*node{a, b} {
			st, _ := nd.e.Status(pub)
			t.Logf("%s: %+v", nd.id, st)
			for _, c := range nd.e.existingSession(pub).allConns() {
				t.Logf("%s conn to %s outbound %v", nd.id, c.id, c.outbound)
			}
		}
		t.Logf("blocks: %+v", n.blocks)
		t.Fatal(err)
	}
	// The losing stream closes on both ends; they converge on one.
	opener := func(nd *node) PeerID {
		s := nd.e.existingSession(pub)
		if conns := s.allConns(); len(conns) == 1 {
			return s.opener(conns[0])
		}
		return ""
	}
	for _, nd := range []*node{a, b} {
		err := waitSession(ctx, nd.e.existingSession(pub), func() bool { return opener(a) != "" && opener(a) == opener(b) })
		if err != nil {
			t.Fatalf("%v: a keeps the stream of %q, b of %q", err, opener(a), opener(b))
		}
	}
	sameEntries(t, f, replicaOf(t, b, pub))
}

func TestUnfollowAndConnectErrors(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 10, 10)
	reader := newNode(t, n, "reader", Config{})
	ctx := testCtx(t)
	if err := reader.e.Connect(ctx, f.PublicKey(), "author"); err == nil {
		t.Error("connected for a feed neither held nor followed")
	}
	if err := reader.e.Follow(f.PublicKey(), &feed.Range{Lo: 5, Hi: 2}, true); err == nil {
		t.Error("followed a reversed range")
	}
	reader.e.Follow(f.PublicKey(), nil, true)
	reader.e.Unfollow(f.PublicKey())
	if st, ok := reader.e.Status(f.PublicKey()); !ok || st.Want != nil {
		t.Errorf("after Unfollow: %+v, %v", st, ok)
	}
	if err := reader.e.Connect(ctx, f.PublicKey(), "nobody"); err == nil {
		t.Error("connected to a peer with no route")
	}
	reader.stop()
	if err := reader.e.Connect(ctx, f.PublicKey(), "author"); err != ErrNotRunning {
		t.Errorf("Connect after Run returned: %v", err)
	}
}

// fakeClock is a Clock whose timers fire at once, advancing the time:
// it records what each wait was.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return fakeTimer{ch}
}

type fakeTimer struct{ c chan time.Time }

func (t fakeTimer) C() <-chan time.Time { return t.c }
func (t fakeTimer) Stop() bool          { return false }

func TestTokenBucket(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1e9, 0)}
	b := &tokenBucket{clock: clock, rate: 1000, burst: 2000, tokens: 2000, last: clock.Now()}
	done := make(chan struct{})
	steps := []struct {
		n    int
		wait time.Duration
	}{
		{1500, 0},                     // within the burst
		{1500, time.Second},           // 1000 in debt: one second
		{500, 500 * time.Millisecond}, // paid back, now 500 more
		{3000, 3 * time.Second},       // a response larger than the burst passes, in time
	}
	for i, s := range steps {
		clock.waits = nil
		if !b.wait(s.n, done) {
			t.Fatalf("step %d: wait failed", i)
		}
		var waited time.Duration
		for _, w := range clock.waits {
			waited += w
		}
		if waited != s.wait {
			t.Errorf("step %d: %d bytes waited %v, want %v", i, s.n, waited, s.wait)
		}
	}
	close(done)
	unlimited := &tokenBucket{clock: clock}
	if !unlimited.wait(1<<30, done) {
		t.Error("unlimited bucket waited")
	}
}

// waitSession waits until cond holds, re-checking after every event of
// the session.
func waitSession(ctx context.Context, s *session, cond func() bool) error {
	for {
		_, _, changed := s.waitState()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// TestChurn: a volunteer goes away in the middle of a download; the rest
// comes from the other, and what was held is kept.
func TestChurn(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 30_000, 100)
	pub := f.PublicKey()
	ctx := testCtx(t)
	var vols []*node
	for _, id := range []PeerID{"v1", "v2"} {
		v := newNode(t, n, id, Config{})
		v.e.Follow(pub, nil, false)
		if err := v.e.Connect(ctx, pub, "author"); err != nil {
			t.Fatal(err)
		}
		if err := v.e.WaitCaughtUp(ctx, pub); err != nil {
			t.Fatal(err)
		}
		vols = append(vols, v)
	}
	n.handle("author", nil)
	// Small blocks and windows, so that the download takes many requests.
	reader := newNode(t, n, "reader", Config{Machine: MachineConfig{InitialBlock: 100, MaxBlock: 100, InitialWindow: 1, MaxInFlight: 2}})
	reader.e.Follow(pub, nil, false)
	r := replicaOf(t, reader, pub)
	if err := reader.e.Connect(ctx, pub, "v1"); err != nil {
		t.Fatal(err)
	}
	if err := waitFeed(ctx, r, "some entries", func(r *feed.Feed) bool { return r.Ranges().Count() >= 1000 }); err != nil {
		t.Fatal(err)
	}
	vols[0].stop()
	held := r.Ranges().Count()
	if err := reader.e.Connect(ctx, pub, "v2"); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	sameEntries(t, f, r)
	st, _ := vols[1].e.Status(pub)
	if want := (30_000 - held) * 100; st.BytesUp > want {
		t.Errorf("v2 served %d bytes; %d were missing when v1 left", st.BytesUp, want)
	}
}

// TestStopDuringHandshake: Run returns at once even while a handshake
// waits on a silent peer (the handshake timeout is an hour here).
func TestStopDuringHandshake(t *testing.T) {
	n := newMemNet(t)
	got := make(chan struct{})
	n.handle("silent", func(st Stream, _ PeerID) {
		defer st.Close()
		buf := make([]byte, 1)
		st.Read(buf)
		close(got)
		for {
			if _, err := st.Read(buf); err != nil {
				return
			}
		}
	})
	a := newNode(t, n, "a", Config{HandshakeTimeout: time.Hour})
	f := authorFeed(t, a.store, 1, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.e.Connect(context.Background(), f.PublicKey(), "silent") }()
	<-got
	a.stop()
	if err := <-errc; err == nil {
		t.Error("Connect succeeded with a silent peer")
	}
}
