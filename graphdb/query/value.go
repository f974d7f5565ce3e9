package query

import (
	"encoding/base64"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// kind is the kind of a val. Longs and entity IDs share kInt: DataScript
// makes no difference between an entity ID and the number, so a ref binds
// the same variable as a long.
type kind uint8

const (
	kNil kind = iota
	kBool
	kInt
	kFloat
	kString
	kKeyword // s is the keyword text with its colon, as graphdb stores it
	kInstant // n is milliseconds since the Unix epoch
	kUUID    // s holds the 16 bytes
	kBytes
	kOther // n indexes the execution's interned values (see exec.intern)
)

// val is a value bound to a variable during evaluation: 32 bytes, no
// pointers to chase for the kinds a database holds, comparable with ==
// (which is value equality, since other values are interned), so it keys
// Go maps directly. Strings share the database's memory.
type val struct {
	k kind
	n uint64
	s string
}

var (
	valNil   = val{}
	valTrue  = val{k: kBool, n: 1}
	valFalse = val{k: kBool}
)

func intVal(n int64) val     { return val{k: kInt, n: uint64(n)} }
func floatVal(f float64) val { return val{k: kFloat, n: math.Float64bits(f)} }
func strVal(s string) val    { return val{k: kString, s: s} }
func eidVal(e graphdb.EID) val {
	return val{k: kInt, n: uint64(e)}
}

func boolVal(b bool) val {
	if b {
		return valTrue
	}
	return valFalse
}

func (v val) int() int64       { return int64(v.n) }
func (v val) float() float64   { return math.Float64frombits(v.n) }
func (v val) eid() graphdb.EID { return graphdb.EID(v.n) }

// truthy is Clojure's truth: everything but nil and false.
func (v val) truthy() bool { return v.k != kNil && !(v.k == kBool && v.n == 0) }

func (v val) isNumber() bool { return v.k == kInt || v.k == kFloat }

// keywordVal returns the val of an EDN keyword.
func keywordVal(k edn.Keyword) val { return val{k: kKeyword, s: ":" + keywordName(k)} }

func keywordName(k edn.Keyword) string {
	if k.Namespace == "" {
		return k.Name
	}
	return k.Namespace + "/" + k.Name
}

// fromDB converts a datom value.
func fromDB(v graphdb.Value) val {
	switch v.Kind() {
	case graphdb.KindString:
		return val{k: kString, s: v.Str()}
	case graphdb.KindLong:
		return val{k: kInt, n: uint64(v.Long())}
	case graphdb.KindDouble:
		return floatVal(v.Double())
	case graphdb.KindBool:
		return boolVal(v.Bool())
	case graphdb.KindInstant:
		return val{k: kInstant, n: uint64(v.Millis())}
	case graphdb.KindUUID:
		return val{k: kUUID, s: v.Str()}
	case graphdb.KindKeyword:
		return val{k: kKeyword, s: v.Str()}
	case graphdb.KindBytes:
		return val{k: kBytes, s: v.Str()}
	case graphdb.KindRef:
		return eidVal(v.Ref())
	}
	return valNil
}

// dbValues returns the datom values v may stand for in an attribute of
// type t (graphdb.KindInvalid: undeclared, any kind): a number is a long
// or, in a ref attribute, an entity.
func dbValues(v val, t graphdb.Kind, buf []graphdb.Value) []graphdb.Value {
	buf = buf[:0]
	ok := func(k graphdb.Kind) bool { return t == graphdb.KindInvalid || t == k }
	switch v.k {
	case kInt:
		if ok(graphdb.KindLong) {
			buf = append(buf, graphdb.Long(v.int()))
		}
		if ok(graphdb.KindRef) {
			buf = append(buf, graphdb.Ref(v.eid()))
		}
	case kFloat:
		if ok(graphdb.KindDouble) {
			buf = append(buf, graphdb.Double(v.float()))
		}
	case kString:
		if ok(graphdb.KindString) {
			buf = append(buf, graphdb.String(v.s))
		}
	case kBool:
		if ok(graphdb.KindBool) {
			buf = append(buf, graphdb.Bool(v.n != 0))
		}
	case kKeyword:
		if ok(graphdb.KindKeyword) {
			buf = append(buf, graphdb.Keyword(v.s))
		}
	case kInstant:
		if ok(graphdb.KindInstant) {
			buf = append(buf, graphdb.InstantMillis(v.int()))
		}
	case kUUID:
		if ok(graphdb.KindUUID) {
			buf = append(buf, graphdb.UUID([16]byte([]byte(v.s))))
		}
	case kBytes:
		if ok(graphdb.KindBytes) {
			buf = append(buf, graphdb.Bytes([]byte(v.s)))
		}
	}
	return buf
}

// fromEDN converts an EDN (or Go) value, interning what has no kind of
// its own.
func (ex *exec) fromEDN(x any) val {
	switch v := x.(type) {
	case nil:
		return valNil
	case bool:
		return boolVal(v)
	case int64:
		return intVal(v)
	case int:
		return intVal(int64(v))
	case int32:
		return intVal(int64(v))
	case graphdb.EID:
		return eidVal(v)
	case float64:
		return floatVal(v)
	case float32:
		return floatVal(float64(v))
	case string:
		return strVal(v)
	case edn.Keyword:
		return keywordVal(v)
	case edn.UUID:
		return val{k: kUUID, s: string(v[:])}
	case time.Time:
		if v.Nanosecond()%int(time.Millisecond) == 0 {
			return val{k: kInstant, n: uint64(v.UnixMilli())}
		}
	case *big.Int:
		if v.IsInt64() {
			return intVal(v.Int64())
		}
	case graphdb.Value:
		return fromDB(v)
	}
	return ex.intern(x)
}

// toEDN converts v to its EDN value: entity IDs become numbers, keywords
// edn.Keyword, bytes a #bytes tagged base64 string.
func (ex *exec) toEDN(v val) edn.Value {
	switch v.k {
	case kNil:
		return nil
	case kBool:
		return v.n != 0
	case kInt:
		return int64(v.n)
	case kFloat:
		return v.float()
	case kString:
		return v.s
	case kKeyword:
		return edn.K(strings.TrimPrefix(v.s, ":"))
	case kInstant:
		return time.UnixMilli(int64(v.n)).UTC()
	case kUUID:
		var u edn.UUID
		copy(u[:], v.s)
		return u
	case kBytes:
		return edn.Tagged{Tag: edn.Sym("bytes"), Value: base64.StdEncoding.EncodeToString([]byte(v.s))}
	}
	return ex.others[v.n]
}

// intern gives an EDN value that has no kind of its own a number, the same
// for Equal values, so that == on vals stays value equality. Go values
// outside EDN (functions, databases) are never Equal to anything else and
// get a number of their own.
func (ex *exec) intern(x any) val {
	if !isEDN(x, 0) {
		ex.others = append(ex.others, x)
		return val{k: kOther, n: uint64(len(ex.others) - 1)}
	}
	if ex.otherIndex == nil {
		ex.otherIndex = make(map[uint64][]uint32)
	}
	h := edn.Hash(x)
	for _, i := range ex.otherIndex[h] {
		if edn.Equal(ex.others[i], x) {
			return val{k: kOther, n: uint64(i)}
		}
	}
	ex.others = append(ex.others, x)
	i := uint32(len(ex.others) - 1)
	ex.otherIndex[h] = append(ex.otherIndex[h], i)
	return val{k: kOther, n: uint64(i)}
}

// isEDN reports whether x is made only of EDN values, which edn.Hash and
// edn.Equal accept.
func isEDN(x any, depth int) bool {
	if depth > edn.MaxDepth {
		return false
	}
	switch v := x.(type) {
	case nil, bool, string, int64, int, int32, float64, edn.Keyword, edn.Symbol, edn.Char,
		edn.UUID, *big.Int, edn.BigDecimal, time.Time:
		return true
	case edn.List:
		return allEDN(v, depth)
	case edn.Vector:
		return allEDN(v, depth)
	case *edn.Set:
		return allEDN(v.Elements(), depth)
	case *edn.Map:
		for _, e := range v.Entries() {
			if !isEDN(e.Key, depth+1) || !isEDN(e.Value, depth+1) {
				return false
			}
		}
		return true
	case edn.Tagged:
		return isEDN(v.Value, depth+1)
	}
	return false
}

func allEDN(xs []edn.Value, depth int) bool {
	for _, x := range xs {
		if !isEDN(x, depth+1) {
			return false
		}
	}
	return true
}

// other returns the interned value of a kOther val, or nil.
func (ex *exec) other(v val) any {
	if v.k != kOther {
		return nil
	}
	return ex.others[v.n]
}
