package edn

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"
)

// Compare orders all values totally, consistently with Equal (Compare is 0
// exactly when Equal is true), for sorting query results and for index
// order. Values of different kinds order by kind:
//
//	nil < booleans < numbers < characters < strings < keywords < symbols
//	    < UUIDs < instants < lists and vectors < maps < sets < tagged
//
// Within a kind: false < true; numbers by numeric value across int64,
// *big.Int, float64 and BigDecimal, NaN below everything, and equal
// values of different kinds ordered integer < float < decimal (1 < 1.0 <
// 1.0M); strings by bytes, i.e. by Unicode code point; keywords and
// symbols by namespace, then name (no namespace first, as in Clojure);
// instants by time; lists and vectors element by element, a prefix first;
// maps and sets by size, then by their sorted entries; tagged elements by
// tag, then value.
func Compare(a, b Value) int {
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch x := a.(type) {
	case nil:
		return 0
	case bool:
		return compareBool(x, b.(bool))
	case string:
		return strings.Compare(x, b.(string))
	case Keyword:
		y := b.(Keyword)
		return compareNames(x.Namespace, x.Name, y.Namespace, y.Name)
	case Symbol:
		y := b.(Symbol)
		return compareNames(x.Namespace, x.Name, y.Namespace, y.Name)
	case Char:
		return cmp.Compare(x, b.(Char))
	case UUID:
		y := b.(UUID)
		return bytes.Compare(x[:], y[:])
	case time.Time:
		return x.Compare(b.(time.Time))
	case List, Vector:
		return compareSeq(asSeq(a), asSeq(b))
	case *Map:
		return compareMaps(x, b.(*Map))
	case *Set:
		return compareSets(x, b.(*Set))
	case Tagged:
		y := b.(Tagged)
		if c := Compare(x.Tag, y.Tag); c != 0 {
			return c
		}
		return Compare(x.Value, y.Value)
	}
	return compareNumbers(canonical(a), canonical(b))
}

const (
	rankNil = iota
	rankBool
	rankNumber
	rankChar
	rankString
	rankKeyword
	rankSymbol
	rankUUID
	rankInst
	rankSeq
	rankMap
	rankSet
	rankTagged
)

func rank(v Value) int {
	switch v.(type) {
	case nil:
		return rankNil
	case bool:
		return rankBool
	case int64, float64, *big.Int, BigDecimal:
		return rankNumber
	case Char:
		return rankChar
	case string:
		return rankString
	case Keyword:
		return rankKeyword
	case Symbol:
		return rankSymbol
	case UUID:
		return rankUUID
	case time.Time:
		return rankInst
	case List, Vector:
		return rankSeq
	case *Map:
		return rankMap
	case *Set:
		return rankSet
	case Tagged:
		return rankTagged
	}
	return rank(canonical(v))
}

func compareBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}

func compareNames(ns1, n1, ns2, n2 string) int {
	if c := strings.Compare(ns1, ns2); c != 0 {
		return c
	}
	return strings.Compare(n1, n2)
}

func asSeq(v Value) []Value {
	if l, ok := v.(List); ok {
		return l
	}
	return v.(Vector)
}

func compareSeq(x, y []Value) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		if c := Compare(x[i], y[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(x), len(y))
}

func compareMaps(x, y *Map) int {
	if c := cmp.Compare(x.Len(), y.Len()); c != 0 {
		return c
	}
	xs, ys := sortedEntries(x), sortedEntries(y)
	for i := range xs {
		if c := Compare(xs[i].Key, ys[i].Key); c != 0 {
			return c
		}
		if c := Compare(xs[i].Value, ys[i].Value); c != 0 {
			return c
		}
	}
	return 0
}

func sortedEntries(m *Map) []MapEntry {
	s := slices.Clone(m.entries)
	slices.SortFunc(s, func(a, b MapEntry) int { return Compare(a.Key, b.Key) })
	return s
}

func compareSets(x, y *Set) int {
	if c := cmp.Compare(x.Len(), y.Len()); c != 0 {
		return c
	}
	xs, ys := slices.Clone(x.elems), slices.Clone(y.elems)
	slices.SortFunc(xs, Compare)
	slices.SortFunc(ys, Compare)
	return compareSeq(xs, ys)
}

// Number kinds break ties between numerically equal values.
const (
	numInteger = iota
	numFloat
	numDecimal
)

func numKind(v Value) int {
	switch v.(type) {
	case float64:
		return numFloat
	case BigDecimal:
		return numDecimal
	}
	return numInteger
}

func compareNumbers(a, b Value) int {
	switch x := a.(type) {
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y) // NaN first, -0 equal to 0
		}
	}
	if c := compareNumericValue(a, b); c != 0 {
		return c
	}
	return cmp.Compare(numKind(a), numKind(b))
}

// compareNumericValue compares a and b as real numbers (NaN lowest, then
// -Inf, then the finite numbers, then +Inf), exactly.
func compareNumericValue(a, b Value) int {
	ca, cb := floatClass(a), floatClass(b)
	if ca != classFinite || cb != classFinite {
		return cmp.Compare(ca, cb)
	}
	_, da := a.(BigDecimal)
	_, db := b.(BigDecimal)
	if da || db { // never through big.Rat: 1E-999999999M has a huge denominator
		return compareDecimals(toDecimal(a), toDecimal(b))
	}
	return exactRat(a).Cmp(exactRat(b))
}

const (
	classNaN = iota
	classNegInf
	classFinite
	classPosInf
)

func floatClass(v Value) int {
	f, ok := v.(float64)
	switch {
	case !ok:
		return classFinite
	case math.IsNaN(f):
		return classNaN
	case math.IsInf(f, -1):
		return classNegInf
	case math.IsInf(f, 1):
		return classPosInf
	}
	return classFinite
}

func exactRat(v Value) *big.Rat {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x)
	case *big.Int:
		return new(big.Rat).SetInt(x)
	case float64:
		return new(big.Rat).SetFloat64(x) // exact for finite floats
	}
	panic("edn: exactRat of a non-number")
}
