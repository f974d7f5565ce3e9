package graphdb

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// The benchmark workload of issue 3: n entities x 10 attributes (two of
// them refs) transacted in batches of 1,000, then 20% of the values changed
// in a second pass so that there is history.

var benchAttrs = []Entity{
	attrDef(":person/name", ":db/valueType", typeString),
	attrDef(":person/email", ":db/valueType", typeString, ":db/unique", identity),
	attrDef(":person/age", ":db/valueType", typeLong),
	attrDef(":person/score", ":db/valueType", kw(":db.type/double")),
	attrDef(":person/active", ":db/valueType", kw(":db.type/boolean")),
	attrDef(":person/born", ":db/valueType", kw(":db.type/instant")),
	attrDef(":person/status", ":db/valueType", kw(":db.type/keyword")),
	attrDef(":person/city", ":db/valueType", typeString),
	attrDef(":person/friend", ":db/valueType", typeRef),
	attrDef(":person/manager", ":db/valueType", typeRef),
}

var benchCities = []string{"Berlin", "Paris", "Lagos", "Lima", "Osaka", "Quito", "Perth", "Turin"}

// benchPerson is entity i (EID i+1) of a batch starting at entity lo; its
// refs point at random earlier entities, by tempid within the batch.
func benchPerson(rng *rand.Rand, i, lo int) Entity {
	ref := func() any {
		j := rng.IntN(i + 1)
		if j >= lo {
			return TempNum(int64(-(j + 1)))
		}
		return EID(j + 1)
	}
	return Entity{
		":db/id":          TempNum(int64(-(i + 1))),
		":person/name":    fmt.Sprintf("Person %d", i),
		":person/email":   fmt.Sprintf("p%d@example.org", i),
		":person/age":     20 + rng.IntN(60),
		":person/score":   rng.Float64() * 100,
		":person/active":  rng.IntN(2) == 0,
		":person/born":    time.UnixMilli(rng.Int64N(1e12)),
		":person/status":  Keyword([]string{":status/active", ":status/away", ":status/gone"}[rng.IntN(3)]),
		":person/city":    benchCities[rng.IntN(len(benchCities))],
		":person/friend":  ref(),
		":person/manager": ref(),
	}
}

// benchLoad runs the workload and returns the database, the version before
// the second pass, and the durations and datom counts of both passes.
type benchResult struct {
	db                       *DB
	beforeUpdate             int64
	loadTime, updateTime     time.Duration
	loadCPU, updateCPU       time.Duration
	loadDatoms, updateDatoms int64
	entries                  [][]byte // with keepEntries
}

func benchLoad(tb testing.TB, n int) benchResult { return benchLoadEntries(tb, n, false) }

func benchLoadEntries(tb testing.TB, n int, keepEntries bool) benchResult {
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	var res benchResult
	ops := make([]Op, len(benchAttrs))
	for i, a := range benchAttrs {
		ops[i] = a
	}
	r0, err := NewDB(FeedKey{7}).Transact(ops)
	if err != nil {
		tb.Fatal(err)
	}
	db := r0.After
	if keepEntries {
		res.entries = append(res.entries, r0.Entry)
	}
	const batch = 1000
	ops = make([]Op, 0, batch)
	// Only Transact is timed: building the input maps is the caller's work.
	transact := func(d, cpu *time.Duration, count *int64) {
		start, startCPU := time.Now(), processCPU()
		r, err := db.Transact(ops)
		*d += time.Since(start)
		*cpu += processCPU() - startCPU
		if err != nil {
			tb.Fatal(err)
		}
		*count += int64(len(r.Datoms))
		db = r.After
		if keepEntries {
			res.entries = append(res.entries, r.Entry)
		}
	}
	for lo := 0; lo < n; lo += batch {
		ops = ops[:0]
		for i := lo; i < min(lo+batch, n); i++ {
			ops = append(ops, benchPerson(rng, i, lo))
		}
		transact(&res.loadTime, &res.loadCPU, &res.loadDatoms)
	}
	res.beforeUpdate = db.Basis()
	if db.nextUser != uint64(n)+1 {
		tb.Fatalf("the load allocated %d entities, want %d", db.nextUser-1, n)
	}
	changed := []string{":person/name", ":person/age", ":person/score", ":person/active", ":person/city", ":person/friend"}
	for done := 0; done < n*10/5; done += batch {
		ops = ops[:0]
		for range batch {
			e := EID(1 + rng.IntN(n))
			a := changed[rng.IntN(len(changed))]
			var v any
			switch a {
			case ":person/name":
				v = fmt.Sprintf("Renamed %d", rng.IntN(1<<30))
			case ":person/age":
				v = 1000 + rng.IntN(1<<20)
			case ":person/score":
				v = 100 + rng.Float64()
			case ":person/active":
				v = rng.IntN(2) == 0
			case ":person/city":
				v = fmt.Sprintf("Town %d", rng.IntN(1<<30))
			default:
				v = EID(1 + rng.IntN(n))
			}
			ops = append(ops, Add{e, a, v})
		}
		transact(&res.updateTime, &res.updateCPU, &res.updateDatoms)
	}
	res.db = db
	return res
}

