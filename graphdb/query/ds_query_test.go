package query

import (
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// The tests named TestDS* port DataScript's own test suite
// (test/datascript/test/query*.cljc and friends): the data and the
// expected answers are DataScript's, the queries run unchanged.

// qcase is one query with its inputs and the expected result (EDN) or
// error (a substring).
type qcase struct {
	name  string
	query string
	in    []any // theDB, theDB2: the case's databases; a string: EDN text; anything else as is
	want  string
	err   string
}

type dbMarker int

const (
	theDB dbMarker = iota + 1
	theDB2
)

func runCases(t *testing.T, dbs []*graphdb.DB, cases []qcase) {
	t.Helper()
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.query
		}
		t.Run(name, func(t *testing.T) {
			inputs := make([]any, len(c.in))
			for i, x := range c.in {
				switch v := x.(type) {
				case dbMarker:
					inputs[i] = dbs[v-1]
				case string:
					inputs[i] = mustEDN(t, v)
				default:
					inputs[i] = v
				}
			}
			got, err := runQuery(t, c.query, inputs...)
			if c.err != "" {
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.err)) {
					t.Fatalf("error %v, want one containing %q (result %v)", err, c.err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if ok, msg := sameResult(got, c.want); !ok {
				t.Fatal(msg)
			}
		})
	}
}

const ivanPetrDB = `[{:db/id 1, :name "Ivan", :age 15}
                     {:db/id 2, :name "Petr", :age 37}
                     {:db/id 3, :name "Ivan", :age 37}
                     {:db/id 4, :age 15}]`

func TestDSJoins(t *testing.T) {
	db := newTestDB(t, "", ivanPetrDB)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?e :where [?e :name]]`, in: []any{theDB}, want: `#{[1] [2] [3]}`},
		{query: `[:find ?e ?v :where [?e :name "Ivan"] [?e :age ?v]]`, in: []any{theDB}, want: `#{[1 15] [3 37]}`},
		{query: `[:find ?e1 ?e2 :where [?e1 :name ?n] [?e2 :name ?n]]`, in: []any{theDB},
			want: `#{[1 1] [2 2] [3 3] [1 3] [3 1]}`},
		{query: `[:find ?e ?e2 ?n :where [?e :name "Ivan"] [?e :age ?a] [?e2 :age ?a] [?e2 :name ?n]]`, in: []any{theDB},
			want: `#{[1 1 "Ivan"] [3 3 "Ivan"] [3 2 "Petr"]}`},
		{name: "unknown attribute", query: `[:find ?e :where [?e :nope]]`, in: []any{theDB}, want: `#{}`},
		{name: "attribute variable", query: `[:find ?a ?v :where [1 ?a ?v]]`, in: []any{theDB},
			want: `#{[:name "Ivan"] [:age 15]}`},
		{name: "repeated variable", query: `[:find ?e :where [?e :age ?e]]`, in: []any{theDB}, want: `#{}`},
	})
}

func TestDSQueryMany(t *testing.T) {
	db := newTestDB(t, `{:aka {:db/cardinality :db.cardinality/many}}`,
		`[[:db/add 1 :name "Ivan"] [:db/add 1 :aka "ivolga"] [:db/add 1 :aka "pi"]
		  [:db/add 2 :name "Petr"] [:db/add 2 :aka "porosenok"] [:db/add 2 :aka "pi"]]`)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?n1 ?n2 :where [?e1 :aka ?x] [?e2 :aka ?x] [?e1 :name ?n1] [?e2 :name ?n2]]`, in: []any{theDB},
			want: `#{["Ivan" "Ivan"] ["Petr" "Petr"] ["Ivan" "Petr"] ["Petr" "Ivan"]}`},
	})
}

