package query

import (
	"strings"
	"testing"
)

// validQueries are real DataScript and Datomic queries, from DataScript's
// test suite and documentation unless noted, with the canonical form
// FormatQuery gives for their AST.
var validQueries = []struct {
	in, want string
}{
	// find specs
	{`[:find ?e ?n :where [?e :name ?n]]`,
		`[:find ?e ?n :in $ :where [?e :name ?n]]`},
	{`[:find [?n ...] :where [_ :name ?n]]`,
		`[:find [?n ...] :in $ :where [_ :name ?n]]`},
	{`[:find ?n . :in $ ?e :where [?e :name ?n]]`,
		`[:find ?n . :in $ ?e :where [?e :name ?n]]`},
	{`[:find [?n ?a] :where [?e :name ?n] [?e :age ?a]]`,
		`[:find [?n ?a] :in $ :where [?e :name ?n] [?e :age ?a]]`},
	{`{:find [?e] :in [$ ?name] :where [[?e :name ?name]]}`,
		`[:find ?e :in $ ?name :where [?e :name ?name]]`},
	{`{:find [[?n ...]] :where [[_ :name ?n]]}`,
		`[:find [?n ...] :in $ :where [_ :name ?n]]`},
	{`{:find [?n .] :where [[_ :name ?n]]}`,
		`[:find ?n . :in $ :where [_ :name ?n]]`},
	{`[:find ?x :in [?x ...] :where [(> 2 1)]]`,
		`[:find ?x :in [?x ...] :where [(> 2 1)]]`},
	{`[:find ?x :in ?x]`, `[:find ?x :in ?x]`},
	// aggregates
	{`[:find ?color (max ?x) (min ?x) :in [[?color ?x]]]`,
		`[:find ?color (max ?x) (min ?x) :in [[?color ?x]]]`},
	{`[:find ?color (max 3 ?x) (min 3 ?x) :in [[?color ?x]]]`,
		`[:find ?color (max 3 ?x) (min 3 ?x) :in [[?color ?x]]]`},
	{`[:find (sum ?heads) (count ?heads) (count-distinct ?heads) (avg ?heads) (median ?heads) (variance ?heads) (stddev ?heads) (distinct ?heads) :with ?monster :in [[?monster ?heads]]]`,
		`[:find (sum ?heads) (count ?heads) (count-distinct ?heads) (avg ?heads) (median ?heads) (variance ?heads) (stddev ?heads) (distinct ?heads) :in [[?monster ?heads]] :with ?monster]`},
	{`[:find (rand ?x) (rand 2 ?x) (sample 2 ?x) :in [?x ...]]`,
		`[:find (rand ?x) (rand 2 ?x) (sample 2 ?x) :in [?x ...]]`},
	{`[:find ?color (aggregate ?agg ?x) :in [[?color ?x]] ?agg]`,
		`[:find ?color (aggregate ?agg ?x) :in [[?color ?x]] ?agg]`},
	{`[:find (aggregate ?f 10 ?x) . :in [?x ...] ?f]`,
		`[:find (aggregate ?f 10 ?x) . :in [?x ...] ?f]`},
	{`[:find [(count ?e) ...] :where [?e :name]]`,
		`[:find [(count ?e) ...] :in $ :where [?e :name]]`},
	// pull
	{`[:find (pull ?e [:name :age]) :where [?e :name]]`,
		`[:find (pull $ ?e [:name :age]) :in $ :where [?e :name]]`},
	{`[:find (pull ?e ?pattern) :in $ ?pattern :where [?e :age 20]]`,
		`[:find (pull $ ?e ?pattern) :in $ ?pattern :where [?e :age 20]]`},
	{`[:find (pull ?e pattern) :in $ pattern :where [?e :age 20]]`,
		`[:find (pull $ ?e pattern) :in $ pattern :where [?e :age 20]]`},
	{`[:find (pull $2 ?e [*]) :in $ $2 :where [$2 ?e :age 20]]`,
		`[:find (pull $2 ?e [*]) :in $ $2 :where [$2 ?e :age 20]]`},
	// return maps
	{`[:find ?name ?age :keys name age :where [?e :name ?name] [?e :age ?age]]`,
		`[:find ?name ?age :keys name age :in $ :where [?e :name ?name] [?e :age ?age]]`},
	{`[:find ?name ?age :strs name age :where [?e :name ?name] [?e :age ?age]]`,
		`[:find ?name ?age :strs name age :in $ :where [?e :name ?name] [?e :age ?age]]`},
	{`[:find ?name ?age :syms name age :where [?e :name ?name] [?e :age ?age]]`,
		`[:find ?name ?age :syms name age :in $ :where [?e :name ?name] [?e :age ?age]]`},
	{`{:find [[?name ?age]] :keys [name age] :where [[?e :name ?name] [?e :age ?age]]}`,
		`[:find [?name ?age] :keys name age :in $ :where [?e :name ?name] [?e :age ?age]]`},
	// inputs
	{`[:find ?e :in $ ?attr ?value :where [?e ?attr ?value]]`,
		`[:find ?e :in $ ?attr ?value :where [?e ?attr ?value]]`},
	{`[:find ?e ?email :in $ [[?n ?email]] :where [?e :name ?n]]`,
		`[:find ?e ?email :in $ [[?n ?email]] :where [?e :name ?n]]`},
	{`[:find ?e :in $ [?name ?age] :where [?e :name ?name] [?e :age ?age]]`,
		`[:find ?e :in $ [?name ?age] :where [?e :name ?name] [?e :age ?age]]`},
	{`[:find ?e :in $ [?name _ ?age] :where [?e :name ?name] [?e :age ?age]]`,
		`[:find ?e :in $ [?name _ ?age] :where [?e :name ?name] [?e :age ?age]]`},
	{`[:find ?a ?b :in $1 $2 :where [$1 ?e :name ?a] [$2 ?e :name ?b]]`,
		`[:find ?a ?b :in $1 $2 :where [$1 ?e :name ?a] [$2 ?e :name ?b]]`},
	// data patterns
	{`[:find ?e ?a ?v ?tx ?added :where [?e ?a ?v ?tx ?added]]`,
		`[:find ?e ?a ?v ?tx ?added :in $ :where [?e ?a ?v ?tx ?added]]`},
	{`[:find ?e :where [?e :friend [:name "Ivan"]]]`,
		`[:find ?e :in $ :where [?e :friend [:name "Ivan"]]]`},
	{`[:find ?e :where [?e :age 15 _ true]]`,
		`[:find ?e :in $ :where [?e :age 15 _ true]]`},
	{`[:find ?e :where [?e]]`, `[:find ?e :in $ :where [?e]]`},
	// predicates and functions
	{`[:find ?e1 ?e2 :where [?e1 :age ?a1] [?e2 :age ?a2] [(< ?a1 18 ?a2)]]`,
		`[:find ?e1 ?e2 :in $ :where [?e1 :age ?a1] [?e2 :age ?a2] [(< ?a1 18 ?a2)]]`},
	{`[:find ?e :in $ ?adult :where [?e :age ?a] [(?adult ?a)]]`,
		`[:find ?e :in $ ?adult :where [?e :age ?a] [(?adult ?a)]]`},
	{`[:find ?e1 ?e2 ?e3 :where [?e1 :age ?a1] [?e2 :age ?a2] [?e3 :age ?a3] [(+ ?a1 ?a2) ?a12] [(= ?a12 ?a3)]]`,
		`[:find ?e1 ?e2 ?e3 :in $ :where [?e1 :age ?a1] [?e2 :age ?a2] [?e3 :age ?a3] [(+ ?a1 ?a2) ?a12] [(= ?a12 ?a3)]]`},
	{`[:find ?vowel :where [(ground [:a :e :i :o :u]) [?vowel ...]]]`,
		`[:find ?vowel :in $ :where [(ground [:a :e :i :o :u]) [?vowel ...]]]`},
	{`[:find ?e ?age ?height :in $ :where [?e :age ?age] [(get-else $ ?e :height 300) ?height]]`,
		`[:find ?e ?age ?height :in $ :where [?e :age ?age] [(get-else $ ?e :height 300) ?height]]`},
	{`[:find ?e ?age :in $ :where [?e :age ?age] [(missing? $ ?e :height)]]`,
		`[:find ?e ?age :in $ :where [?e :age ?age] [(missing? $ ?e :height)]]`},
	{`[:find ?a ?c :in ?in :where [(ground ?in) [?a _ ?c]]]`,
		`[:find ?a ?c :in ?in :where [(ground ?in) [?a _ ?c]]]`},
	{`[:find ?in :in ?in :where [(ground ?in) _]]`,
		`[:find ?in :in ?in :where [(ground ?in) _]]`},
	{`[:find ?x ?z :in ?in :where [(ground ?in) [[?x _ ?z]...]]]`,
		`[:find ?x ?z :in ?in :where [(ground ?in) [[?x _ ?z]]]]`},
	{`[:find ?e ?t :where [?e :a ?a] [?e :b ?b] [(tuple ?a ?b) ?t]]`,
		`[:find ?e ?t :in $ :where [?e :a ?a] [?e :b ?b] [(tuple ?a ?b) ?t]]`},
	{`[:find ?a ?b :in ?t :where [(untuple ?t) [?a ?b]]]`,
		`[:find ?a ?b :in ?t :where [(untuple ?t) [?a ?b]]]`},
	{`[:find ?e :where [?e :name ?n] [(str ?n) ?s] [(clojure.string/includes? ?s "v")]]`,
		`[:find ?e :in $ :where [?e :name ?n] [(str ?n) ?s] [(clojure.string/includes? ?s "v")]]`},
	// not and not-join
	{`[:find ?e :where [?e :name] (not [?e :name "Ivan"])]`,
		`[:find ?e :in $ :where [?e :name] (not [?e :name "Ivan"])]`},
	{`[:find ?e :where [?e :name] (not [?e :name "Ivan"] [?e :age 10])]`,
		`[:find ?e :in $ :where [?e :name] (not [?e :name "Ivan"] [?e :age 10])]`},
	{`[:find ?e :where [?e :name] (not [?e :follows ?x] [?x :name "Ivan"])]`,
		`[:find ?e :in $ :where [?e :name] (not [?e :follows ?x] [?x :name "Ivan"])]`},
	{`[:find ?e :where [?e :name] (not-join [?e] [?e :follows ?x] [?x :age 10])]`,
		`[:find ?e :in $ :where [?e :name] (not-join [?e] [?e :follows ?x] [?x :age 10])]`},
	{`[:find ?e :where [?e :name] (not (not [?e :name "Ivan"]))]`,
		`[:find ?e :in $ :where [?e :name] (not (not [?e :name "Ivan"]))]`},
	{`[:find ?e :in $ $2 :where [?e :name] ($2 not [?e :age 10])]`,
		`[:find ?e :in $ $2 :where [?e :name] ($2 not [?e :age 10])]`},
	{`[:find ?e ?e2 :where [?e :name "Ivan"] [?e2 :name "Oleg"] (not [?e :age 10] [?e2 :age 20])]`,
		`[:find ?e ?e2 :in $ :where [?e :name "Ivan"] [?e2 :name "Oleg"] (not [?e :age 10] [?e2 :age 20])]`},
	// or, or-join, and
	{`[:find ?e :where (or [?e :name "Oleg"] [?e :age 10])]`,
		`[:find ?e :in $ :where (or [?e :name "Oleg"] [?e :age 10])]`},
	{`[:find ?e :where [?e :age ?a] (or (and [?e :name "Ivan"] [1 :age ?a]) (and [?e :name "Oleg"] [2 :age ?a]))]`,
		`[:find ?e :in $ :where [?e :age ?a] (or (and [?e :name "Ivan"] [1 :age ?a]) (and [?e :name "Oleg"] [2 :age ?a]))]`},
	{`[:find ?e :where (or (and [?e :name "Ivan"] [1 :age ?a]) (and [2 :age ?a] [?e :name "Oleg"])) [?e :age ?a]]`,
		`[:find ?e :in $ :where (or (and [?e :name "Ivan"] [1 :age ?a]) (and [2 :age ?a] [?e :name "Oleg"])) [?e :age ?a]]`},
	{`[:find ?e :in $ ?a :where (or [?e :age ?a] [?e :name "Oleg"])]`,
		`[:find ?e :in $ ?a :where (or [?e :age ?a] [?e :name "Oleg"])]`},
	{`[:find ?e :where (or-join [?e] [?e :name ?n] (and [?e :age ?a] [?e :name ?n]))]`,
		`[:find ?e :in $ :where (or-join [?e] [?e :name ?n] (and [?e :age ?a] [?e :name ?n]))]`},
	{`[:find ?e :where [?e :name ?a] [?e2 :name ?a] (or-join [?e] (and [?e :age ?a] [?e2 :age ?a]))]`,
		`[:find ?e :in $ :where [?e :name ?a] [?e2 :name ?a] (or-join [?e] (and [?e :age ?a] [?e2 :age ?a]))]`},
	{`[:find ?e :in $ ?a :where (or-join [?e ?a] [?e :age ?a] [?e :name "Oleg"])]`,
		`[:find ?e :in $ ?a :where (or-join [?e ?a] [?e :age ?a] [?e :name "Oleg"])]`},
	{`[:find ?e :in $ ?a :where (or-join [[?a] ?e] [?e :age ?a] [?e :name "Oleg"])]`,
		`[:find ?e :in $ ?a :where (or-join [[?a] ?e] [?e :age ?a] [?e :name "Oleg"])]`},
	{`[:find ?a ?b ?c :in $xs $ys :where [$xs ?a ?b ?c] (or-join [?a] [$ys ?a ?b ?d])]`,
		`[:find ?a ?b ?c :in $xs $ys :where [$xs ?a ?b ?c] (or-join [?a] [$ys ?a ?b ?d])]`},
	{`[:find ?name ?x ?y :in $ ?name :where [?x :name ?name] (or-join [?x ?y] (and [?x :parent ?z] [?z :parent ?y]) [?y :parent ?x])]`,
		`[:find ?name ?x ?y :in $ ?name :where [?x :name ?name] (or-join [?x ?y] (and [?x :parent ?z] [?z :parent ?y]) [?y :parent ?x])]`},
	{`[:find ?e :in $ $2 :where [?e :name] ($2 or [?e :age 10])]`,
		`[:find ?e :in $ $2 :where [?e :name] ($2 or [?e :age 10])]`},
	{`[:find ?e :in $ $2 :where [?e :name] ($2 or ($ or [?e :name "Ivan"]))]`,
		`[:find ?e :in $ $2 :where [?e :name] ($2 or ($ or [?e :name "Ivan"]))]`},
	{`[:find ?e :where [?e :a] (or-join [?e] (and [?e :b ?x] (not [?y :c ?x])) [?e :d])]`,
		`[:find ?e :in $ :where [?e :a] (or-join [?e] (and [?e :b ?x] (not [?y :c ?x])) [?e :d])]`},
	// rules
	{`[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`,
		`[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`},
	{`[:find ?y ?x :in $ % :where [_ _ ?x] (rule ?x ?y) [(even? ?x)]]`,
		`[:find ?y ?x :in $ % :where [_ _ ?x] (rule ?x ?y) [(even? ?x)]]`},
	{`[:find ?n :in $sexes $ages % :where ($sexes male ?n) ($ages adult ?n)]`,
		`[:find ?n :in $sexes $ages % :where ($sexes male ?n) ($ages adult ?n)]`},
	{`[:find ?id :in $ % :where (is ?id true)]`,
		`[:find ?id :in $ % :where (is ?id true)]`},
	{`[:find ?p :in $ % ?fn :where (rule ?p ?fn "a") (rule ?p ?fn "b")]`,
		`[:find ?p :in $ % ?fn :where (rule ?p ?fn "a") (rule ?p ?fn "b")]`},
	{`[:find ?e :in $ % :where [?e :item/status ?status] (pending? ?status)]`,
		`[:find ?e :in $ % :where [?e :item/status ?status] (pending? ?status)]`},
	// :with
	{`[:find ?heads :with ?monster :in [[?monster ?heads]]]`,
		`[:find ?heads :in [[?monster ?heads]] :with ?monster]`},
	// sections given twice continue
	{`[:find ?e :where [?e :a] :where [?e :b]]`,
		`[:find ?e :in $ :where [?e :a] [?e :b]]`},
	// Datomic documentation
	{`[:find ?title :in $ ?artist-name :where [?a :artist/name ?artist-name] [?t :track/artists ?a] [?t :track/name ?title]]`,
		`[:find ?title :in $ ?artist-name :where [?a :artist/name ?artist-name] [?t :track/artists ?a] [?t :track/name ?title]]`},
	{`[:find ?release-name :in $ [?artist-name ...] :where [?artist :artist/name ?artist-name] [?release :release/artists ?artist] [?release :release/name ?release-name]]`,
		`[:find ?release-name :in $ [?artist-name ...] :where [?artist :artist/name ?artist-name] [?release :release/artists ?artist] [?release :release/name ?release-name]]`},
	{`[:find (count ?eid) . :where [?eid :artist/name] (not [?eid :artist/country :country/CA])]`,
		`[:find (count ?eid) . :in $ :where [?eid :artist/name] (not [?eid :artist/country :country/CA])]`},
	{`[:find ?e ?x :where [?e :db/txInstant ?x] [(> ?x #inst "2020-01-01")]]`,
		`[:find ?e ?x :in $ :where [?e :db/txInstant ?x] [(> ?x #inst "2020-01-01T00:00:00Z")]]`},
}

