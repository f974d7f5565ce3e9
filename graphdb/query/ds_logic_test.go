package query

import (
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

const notOrDB = `[{:db/id 1 :name "Ivan" :age 10} {:db/id 2 :name "Ivan" :age 20}
                  {:db/id 3 :name "Oleg" :age 10} {:db/id 4 :name "Oleg" :age 20}
                  {:db/id 5 :name "Ivan" :age 10} {:db/id 6 :name "Ivan" :age 20}]`

// whereCases prefixes each case's where clauses with a find and runs it
// on the database.
func whereCases(t *testing.T, db *graphdb.DB, find string, cases []struct{ where, want string }) {
	t.Helper()
	qc := make([]qcase, len(cases))
	for i, c := range cases {
		qc[i] = qcase{query: find + " :where " + c.where, in: []any{theDB}, want: c.want}
	}
	runCases(t, []*graphdb.DB{db}, qc)
}

func TestDSNot(t *testing.T) {
	db := newTestDB(t, "", notOrDB)
	whereCases(t, db, "[:find [?e ...]", []struct{ where, want string }{
		{`[?e :name] (not [?e :name "Ivan"])]`, `[3 4]`},
		{`[?e :name] (not [?e :name "Ivan"] [?e :age 10])]`, `[2 3 4 6]`},
		{`[?e :name] (not [?e :name "Ivan"]) (not [?e :age 10])]`, `[4]`},
		{`[?e :name] (not [?e :age])]`, `[]`},
		{`[?e :name "Ivan"] (not [?e :name "Oleg"])]`, `[1 2 5 6]`},
		{`[?e :name "Ivan"] (not [?e :name "Ivan"] [?e :age 21])]`, `[1 2 5 6]`},
		{`[?e :name] (not [?e :name "Ivan"] (not [?e :age 10]))]`, `[1 3 4 5]`},
		{`[?e :name ?a] (not [?e :age ?f] [?e :age 10])]`, `[2 4 6]`},
	})
}

func TestDSNotJoin(t *testing.T) {
	db := newTestDB(t, "", notOrDB)
	whereCases(t, db, "[:find ?e ?a", []struct{ where, want string }{
		{`[?e :name] [?e :age ?a] (not-join [?e] [?e :name "Oleg"] [?e :age ?a])]`, `#{[1 10] [2 20] [5 10] [6 20]}`},
		{`[?e :age ?a] [?e :age 10] (not-join [?e] [?e :name "Oleg"] [?e :age ?a] [?e :age 10])]`, `#{[1 10] [5 10]}`},
	})
}

func TestDSNotInsufficientBindings(t *testing.T) {
	db := newTestDB(t, "", notOrDB)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?e :where (not [?e :name "Ivan"]) [?e :name]]`, in: []any{theDB},
			err: `insufficient bindings: none of #{?e} is bound in (not [?e :name "Ivan"])`},
		{query: `[:find ?e :where [?e :name] (not-join [?e ?a] [?e :age ?a])]`, in: []any{theDB},
			err: `insufficient bindings: #{?a} not bound in (not-join [?e ?a] [?e :age ?a])`},
	})
}

func TestDSOr(t *testing.T) {
	db := newTestDB(t, "", notOrDB)
	whereCases(t, db, "[:find [?e ...]", []struct{ where, want string }{
		{`(or [?e :name "Oleg"] [?e :age 10])]`, `[1 3 4 5]`},
		{`(or [?e :name "Oleg"] [?e :age 30])]`, `[3 4]`},
		{`(or [?e :name "Petr"] [?e :age 30])]`, `[]`},
		{`[?e :name "Ivan"] (or [?e :name "Oleg"] [?e :age 10])]`, `[1 5]`},
		{`[?e :age ?a] (or (and [?e :name "Ivan"] [1 :age ?a]) (and [?e :name "Oleg"] [2 :age ?a]))]`, `[1 5 4]`},
		{`(or (and [?e :name "Ivan"] [1 :age ?a]) (and [?e :name "Oleg"] [2 :age ?a])) [?e :age ?a]]`, `[1 5 4]`},
		{`(or (and [?e :name "Ivan"] [1 :age ?a]) (and [2 :age ?a] [?e :name "Oleg"])) [?e :age ?a]]`, `[1 5 4]`},
		{`(or-join [?e] [?e :name ?n] (and [?e :age ?a] [?e :name ?n]))]`, `[1 2 3 4 5 6]`},
		{`[?e :name ?a] [?e2 :name ?a] (or-join [?e] (and [?e :age ?a] [?e2 :age ?a]))]`, `[1 2 3 4 5 6]`},
		{`[?e :name] (or-join [[?e]] (and [?e :age ?a] [(> ?a 15)]) [?e :name "Oleg"])]`, `[2 3 4 6]`},
		{`[?e :name] (or [?e :name "Oleg"] (not [?e :age 10]))]`, `[2 3 4 6]`},
	})
}

