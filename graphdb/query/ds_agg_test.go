package query

import (
	"slices"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

func TestDSAggregates(t *testing.T) {
	monsters := `[["Cerberus" 3] ["Medusa" 1] ["Cyclops" 1] ["Chimera" 1]]`
	colors := `[[:red 1] [:red 2] [:red 3] [:red 4] [:red 5] [:blue 7] [:blue 8]]`
	sortReverse := Func(func(args ...edn.Value) (edn.Value, error) {
		xs := slices.Clone(args[len(args)-1].(edn.Vector))
		slices.SortFunc(xs, func(a, b edn.Value) int { return edn.Compare(b, a) })
		return xs, nil
	})
	runCases(t, nil, []qcase{
		{name: "with", query: `[:find ?heads :with ?monster :in [[?monster ?heads]]]`,
			in: []any{`[["Medusa" 1] ["Cyclops" 1] ["Chimera" 1]]`}, want: `[[1] [1] [1]]`},
		{name: "wrong grouping without with", query: `[:find (sum ?heads) :in [[?monster ?heads]]]`,
			in: []any{monsters}, want: `[[4]]`},
		{name: "multiple aggregates with with",
			query: `[:find (sum ?heads) (min ?heads) (max ?heads) (count ?heads) (count-distinct ?heads) :with ?monster :in [[?monster ?heads]]]`,
			in:    []any{monsters}, want: `[[6 1 3 4 2]]`},
		{name: "min and max use compare", query: `[:find (min ?x) (max ?x) :in [?x ...]]`,
			in: []any{`[:a-/b :a/b]`}, want: `[[:a/b :a-/b]]`},
		{name: "grouping and parameter passing", query: `[:find ?color (max ?amount ?x) (min ?amount ?x) :in [[?color ?x]] ?amount]`,
			in: []any{colors, "3"}, want: `[[:red [3 4 5] [1 2 3]] [:blue [7 8] [7 8]]]`},
		{name: "constant n", query: `[:find ?color (max 3 ?x) (min 3 ?x) :in [[?color ?x]]]`,
			in: []any{colors}, want: `[[:red [3 4 5] [1 2 3]] [:blue [7 8] [7 8]]]`},
		{name: "custom aggregate", query: `[:find ?color (aggregate ?agg ?x) :in [[?color ?x]] ?agg]`,
			in: []any{colors, sortReverse}, want: `[[:red [5 4 3 2 1]] [:blue [8 7]]]`},
		{name: "custom aggregate with constant", query: `[:find (aggregate ?agg 10 ?x) . :in [?x ...] ?agg]`,
			in: []any{"[1 2]", Func(func(args ...edn.Value) (edn.Value, error) {
				return args[0].(int64) + int64(len(args[1].(edn.Vector))), nil
			})}, want: `12`},
		{name: "avg median variance stddev",
			query: `[:find (avg ?x) (median ?x) (variance ?x) (stddev ?x) :in [?x ...]]`,
			in:    []any{"[10 15 20 35 75]"}, want: `[[31.0 20 554.0 23.53720459187964]]`},
		{name: "median of even count", query: `[:find (median ?x) . :with ?i :in [[?i ?x]]]`,
			in: []any{"[[1 1] [2 2] [3 3] [4 4]]"}, want: `2.5`},
		{name: "distinct", query: `[:find (distinct ?x) . :with ?i :in [[?i ?x]]]`,
			in: []any{"[[1 1] [2 1] [3 2]]"}, want: `#{1 2}`},
		{name: "sum of doubles", query: `[:find (sum ?x) . :in [?x ...]]`, in: []any{"[1 2.5]"}, want: `3.5`},
		{name: "count with grouping", query: `[:find ?color (count ?x) :in [[?color ?x]]]`,
			in: []any{colors}, want: `[[:red 5] [:blue 2]]`},
		{name: "sum of non-numbers", query: `[:find (sum ?x) . :in [?x ...]]`, in: []any{`["a"]`}, err: "not a number"},
	})
}

func TestRandomAggregates(t *testing.T) {
	got, err := runQuery(t, `[:find (rand ?x) (rand 3 ?x) (sample 2 ?x) (sample 9 ?x) :in [?x ...]]`, mustEDN(t, `[1 2 3 4]`))
	if err != nil {
		t.Fatal(err)
	}
	row := got.(edn.Vector)[0].(edn.Vector)
	in := func(v edn.Value) bool { n, ok := v.(int64); return ok && n >= 1 && n <= 4 }
	if !in(row[0]) {
		t.Errorf("rand = %v", row[0])
	}
	if r3 := row[1].(edn.Vector); len(r3) != 3 || !in(r3[0]) {
		t.Errorf("rand 3 = %v", r3)
	}
	s2 := row[2].(edn.Vector)
	if len(s2) != 2 || edn.Equal(s2[0], s2[1]) {
		t.Errorf("sample 2 = %v, want two distinct values", s2)
	}
	if s9 := row[3].(edn.Vector); len(s9) != 4 {
		t.Errorf("sample 9 of 4 values = %v", s9)
	}
}
