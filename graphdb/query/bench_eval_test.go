package query

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// DataScript's published benchmarks (bench/datascript/bench): 20,000
// random people, queries q1 to q4 and qpred, recursive rules over wide and
// long follow graphs, pull of a wide tree; plus the single-entity
// two-clause join.

var (
	peopleOnce sync.Once
	peopleDB   *graphdb.DB
	joinOnce   sync.Once
	joinDB     *graphdb.DB
)

const people = 20000

// people20k builds the data set of DataScript's benchmarks: name, last
// name, sex, age and salary drawn at random, and each person follows two
// others.
func people20k(b *testing.B) *graphdb.DB {
	peopleOnce.Do(func() {
		r := rand.New(rand.NewPCG(20, 20))
		names := []string{"Ivan", "Petr", "Sergei", "Oleg", "Yuri", "Dmitry", "Fedor", "Denis"}
		lastNames := []string{"Ivanov", "Petrov", "Sidorov", "Kovalev", "Kuznetsov", "Voronoi"}
		db := graphdb.NewDB(graphdb.FeedKey{20})
		db = mustTx(b, db, []graphdb.Op{graphdb.Entity{":db/ident": graphdb.Keyword(":follows"),
			":db/valueType": graphdb.Keyword(":db.type/ref"), ":db/cardinality": graphdb.Keyword(":db.cardinality/many")}})
		for start := 1; start <= people; start += 1000 {
			ops := make([]graphdb.Op, 0, 1000)
			for id := start; id < start+1000; id++ {
				ops = append(ops, graphdb.Entity{
					":db/id": graphdb.EID(id), ":name": names[r.IntN(len(names))],
					":last-name": lastNames[r.IntN(len(lastNames))],
					":sex":       graphdb.Keyword([]string{":male", ":female"}[r.IntN(2)]),
					":age":       r.Int64N(100), ":salary": r.Int64N(100000),
				})
			}
			db = mustTx(b, db, ops)
		}
		for start := 1; start <= people; start += 1000 {
			ops := make([]graphdb.Op, 0, 1000)
			for id := start; id < start+1000; id++ {
				ops = append(ops, graphdb.Entity{":db/id": graphdb.EID(id),
					":follows": graphdb.Many{graphdb.EID(r.IntN(people) + 1), graphdb.EID(r.IntN(people) + 1)}})
			}
			db = mustTx(b, db, ops)
		}
		peopleDB = db
	})
	return peopleDB
}

// pairs20k has 20,000 entities with :a, a ref to another entity, and :b.
func pairs20k(b *testing.B) *graphdb.DB {
	joinOnce.Do(func() {
		db := graphdb.NewDB(graphdb.FeedKey{21})
		db = mustTx(b, db, []graphdb.Op{graphdb.Entity{":db/ident": graphdb.Keyword(":a"),
			":db/valueType": graphdb.Keyword(":db.type/ref")}})
		for start := 1; start <= people; start += 1000 {
			ops := make([]graphdb.Op, 0, 1000)
			for id := start; id < start+1000; id++ {
				ops = append(ops, graphdb.Entity{":db/id": graphdb.EID(id),
					":a": graphdb.EID(id*7%people + 1), ":b": int64(id)})
			}
			db = mustTx(b, db, ops)
		}
		joinDB = db
	})
	return joinDB
}

func mustTx(b testing.TB, db *graphdb.DB, ops []graphdb.Op) *graphdb.DB {
	r, err := db.Transact(ops)
	if err != nil {
		b.Fatal(err)
	}
	return r.After
}

func mustQuery(b testing.TB, text string) *Query {
	q, err := Parse([]byte(text))
	if err != nil {
		b.Fatal(err)
	}
	return q
}

