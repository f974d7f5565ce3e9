package query

import (
	"testing"

	"github.com/steledb/stele/graphdb"
)

func TestDSLookupRefsQuery(t *testing.T) {
	schema := `{:name {:db/unique :db.unique/identity} :friend {:db/valueType :db.type/ref}}`
	db := newTestDB(t, schema, `[{:db/id 1 :id 1 :name "Ivan" :age 11 :friend 2}
	                             {:db/id 2 :id 2 :name "Petr" :age 22 :friend 3}
	                             {:db/id 3 :id 3 :name "Oleg" :age 33}]`)
	db2 := newTestDB(t, schema, `[{:db/id 3 :name "Ivan" :id 3} {:db/id 1 :name "Petr" :id 1} {:db/id 2 :name "Oleg" :id 2}]`)
	runCases(t, []*graphdb.DB{db, db2}, []qcase{
		{query: `[:find ?e ?v :in $ ?e :where [?e :age ?v]]`, in: []any{theDB, `[:name "Ivan"]`},
			want: `#{[[:name "Ivan"] 11]}`},
		{query: `[:find [?v ...] :in $ [?e ...] :where [?e :age ?v]]`, in: []any{theDB, `[[:name "Ivan"] [:name "Petr"]]`},
			want: `[11 22]`},
		{query: `[:find [?e ...] :in $ ?v :where [?e :friend ?v]]`, in: []any{theDB, `[:name "Petr"]`}, want: `[1]`},
		{query: `[:find [?e ...] :in $ [?v ...] :where [?e :friend ?v]]`, in: []any{theDB, `[[:name "Petr"] [:name "Oleg"]]`},
			want: `[1 2]`},
		{query: `[:find ?e ?v :in $ ?e ?v :where [?e :friend ?v]]`, in: []any{theDB, `[:name "Ivan"]`, `[:name "Petr"]`},
			want: `#{[[:name "Ivan"] [:name "Petr"]]}`},
		{query: `[:find ?e ?v :in $ [?e ...] [?v ...] :where [?e :friend ?v]]`,
			in:   []any{theDB, `[[:name "Ivan"] [:name "Petr"] [:name "Oleg"]]`, `[[:name "Ivan"] [:name "Petr"] [:name "Oleg"]]`},
			want: `#{[[:name "Ivan"] [:name "Petr"]] [[:name "Petr"] [:name "Oleg"]]}`},
		{name: "issue 214", query: `[:find ?e :in $ [?e ...] :where [?e :friend 3]]`, in: []any{theDB, `[1 2 3 "A"]`},
			want: `#{[2]}`},
		{name: "two databases", query: `[:find ?e ?e1 ?e2 :in $1 $2 [?e ...] :where [$1 ?e :id ?e1] [$2 ?e :id ?e2]]`,
			in:   []any{theDB, theDB2, `[[:name "Ivan"] [:name "Petr"] [:name "Oleg"]]`},
			want: `#{[[:name "Ivan"] 1 3] [[:name "Petr"] 2 1] [[:name "Oleg"] 3 2]}`},
		{name: "inline entity", query: `[:find ?v :where [[:name "Ivan"] :friend ?v]]`, in: []any{theDB}, want: `#{[2]}`},
		{name: "inline value", query: `[:find ?e :where [?e :friend [:name "Petr"]]]`, in: []any{theDB}, want: `#{[1]}`},
		{name: "unknown lookup ref", query: `[:find ?e :where [?e :friend [:name "Nobody"]]]`, in: []any{theDB}, want: `#{}`},
		{name: "in function", query: `[:find ?a . :in $ ?e :where [(get-else $ ?e :age 0) ?a]]`,
			in: []any{theDB, `[:name "Petr"]`}, want: `22`},
	})
}

func TestIdentsAsValuesAndEntities(t *testing.T) {
	db := newTestDB(t, `{:status {:db/valueType :db.type/ref} :color {}}`,
		`[{:db/ident :status/active} {:db/ident :status/gone}]`,
		`[{:db/id 1 :name "a" :status :status/active :color :red} {:db/id 2 :name "b" :status :status/gone :color :blue}]`)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{name: "ident value of a ref attribute", query: `[:find ?n . :where [?e :status :status/active] [?e :name ?n]]`,
			in: []any{theDB}, want: `"a"`},
		{name: "keyword value", query: `[:find ?n . :where [?e :color :blue] [?e :name ?n]]`, in: []any{theDB}, want: `"b"`},
		{name: "ident entity", query: `[:find ?i . :where [:status/gone :db/ident ?i]]`, in: []any{theDB}, want: `:status/gone`},
		{name: "ident via input", query: `[:find ?n . :in $ ?s :where [?e :status ?s] [?e :name ?n]]`,
			in: []any{theDB, `:status/gone`}, want: `"b"`},
	})
}
