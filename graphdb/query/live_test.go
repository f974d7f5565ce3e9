package query

import (
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

func TestLiveQuery(t *testing.T) {
	db := newTestDB(t, "", `[{:db/id 1 :name "Ivan" :age 15} {:db/id 2 :name "Petr" :age 37}]`)
	q, err := Parse([]byte(`[:find ?n ?a :in $ ?min :where [?e :name ?n] [?e :age ?a] [(>= ?a ?min)]]`))
	if err != nil {
		t.Fatal(err)
	}
	live, initial, err := NewLive(q, nil, db, int64(18))
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(initial, `#{["Petr" 37]}`); !ok {
		t.Fatal(msg)
	}
	steps := []struct {
		tx             string
		skipped        bool
		added, removed string
	}{
		{tx: `[[:db/add 1 :age 19]]`, added: `[["Ivan" 19]]`, removed: `[]`},
		{tx: `[[:db/add 3 :email "x@y"]]`, skipped: true, added: `[]`, removed: `[]`},
		{tx: `[[:db/add 2 :name "Pyotr"]]`, added: `[["Pyotr" 37]]`, removed: `[["Petr" 37]]`},
		{tx: `[[:db/add 3 :name "Oleg"] [:db/add 3 :age 5]]`, added: `[]`, removed: `[]`},
		{tx: `[[:db/retractEntity 1]]`, added: `[]`, removed: `[["Ivan" 19]]`},
	}
	for _, s := range steps {
		r, err := db.Transact(txOps(t, mustEDN(t, s.tx)))
		if err != nil {
			t.Fatal(err)
		}
		db = r.After
		ch, err := live.Apply(r)
		if err != nil {
			t.Fatalf("%s: %v", s.tx, err)
		}
		if ch.Skipped != s.skipped || ch.Tx != r.Tx {
			t.Errorf("%s: skipped %v tx %d, want %v %d", s.tx, ch.Skipped, ch.Tx, s.skipped, r.Tx)
		}
		if ok, msg := sameResult(edn.Vector(ch.Added), s.added); !ok {
			t.Errorf("%s: added %s", s.tx, msg)
		}
		if ok, msg := sameResult(edn.Vector(ch.Removed), s.removed); !ok {
			t.Errorf("%s: removed %s", s.tx, msg)
		}
		want, err := q.Run(db, int64(18))
		if err != nil {
			t.Fatal(err)
		}
		if !edn.Equal(live.Result(), want) {
			t.Errorf("%s: live result %s, a fresh run gives %s", s.tx, edn.Format(live.Result()), edn.Format(want))
		}
	}
	// A report already applied, or of another feed, changes nothing.
	again, err := db.Transact(txOps(t, mustEDN(t, `[[:db/add 2 :age 40]]`)))
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := live.Apply(again); err != nil || ch.Skipped || !ch.Changed() {
		t.Fatalf("age change: %+v, %v", ch, err)
	}
	other, err := graphdb.NewDB(graphdb.FeedKey{9}).Transact([]graphdb.Op{graphdb.Add{E: graphdb.EID(1), A: ":age", V: 50}})
	if err != nil {
		t.Fatal(err)
	}
	for _, rep := range []*graphdb.Report{again, other} {
		if ch, err := live.Apply(rep); err != nil || !ch.Skipped {
			t.Errorf("report of tx %d applied again or from another feed: %+v, %v", rep.Tx, ch, err)
		}
	}
}

func TestLiveReads(t *testing.T) {
	rules, err := ParseRules(mustEDN(t, `[[(r ?e) [?e :parent ?p] (r ?p)] [(r ?e) [?e :root true]]]`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		all   bool
		reads []string
	}{
		{`[:find ?e :where [?e :name "x"] (not [?e :age 3]) (or [?e :a 1] (and [?e :b 2]))]`, false, []string{":name", ":age", ":a", ":b"}},
		{`[:find ?e :in $ % :where (r ?e)]`, false, []string{":parent", ":root"}},
		{`[:find ?e :where [?e ?a 1]]`, true, nil},
		{`[:find ?e :where [?e :a] [(get-else $ ?e :b 0) ?x]]`, true, nil},
		{`[:find (pull ?e [:name]) :where [?e :a]]`, true, nil},
	}
	for _, tt := range tests {
		q, err := Parse([]byte(tt.query))
		if err != nil {
			t.Fatal(err)
		}
		got := queryReads(q, rules)
		if got.all != tt.all {
			t.Errorf("%s: all = %v", tt.query, got.all)
		}
		for _, a := range tt.reads {
			if !got.idents[a] {
				t.Errorf("%s: does not read %s (%v)", tt.query, a, got.idents)
			}
		}
		if !tt.all && len(got.idents) != len(tt.reads) {
			t.Errorf("%s: reads %v, want %v", tt.query, got.idents, tt.reads)
		}
	}
}
