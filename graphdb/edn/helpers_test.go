package edn

import (
	"math/big"
	"testing"
	"time"
)

func vec(elems ...Value) Vector { return Vector(append([]Value{}, elems...)) }
func list(elems ...Value) List  { return List(append([]Value{}, elems...)) }

func mapOf(kvs ...Value) *Map {
	m := NewMap(len(kvs) / 2)
	for i := 0; i < len(kvs); i += 2 {
		m.Put(kvs[i], kvs[i+1])
	}
	return m
}

func setOf(elems ...Value) *Set {
	s := NewSet(len(elems))
	for _, e := range elems {
		s.Add(e)
	}
	return s
}

func bigInt(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad big int " + s)
	}
	return b
}

func dec(unscaled string, scale int32) BigDecimal {
	return BigDecimal{Unscaled: bigInt(unscaled), Scale: scale}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// identical reports whether a and b are Equal and of the same kinds all
// the way down (a list is not a vector, 1 is not 1N), which Format shows.
func identical(a, b Value) bool {
	return Equal(a, b) && string(Format(a)) == string(Format(b))
}

func mustParse(t testing.TB, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}
