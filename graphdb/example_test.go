package graphdb_test

import (
	"fmt"
	"time"

	"github.com/steledb/stele/graphdb"
)

func Example() {
	db := graphdb.NewDB(graphdb.FeedKey{1})
	kw := graphdb.Keyword
	// Schema is data, and optional: :person/age below has none.
	r, err := db.Transact([]graphdb.Op{
		graphdb.Entity{":db/ident": kw(":person/email"), ":db/valueType": kw(":db.type/string"), ":db/unique": kw(":db.unique/identity")},
		graphdb.Entity{":db/id": "ann", ":person/email": "ann@example.org", ":person/age": 41},
		graphdb.Entity{":db/id": graphdb.TxEntity, ":db/txInstant": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	if err != nil {
		panic(err)
	}
	ann := r.TempIDs[graphdb.Temp("ann")]
	// r.Entry is what the transactor appends to the feed at position r.Tx.
	fmt.Println("tx", r.Tx, "ann is", ann)

	// An upsert through the unique email: same entity, new age.
	r, err = r.After.Transact([]graphdb.Op{graphdb.Entity{":person/email": "ann@example.org", ":person/age": 42}})
	if err != nil {
		panic(err)
	}
	db = r.After
	age, _ := db.Ident(":person/age")
	now, _ := db.Value(ann, age)
	then, _ := db.AsOf(1).Value(ann, age)
	fmt.Println("age now", now, "as of version 1", then)
	for _, d := range db.Diff(1, 2) {
		fmt.Println("diff", d.Added, d.V, "at", d.Tx)
	}
	// Output:
	// tx 0 ann is 1
	// age now 42 as of version 1 41
	// diff false 41 at 1
	// diff true 42 at 1
}
