package repl

import (
	"testing"

	"github.com/steledb/stele/feed"
)

func TestWantsUnion(t *testing.T) {
	r := func(lo, hi int64) *feed.Range { return &feed.Range{Lo: lo, Hi: hi} }
	ranges := func(rs ...*feed.Range) Want {
		w := Want{Ranges: feed.RangeSet{}}
		for _, x := range rs {
			w.Ranges = w.Ranges.Add(x.Lo, x.Hi)
		}
		return w
	}
	live := func(w Want) Want { w.Live = true; return w }
	cases := []struct {
		name    string
		follow  *Want
		fetches []Want
		want    *Want
	}{
		{"nothing", nil, nil, nil},
		{"the follow alone", &Want{All: true, Live: true}, nil, &Want{All: true, Live: true}},
		{"fetches add up, in order", nil, []Want{WantOf(r(30, 40), false), WantOf(r(0, 10), false), WantOf(r(5, 20), false)}, &Want{Ranges: feed.RangeSet{{Lo: 0, Hi: 20}, {Lo: 30, Hi: 40}}}},
		{"to a follow's range", ptr(live(ranges(r(0, 10)))), []Want{WantOf(r(100, 110), false)}, ptr(live(ranges(r(0, 10), r(100, 110))))},
		{"a fetch of everything wants everything", ptr(live(ranges(r(0, 10)))), []Want{WantOf(nil, false)}, &Want{All: true, Live: true}},
		{"an empty range still follows", nil, []Want{WantOf(r(5, 5), false)}, &Want{Ranges: feed.RangeSet{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ws wants
			ws.follow = tc.follow
			for _, f := range tc.fetches {
				ws.addFetch(f)
			}
			if got := ws.union(); !sameWant(got, tc.want) || (got != nil && !got.All && got.Ranges == nil) {
				t.Errorf("union = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func ptr(w Want) *Want { return &w }

// TestConcurrentFetches fetches two ranges at once for a replica that
// follows a third: each fetch returns once its own range is held, the
// follow's range is fetched too, and nothing between the ranges is.
func TestConcurrentFetches(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	pub := authorFeed(t, author.store, 5000, 10).PublicKey()
	ctx := testCtx(t)
	reader := newNode(t, n, "reader", Config{})
	if err := reader.e.Follow(pub, &feed.Range{Lo: 0, Hi: 100}, true); err != nil {
		t.Fatal(err)
	}
	var fetches []*Fetch // both start before any peer is there to ask
	for _, r := range []feed.Range{{Lo: 3000, Hi: 3100}, {Lo: 1000, Hi: 1100}} {
		f, err := reader.e.StartFetch(pub, &r)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Stop()
		fetches = append(fetches, f)
	}
	if err := reader.e.Connect(ctx, pub, "author"); err != nil {
		t.Fatal(err)
	}
	r := replicaOf(t, reader, pub)
	for i, f := range fetches {
		if err := f.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if want := f.want.Ranges[0]; !r.Ranges().Covers(want.Lo, want.Hi) {
			t.Fatalf("fetch %d of %s returned holding %s", i, want, r.Ranges())
		}
	}
	if err := reader.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	if got := r.Ranges().String(); got != "0:100 1000:1100 3000:3100" {
		t.Errorf("replica holds %s, want the follow's range and the two fetched", got)
	}
	if _, err := reader.e.StartFetch(pub, &feed.Range{Lo: 9, Hi: 2}); err == nil {
		t.Error("a fetch of a backwards range started")
	}
}