func TestDSOrErrors(t *testing.T) {
	db := newTestDB(t, "", notOrDB)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?e :where (or [?e :name _] [?e2 :age _])]`, in: []any{theDB},
			err: "all branches of (or [?e :name _] [?e2 :age _]) must use the same set of free variables"},
		{query: `[:find ?e :where (or-join [[?e]] [?e :name "Ivan"])]`, in: []any{theDB},
			err: "insufficient bindings: #{?e} not bound"},
	})
}

func TestDSDefaultSource(t *testing.T) {
	db1 := newTestDB(t, "", `[[:db/add 1 :name "Ivan"] [:db/add 2 :name "Oleg"]]`)
	db2 := newTestDB(t, "", `[[:db/add 1 :age 10] [:db/add 2 :age 20]]`)
	dbs := []*graphdb.DB{db1, db2}
	in := []any{theDB, theDB2}
	const find = `[:find [?e ...] :in $ $2 :where `
	runCases(t, dbs, []qcase{
		{query: find + `[$2 ?e :age _] (not [?e :name "Ivan"])]`, in: in, want: `[2]`},
		{query: find + `[?e :name] ($2 not [?e :age 10])]`, in: in, want: `[2]`},
		{query: find + `[?e :name] ($2 not-join [?e] [?e :age 10])]`, in: in, want: `[2]`},
		{query: find + `[$2 ?e :age _] (or [?e :name "Ivan"] [?e :name "Oleg"])]`, in: in, want: `[1 2]`},
		{query: find + `[?e :name] ($2 or [?e :age 10] [?e :age 30])]`, in: in, want: `[1]`},
		{query: find + `[?e :name] ($2 or-join [?e] [?e :age 20])]`, in: in, want: `[2]`},
	})
}

func TestDSRules(t *testing.T) {
	follows := `[[5 :follow 3] [1 :follow 2] [2 :follow 3] [3 :follow 4] [4 :follow 6] [2 :follow 4]]`
	recursive := `[[(follow ?e1 ?e2) [?e1 :follow ?e2]]
	               [(follow ?e1 ?e2) [?e1 :follow ?t] (follow ?t ?e2)]]`
	symmetric := `[[(follow ?e1 ?e2) [?e1 :follow ?e2]] [(follow ?e1 ?e2) (follow ?e2 ?e1)]]`
	even := Func(func(args ...edn.Value) (edn.Value, error) {
		n, ok := args[0].(int64)
		return ok && n%2 == 0, nil
	})
	always := Func(func(...edn.Value) (edn.Value, error) { return true, nil })
	runCases(t, nil, []qcase{
		{query: `[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`, in: []any{follows, `[[(follow ?x ?y) [?x :follow ?y]]]`},
			want: `#{[1 2] [2 3] [3 4] [2 4] [5 3] [4 6]}`},
		{name: "joining regular clauses with rule", query: `[:find ?y ?x :in $ % :where [_ _ ?x] (rule ?x ?y) [(even? ?x)]]`,
			in: []any{follows, `[[(rule ?a ?b) [?a :follow ?b]]]`}, want: `#{[3 2] [6 4] [4 2]}`},
		{name: "rule context is isolated", query: `[:find ?x :in $ % :where [?e _ _] (rule ?x)]`,
			in: []any{follows, `[[(rule ?e) [_ ?e _]]]`}, want: `#{[:follow]}`},
		{name: "rule with branches", query: `[:find ?e2 :in $ ?e1 % :where (follow ?e1 ?e2)]`,
			in:   []any{follows, "1", `[[(follow ?e2 ?e1) [?e2 :follow ?e1]] [(follow ?e2 ?e1) [?e2 :follow ?t] [?t :follow ?e1]]]`},
			want: `#{[2] [3] [4]}`},
		{name: "recursive", query: `[:find ?e2 :in $ ?e1 % :where (follow ?e1 ?e2)]`, in: []any{follows, "1", recursive},
			want: `#{[2] [3] [4] [6]}`},
		{name: "symmetric", query: `[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`,
			in: []any{`[[1 :follow 2] [2 :follow 3]]`, symmetric}, want: `#{[1 2] [2 3] [2 1] [3 2]}`},
		{name: "cycle", query: `[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`,
			in: []any{`[[1 :follow 2] [2 :follow 3] [3 :follow 1]]`, symmetric}, want: `#{[1 2] [2 3] [3 1] [2 1] [3 2] [1 3]}`},
		{name: "transitive cycle", query: `[:find ?e2 :in $ % :where (follow 1 ?e2)]`,
			in: []any{`[[1 :follow 2] [2 :follow 3] [3 :follow 1]]`, recursive}, want: `#{[1] [2] [3]}`},
		{name: "mutually recursive", query: `[:find ?e1 ?e2 :in $ % :where (f1 ?e1 ?e2)]`,
			in: []any{`[[0 :f1 1] [1 :f2 2] [2 :f1 3] [3 :f2 4] [4 :f1 5] [5 :f2 6]]`,
				`[[(f1 ?e1 ?e2) [?e1 :f1 ?e2]] [(f1 ?e1 ?e2) [?t :f1 ?e2] (f2 ?e1 ?t)]
				  [(f2 ?e1 ?e2) [?e1 :f2 ?e2]] [(f2 ?e1 ?e2) [?t :f2 ?e2] (f1 ?e1 ?t)]]`},
			want: `#{[0 1] [0 3] [0 5] [1 3] [1 5] [2 3] [2 5] [3 5] [4 5]}`},
		{name: "passing ins to rule", query: `[:find ?x ?y :in $ % ?even :where (match ?even ?x ?y)]`,
			in:   []any{follows, `[[(match ?pred ?e ?e2) [?e :follow ?e2] [(?pred ?e)] [(?pred ?e2)]]]`, even},
			want: `#{[4 6] [2 4]}`},
		{name: "built-ins inside rule", query: `[:find ?x ?y :in $ % :where (match ?x ?y)]`,
			in: []any{follows, `[[(match ?e ?e2) [?e :follow ?e2] [(even? ?e)] [(even? ?e2)]]]`}, want: `#{[4 6] [2 4]}`},
		{name: "calling rule twice", query: `[:find ?p :in $ % ?fn :where (rule ?p ?fn "a") (rule ?p ?fn "b")]`,
			in: []any{`[[1 :attr "a"]]`, `[[(rule ?p ?fn ?x) [?p :attr ?x] [(?fn ?x)]]]`, always}, want: `#{}`},
		{name: "required bindings", query: `[:find ?e :in $ % :where (r ?e)]`,
			in: []any{follows, `[[(r [?x]) [?x :follow _]]]`}, err: "insufficient bindings"},
		{name: "unknown rule", query: `[:find ?e :in $ % :where (nope ?e)]`,
			in: []any{follows, `[[(r ?x) [?x :follow _]]]`}, err: "unknown rule nope"},
		{name: "rule under not", query: `[:find ?e :in $ % :where [?e :follow _] (not (reach ?e 2))]`,
			in: []any{follows, `[[(reach ?a ?b) [?a :follow ?b]] [(reach ?a ?b) [?a :follow ?t] (reach ?t ?b)]]`}, want: `#{[2] [3] [4] [5]}`},
		{name: "rule with or", query: `[:find ?e :in $ % :where (odd-or-two ?e)]`,
			in: []any{follows, `[[(odd-or-two ?e) [?e :follow _] (or [(odd? ?e)] [(= ?e 2)])]]`}, want: `#{[1] [2] [3] [5]}`},
	})
}

func TestDSRuleFalseArguments(t *testing.T) {
	db := newTestDB(t, "", `[[:db/add 1 :attr true] [:db/add 2 :attr false]]`)
	rules := `[[(is ?id ?val) [?id :attr ?val]]]`
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find ?id :in $ % :where (is ?id true)]`, in: []any{theDB, rules}, want: `#{[1]}`},
		{query: `[:find ?id :in $ % :where (is ?id false)]`, in: []any{theDB, rules}, want: `#{[2]}`},
	})
}

func TestRuleThroughNegationOfItself(t *testing.T) {
	_, err := runQuery(t, `[:find ?e :in $ % :where (r ?e)]`, mustEDN(t, `[[1 :a 1]]`),
		mustEDN(t, `[[(r ?e) [?e :a _] (not (r ?e))]]`))
	if err == nil {
		t.Fatal("a rule negating itself evaluated without error")
	}
}
