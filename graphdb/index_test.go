package graphdb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestIDMapAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := newIDMap[int](localBits)
	ref := map[uint64]int{}
	type snap struct {
		m   idmap[int]
		ref map[uint64]int
	}
	var snaps []snap
	for round := range 50 {
		ed := new(edit)
		for range 40 {
			k := uint64(rng.IntN(5000))
			if rng.IntN(4) == 0 {
				k |= uint64(rng.IntN(3)) << localBits
			}
			v := rng.IntN(100)
			m.set(ed, k, v)
			if v == 0 {
				delete(ref, k)
			} else {
				ref[k] = v
			}
		}
		snaps = append(snaps, snap{m, copyMap(ref)})
		_ = round
	}
	for i, s := range snaps {
		for k, v := range s.ref {
			if got := s.m.get(k); got != v {
				t.Fatalf("snapshot %d: get(%d) = %d, want %d", i, k, got, v)
			}
		}
		var keys []uint64
		s.m.ascend(0, func(k uint64, v int) bool {
			keys = append(keys, k)
			return true
		})
		want := make([]uint64, 0, len(s.ref))
		for k := range s.ref {
			want = append(want, k)
		}
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Fatalf("snapshot %d: ascend gave %d keys, want %d", i, len(keys), len(want))
		}
		if len(want) > 3 {
			from := want[len(want)/2]
			var got []uint64
			s.m.ascend(from, func(k uint64, v int) bool { got = append(got, k); return true })
			if !slices.Equal(got, want[len(want)/2:]) {
				t.Fatalf("snapshot %d: ascend(%d) wrong", i, from)
			}
		}
	}
}

func copyMap(m map[uint64]int) map[uint64]int {
	c := make(map[uint64]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestTimeViewsAgainstReference compares every version, as-of, since,
// history and diff with the naive reference.
func TestTimeViewsAgainstReference(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			db, w, versions := buildRandom(t, seed, 60)
			n := db.Basis()
			for v := int64(0); v <= n; v++ {
				want := w.ref.state(v, 0)
				sameDatoms(t, fmt.Sprintf("AsOf(%d)", v), userDatoms(collect(db.AsOf(v).Datoms(EAVT))), want)
				sameDatoms(t, fmt.Sprintf("version %d", v), userDatoms(collect(versions[v].Datoms(EAVT))), want)
				since := v / 2
				sameDatoms(t, fmt.Sprintf("AsOf(%d).Since(%d)", v, since),
					collect(db.AsOf(v).Since(since).Datoms(EAVT)), w.ref.state(v, since))
				sameDatoms(t, fmt.Sprintf("History AsOf(%d) Since(%d)", v, since),
					collect(db.History().AsOf(v).Since(since).Datoms(EAVT)), w.ref.history(v, since))
				checkDiff(t, db, w, since, v)
				checkPointReads(t, db.AsOf(v), want)
				checkPointReads(t, versions[v], want)
			}
			sameDatoms(t, "History", userDatoms(collect(db.History().Datoms(EAVT))), w.ref.history(n, 0))
		})
	}
}

func checkDiff(t *testing.T, db *DB, w *workload, v1, v2 int64) {
	t.Helper()
	before, after := w.ref.state(v1, 0), w.ref.state(v2, 0)
	var want []Datom
	in := func(set []Datom, d Datom) bool {
		return slices.ContainsFunc(set, func(x Datom) bool { return cmpEAV(x, d) == 0 })
	}
	for _, d := range after {
		if !in(before, d) {
			want = append(want, d)
		}
	}
	for _, d := range before {
		if !in(after, d) {
			d.Added = false
			for _, h := range w.ref.log {
				if !h.Added && h.Tx < v2 && cmpEAV(h, d) == 0 {
					d.Tx = h.Tx
				}
			}
			want = append(want, d)
		}
	}
	slices.SortFunc(want, func(x, y Datom) int {
		if c := cmpEAV(x, y); c != 0 {
			return c
		}
		return cmpBool(x.Added, y.Added)
	})
	sameDatoms(t, fmt.Sprintf("Diff(%d, %d)", v1, v2), db.Diff(v1, v2), want)
}

// checkPointReads checks Value and the other indices of a view against its
// expected EAVT state.
func checkPointReads(t *testing.T, db *DB, state []Datom) {
	t.Helper()
	for _, d := range state {
		if d.A == attrEID(tOne) || d.A == attrEID(tIdx) || d.A == attrEID(tUniq) {
			if v, ok := db.Value(d.E, d.A); !ok || v != d.V {
				t.Fatalf("Value(%d, %d) = %v %v, want %v", d.E, d.A, v, ok, d.V)
			}
		}
	}
	aevt := slices.Clone(state)
	slices.SortFunc(aevt, cmpAEVT)
	sameDatoms(t, "AEVT", userDatoms(collect(db.Datoms(AEVT))), aevt)
	var avet, vaet []Datom
	for _, d := range state {
		if d.A == attrEID(tUniq) || d.A == attrEID(tIdx) || d.A == attrEID(attrIdent) {
			avet = append(avet, d)
		}
		if d.V.Kind() == KindRef {
			vaet = append(vaet, d)
		}
	}
	slices.SortFunc(avet, cmpAVET)
	slices.SortFunc(vaet, cmpVAET)
	gotAVET := slices.DeleteFunc(collect(db.Datoms(AVET)), func(d Datom) bool { return d.Tx < 0 })
	sameDatoms(t, "AVET", gotAVET, avet)
	gotVAET := slices.DeleteFunc(collect(db.Datoms(VAET)), func(d Datom) bool { return d.Tx < 0 })
	sameDatoms(t, "VAET", gotVAET, vaet)
}

