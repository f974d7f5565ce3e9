package query

import (
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

// FuzzRun checks that evaluating any query that parses, on a small
// database and inputs shaped after its :in, returns a result or a query
// error and never panics. Queries that could run without end or build huge
// relations (rules, range) are left out.
func FuzzRun(f *testing.F) {
	for _, tt := range validQueries {
		f.Add(tt.in)
	}
	for _, q := range []string{
		`[:find ?e ?v :where [?e :name "Ivan"] [?e :age ?v] [(> ?v 10)]]`,
		`[:find ?e (count ?f) :where [?e :friend ?f] (not [?f :age 15])]`,
		`[:find ?n :in $ [?e ...] :where (or [?e :name ?n] (and [?e :age ?a] [(str ?a) ?n]))]`,
		`[:find (pull ?e [* {:friend [:name]}]) :where [?e :name]]`,
		`[:find ?a ?v ?tx ?op :where [1 ?a ?v ?tx ?op]]`,
	} {
		f.Add(q)
	}
	db := newTestDB(f, `{:friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}}`,
		`[{:db/id 1 :name "Ivan" :age 15 :friend [2 3]} {:db/id 2 :name "Petr" :age 37} {:db/id 3 :age 15 :friend 1}]`)
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, "range") {
			return
		}
		q, err := Parse([]byte(text))
		if err != nil {
			return
		}
		inputs := make([]any, len(q.In))
		for i, in := range q.In {
			switch in.Kind {
			case InSource:
				inputs[i] = db
			case InRules:
				return
			case InBinding:
				inputs[i] = sampleInput(in.Binding)
			}
		}
		if _, err := q.Run(inputs...); err != nil && !strings.HasPrefix(err.Error(), "query: ") {
			t.Fatalf("Run(%s): error %q lacks the query: prefix", text, err)
		}
	})
}

// sampleInput returns a value of the shape a binding takes.
func sampleInput(b Binding) edn.Value {
	switch b := b.(type) {
	case *BindTuple:
		out := edn.Vector{}
		for _, e := range b.Elems {
			out = append(out, sampleInput(e))
		}
		return out
	case *BindColl:
		return edn.Vector{sampleInput(b.Elem), sampleInput(b.Elem)}
	}
	return int64(1)
}
