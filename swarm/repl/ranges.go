package repl

import (
	"fmt"
	"sort"

	"github.com/steledb/stele/feed"
)

// Range-set operations in linear time. feed.RangeSet's Add and Missing
// cost O(n) each, so applying them range by range to what a peer sends
// (up to 65,536 ranges a message) would be quadratic: a cheap way for a
// hostile peer to burn our CPU. These merge sorted lists instead.

// checkSorted checks that rs is sorted, with non-empty ranges that do not
// overlap, and below limit.
func checkSorted(rs []feed.Range, limit int64) error {
	prev := int64(-1)
	for _, r := range rs {
		switch {
		case r.Lo >= r.Hi:
			return fmt.Errorf("empty range %s", r)
		case r.Lo < prev:
			return fmt.Errorf("range %s out of order or overlapping", r)
		case r.Hi > limit:
			return fmt.Errorf("range %s beyond its latest checkpoint %d", r, limit)
		}
		prev = r.Hi
	}
	return nil
}

// union returns a ∪ b for sorted lists of non-overlapping ranges, as a
// RangeSet (adjacent ranges merged).
func union(a, b []feed.Range) feed.RangeSet {
	out := make(feed.RangeSet, 0, len(a)+len(b))
	push := func(r feed.Range) {
		if n := len(out); n > 0 && r.Lo <= out[n-1].Hi {
			out[n-1].Hi = max(out[n-1].Hi, r.Hi)
			return
		}
		out = append(out, r)
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		if j == len(b) || i < len(a) && a[i].Lo <= b[j].Lo {
			push(a[i])
			i++
		} else {
			push(b[j])
			j++
		}
	}
	return out
}

// subtract returns the parts of the sorted ranges a that are not in b.
func subtract(a []feed.Range, b feed.RangeSet) []feed.Range {
	var out []feed.Range
	j := 0
	for _, r := range a {
		for j < len(b) && b[j].Hi <= r.Lo {
			j++
		}
		lo := r.Lo
		for k := j; k < len(b) && b[k].Lo < r.Hi; k++ {
			if b[k].Lo > lo {
				out = append(out, feed.Range{Lo: lo, Hi: b[k].Lo})
			}
			lo = max(lo, b[k].Hi)
		}
		if lo < r.Hi {
			out = append(out, feed.Range{Lo: lo, Hi: r.Hi})
		}
	}
	return out
}

// firstIn returns the first part of the sorted ranges free that lies in
// have, found by binary search in have for each range of free.
func firstIn(free []feed.Range, have feed.RangeSet) (feed.Range, bool) {
	for _, f := range free {
		k := sort.Search(len(have), func(k int) bool { return have[k].Hi > f.Lo })
		if k < len(have) && have[k].Lo < f.Hi {
			return feed.Range{Lo: max(f.Lo, have[k].Lo), Hi: min(f.Hi, have[k].Hi)}, true
		}
	}
	return feed.Range{}, false
}