func TestDSQueryCollections(t *testing.T) {
	coll := `[[1 :name "Ivan"] [1 :age 19] [1 :aka "dragon_killer_94"] [1 :aka "-=autobot=-"]]`
	long := `[[1 :name "Ivan" 945 :db/add] [1 :age 39 999 :db/retract]]`
	runCases(t, nil, []qcase{
		{query: `[:find ?n ?a :where [?e :aka "dragon_killer_94"] [?e :name ?n] [?e :age ?a]]`, in: []any{coll},
			want: `#{["Ivan" 19]}`},
		{query: `[:find ?e ?v :where [?e ?a ?v]]`, in: []any{long}, want: `#{[1 "Ivan"] [1 39]}`},
		{query: `[:find ?e ?a ?v ?t :where [?e ?a ?v ?t]]`, in: []any{long}, want: `#{[1 :name "Ivan" 945] [1 :age 39 999]}`},
		{query: `[:find ?e ?v ?t :where [?e :name ?v ?t]]`, in: []any{long}, want: `#{[1 "Ivan" 945]}`},
		{query: `[:find ?e ?a ?v ?t :where [?e ?a ?v ?t :db/retract]]`, in: []any{long}, want: `#{[1 :age 39 999]}`},
		{query: `[:find ?e ?a ?v ?t :where [?e ?a ?v ?t :db/add]]`, in: []any{long}, want: `#{[1 :name "Ivan" 945]}`},
	})
}

func TestDSQueryInputs(t *testing.T) {
	db := newTestDB(t, "", `[{:db/id 1, :name "Ivan", :age 15} {:db/id 2, :name "Petr", :age 37} {:db/id 3, :name "Ivan", :age 37}]`)
	q := `{:find [?e] :in [$ ?attr ?value] :where [[?e ?attr ?value]]}`
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: q, in: []any{theDB, ":name", `"Ivan"`}, want: `#{[1] [3]}`},
		{query: q, in: []any{theDB, ":age", `37`}, want: `#{[2] [3]}`},
		{name: "named db", query: `[:find ?a ?v :in $db ?e :where [$db ?e ?a ?v]]`, in: []any{theDB, "1"},
			want: `#{[:name "Ivan"] [:age 15]}`},
		{name: "db join with collection", query: `[:find ?e ?email :in $ $b :where [?e :name ?n] [$b ?n ?email]]`,
			in:   []any{theDB, `[["Ivan" "ivan@mail.ru"] ["Petr" "petr@gmail.com"]]`},
			want: `#{[1 "ivan@mail.ru"] [2 "petr@gmail.com"] [3 "ivan@mail.ru"]}`},
		{name: "query without db", query: `[:find ?a ?b :in ?a ?b]`, in: []any{"10", "20"}, want: `#{[10 20]}`},
		{name: "wrong number of inputs", query: `[:find ?a :in $ ?a]`, in: []any{theDB}, err: "wrong number of inputs"},
		{name: "bad source", query: `[:find ?e :in $ :where [?e :a]]`, in: []any{"1"}, err: "a source must be"},
	})
}

func TestDSBindings(t *testing.T) {
	db := newTestDB(t, "", `[{:db/id 1, :name "Ivan", :age 15} {:db/id 2, :name "Petr", :age 37} {:db/id 3, :name "Ivan", :age 37}]`)
	people := `[[1 :name "Ivan"] [2 :name "Petr"]]`
	runCases(t, []*graphdb.DB{db}, []qcase{
		{name: "relation", query: `[:find ?e ?email :in $ [[?n ?email]] :where [?e :name ?n]]`,
			in:   []any{theDB, `[["Ivan" "ivan@mail.ru"] ["Petr" "petr@gmail.com"]]`},
			want: `#{[1 "ivan@mail.ru"] [2 "petr@gmail.com"] [3 "ivan@mail.ru"]}`},
		{name: "tuple", query: `[:find ?e :in $ [?name ?age] :where [?e :name ?name] [?e :age ?age]]`,
			in: []any{theDB, `["Ivan" 37]`}, want: `#{[3]}`},
		{name: "collection", query: `[:find ?attr ?value :in $ ?e [?attr ...] :where [?e ?attr ?value]]`,
			in: []any{theDB, "1", "[:name :age]"}, want: `#{[:name "Ivan"] [:age 15]}`},
		{name: "empty coll", query: `[:find ?id :in $ [?id ...] :where [?id :age _]]`, in: []any{people, "[]"}, want: `#{}`},
		{name: "empty rel", query: `[:find ?id :in $ [[?id]] :where [?id :age _]]`, in: []any{people, "[]"}, want: `#{}`},
		{name: "placeholders", query: `[:find ?x ?z :in [?x _ ?z]]`, in: []any{"[:x :y :z]"}, want: `#{[:x :z]}`},
		{name: "placeholders in rel", query: `[:find ?x ?z :in [[?x _ ?z]]]`, in: []any{"[[:x :y :z] [:a :b :c]]"},
			want: `#{[:x :z] [:a :c]}`},
		{name: "map as collection", query: `[:find ?k ?v :in [[?k ?v] ...]]`, in: []any{"{:a 1, :b 2}"}, want: `#{[:a 1] [:b 2]}`},
		{name: "nested", query: `[:find ?k ?min ?max :in [[?k ?v] ...] ?minmax :where [(?minmax ?v) [?min ?max]]]`,
			in:   []any{"{:a [1 2 3 4], :b [5 6 7]}", Func(minMax)},
			want: `#{[:a 1 4] [:b 5 7]}`},
		{name: "tuple of non-seq", query: `[:find ?a ?b :in [?a ?b]]`, in: []any{":a"}, err: "cannot bind value :a to tuple [?a ?b]"},
		{name: "coll of non-coll", query: `[:find ?a :in [?a ...]]`, in: []any{":a"}, err: "cannot bind value :a to collection [?a ...]"},
		{name: "short tuple", query: `[:find ?a ?b :in [?a ?b]]`, in: []any{"[1]"}, err: "not enough elements in a collection [1] to bind tuple [?a ?b]"},
	})
}

