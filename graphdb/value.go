package graphdb

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a Value. The numbering is part of the on-feed encoding
// and of the order of values of different kinds (a long sorts before every
// double, whatever the numbers).
type Kind uint8

const (
	KindInvalid Kind = iota // the zero Value; never stored
	KindString
	KindLong
	KindDouble
	KindBool
	KindInstant
	KindUUID
	KindKeyword
	KindBytes
	KindRef
	numKinds
)

var kindNames = [numKinds]string{"invalid", "string", "long", "double", "boolean", "instant", "uuid", "keyword", "bytes", "ref"}

// String returns the name of the kind as in :db.type/<name>.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// arenaKind reports whether values of kind k carry bytes (stored in the
// arena) rather than a 64-bit number.
func (k Kind) arenaKind() bool {
	return k == KindString || k == KindKeyword || k == KindBytes || k == KindUUID
}

// Value is one value of a datom. The zero Value is invalid. Values are
// comparable with ==, which is value equality.
type Value struct {
	kind Kind
	n    uint64 // long, double bits, bool, instant millis, ref
	s    string // string, keyword (with its leading colon), bytes, uuid (16 bytes)
}

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Long returns a 64-bit integer value.
func Long(n int64) Value { return Value{kind: KindLong, n: uint64(n)} }

// Double returns a float value.
func Double(f float64) Value { return Value{kind: KindDouble, n: math.Float64bits(f)} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, n: 1}
	}
	return Value{kind: KindBool}
}

// Instant returns a point in time with millisecond precision, the precision
// of Datomic and DataScript instants; finer precision is truncated.
func Instant(t time.Time) Value { return InstantMillis(t.UnixMilli()) }

// InstantMillis returns the instant ms milliseconds after the Unix epoch.
func InstantMillis(ms int64) Value { return Value{kind: KindInstant, n: uint64(ms)} }

// UUID returns a UUID value.
func UUID(u [16]byte) Value { return Value{kind: KindUUID, s: string(u[:])} }

// Keyword returns a keyword value. The name may be given with or without its
// leading colon (":status/active" or "status/active"); it is stored with it.
func Keyword(name string) Value { return Value{kind: KindKeyword, s: keywordText(name)} }

// Bytes returns a byte-string value holding a copy of b.
func Bytes(b []byte) Value { return Value{kind: KindBytes, s: string(b)} }

// Ref returns a reference to entity e.
func Ref(e EID) Value { return Value{kind: KindRef, n: uint64(e)} }

func keywordText(name string) string {
	if strings.HasPrefix(name, ":") {
		return name
	}
	return ":" + name
}

// Kind returns the kind of v.
func (v Value) Kind() Kind { return v.kind }

// IsValid reports whether v is not the zero Value.
func (v Value) IsValid() bool { return v.kind != KindInvalid }

// Str returns the text of a string or keyword value (keywords with their
// colon), the bytes of a bytes or uuid value as a string, and "" otherwise.
func (v Value) Str() string { return v.s }

// Long returns the integer of a long value (and the raw number of others).
func (v Value) Long() int64 { return int64(v.n) }

// Double returns the float of a double value.
func (v Value) Double() float64 { return math.Float64frombits(v.n) }

// Bool returns the boolean of a boolean value.
func (v Value) Bool() bool { return v.n != 0 }

// Millis returns the milliseconds since the Unix epoch of an instant.
func (v Value) Millis() int64 { return int64(v.n) }

// Time returns an instant as a time.Time in UTC.
func (v Value) Time() time.Time { return time.UnixMilli(int64(v.n)).UTC() }

// UUID returns the 16 bytes of a uuid value.
func (v Value) UUID() (u [16]byte) {
	copy(u[:], v.s)
	return u
}

// Bytes returns a copy of the bytes of a bytes value.
func (v Value) Bytes() []byte { return []byte(v.s) }

// Ref returns the entity of a ref value.
func (v Value) Ref() EID { return EID(v.n) }

// orderKey maps the number of a non-arena value to a uint64 whose unsigned
// order is the order of the values. Doubles use the IEEE 754 total order, so
// -0.0 sorts before 0.0 and values compare by their bits.
func orderKey(k Kind, n uint64) uint64 {
	switch k {
	case KindLong, KindInstant:
		return n ^ 1<<63
	case KindDouble:
		if n>>63 == 1 {
			return ^n
		}
		return n | 1<<63
	}
	return n
}

// CompareValues orders values: by kind first, then by value (numbers
// numerically, strings, keywords, bytes and uuids bytewise).
func CompareValues(a, b Value) int {
	if a.kind != b.kind {
		return cmp.Compare(a.kind, b.kind)
	}
	if a.kind.arenaKind() {
		return strings.Compare(a.s, b.s)
	}
	return cmp.Compare(orderKey(a.kind, a.n), orderKey(b.kind, b.n))
}

// String formats v in EDN notation (for messages and tests).
func (v Value) String() string {
	switch v.kind {
	case KindString:
		return strconv.Quote(v.s)
	case KindLong:
		return strconv.FormatInt(int64(v.n), 10)
	case KindDouble:
		return formatDouble(v.Double())
	case KindBool:
		return strconv.FormatBool(v.n != 0)
	case KindInstant:
		return `#inst "` + v.Time().Format("2006-01-02T15:04:05.000Z07:00") + `"`
	case KindUUID:
		h := hex.EncodeToString([]byte(v.s))
		if len(h) != 32 {
			return `#uuid "` + h + `"`
		}
		return `#uuid "` + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + `"`
	case KindKeyword:
		return v.s
	case KindBytes:
		return `#bytes "` + base64.StdEncoding.EncodeToString([]byte(v.s)) + `"`
	case KindRef:
		return EID(v.n).String()
	}
	return "#invalid"
}

func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "##NaN"
	case math.IsInf(f, 1):
		return "##Inf"
	case math.IsInf(f, -1):
		return "##-Inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// GoString helps test failure messages.
func (v Value) GoString() string { return fmt.Sprintf("graphdb.Value(%s %s)", v.kind, v) }