func TestParseValidQueries(t *testing.T) {
	for _, tt := range validQueries {
		q, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.in, err)
			continue
		}
		if got := string(FormatQuery(q)); got != tt.want {
			t.Errorf("Parse(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			continue
		}
		again, err := Parse([]byte(tt.want))
		if err != nil || string(FormatQuery(again)) != tt.want {
			t.Errorf("canonical form %s does not parse back to itself: %v", tt.want, err)
		}
	}
}

var invalidQueries = []struct {
	in, err string
}{
	// shape
	{`:find`, "query must be a vector or a map"},
	{`[?e :find ?e]`, "query must start with a keyword"},
	{`[:find ?e :where [?e :a] :limit 10]`, "unknown section :limit"},
	{`{:find ?e}`, ":find must be a vector in the map form"},
	{`{"find" [?e]}`, `unknown section "find"`},
	{`[:in $ :where [?e :a]]`, "missing :find"},
	{`[:find :where [?e :a]]`, "cannot parse :find []"},
	{`[:find ?e ?n . :where [?e :name ?n]]`, "cannot parse :find"},
	{`[:find ?e (pull ?e [:name {:friend [:name]}]) . :where [?e :name "Ivan"]]`, "cannot parse :find"},
	{`[:find "e" :where [?e :a]]`, "cannot parse :find"},
	{`[:find [?e] ... :where [?e :a]]`, "cannot parse :find"},
	{`[:find ?n :where [?e :name ?n] [(re-find #"x" ?n)]]`, `invalid dispatch #"`},
	// aggregates
	{`[:find (foo ?x) :in [?x ...]]`, "unknown aggregate foo in (foo ?x)"},
	{`[:find (clojure.core/count ?x) :in [?x ...]]`, "unknown aggregate clojure.core/count"},
	{`[:find (count) :in [?x ...]]`, "aggregate (count) needs a variable as its last argument"},
	{`[:find (count ?x 1) :in [?x ...]]`, "needs a variable as its last argument"},
	{`[:find (count 2 ?x) :in [?x ...]]`, "aggregate count takes (count ?x)"},
	{`[:find (max 0 ?x) :in [?x ...]]`, "aggregate max takes (max ?x) or (max n ?x)"},
	{`[:find (max "3" ?x) :in [?x ...]]`, "aggregate max takes"},
	{`[:find (sample ?x) :in [?x ...]]`, "aggregate sample takes (sample n ?x)"},
	{`[:find (sum foo ?x) :in [?x ...]]`, "cannot parse argument foo of aggregate"},
	{`[:find (aggregate ?x) :in [?x ...]]`, "cannot parse custom aggregate"},
	{`[:find (aggregate sum ?x) :in [?x ...]]`, "cannot parse custom aggregate"},
	{`[:find (aggregate ?f ?x) :in [?x ...]]`, ":find uses #{?f} which no :where clause or :in binds"},
	// pull
	{`[:find (pull ?e) :where [?e :a]]`, "cannot parse pull expression"},
	{`[:find (pull ?e [:a] extra) :where [?e :a]]`, "cannot parse pull expression"},
	{`[:find (pull :e [:a]) :where [?e :a]]`, "cannot parse pull expression"},
	{`[:find (pull ?e [1]) :where [?e :a]]`, "pull: expected attr-name | attr-expr | map-spec | *, got 1"},
	{`[:find (pull ?e ?p) :where [?e :a]]`, ":find uses #{?p} which no :where clause or :in binds"},
	// unknown variables and :with
	{`[:find ?x :where [?e :name]]`, ":find uses #{?x} which no :where clause or :in binds"},
	{`[:find ?e :with ?x :where [?e :name]]`, ":with uses #{?x} which no :where clause or :in binds"},
	{`[:find ?e :with ?e :where [?e :name]]`, ":find and :with should not use the same variables: #{?e}"},
	{`[:find ?e :with ?x ?x :where [?e :name ?x]]`, ":with lists ?x twice"},
	{`[:find ?e :with 1 :where [?e :name ?x]]`, "cannot parse :with"},
	// inputs
	{`[:find ?e :in $ ?x ?x :where [?e :name ?x]]`, ":in binds ?x twice"},
	{`[:find ?e :in $ [?x ?x] :where [?e :name ?x]]`, ":in binds ?x twice"},
	{`[:find ?e :in $ $ :where [?e :name]]`, ":in lists the source $ twice"},
	{`[:find ?e :in $ % % :where [?e :name]]`, ":in lists % twice"},
	{`[:find ?e :in $ [] :where [?e :name]]`, "tuple binding cannot be empty"},
	{`[:find ?e :in $ [[]] :where [?e :name]]`, "tuple binding cannot be empty"},
	{`[:find ?e :in $ [?x :a] :where [?e :name ?x]]`, "cannot parse binding :a"},
	{`[:find ?e :in $ "x" :where [?e :name]]`, `cannot parse binding "x"`},
	// sources and rules
	{`[:find (pull ?e [*]) :in [?e ...]]`, ":find pulls from the source $ which :in does not bind"},
	{`[:find (pull $2 ?e [*]) :where [?e :a]]`, ":find pulls from the source $2"},
	{`[:find ?e :where [$2 ?e :name]]`, ":where uses the source $2 which :in does not bind"},
	{`[:find ?e :in $ :where [?e :name] ($2 not [?e :age 1])]`, ":where uses the source $2"},
	{`[:find ?v :in $ ?e :where [(get-else $x ?e :a 0) ?v]]`, ":where uses the source $x"},
	{`[:find ?e :in $x :where [?e :name]]`, "data patterns on the default source $ but :in does not bind $"},
	{`[:find ?e :in $x :where [$x ?e :name] (not [?e :age 1])]`, "default source $"},
	{`[:find ?e :where (follow ?e ?x)]`, ":where calls rules but :in has no rules var %"},
	{`[:find ?e :where [?e :a] (not (follow ?e 1))]`, ":where calls rules but :in has no rules var %"},
	// return maps
	{`[:find ?e :keys a b :where [?e :a]]`, ":keys has 2 names but :find has 1 elements"},
	{`[:find ?e . :keys e :where [?e :a]]`, ":keys does not work with a scalar :find"},
	{`[:find [?e ...] :strs e :where [?e :a]]`, ":strs does not work with a collection :find"},
	{`[:find ?e :keys e :syms e :where [?e :a]]`, "only one of :keys, :strs and :syms"},
	{`[:find ?e :keys 1 :where [?e :a]]`, "return map keys must be symbols, got 1"},
	// clauses
	{`{:find [?e] :where [:a]}`, "cannot parse clause :a, expected a data pattern"},
	{`[:find ?e :where []]`, "pattern [] cannot be empty"},
	{`[:find ?e :where [$]]`, "pattern [$] cannot be empty"},
	{`[:find ?e :where [?e :a ?v ?tx true 1]]`, "has more than 5 elements"},
	{`[:find ?e :where [?e :a $x]]`, "$x is not a variable, _ or a constant"},
	{`[:find ?e :where [?e :a] [(pred foo)]]`, "argument foo is not a variable, constant or source"},
	{`[:find ?e :where [?e :a] [(_ ?e)]]`, "_ is not a function name or variable"},
	{`[:find ?e :where [?e :a] [()]]`, "empty call ()"},
	{`[:find ?e :where [?e :a] [(str ?e) 1]]`, "cannot parse binding 1"},
	{`[:find ?e :in $ % :where (friends)]`, "rule call (friends) needs at least one argument"},
	{`[:find ?e :in $ % :where (friends something)]`, "argument something is not a variable, _ or a constant"},
	{`[:find ?e :where (and [?e :a])]`, "and is allowed only as a branch of or"},
	{`[:find ?e :where [?e :a] (not)]`, "cannot parse (not), expected (not clauses...)"},
	{`[:find ?e :where [?e :a] (not [_])]`, "(not [_]) uses no variables to join on"},
	{`[:find ?e :where [?e :a] (not-join [?e])]`, "cannot parse (not-join [?e])"},
	{`[:find ?e :where [?e :a] (not-join ?e [?e])]`, "cannot parse (not-join ?e [?e])"},
	{`[:find ?e :where [?e :a] (not-join [] [?e])]`, "join variables of (not-join [] [?e]) should not be empty"},
	{`[:find ?e :where [?e :a] (not-join [?x] [?y])]`, "join variables #{?x} of (not-join [?x] [?y]) are not used in its clauses"},
	{`[:find ?e :where [?e :a ?y] (not-join [?y] (not-join [?x] [?x :follows ?y]))]`, "join variables #{?y} of (not-join [?y] (not-join [?x] [?x :follows ?y])) are not used"},
	{`[:find ?e :where (or)]`, "cannot parse (or), expected (or clauses...)"},
	{`[:find ?e :where [?e :a] (or [_])]`, "(or [_]) uses no variables to join on"},
	{`[:find ?e :where (or-join [?x])]`, "cannot parse (or-join [?x])"},
	{`[:find ?e :where (or-join [] [?e])]`, "cannot parse rule vars []"},
	{`[:find ?e :where (or-join ?e [?e])]`, "cannot parse rule vars ?e"},
	{`[:find ?e :where (or-join [?e ?e] [?e])]`, "rule variables [?e ?e] should be distinct"},
	{`[:find ?e :where (or-join [$e] [?e])]`, "cannot parse var, expected a symbol starting with ?, got $e"},
	{`[:find ?e :where (or (and) [?e])]`, "cannot parse (and), expected (and clauses...)"},
	// insufficient bindings (DataScript's own test cases)
	{`[:find ?e :where (not [?e :name "Ivan"]) [?e :name]]`, `insufficient bindings: none of #{?e} is bound in (not [?e :name "Ivan"])`},
	{`[:find ?e :where [?e :name] (not [?a :name "Ivan"])]`, `insufficient bindings: none of #{?a} is bound in (not [?a :name "Ivan"])`},
	{`[:find ?e :in $ ?ref :where [?e :name] (not-join [?e] (not [?ref :age ?a]) [?e :age ?a])]`, `insufficient bindings: none of #{?a ?ref} is bound in (not [?ref :age ?a])`},
	{`[:find ?e :where [?e :name] (not-join [?e] (not [1 :age ?a]) [?e :age ?a])]`, `insufficient bindings: none of #{?a} is bound in (not [1 :age ?a])`},
	{`[:find ?e :where (not-join [?e] [?e :a 1]) [?e :b]]`, `insufficient bindings: #{?e} not bound in (not-join [?e] [?e :a 1])`},
	{`[:find ?e :where (or [?e :name _] [?e :age ?a])]`, `all branches of (or [?e :name _] [?e :age ?a]) must use the same set of free variables (or use or-join), had #{?e} and #{?a ?e}`},
	{`[:find ?e :where (or [?e :age 30] [?e :name ?n] [?e :alias ?n]) [?e :x]]`, "must use the same set of free variables"},
	{`[:find ?e :where (or-join [[?e]] [?e :name "Ivan"])]`, `insufficient bindings: #{?e} not bound in (or-join [[?e]] [?e :name "Ivan"])`},
	{`[:find ?e :where [?e :z] (or-join [?x] [?y])]`, "branch [?y] of (or-join [?x] [?y]) does not use the free join variables #{?x}"},
	{`[:find ?e :where [?e :z] (or-join [?e ?x] [?e ?x] [?e])]`, "does not use the free join variables #{?x}"},
	{`[:find ?e :where [(< ?a 10)] [?e :age ?a]]`, "insufficient bindings: #{?a} not bound in [(< ?a 10)]"},
	{`[:find ?b :where [(inc ?a) ?b]]`, "insufficient bindings: #{?a} not bound in [(inc ?a) ?b]"},
	{`[:find ?e :where [?e :age ?a] [(?pred ?a)]]`, "insufficient bindings: #{?pred} not bound in [(?pred ?a)]"},
	{`[:find ?x :where (not [?e :name ?x])]`, "insufficient bindings: none of #{?e ?x} is bound"},
	{`[:find ?e :in $ ?x :where [?e :a] (or-join [?e] (and [?e :b] [(< ?x 1)]))]`, "insufficient bindings: #{?x} not bound in [(< ?x 1)]"},
}

func TestParseInvalidQueries(t *testing.T) {
	for _, tt := range invalidQueries {
		_, err := Parse([]byte(tt.in))
		if err == nil {
			t.Errorf("Parse(%s) succeeded, want error %q", tt.in, tt.err)
			continue
		}
		if !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "query: ") {
			t.Errorf("Parse(%s) error\n  %v\nwant it to contain\n  %s", tt.in, err, tt.err)
		}
	}
}

func TestOrBindsWhatItsBranchesBind(t *testing.T) {
	// ?z appears only inside a not of the branches: the or does not bind it.
	_, err := Parse([]byte(`[:find ?e :where [?e :a] (or (and [?e :b ?y] (not [?y :c ?z])) (and [?e :d ?y] (not [?y :c ?z]))) [(pos? ?z)]]`))
	if err == nil || !strings.Contains(err.Error(), "insufficient bindings: #{?z} not bound in [(pos? ?z)]") {
		t.Errorf("error = %v", err)
	}
	q, err := Parse([]byte(`[:find ?y :where [?e :a] (or (and [?e :b ?y]) [?e :d ?y]) [(pos? ?y)]]`))
	if err != nil || len(q.Where) != 3 {
		t.Errorf("Parse: %v", err)
	}
}
