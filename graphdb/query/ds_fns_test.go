package query

import (
	"regexp"
	"slices"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

func TestDSQueryFns(t *testing.T) {
	db := newTestDB(t, `{:parent {:db/valueType :db.type/ref}}`,
		`[{:db/id 1, :name "Ivan", :age 15}
		  {:db/id 2, :name "Petr", :age 22, :height 240, :parent 1}
		  {:db/id 3, :name "Slava", :age 37, :parent 2}]`)
	adult := Func(func(args ...edn.Value) (edn.Value, error) { return args[0].(int64) > 18, nil })
	evenOrNil := Func(func(args ...edn.Value) (edn.Value, error) {
		if args[0].(int64)%2 == 0 {
			return args[0], nil
		}
		return nil, nil
	})
	runCases(t, []*graphdb.DB{db}, []qcase{
		{name: "predicate without free variables", query: `[:find ?x :in [?x ...] :where [(> 2 1)]]`,
			in: []any{"[:a :b :c]"}, want: `#{[:a] [:b] [:c]}`},
		{name: "false predicate without variables", query: `[:find ?x :in [?x ...] :where [(< 2 1)]]`,
			in: []any{"[:a :b :c]"}, want: `#{}`},
		{name: "ground", query: `[:find ?vowel :where [(ground [:a :e :i :o :u]) [?vowel ...]]]`,
			want: `#{[:a] [:e] [:i] [:o] [:u]}`},
		{name: "get-else", query: `[:find ?e ?age ?height :where [?e :age ?age] [(get-else $ ?e :height 300) ?height]]`,
			in: []any{theDB}, want: `#{[1 15 300] [2 22 240] [3 37 300]}`},
		{name: "get-else nil", query: `[:find ?e ?height :where [?e :age] [(get-else $ ?e :height nil) ?height]]`,
			in: []any{theDB}, err: "get-else: nil default value is not supported"},
		{name: "get-some", query: `[:find ?e ?a ?v :where [?e :name _] [(get-some $ ?e :height :age) [?a ?v]]]`,
			in: []any{theDB}, want: `#{[1 :age 15] [2 :height 240] [3 :age 37]}`},
		{name: "missing?", query: `[:find ?e ?age :in $ :where [?e :age ?age] [(missing? $ ?e :height)]]`,
			in: []any{theDB}, want: `#{[1 15] [3 37]}`},
		{name: "missing? back-ref", query: `[:find ?e :in $ :where [?e :age ?age] [(missing? $ ?e :_parent)]]`,
			in: []any{theDB}, want: `#{[3]}`},
		{name: "built-ins", query: `[:find ?e1 ?e2 :where [?e1 :age ?a1] [?e2 :age ?a2] [(< ?a1 18 ?a2)]]`,
			in: []any{theDB}, want: `#{[1 2] [1 3]}`},
		{name: "count", query: `[:find ?x ?c :in [?x ...] :where [(count ?x) ?c]]`, in: []any{`["a" "abc"]`},
			want: `#{["a" 1] ["abc" 3]}`},
		{name: "vector", query: `[:find [?tx-data ...] :where [(ground :db/add) ?op] [(vector ?op -1 :attr 12) ?tx-data]]`,
			want: `[[:db/add -1 :attr 12]]`},
		{name: "hash-map", query: `[:find [?tx-data ...] :where [(hash-map :db/id -1 :age 92 :name "Aaron") ?tx-data]]`,
			want: `[{:db/id -1 :age 92 :name "Aaron"}]`},
		{name: "predicate as input", query: `[:find ?e :in $ ?adult :where [?e :age ?a] [(?adult ?a)]]`,
			in: []any{theDB, adult}, want: `#{[2] [3]}`},
		{name: "calling a function", query: `[:find ?e1 ?e2 ?e3 :where [?e1 :age ?a1] [?e2 :age ?a2] [?e3 :age ?a3] [(+ ?a1 ?a2) ?a12] [(= ?a12 ?a3)]]`,
			in: []any{theDB}, want: `#{[1 2 3] [2 1 3]}`},
		{name: "conflicting function values", query: `[:find ?n :where [(identity 1) ?n] [(identity 2) ?n]]`,
			in: []any{theDB}, want: `#{}`},
		{name: "conflicting destructured values", query: `[:find ?n ?x :where [(identity [3 4]) [?n ?x]] [(identity [1 2]) [?n ?x]]]`,
			in: []any{theDB}, want: `#{}`},
		{name: "fn then rule", query: `[:find ?n :in $ % :where [(identity 2) ?n] (my-vals ?n)]`,
			in:   []any{theDB, `[[(my-vals ?x) [(identity 1) ?x]] [(my-vals ?x) [(identity 2) ?x]] [(my-vals ?x) [(identity 3) ?x]]]`},
			want: `#{[2]}`},
		{name: "rule then fn", query: `[:find ?n :in $ % :where (my-vals ?n) [(identity 2) ?n]]`,
			in:   []any{theDB, `[[(my-vals ?x) [(identity 1) ?x]] [(my-vals ?x) [(identity 2) ?x]] [(my-vals ?x) [(identity 3) ?x]]]`},
			want: `#{[2]}`},
		{name: "rel then fn", query: `[:find ?age :where [_ :age ?age] [(identity 100) ?age]]`, in: []any{theDB}, want: `#{}`},
		{name: "fn then rel", query: `[:find ?age :where [(identity 100) ?age] [_ :age ?age]]`, in: []any{theDB}, want: `#{}`},
		{name: "function on empty rel", query: `[:find ?e ?y :where [?e :salary ?x] [(+ ?x 100) ?y]]`,
			in: []any{`[[0 :age 15] [1 :age 35]]`}, want: `#{}`},
		{name: "nil result filters", query: `[:find ?x :in [?in ...] ?f :where [(?f ?in) ?x]]`,
			in: []any{"[1 2 3 4]", evenOrNil}, want: `#{[2] [4]}`},
		{name: "result tuple binding", query: `[:find ?a ?c :in ?in :where [(ground ?in) [?a _ ?c]]]`,
			in: []any{"[:a :b :c]"}, want: `#{[:a :c]}`},
		{name: "result ignored", query: `[:find ?in :in ?in :where [(ground ?in) _]]`, in: []any{":a"}, want: `#{[:a]}`},
		{name: "result relation", query: `[:find ?x ?z :in ?in :where [(ground ?in) [[?x _ ?z]...]]]`,
			in: []any{"[[:a :b :c] [:d :e :f]]"}, want: `#{[:a :c] [:d :f]}`},
		{name: "result of empty", query: `[:find ?in :in [?in ...] :where [(ground ?in) _]]`, in: []any{"[]"}, want: `#{}`},
		{name: "unknown function", query: `[:find ?x :in ?y :where [(frobnicate ?y) ?x]]`, in: []any{"1"},
			err: "unknown function frobnicate"},
		{name: "unknown predicate", query: `[:find ?y :in ?y :where [(frobnicate? ?y)]]`, in: []any{"1"},
			err: "unknown predicate frobnicate?"},
	})
}

// TestBuiltins evaluates each built-in on sample arguments, the way
// DataScript's built-ins behave on the JVM (except / on longs that do not
// divide, which gives a double rather than a ratio).
func TestBuiltins(t *testing.T) {
	tests := []struct{ call, want string }{
		{`(= 1 1 1)`, `true`}, {`(= 1 1.0)`, `false`}, {`(== 1 1.0)`, `true`}, {`(not= 1 2)`, `true`},
		{`(!= 1 1)`, `false`}, {`(= [1 2] (1 2))`, `true`}, {`(identical? :a :a)`, `true`},
		{`(< 1 2 3)`, `true`}, {`(< 1 3 2)`, `false`}, {`(> 3 2.5)`, `true`}, {`(<= 1 1)`, `true`},
		{`(>= "b" "a")`, `true`}, {`(< :a/b :a-/b)`, `true`},
		{`(+ 1 2 3)`, `6`}, {`(+ 1 2.5)`, `3.5`}, {`(+)`, `0`}, {`(- 10 3 2)`, `5`}, {`(- 5)`, `-5`},
		{`(* 2 3 4)`, `24`}, {`(/ 12 4)`, `3`}, {`(/ 1 2)`, `0.5`}, {`(/ 4)`, `0.25`},
		{`(quot 7 2)`, `3`}, {`(quot -7 2)`, `-3`}, {`(rem -7 2)`, `-1`}, {`(mod -7 2)`, `1`}, {`(mod 7 -2)`, `-1`},
		{`(inc 1)`, `2`}, {`(dec 1.5)`, `0.5`}, {`(max 1 5 3)`, `5`}, {`(min 1 5 -3)`, `-3`},
		{`(zero? 0)`, `true`}, {`(zero? 0.0)`, `true`}, {`(pos? 1)`, `true`}, {`(neg? -1.5)`, `true`},
		{`(even? 4)`, `true`}, {`(odd? 4)`, `false`},
		{`(compare 1 2)`, `-1`}, {`(compare "b" "a")`, `1`}, {`(compare :a :a)`, `0`},
		{`(true? true)`, `true`}, {`(false? nil)`, `false`}, {`(nil? nil)`, `true`}, {`(some? false)`, `true`},
		{`(not nil)`, `true`}, {`(and 1 2)`, `2`}, {`(and 1 nil 2)`, `nil`}, {`(or nil false)`, `false`}, {`(or nil 3)`, `3`},
		{`(keyword "a")`, `:a`}, {`(keyword "ns" "a")`, `:ns/a`}, {`(name :ns/a)`, `"a"`}, {`(namespace :ns/a)`, `"ns"`},
		{`(namespace :a)`, `nil`}, {`(name "s")`, `"s"`}, {`(type 1)`, `java.lang.Long`}, {`(meta [1])`, `nil`},
		{`(vector 1 :a)`, `[1 :a]`}, {`(list 1 2)`, `(1 2)`}, {`(tuple 1 2)`, `[1 2]`}, {`(untuple [1 2])`, `[1 2]`},
		{`(str "a" 1 :b nil)`, `"a1:b"`}, {`(pr-str "a" 1)`, `"\"a\" 1"`}, {`(print-str "a" 1)`, `"a 1"`},
		{`(println-str "a")`, `"a\n"`}, {`(prn-str "a")`, `"\"a\"\n"`},
		{`(subs "hello" 1)`, `"ello"`}, {`(subs "hello" 1 3)`, `"el"`},
		{`(get {:a 1} :a)`, `1`}, {`(get {:a 1} :b 2)`, `2`}, {`(get [5 6] 1)`, `6`}, {`(get #{:a} :a)`, `:a`},
		{`(count [1 2 3])`, `3`}, {`(count {:a 1})`, `1`}, {`(count nil)`, `0`},
		{`(range 3)`, `(0 1 2)`}, {`(range 1 7 2)`, `(1 3 5)`}, {`(range 3 0 -1)`, `(3 2 1)`},
		{`(not-empty [])`, `nil`}, {`(not-empty [1])`, `[1]`}, {`(empty? "")`, `true`}, {`(empty? [1])`, `false`},
		{`(contains? {:a 1} :a)`, `true`}, {`(contains? #{1} 2)`, `false`}, {`(contains? [7 8] 1)`, `true`},
		{`(re-find "a(b)" "xaby")`, `["ab" "b"]`}, {`(re-find "ab" "xaby")`, `"ab"`}, {`(re-find "z" "xaby")`, `nil`},
		{`(re-matches "a.c" "abc")`, `"abc"`}, {`(re-matches "a" "abc")`, `nil`}, {`(re-seq "[0-9]+" "a1b22")`, `("1" "22")`},
		{`(-differ? 1 2 1 3)`, `true`}, {`(-differ? 1 2 1 2)`, `false`},
		{`(clojure.string/blank? "  ")`, `true`}, {`(clojure.string/blank? nil)`, `true`},
		{`(clojure.string/includes? "abc" "b")`, `true`}, {`(clojure.string/starts-with? "abc" "ab")`, `true`},
		{`(clojure.string/ends-with? "abc" "ab")`, `false`},
		{`(tx->t 35184372088837)`, `5`}, {`(t->tx 5)`, `35184372088837`},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			got, err := runQuery(t, `[:find ?r . :where [`+tt.call+` ?r]]`)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "nil" && got == nil {
				return
			}
			if ok, msg := sameResult(got, tt.want); !ok {
				t.Error(msg)
			}
		})
	}
}

