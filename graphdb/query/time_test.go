package query

import (
	"testing"
	"time"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// timeDB has three transactions: 0 creates Ivan aged 10 and Petr, 1 makes
// Ivan 11, 2 retracts Petr's name and records a txInstant.
func timeDB(t *testing.T) *graphdb.DB {
	db := newTestDB(t, "",
		`[{:db/id 1 :name "Ivan" :age 10} {:db/id 2 :name "Petr" :age 30}]`,
		`[[:db/add 1 :age 11]]`)
	return transact(t, db, []graphdb.Op{
		graphdb.Retract{E: graphdb.EID(2), A: ":name", V: "Petr"},
		graphdb.Entity{":db/id": graphdb.TxEntity, ":db/txInstant": time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)},
	})
}

func TestTimeViews(t *testing.T) {
	db := timeDB(t)
	dbs := []*graphdb.DB{db.AsOf(1), db.AsOf(2), db.Since(1), db.History(), db}
	const (
		asOf1 dbMarker = iota + 1
		asOf2
		since1
		history
		current
	)
	tx := func(pos int64) string { return string(edn.Format(int64(graphdb.TxEID(pos)))) }
	runCases(t, dbs, []qcase{
		{name: "as of 1", query: `[:find ?a . :where [1 :age ?a]]`, in: []any{asOf1}, want: `10`},
		{name: "as of 2", query: `[:find ?a . :where [1 :age ?a]]`, in: []any{asOf2}, want: `11`},
		{name: "current", query: `[:find ?n :where [_ :name ?n]]`, in: []any{current}, want: `#{["Ivan"]}`},
		{name: "as of 2 names", query: `[:find ?n :where [_ :name ?n]]`, in: []any{asOf2}, want: `#{["Ivan"] ["Petr"]}`},
		{name: "since 1", query: `[:find ?e ?a ?v :where [?e ?a ?v]]`, in: []any{since1},
			want: `#{[1 :age 11] [` + tx(2) + ` :db/txInstant #inst "2024-05-01T12:00:00.000Z"]}`},
		{name: "history", query: `[:find ?v ?tx ?added :where [1 :age ?v ?tx ?added]]`, in: []any{history},
			want: `#{[10 ` + tx(0) + ` true] [10 ` + tx(1) + ` false] [11 ` + tx(1) + ` true]}`},
		{name: "history with constant added", query: `[:find ?v ?t :where [_ :age ?v ?tx false] [(tx->t ?tx) ?t]]`,
			in: []any{history}, want: `#{[10 1]}`},
		{name: "tx as position", query: `[:find ?v :where [_ :age ?v 1 true]]`, in: []any{history}, want: `#{[11]}`},
		{name: "tx as entity", query: `[:find ?v :in $ ?tx :where [_ :age ?v ?tx]]`, in: []any{history, tx(0)},
			want: `#{[10] [30]}`},
		{name: "transaction metadata", query: `[:find ?e ?when :where [?e :name _ ?tx false] [?tx :db/txInstant ?when]]`,
			in: []any{history}, want: `#{[2 #inst "2024-05-01T12:00:00.000Z"]}`},
		{name: "current added is true", query: `[:find ?added . :where [1 :age 11 _ ?added]]`, in: []any{current}, want: `true`},
		{name: "two versions joined", query: `[:find ?old ?new :in $old $new :where [$old ?e :age ?old] [$new ?e :age ?new] [(not= ?old ?new)]]`,
			in: []any{asOf1, current}, want: `#{[10 11]}`},
	})
}

func TestFeedsView(t *testing.T) {
	bobKey, aliceKey := graphdb.FeedKey{0xb0}, graphdb.FeedKey{0xa1}
	bob := transact(t, graphdb.NewDB(bobKey), []graphdb.Op{graphdb.Entity{":db/id": "bob", ":name": "Bob"}})
	bobID := graphdb.EID(1)
	alice := graphdb.NewDB(aliceKey)
	alice = transact(t, alice, []graphdb.Op{graphdb.Entity{":db/ident": graphdb.Keyword(":follows"),
		":db/valueType": graphdb.Keyword(":db.type/ref"), ":db/cardinality": graphdb.Keyword(":db.cardinality/many")}})
	alice = transact(t, alice, []graphdb.Op{
		graphdb.Entity{":db/id": "alice", ":name": "Alice", ":follows": graphdb.ForeignRef{Feed: bobKey, E: bobID}},
		graphdb.Add{E: graphdb.ForeignRef{Feed: bobKey, E: bobID}, A: ":nick", V: "bobby"},
	})
	view, err := NewFeeds(alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	bobSlot, ok := view.Slot(bobKey)
	if !ok || bobSlot != 1 {
		t.Fatalf("bob's slot = %d, %v; want 1 (alice's database references bob first)", bobSlot, ok)
	}
	if k, _ := view.Key(bobSlot); k != bobKey {
		t.Fatalf("Key(%d) = %s", bobSlot, k)
	}
	bobInView := string(edn.Format(int64(graphdb.MakeEID(bobSlot, graphdb.PartUser, 1))))
	q := `[:find ?who ?name ?nick :where [?a :name "Alice"] [?a :follows ?who] [?who :name ?name] [?who :nick ?nick]]`
	got, err := runQuery(t, q, view)
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(got, `#{[`+bobInView+` "Bob" "bobby"]}`); !ok {
		t.Fatal(msg)
	}
	// Each datom knows its feed: the slot of ?tx.
	got, err = runQuery(t, `[:find ?n ?slot :where [_ :name ?n ?tx] [(tx->t ?tx) ?t] [(quot ?tx 281474976710656) ?slot]]`, view)
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(got, `#{["Alice" 0] ["Bob" 1]}`); !ok {
		t.Fatal(msg)
	}
	p, _ := ParsePull(mustEDN(t, `[:name :nick {:_follows [:name]}]`))
	pulled, err := view.Pull(p, mustEDN(t, bobInView))
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(pulled, `{:name "Bob" :nick "bobby" :_follows [{:name "Alice"}]}`); !ok {
		t.Fatal(msg)
	}
	if _, err := NewFeeds(alice, alice); err == nil {
		t.Fatal("NewFeeds accepted the same feed twice")
	}
}