func minMax(args ...edn.Value) (edn.Value, error) {
	xs := args[0].(edn.Vector)
	lo, hi := xs[0].(int64), xs[0].(int64)
	for _, x := range xs {
		lo, hi = min(lo, x.(int64)), max(hi, x.(int64))
	}
	return edn.Vector{lo, hi}, nil
}

const findSpecsDB = `[[:db/add 1 :name "Petr"] [:db/add 1 :age 44]
                      [:db/add 2 :name "Ivan"] [:db/add 2 :age 25]
                      [:db/add 3 :name "Sergey"] [:db/add 3 :age 11]]`

func TestDSFindSpecs(t *testing.T) {
	db := newTestDB(t, "", findSpecsDB)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find [?name ...] :where [_ :name ?name]]`, in: []any{theDB}, want: `["Ivan" "Petr" "Sergey"]`},
		{query: `[:find [?name ?age] :where [1 :name ?name] [1 :age ?age]]`, in: []any{theDB}, want: `["Petr" 44]`},
		{query: `[:find ?name . :where [1 :name ?name]]`, in: []any{theDB}, want: `"Petr"`},
		{query: `[:find [(count ?name) ...] :where [_ :name ?name]]`, in: []any{theDB}, want: `[3]`},
		{query: `[:find [(count ?name)] :where [_ :name ?name]]`, in: []any{theDB}, want: `[3]`},
		{query: `[:find (count ?name) . :where [_ :name ?name]]`, in: []any{theDB}, want: `3`},
		{name: "empty scalar", query: `[:find ?name . :where [99 :name ?name]]`, in: []any{theDB}, want: `nil`},
		{name: "empty tuple", query: `[:find [?name ?age] :where [99 :name ?name] [99 :age ?age]]`, in: []any{theDB}, want: `nil`},
		{name: "empty coll", query: `[:find [?name ...] :where [99 :name ?name]]`, in: []any{theDB}, want: `[]`},
		{name: "empty aggregate", query: `[:find (count ?name) . :where [99 :name ?name]]`, in: []any{theDB}, want: `nil`},
	})
}

func TestDSReturnMaps(t *testing.T) {
	db := newTestDB(t, "", findSpecsDB)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?name ?age :keys name age :where [?e :name ?name] [?e :age ?age]]`, in: []any{theDB},
			want: `#{{:name "Petr" :age 44} {:name "Ivan" :age 25} {:name "Sergey" :age 11}}`},
		{query: `[:find ?name ?age :strs name age :where [?e :name ?name] [?e :age ?age]]`, in: []any{theDB},
			want: `#{{"name" "Petr" "age" 44} {"name" "Ivan" "age" 25} {"name" "Sergey" "age" 11}}`},
		{query: `[:find ?name ?age :syms name age :where [?e :name ?name] [?e :age ?age]]`, in: []any{theDB},
			want: `#{{name "Petr" age 44} {name "Ivan" age 25} {name "Sergey" age 11}}`},
		{query: `[:find [?name ?age] :keys name age :where [1 :name ?name] [1 :age ?age]]`, in: []any{theDB},
			want: `{:name "Petr" :age 44}`},
		{query: `{:find [?name ?age] :keys [name age] :where [[1 :name ?name] [1 :age ?age]]}`, in: []any{theDB},
			want: `#{{:name "Petr" :age 44}}`},
	})
}
