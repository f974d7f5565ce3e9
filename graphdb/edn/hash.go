package edn

import (
	"hash/maphash"
	"math"
	"math/big"
	"time"
)

// seed randomizes Hash per process, as Go does for its maps, so hostile
// input cannot be crafted to collide in a Map or Set index. Nothing
// observable depends on hash values: Map and Set iterate in insertion
// order and Compare orders by value.
var (
	seed   = maphash.MakeSeed()
	seed64 = maphash.String(seed, "edn")
)

// Kind tags keep values of different kinds apart in Hash.
const (
	hashNil uint64 = iota + 1
	hashFalse
	hashTrue
	hashString
	hashKeyword
	hashSymbol
	hashInt
	hashFloat
	hashDecimal
	hashChar
	hashUUID
	hashInst
	hashSeq
	hashMap
	hashSet
	hashTagged
)

// Hash returns a hash of v consistent with Equal: Equal values have equal
// hashes. Hashes are randomized per process; do not persist them.
func Hash(v Value) uint64 {
	switch x := v.(type) {
	case nil:
		return mix(hashNil)
	case bool:
		if x {
			return mix(hashTrue)
		}
		return mix(hashFalse)
	case string:
		return combine(hashString, maphash.String(seed, x))
	case Keyword:
		return combine(combine(hashKeyword, maphash.String(seed, x.Namespace)), maphash.String(seed, x.Name))
	case Symbol:
		return combine(combine(hashSymbol, maphash.String(seed, x.Namespace)), maphash.String(seed, x.Name))
	case int64:
		return combine(hashInt, uint64(x))
	case float64:
		return hashFloat64(x)
	case Char:
		return combine(hashChar, uint64(x))
	case UUID:
		return combine(hashUUID, maphash.Bytes(seed, x[:]))
	case time.Time:
		return combine(combine(hashInst, uint64(x.Unix())), uint64(x.Nanosecond()))
	case List:
		return hashSeqOf(x)
	case Vector:
		return hashSeqOf(x)
	case *Map:
		return hashMapOf(x)
	case *Set:
		return hashSetOf(x)
	case Tagged:
		return combine(combine(hashTagged, Hash(x.Tag)), Hash(x.Value))
	case *big.Int:
		return hashBigInt(x)
	case BigDecimal:
		n := x.normalized()
		return combine(combine(hashDecimal, hashBigInt(n.Unscaled)), uint64(n.Scale))
	}
	return Hash(canonical(v))
}

// mix is the finalizer of MurmurHash3 over x xor the process seed: a
// bijection that spreads every input bit over the output.
func mix(x uint64) uint64 {
	x ^= seed64
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

func combine(h, x uint64) uint64 { return mix(h*0x9e3779b97f4a7c15 + x) }

func hashFloat64(f float64) uint64 {
	switch {
	case math.IsNaN(f):
		return combine(hashFloat, 0x7ff8000000000001)
	case f == 0:
		f = 0 // -0 equals 0
	}
	return combine(hashFloat, math.Float64bits(f))
}

func hashBigInt(x *big.Int) uint64 {
	if x.IsInt64() {
		return combine(hashInt, uint64(x.Int64()))
	}
	h := combine(hashInt, maphash.Bytes(seed, x.Bytes()))
	return combine(h, uint64(x.Sign()+1))
}

func hashSeqOf(x []Value) uint64 {
	h := mix(hashSeq)
	for _, e := range x {
		h = combine(h, Hash(e))
	}
	return h
}

// hashMapOf and hashSetOf add up the hashes of the entries so the order of
// insertion does not matter.
func hashMapOf(m *Map) uint64 {
	sum := uint64(0)
	for _, e := range m.entries {
		sum += combine(Hash(e.Key), Hash(e.Value))
	}
	return combine(hashMap, sum)
}

func hashSetOf(s *Set) uint64 {
	sum := uint64(0)
	for _, e := range s.elems {
		sum += mix(Hash(e))
	}
	return combine(hashSet, sum)
}