func TestBuiltinErrors(t *testing.T) {
	for _, call := range []string{
		`(+ 1 "a")`, `(/ 1 0)`, `(quot 1 0)`, `(+ 9223372036854775807 1)`, `(subs "abc" 2 9)`,
		`(even? 1.5)`, `(count 5)`, `(range "a")`, `(compare 1)`,
	} {
		t.Run(call, func(t *testing.T) {
			if got, err := runQuery(t, `[:find ?r . :where [`+call+` ?r]]`); err == nil {
				t.Fatalf("got %v, want an error", got)
			}
		})
	}
}

func TestRegexpInput(t *testing.T) {
	got, err := runQuery(t, `[:find [?s ...] :in [?s ...] ?re :where [(re-find ?re ?s)]]`,
		mustEDN(t, `["apple" "banana" "avocado"]`), regexp.MustCompile(`^a`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(got, `["apple" "avocado"]`); !ok {
		t.Fatal(msg)
	}
}

func TestOptionsFuncsAndRand(t *testing.T) {
	q, err := Parse([]byte(`[:find ?y . :in ?x :where [(twice ?x) ?y]]`))
	if err != nil {
		t.Fatal(err)
	}
	opts := &Options{Funcs: map[edn.Symbol]Func{edn.Sym("twice"): func(args ...edn.Value) (edn.Value, error) {
		return args[0].(int64) * 2, nil
	}}}
	got, err := q.RunWith(opts, int64(21))
	if err != nil || got != int64(42) {
		t.Fatalf("twice 21 = %v, %v", got, err)
	}
	// The same fixed-seed draws on every run without Options.Rand.
	draw := func() edn.Value {
		v, err := runQuery(t, `[:find [?r ...] :in [?n ...] :where [(rand-int 1000000) ?r]]`, mustEDN(t, `[1 2 3]`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a, b := draw(), draw()
	if !edn.Equal(a, b) {
		t.Fatalf("rand-int differs between runs: %v and %v", a, b)
	}
	vs := a.(edn.Vector)
	if slices.ContainsFunc(vs, func(v edn.Value) bool { n := v.(int64); return n < 0 || n >= 1000000 }) {
		t.Fatalf("rand-int out of range: %v", vs)
	}
}