func benchRun(b *testing.B, q *Query, inputs ...any) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Run(inputs...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDataScript(b *testing.B) {
	db := people20k(b)
	queries := []struct {
		name, query string
		inputs      []any
	}{
		{"q1", `[:find ?e :where [?e :name "Ivan"]]`, nil},
		{"q2", `[:find ?e ?a :where [?e :name "Ivan"] [?e :age ?a]]`, nil},
		{"q3", `[:find ?e ?a :where [?e :name "Ivan"] [?e :age ?a] [?e :sex :male]]`, nil},
		{"q4", `[:find ?e ?l ?a :where [?e :name "Ivan"] [?e :last-name ?l] [?e :age ?a] [?e :sex :male]]`, nil},
		{"qpred1", `[:find ?e ?s :where [?e :salary ?s] [(> ?s 50000)]]`, nil},
		{"qpred2", `[:find ?e ?s :in $ ?min_s :where [?e :salary ?s] [(> ?s ?min_s)]]`, []any{int64(50000)}},
	}
	for _, bq := range queries {
		q := mustQuery(b, bq.query)
		b.Run(bq.name, func(b *testing.B) { benchRun(b, q, append([]any{db}, bq.inputs...)...) })
	}
}

// BenchmarkJoin2SingleEntity is the single-entity two-clause join; its
// queries/s is 1e9 / ns/op.
func BenchmarkJoin2SingleEntity(b *testing.B) {
	db := pairs20k(b)
	q := mustQuery(b, `[:find ?v :in $ ?e :where [?e :a ?x] [?x :b ?v]]`)
	b.ReportAllocs()
	e := int64(0)
	for b.Loop() {
		e = e%people + 1
		res, err := q.Run(db, e)
		if err != nil {
			b.Fatal(err)
		}
		if res.(*edn.Set).Len() != 1 {
			b.Fatalf("entity %d: %v", e, res)
		}
	}
}

const followsRule = `[[(follows ?x ?y) [?x :follows ?y]] [(follows ?x ?y) [?x :follows ?t] (follows ?t ?y)]]`

// wideDB is DataScript's wide-db: a tree of the given depth where each
// node follows width children.
func wideDB(b *testing.B, depth, width int) *graphdb.DB {
	db := graphdb.NewDB(graphdb.FeedKey{22})
	db = mustTx(b, db, []graphdb.Op{graphdb.Entity{":db/ident": graphdb.Keyword(":follows"),
		":db/valueType": graphdb.Keyword(":db.type/ref"), ":db/cardinality": graphdb.Keyword(":db.cardinality/many")}})
	var ops []graphdb.Op
	var grow func(id, depth int)
	grow = func(id, depth int) {
		if depth == 0 {
			return
		}
		for i := range width {
			child := id*width + i
			ops = append(ops, graphdb.Add{E: graphdb.EID(id), A: ":name", V: fmt.Sprint(child)},
				graphdb.Add{E: graphdb.EID(id), A: ":follows", V: graphdb.EID(child)})
			grow(child, depth-1)
		}
	}
	grow(1, depth)
	return mustTx(b, db, ops)
}

// longDB is DataScript's long-db: width chains of depth follows each.
func longDB(b *testing.B, depth, width int) *graphdb.DB {
	db := graphdb.NewDB(graphdb.FeedKey{23})
	db = mustTx(b, db, []graphdb.Op{graphdb.Entity{":db/ident": graphdb.Keyword(":follows"),
		":db/valueType": graphdb.Keyword(":db.type/ref"), ":db/cardinality": graphdb.Keyword(":db.cardinality/many")}})
	var ops []graphdb.Op
	for x := range width {
		for y := range depth {
			from := x*(depth+1) + y + 1
			ops = append(ops, graphdb.Add{E: graphdb.EID(from), A: ":follows", V: graphdb.EID(from + 1)})
		}
	}
	return mustTx(b, db, ops)
}

func BenchmarkRules(b *testing.B) {
	rules := mustEDN(b, followsRule)
	all := mustQuery(b, `[:find ?e ?e2 :in $ % :where (follows ?e ?e2)]`)
	for _, c := range []struct {
		name string
		db   func(*testing.B) *graphdb.DB
	}{
		{"wide-3x3", func(b *testing.B) *graphdb.DB { return wideDB(b, 3, 3) }},
		{"wide-5x3", func(b *testing.B) *graphdb.DB { return wideDB(b, 5, 3) }},
		{"wide-4x6", func(b *testing.B) *graphdb.DB { return wideDB(b, 4, 6) }},
		{"long-10x3", func(b *testing.B) *graphdb.DB { return longDB(b, 10, 3) }},
		{"long-30x3", func(b *testing.B) *graphdb.DB { return longDB(b, 30, 3) }},
		{"long-30x5", func(b *testing.B) *graphdb.DB { return longDB(b, 30, 5) }},
	} {
		b.Run(c.name, func(b *testing.B) { benchRun(b, all, c.db(b), rules) })
	}
	// Reachability from one person of the 20,000, written left-recursive so
	// that the bound start stays the only seed (written right-recursive,
	// every person reached becomes a seed of its own closure: quadratic).
	reach := mustEDN(b, `[[(reach ?x ?y) [?x :follows ?y]] [(reach ?x ?y) (reach ?x ?t) [?t :follows ?y]]]`)
	from := mustQuery(b, `[:find (count ?e2) . :in $ % ?e1 :where (reach ?e1 ?e2)]`)
	b.Run("people20k-reach-from-one", func(b *testing.B) { benchRun(b, from, people20k(b), reach, int64(1)) })
}

func BenchmarkPullWideTree(b *testing.B) {
	db := wideDB(b, 4, 6)
	p, err := ParsePull(mustEDN(b, `[:db/id :name {:follows ...}]`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PullEntity(db, p, int64(1)); err != nil {
			b.Fatal(err)
		}
	}
}
