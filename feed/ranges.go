package feed

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// A Range is the half-open interval of entry indexes [Lo, Hi).
type Range struct {
	Lo, Hi int64
}

// Len returns the number of entries in r.
func (r Range) Len() int64 { return r.Hi - r.Lo }

// String formats r as "lo:hi", the form the CLI accepts.
func (r Range) String() string { return fmt.Sprintf("%d:%d", r.Lo, r.Hi) }

// ParseRange parses "lo:hi" (as printed by Range.String).
func ParseRange(s string) (Range, error) {
	lo, hi, ok := strings.Cut(s, ":")
	if !ok {
		return Range{}, fmt.Errorf("range %q: want LO:HI", s)
	}
	l, err1 := strconv.ParseInt(lo, 10, 64)
	h, err2 := strconv.ParseInt(hi, 10, 64)
	if err1 != nil || err2 != nil || l < 0 || h < l {
		return Range{}, fmt.Errorf("range %q: want LO:HI with 0 <= LO <= HI", s)
	}
	return Range{l, h}, nil
}

// A RangeSet is a set of entry indexes kept as sorted, disjoint,
// non-adjacent ranges. The zero value is the empty set. Methods that change
// the set return a new RangeSet and never modify the receiver's backing
// array, so a RangeSet can be shared with readers.
type RangeSet []Range

// Contains reports whether index i is in s.
func (s RangeSet) Contains(i int64) bool {
	k := sort.Search(len(s), func(k int) bool { return s[k].Hi > i })
	return k < len(s) && s[k].Lo <= i
}

// Covers reports whether every index of [lo, hi) is in s.
func (s RangeSet) Covers(lo, hi int64) bool {
	if lo >= hi {
		return true
	}
	k := sort.Search(len(s), func(k int) bool { return s[k].Hi > lo })
	return k < len(s) && s[k].Lo <= lo && s[k].Hi >= hi
}

// Count returns the number of indexes in s.
func (s RangeSet) Count() int64 {
	var n int64
	for _, r := range s {
		n += r.Len()
	}
	return n
}

// Add returns s ∪ [lo, hi).
func (s RangeSet) Add(lo, hi int64) RangeSet {
	if lo >= hi {
		return s
	}
	out := make(RangeSet, 0, len(s)+1)
	i := 0
	for ; i < len(s) && s[i].Hi < lo; i++ {
		out = append(out, s[i])
	}
	merged := Range{lo, hi}
	for ; i < len(s) && s[i].Lo <= hi; i++ {
		merged.Lo = min(merged.Lo, s[i].Lo)
		merged.Hi = max(merged.Hi, s[i].Hi)
	}
	out = append(out, merged)
	return append(out, s[i:]...)
}

// Remove returns s \ [lo, hi).
func (s RangeSet) Remove(lo, hi int64) RangeSet {
	if lo >= hi {
		return s
	}
	out := make(RangeSet, 0, len(s)+1)
	for _, r := range s {
		if r.Hi <= lo || r.Lo >= hi {
			out = append(out, r)
			continue
		}
		if r.Lo < lo {
			out = append(out, Range{r.Lo, lo})
		}
		if r.Hi > hi {
			out = append(out, Range{hi, r.Hi})
		}
	}
	return out
}

// Intersect returns the parts of [lo, hi) that are in s, in order.
func (s RangeSet) Intersect(lo, hi int64) []Range {
	var out []Range
	for _, r := range s {
		a, b := max(r.Lo, lo), min(r.Hi, hi)
		if a < b {
			out = append(out, Range{a, b})
		}
	}
	return out
}

// Missing returns the parts of [lo, hi) that are not in s, in order.
func (s RangeSet) Missing(lo, hi int64) []Range {
	var out []Range
	next := lo
	for _, r := range s.Intersect(lo, hi) {
		if r.Lo > next {
			out = append(out, Range{next, r.Lo})
		}
		next = r.Hi
	}
	if next < hi {
		out = append(out, Range{next, hi})
	}
	return out
}

// String formats s as space-separated "lo:hi" ranges ("" when empty).
func (s RangeSet) String() string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = r.String()
	}
	return strings.Join(parts, " ")
}
