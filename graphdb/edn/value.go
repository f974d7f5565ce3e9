package edn

import (
	"fmt"
	"math/big"
	"time"
)

// Value is any EDN value. Parse produces only the types listed in the
// package documentation; Format, Equal, Hash and Compare accept exactly
// those types (plus the Go integer kinds and float32, which they treat as
// int64 and float64) and panic on anything else, as on a broken caller
// invariant.
type Value = any

// Keyword is an EDN keyword such as :name or :person/name. It is
// comparable, so it can key a Go map.
type Keyword struct {
	Namespace string // "" when the keyword has no namespace
	Name      string
}

// Symbol is an EDN symbol such as ?x, ns/name or the lone /.
type Symbol struct {
	Namespace string // "" when the symbol has no namespace
	Name      string
}

// Char is an EDN character such as \a or \newline.
type Char rune

// UUID is the value of a #uuid tagged element.
type UUID [16]byte

// List is an EDN list (a b c).
type List []Value

// Vector is an EDN vector [a b c].
type Vector []Value

// Tagged is a tagged element #tag value whose tag the reader does not
// interpret (everything except #inst and #uuid).
type Tagged struct {
	Tag   Symbol
	Value Value
}

// BigDecimal is an exact decimal number written with the M suffix, as
// Java's BigDecimal: its value is Unscaled × 10^-Scale. 1.50M has
// Unscaled 150 and Scale 2. Two BigDecimals are Equal when their numeric
// values are equal, whatever their scales (1.5M equals 1.50M), as in
// Clojure. Format keeps the scale, so the text round-trips.
type BigDecimal struct {
	Unscaled *big.Int
	Scale    int32
}

// K returns the keyword with the given name, split at the first '/' into
// namespace and name unless the name is "/" itself: K("db/id") is :db/id.
func K(s string) Keyword {
	ns, name := splitAtSlash(s)
	return Keyword{Namespace: ns, Name: name}
}

// Sym returns the symbol with the given name, split like K.
func Sym(s string) Symbol {
	ns, name := splitAtSlash(s)
	return Symbol{Namespace: ns, Name: name}
}

func splitAtSlash(s string) (ns, name string) {
	if s == "/" {
		return "", s
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return "", s
}

// String returns the keyword as written in EDN, e.g. ":db/id".
func (k Keyword) String() string {
	if k.Namespace == "" {
		return ":" + k.Name
	}
	return ":" + k.Namespace + "/" + k.Name
}

// String returns the symbol as written in EDN, e.g. "?x" or "clojure.core/+".
func (s Symbol) String() string {
	if s.Namespace == "" {
		return s.Name
	}
	return s.Namespace + "/" + s.Name
}

// String returns the character as written in EDN, e.g. `\newline`.
func (c Char) String() string { return string(appendChar(nil, c)) }

// String returns the canonical 8-4-4-4-12 lowercase hex form.
func (u UUID) String() string { return string(appendUUIDText(nil, u)) }

// String returns the decimal as written in EDN, e.g. "1.50M".
func (d BigDecimal) String() string { return string(appendBigDecimal(nil, d)) }

// canonical maps the Go integer kinds and float32 onto the model types, so
// callers may pass a plain int. It panics on types outside the model.
func canonical(v Value) Value {
	switch x := v.(type) {
	case nil, bool, string, int64, float64, Keyword, Symbol, Char, UUID,
		List, Vector, *Map, *Set, Tagged, *big.Int, BigDecimal, time.Time:
		return v
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		return canonicalUint(uint64(x))
	case uint64:
		return canonicalUint(x)
	case float32:
		return float64(x)
	}
	panic(fmt.Sprintf("edn: unsupported value type %T", v))
}

func canonicalUint(u uint64) Value {
	if u <= 1<<63-1 {
		return int64(u)
	}
	return new(big.Int).SetUint64(u)
}
