package edn

import (
	"math"
	"math/big"
	"time"
)

// Equal reports whether a and b are the same EDN value:
//   - integers (int64 and *big.Int) are equal when numerically equal, so
//     1 equals 1N; an integer never equals a float or a BigDecimal;
//   - floats are equal when ==, except that NaN equals NaN (as Java's
//     Double.equals), so every value equals itself and can key a Map;
//   - BigDecimals are equal when numerically equal (1.5M equals 1.50M);
//   - #inst values are equal when they denote the same instant;
//   - a List and a Vector with Equal elements are equal, as in Clojure;
//   - maps and sets are equal when they hold Equal entries, in any order;
//   - tagged elements are equal when tag and value are.
func Equal(a, b Value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Keyword:
		y, ok := b.(Keyword)
		return ok && x == y
	case Symbol:
		y, ok := b.(Symbol)
		return ok && x == y
	case int64:
		return equalInt(x, b)
	case float64:
		return equalFloat(x, b)
	case Char:
		y, ok := b.(Char)
		return ok && x == y
	case UUID:
		y, ok := b.(UUID)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case List:
		return equalSeq(x, b)
	case Vector:
		return equalSeq(x, b)
	case *Map:
		return equalMap(x, b)
	case *Set:
		return equalSet(x, b)
	case Tagged:
		y, ok := b.(Tagged)
		return ok && x.Tag == y.Tag && Equal(x.Value, y.Value)
	case *big.Int:
		return equalBigInt(x, b)
	case BigDecimal:
		y, ok := b.(BigDecimal)
		return ok && compareDecimals(x, y) == 0
	}
	return Equal(canonical(a), b)
}

func equalInt(x int64, b Value) bool {
	switch y := b.(type) {
	case int64:
		return x == y
	case *big.Int:
		return y.IsInt64() && y.Int64() == x
	}
	return isGoInteger(b) && Equal(canonical(b), x)
}

func equalBigInt(x *big.Int, b Value) bool {
	switch y := b.(type) {
	case *big.Int:
		return x.Cmp(y) == 0
	case int64:
		return x.IsInt64() && x.Int64() == y
	}
	return isGoInteger(b) && Equal(canonical(b), x)
}

func equalFloat(x float64, b Value) bool {
	y, ok := b.(float64)
	if !ok {
		if f, isF32 := b.(float32); isF32 {
			y, ok = float64(f), true
		}
	}
	return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
}

// isGoInteger reports whether v is one of the Go integer kinds that
// canonical turns into an int64 or *big.Int.
func isGoInteger(v Value) bool {
	switch v.(type) {
	case int, int8, int16, int32, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}

func equalSeq[S List | Vector](x S, b Value) bool {
	var y []Value
	switch v := b.(type) {
	case List:
		y = v
	case Vector:
		y = v
	default:
		return false
	}
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !Equal(x[i], y[i]) {
			return false
		}
	}
	return true
}

func equalMap(x *Map, b Value) bool {
	y, ok := b.(*Map)
	if !ok || x.Len() != y.Len() {
		return false
	}
	for _, e := range x.entries {
		v, ok := y.Get(e.Key)
		if !ok || !Equal(e.Value, v) {
			return false
		}
	}
	return true
}

func equalSet(x *Set, b Value) bool {
	y, ok := b.(*Set)
	if !ok || x.Len() != y.Len() {
		return false
	}
	for _, e := range x.elems {
		if !y.Contains(e) {
			return false
		}
	}
	return true
}
