package query

import (
	"cmp"
	"math"
	"strings"

	"github.com/steledb/stele/graphdb/edn"
)

// compare orders vals as edn.Compare orders their EDN values, without
// converting the kinds a database holds.
func (ex *exec) compare(a, b val) int {
	if a.k == b.k {
		switch a.k {
		case kNil:
			return 0
		case kBool, kInstant:
			return cmp.Compare(int64(a.n), int64(b.n))
		case kInt:
			return cmp.Compare(a.int(), b.int())
		case kFloat:
			return compareFloats(a.float(), b.float())
		case kString, kUUID, kBytes:
			return strings.Compare(a.s, b.s)
		case kKeyword:
			return compareKeywordText(a.s, b.s)
		}
	}
	if a.isNumber() && b.isNumber() {
		return compareNumbers(a, b)
	}
	return edn.Compare(ex.toEDN(a), ex.toEDN(b))
}

// compareFloats puts NaN below everything, as edn.Compare does.
func compareFloats(x, y float64) int {
	switch {
	case math.IsNaN(x) && math.IsNaN(y):
		return 0
	case math.IsNaN(x):
		return -1
	case math.IsNaN(y):
		return 1
	}
	return cmp.Compare(x, y)
}

// compareNumbers orders a long and a double by value; equal values order
// the long first, as in edn.Compare.
func compareNumbers(a, b val) int {
	if a.k == b.k {
		if a.k == kInt {
			return cmp.Compare(a.int(), b.int())
		}
		return compareFloats(a.float(), b.float())
	}
	if a.k == kInt {
		if c := compareIntFloat(a.int(), b.float()); c != 0 {
			return c
		}
		return -1
	}
	if c := compareIntFloat(b.int(), a.float()); c != 0 {
		return -c
	}
	return 1
}

// compareIntFloat compares exactly, even where float64(i) would round.
func compareIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 1
	case f >= 1<<63:
		return -1
	case f < -(1 << 63):
		return 1
	}
	t := math.Trunc(f)
	if c := cmp.Compare(i, int64(t)); c != 0 {
		return c
	}
	return cmp.Compare(0, f-t)
}

// numEqual is Clojure's ==: numbers equal by value across kinds.
func numEqual(a, b val) bool {
	if a.k == kInt && b.k == kInt {
		return a.n == b.n
	}
	if a.k == kFloat && b.k == kFloat {
		return a.float() == b.float()
	}
	if a.k == kInt {
		return compareIntFloat(a.int(), b.float()) == 0
	}
	return compareIntFloat(b.int(), a.float()) == 0
}

// compareKeywordText orders ":ns/name" texts as edn.Compare orders the
// keywords: by namespace (none first), then name.
func compareKeywordText(a, b string) int {
	ans, an := splitKeywordText(a)
	bns, bn := splitKeywordText(b)
	if ans != bns {
		switch {
		case ans == "":
			return -1
		case bns == "":
			return 1
		}
		return strings.Compare(ans, bns)
	}
	return strings.Compare(an, bn)
}

func splitKeywordText(s string) (ns, name string) {
	s = strings.TrimPrefix(s, ":")
	if i := strings.IndexByte(s, '/'); i > 0 && s != "/" {
		return s[:i], s[i+1:]
	}
	return "", s
}
