package query_test

import (
	"fmt"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
	"github.com/steledb/stele/graphdb/query"
)

func exampleDB() *graphdb.DB {
	r, err := graphdb.NewDB(graphdb.FeedKey{1}).Transact([]graphdb.Op{
		graphdb.Entity{":db/ident": graphdb.Keyword(":friend"), ":db/valueType": graphdb.Keyword(":db.type/ref")},
		graphdb.Entity{":db/id": "ivan", ":name": "Ivan", ":age": 15, ":friend": graphdb.Temp("petr")},
		graphdb.Entity{":db/id": "petr", ":name": "Petr", ":age": 37},
	})
	if err != nil {
		panic(err)
	}
	return r.After
}

func ExampleQuery_Run() {
	db := exampleDB()
	q, err := query.Parse([]byte(`[:find ?name . :in $ ?min :where [?e :age ?a] [(>= ?a ?min)] [?e :name ?name]]`))
	if err != nil {
		panic(err)
	}
	res, err := q.Run(db, int64(18))
	fmt.Println(res, err)
	// Output: Petr <nil>
}

func ExamplePullEntity() {
	db := exampleDB()
	p, _ := query.ParsePull(edn.Vector{edn.K("name"), mustParse(`{:friend [:name :age]}`)})
	res, _ := query.PullEntity(db, p, mustParse(`1`))
	fmt.Println(string(edn.Format(res)))
	// Output: {:name "Ivan", :friend {:name "Petr", :age 37}}
}

func ExampleNewLive() {
	db := exampleDB()
	q, _ := query.Parse([]byte(`[:find ?name :where [?e :name ?name] [?e :age ?a] [(< ?a 18)]]`))
	live, initial, _ := query.NewLive(q, nil, db)
	fmt.Println(string(edn.Format(initial)))
	r, _ := db.Transact([]graphdb.Op{graphdb.Add{E: graphdb.EID(2), A: ":age", V: 17}})
	ch, _ := live.Apply(r)
	fmt.Println(string(edn.Format(edn.Vector(ch.Added))), ch.Removed)
	r, _ = r.After.Transact([]graphdb.Op{graphdb.Add{E: graphdb.EID(2), A: ":email", V: "p@x"}})
	ch, _ = live.Apply(r)
	fmt.Println(ch.Skipped)
	// Output:
	// #{["Ivan"]}
	// [["Petr"]] []
	// true
}

func mustParse(s string) edn.Value {
	v, err := edn.Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}
