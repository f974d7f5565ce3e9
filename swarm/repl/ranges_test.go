package repl

import (
	"math/rand/v2"
	"testing"

	"github.com/steledb/stele/feed"
)

// randomSet returns a random RangeSet within [0, 64), built with Add.
func randomSet(r *rand.Rand) feed.RangeSet {
	var s feed.RangeSet
	for range r.IntN(6) {
		lo := r.Int64N(60)
		s = s.Add(lo, lo+1+r.Int64N(8))
	}
	return s
}

// TestRangeOpsAgainstRangeSet compares the linear-time operations with
// feed.RangeSet's (the reference), index by index.
func TestRangeOpsAgainstRangeSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		a, b := randomSet(r), randomSet(r)
		ref := a
		for _, x := range b {
			ref = ref.Add(x.Lo, x.Hi)
		}
		if got := union(a, b); got.String() != ref.String() {
			t.Fatalf("case %d: union(%s, %s) = %s, want %s", i, a, b, got, ref)
		}
		var want feed.RangeSet
		for _, x := range a {
			for _, m := range b.Missing(x.Lo, x.Hi) {
				want = want.Add(m.Lo, m.Hi)
			}
		}
		if got := feed.RangeSet(subtract(a, b)); got.String() != want.String() {
			t.Fatalf("case %d: subtract(%s, %s) = %s, want %s", i, a, b, got, want)
		}
		got, ok := firstIn(a, b)
		var first feed.Range
		found := false
		for _, x := range a {
			if in := b.Intersect(x.Lo, x.Hi); len(in) > 0 {
				first, found = in[0], true
				break
			}
		}
		if ok != found || got != first {
			t.Fatalf("case %d: firstIn(%s, %s) = %v %v, want %v %v", i, a, b, got, ok, first, found)
		}
		if err := checkSorted(a, 100); err != nil {
			t.Fatalf("case %d: %s: %v", i, a, err)
		}
	}
	for _, bad := range [][]feed.Range{{{Lo: 3, Hi: 3}}, {{Lo: 5, Hi: 9}, {Lo: 2, Hi: 4}}, {{Lo: 0, Hi: 5}, {Lo: 4, Hi: 6}}, {{Lo: 60, Hi: 70}}} {
		if checkSorted(bad, 64) == nil {
			t.Errorf("checkSorted(%v) accepted", bad)
		}
	}
}