func BenchmarkTransact(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var res benchResult
			for b.Loop() {
				res = benchLoad(b, n)
			}
			b.ReportMetric(float64(res.loadDatoms)/res.loadTime.Seconds(), "transact_datoms/s")
			b.ReportMetric(float64(res.updateDatoms)/res.updateTime.Seconds(), "update_datoms/s")
			if res.loadCPU > 0 {
				b.ReportMetric(float64(res.loadDatoms)/res.loadCPU.Seconds(), "transact_datoms/cpu_s")
				b.ReportMetric(float64(res.updateDatoms)/res.updateCPU.Seconds(), "update_datoms/cpu_s")
			}
			b.ReportMetric(bytesPerDatom(res.db), "bytes/datom")
		})
	}
}

// bytesPerDatom is the live heap per datom (history included) after a
// collection, with db the only large live object.
func bytesPerDatom(db *DB) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap := ms.HeapAlloc
	runtime.KeepAlive(db)
	return float64(heap) / float64(db.DatomCount())
}

var (
	benchOnce sync.Once
	benchDB   benchResult
)

func sharedBenchDB(b *testing.B) benchResult {
	benchOnce.Do(func() { benchDB = benchLoad(b, 100_000) })
	return benchDB
}

func BenchmarkPointRead(b *testing.B) {
	res := sharedBenchDB(b)
	db := res.db
	attrs := make([]EID, len(benchAttrs))
	for i, a := range benchAttrs {
		attrs[i] = attrID(b, db, a[":db/ident"].(Value).Str())
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const probes = 1 << 16
	es, as := make([]EID, probes), make([]EID, probes)
	for i := range probes {
		es[i], as[i] = EID(1+rng.IntN(100_000)), attrs[rng.IntN(len(attrs))]
	}
	run := func(b *testing.B, db *DB) {
		b.ReportAllocs()
		i, found := 0, 0
		startCPU := processCPU()
		for b.Loop() {
			if _, ok := db.Value(es[i&(probes-1)], as[i&(probes-1)]); ok {
				found++
			}
			i++
		}
		cpu := processCPU() - startCPU
		if found == 0 {
			b.Fatal("no value found")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		if cpu > 0 {
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "reads/cpu_s")
		}
	}
	b.Run("current", func(b *testing.B) { run(b, db) })
	b.Run("as-of", func(b *testing.B) { run(b, db.AsOf(res.beforeUpdate)) })
}

// BenchmarkRebuild materializes the feed of the workload from scratch, as
// a replica (or a node without a snapshot) does.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			res := benchLoadEntries(b, n, true)
			log := &feedLog{entries: res.entries}
			res.db = nil
			b.ReportAllocs()
			b.ResetTimer()
			var db *DB
			for b.Loop() {
				m := NewMaterializer(NewDB(FeedKey{7}))
				if _, err := m.CatchUp(log); err != nil {
					b.Fatal(err)
				}
				db = m.DB()
			}
			secs := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(db.DatomCount())/secs, "datoms/s")
			b.ReportMetric(secs*1e6/float64(db.DatomCount()), "s/1M_datoms")
		})
	}
}

// BenchmarkSnapshot writes and reads a snapshot of the workload database.
func BenchmarkSnapshot(b *testing.B) {
	db := sharedBenchDB(b).db
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, db); err != nil {
		b.Fatal(err)
	}
	size := buf.Len()
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(size))
		for b.Loop() {
			buf.Reset()
			if err := WriteSnapshot(&buf, db); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(size))
		for b.Loop() {
			if _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), db.Self()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size)/float64(db.DatomCount()), "file_bytes/datom")
	})
}

// BenchmarkScan iterates index ranges of the workload database; the cost
// per datom is ns/op divided by datoms/op, with no allocation per datom.
func BenchmarkScan(b *testing.B) {
	db := sharedBenchDB(b).db
	age := attrID(b, db, ":person/age")
	email := attrID(b, db, ":person/email")
	cases := []struct {
		name string
		idx  Index
		c    []Value
	}{
		{"EAVT/entity", EAVT, []Value{Ref(4242)}},
		{"AEVT/attribute", AEVT, []Value{Ref(age)}},
		{"AVET/value", AVET, []Value{Ref(email), String("p4242@example.org")}},
		{"VAET/refs", VAET, []Value{Ref(4242)}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for range db.Datoms(tc.idx, tc.c...) {
					n++
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "datoms/op")
		})
	}
}