// TestCurrentIndexQueries checks prefix and seek queries of each index on
// the current state against filtering the full index.
func TestCurrentIndexQueries(t *testing.T) {
	db, _, _ := buildRandom(t, 7, 80)
	checkIndexQueries(t, db)
	checkIndexQueries(t, db.AsOf(50))
	checkIndexQueries(t, db.AsOf(60).Since(20))
	checkIndexQueries(t, db.History().AsOf(70))
}

func checkIndexQueries(t *testing.T, db *DB) {
	for _, idx := range []Index{EAVT, AEVT, AVET, VAET} {
		all := collect(db.Datoms(idx))
		for i := 0; i < len(all); i += 3 {
			d := all[i]
			comps := components(idx, d)
			for n := 1; n <= len(comps); n++ {
				var want []Datom
				q, _ := db.parseComponents(idx, comps[:n])
				for _, x := range all {
					if q.matches(x) {
						want = append(want, x)
					}
				}
				sameDatoms(t, fmt.Sprintf("%s %v", idx, comps[:n]), collect(db.Datoms(idx, comps[:n]...)), want)
				seek := all[slices.IndexFunc(all, func(x Datom) bool { return !q.before(x) }):]
				sameDatoms(t, fmt.Sprintf("seek %s %v", idx, comps[:n]), collect(db.SeekDatoms(idx, comps[:n]...)), seek)
			}
		}
	}
}

func components(idx Index, d Datom) []Value {
	e, a := Ref(d.E), Ref(d.A)
	switch idx {
	case AEVT:
		return []Value{a, e, d.V}
	case AVET:
		return []Value{a, d.V, e}
	case VAET:
		return []Value{d.V, a, e}
	}
	return []Value{e, a, d.V}
}

// TestSnapshotIsolation reads old versions while a writer derives new ones;
// run with -race.
func TestSnapshotIsolation(t *testing.T) {
	db, w, versions := buildRandom(t, 3, 10)
	var wg sync.WaitGroup
	want := make([][]Datom, len(versions))
	for i, v := range versions {
		want[i] = collect(v.Datoms(EAVT))
	}
	done := make(chan struct{})
	for r := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				k := (i + r) % len(versions)
				if got := collect(versions[k].Datoms(EAVT)); !slices.Equal(got, want[k]) {
					t.Errorf("version %d changed under a concurrent writer", k)
					return
				}
			}
		})
	}
	for pos := db.Basis(); pos < 200; pos++ {
		next, _, err := db.applyDatoms(pos, w.next(pos), nil, false)
		if err != nil {
			t.Fatal(err)
		}
		db = next
	}
	close(done)
	wg.Wait()
	sameDatoms(t, "final", userDatoms(collect(db.Datoms(EAVT))), w.ref.state(db.Basis(), 0))
}

// TestLargeEntities exercises the B-tree form of an entity's sequences: an
// entity with hundreds of values and hundreds of incoming refs, changed
// over many transactions.
func TestLargeEntities(t *testing.T) {
	db := NewDB(FeedKey{1})
	var ref refStore
	apply := func(ds []Datom) {
		t.Helper()
		pos := db.Basis()
		for i := range ds {
			ds[i].Tx = pos
		}
		next, _, err := db.applyDatoms(pos, ds, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		db = next
		ref.log = append(ref.log, ds...)
	}
	apply(schemaDatoms())
	hot := EID(1)
	for round := range 6 {
		var ds []Datom
		for i := range 60 {
			n := int64(round*60 + i)
			ds = append(ds,
				Datom{E: hot, A: attrEID(tMany), V: Long(n), Added: true},
				Datom{E: EID(2 + n), A: attrEID(tRef), V: Ref(hot), Added: true},
				Datom{E: hot, A: attrEID(tMany), V: String(fmt.Sprint("s", n)), Added: true})
		}
		if round > 1 {
			for i := range 30 {
				n := int64((round-2)*60 + 2*i)
				ds = append(ds,
					Datom{E: hot, A: attrEID(tMany), V: Long(n)},
					Datom{E: EID(2 + n), A: attrEID(tRef), V: Ref(hot)},
					Datom{E: hot, A: attrEID(tMany), V: String(fmt.Sprint("s", n))})
			}
		}
		apply(ds)
	}
	if db.entity(hot).cells.big == nil || db.refList(hot).cur.big == nil || db.entity(hot).hist.spans.big == nil {
		t.Fatal("the hot entity did not switch to B-trees")
	}
	for v := int64(0); v <= db.Basis(); v++ {
		want := ref.state(v, 0)
		got := userDatoms(collect(db.AsOf(v).Datoms(EAVT)))
		sameDatoms(t, fmt.Sprintf("AsOf(%d)", v), got, want)
		checkPointReads(t, db.AsOf(v), want)
	}
	sameDatoms(t, "History", userDatoms(collect(db.History().Datoms(EAVT))), ref.history(db.Basis(), 0))
	want := ref.state(db.Basis(), 0)
	var refs []Datom
	for _, d := range want {
		if d.V == Ref(hot) {
			refs = append(refs, d)
		}
	}
	slices.SortFunc(refs, cmpVAET)
	sameDatoms(t, "VAET of the hot entity", collect(db.Datoms(VAET, Ref(hot))), refs)
	sameDatoms(t, "VAET of the hot entity, attribute", collect(db.Datoms(VAET, Ref(hot), Ref(attrEID(tRef)))), refs)
}
