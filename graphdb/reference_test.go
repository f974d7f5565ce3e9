package graphdb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// refStore is the naive reference implementation: every datom ever, in
// transaction order. Every question is answered by filtering that slice.
type refStore struct {
	log []Datom
}

type eav struct {
	e EID
	a EID
	v Value
}

// state returns the datoms of version n (positions < n) in EAVT order.
func (r *refStore) state(n int64, since int64) []Datom {
	live := map[eav]Datom{}
	for _, d := range r.log {
		if d.Tx >= n {
			break
		}
		k := eav{d.E, d.A, d.V}
		if d.Added {
			live[k] = d
		} else {
			delete(live, k)
		}
	}
	var out []Datom
	for _, d := range live {
		if d.Tx >= since {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, cmpEAVT)
	return out
}

// history returns the datoms with tx in [since, n) in EAVT order.
func (r *refStore) history(n, since int64) []Datom {
	var out []Datom
	for _, d := range r.log {
		if d.Tx >= since && d.Tx < n {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, cmpEAVT)
	return out
}

// refAttrs is the schema the random workloads use.
const (
	tOne  = firstUserIdent     // cardinality one, any type
	tMany = firstUserIdent + 1 // cardinality many
	tRef  = firstUserIdent + 2 // ref, cardinality many
	tUniq = firstUserIdent + 3 // unique identity string
	tIdx  = firstUserIdent + 4 // indexed long, cardinality one
)

func schemaDatoms() []Datom {
	add := func(e uint32, a uint32, v Value) Datom {
		return Datom{E: attrEID(e), A: attrEID(a), V: v, Added: true}
	}
	ref := func(n uint32) Value { return Ref(attrEID(n)) }
	return []Datom{
		add(tOne, attrIdent, Keyword(":t/one")),
		add(tMany, attrIdent, Keyword(":t/many")),
		add(tMany, attrCardinality, ref(identCardMany)),
		add(tRef, attrIdent, Keyword(":t/ref")),
		add(tRef, attrValueType, ref(identTypeBase+uint32(KindRef))),
		add(tRef, attrCardinality, ref(identCardMany)),
		add(tUniq, attrIdent, Keyword(":t/uniq")),
		add(tUniq, attrValueType, ref(identTypeBase+uint32(KindString))),
		add(tUniq, attrUnique, ref(identUniqueIdentity)),
		add(tIdx, attrIdent, Keyword(":t/idx")),
		add(tIdx, attrValueType, ref(identTypeBase+uint32(KindLong))),
		add(tIdx, attrIndex, Bool(true)),
	}
}

// workload generates random valid transactions against a reference state.
type workload struct {
	rng   *rand.Rand
	ref   refStore
	live  map[eav]bool
	nents int
}

func newWorkload(seed uint64, nents int) *workload {
	return &workload{rng: rand.New(rand.NewPCG(seed, 1)), live: map[eav]bool{}, nents: nents}
}

func (w *workload) values(e EID, a EID) []Value {
	var out []Value
	for k := range w.live {
		if k.e == e && k.a == a {
			out = append(out, k.v)
		}
	}
	slices.SortFunc(out, CompareValues)
	return out
}

func (w *workload) randomValue() Value {
	switch w.rng.IntN(5) {
	case 0:
		return String(fmt.Sprintf("s%d", w.rng.IntN(8)))
	case 1:
		return Long(int64(w.rng.IntN(8)) - 4)
	case 2:
		return Keyword(fmt.Sprintf(":k/%d", w.rng.IntN(4)))
	case 3:
		return Double(float64(w.rng.IntN(4)) / 2)
	}
	return Bool(w.rng.IntN(2) == 0)
}

// next returns the datoms of a random transaction at position pos and
// records them in the reference.
func (w *workload) next(pos int64) []Datom {
	var tx []Datom
	touched := map[eav]bool{}
	emit := func(d Datom) {
		k := eav{d.E, d.A, d.V}
		if touched[k] {
			return
		}
		touched[k] = true
		d.Tx = pos
		tx = append(tx, d)
		w.live[k] = d.Added
		if !d.Added {
			delete(w.live, k)
		}
	}
	for range 1 + w.rng.IntN(6) {
		e := EID(1 + w.rng.IntN(w.nents))
		switch op := w.rng.IntN(10); {
		case op < 3: // cardinality one: replace
			a := attrEID(tOne)
			if op == 2 {
				a = attrEID(tIdx)
			}
			v := w.randomValue()
			if a == attrEID(tIdx) {
				v = Long(int64(w.rng.IntN(5)))
			}
			old := w.values(e, a)
			if len(old) == 1 && old[0] == v || touchedAttr(touched, e, a) {
				continue
			}
			for _, o := range old {
				emit(Datom{E: e, A: a, V: o})
			}
			emit(Datom{E: e, A: a, V: v, Added: true})
		case op < 5: // cardinality many: add or retract one value
			v := w.randomValue()
			k := eav{e, attrEID(tMany), v}
			emit(Datom{E: e, A: k.a, V: v, Added: !w.live[k]})
		case op < 7: // refs
			v := Ref(EID(1 + w.rng.IntN(w.nents)))
			k := eav{e, attrEID(tRef), v}
			emit(Datom{E: e, A: k.a, V: v, Added: !w.live[k]})
		case op < 8: // unique: retract or assert a fresh value
			a := attrEID(tUniq)
			old := w.values(e, a)
			if touchedAttr(touched, e, a) {
				continue
			}
			for _, o := range old {
				emit(Datom{E: e, A: a, V: o})
			}
			if w.rng.IntN(3) > 0 {
				emit(Datom{E: e, A: a, V: String(fmt.Sprintf("u%d-%d", e, pos)), Added: true})
			}
		default: // retract everything of one attribute
			a := attrEID(tMany)
			for _, o := range w.values(e, a) {
				emit(Datom{E: e, A: a, V: o})
			}
		}
	}
	w.ref.log = append(w.ref.log, tx...)
	return tx
}

func touchedAttr(touched map[eav]bool, e, a EID) bool {
	for k := range touched {
		if k.e == e && k.a == a {
			return true
		}
	}
	return false
}

// buildRandom applies a schema transaction and n random ones.
func buildRandom(t testing.TB, seed uint64, n int) (*DB, *workload, []*DB) {
	t.Helper()
	db := NewDB(FeedKey{1})
	w := newWorkload(seed, 12)
	schema := schemaDatoms()
	for i := range schema {
		schema[i].Tx = 0
	}
	db, _, err := db.applyDatoms(0, schema, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	w.ref.log = append(w.ref.log, schema...)
	versions := []*DB{NewDB(FeedKey{1}), db}
	for pos := int64(1); pos <= int64(n); pos++ {
		next, _, err := db.applyDatoms(pos, w.next(pos), nil, false)
		if err != nil {
			t.Fatalf("tx %d: %v", pos, err)
		}
		db = next
		versions = append(versions, db)
	}
	return db, w, versions
}

func collect(seq func(func(Datom) bool)) []Datom {
	var out []Datom
	for d := range seq {
		out = append(out, d)
	}
	return out
}

// userDatoms drops the bootstrap schema from an EAVT list.
func userDatoms(ds []Datom) []Datom {
	return slices.DeleteFunc(slices.Clone(ds), func(d Datom) bool { return d.Tx < 0 })
}

func sameDatoms(t *testing.T, what string, got, want []Datom) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s: datom %d: got %v, want %v (%d and %d datoms)", what, i, got[i], want[i], len(got), len(want))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d datoms, want %d\n got %.2000v\nwant %.2000v", what, len(got), len(want), got, want)
	}
}
