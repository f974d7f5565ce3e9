package query

import (
	"reflect"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

func mustParse(t *testing.T, text string) *Query {
	t.Helper()
	q, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	return q
}

func TestASTScalarExample(t *testing.T) {
	// The example of the package documentation.
	q := mustParse(t, `[:find ?n . :in $ ?e :where [?e :name ?n]]`)
	if want := []edn.Symbol{edn.Sym("?n"), edn.Sym("?e")}; !reflect.DeepEqual(q.Vars, want) {
		t.Errorf("Vars = %v, want %v", q.Vars, want)
	}
	wantFind := Find{Kind: FindScalar, Elems: []FindElem{{Kind: ElemVar, Var: 0}}}
	if !reflect.DeepEqual(q.Find, wantFind) {
		t.Errorf("Find = %+v", q.Find)
	}
	wantIn := []Input{{Kind: InSource, Source: edn.Sym("$")}, {Kind: InBinding, Binding: &BindScalar{Var: 1}}}
	if !reflect.DeepEqual(q.In, wantIn) {
		t.Errorf("In = %+v", q.In)
	}
	p, ok := q.Where[0].(*Pattern)
	if !ok || p.Source != (edn.Symbol{}) {
		t.Fatalf("Where[0] = %#v", q.Where[0])
	}
	wantTerms := []Term{{Kind: TermVar, Var: 1}, {Kind: TermConst, Var: NoVar, Value: edn.K("name")}, {Kind: TermVar, Var: 0}}
	if !reflect.DeepEqual(p.Terms, wantTerms) {
		t.Errorf("Terms = %+v", p.Terms)
	}
}

func TestASTDefaultIn(t *testing.T) {
	q := mustParse(t, `[:find ?e :where [?e :a]]`)
	if len(q.In) != 1 || q.In[0].Kind != InSource || q.In[0].Source != edn.Sym("$") {
		t.Errorf("In = %+v, want [$]", q.In)
	}
}

func TestASTFindElements(t *testing.T) {
	q := mustParse(t, `[:find ?c (max 3 ?x) (aggregate ?f ?x) (pull $2 ?e [:a]) (pull ?e ?p) :in $ $2 [[?c ?x ?e]] ?f ?p]`)
	es := q.Find.Elems
	if q.Find.Kind != FindRel || len(es) != 5 {
		t.Fatalf("Find = %+v", q.Find)
	}
	x, e := q.Vars[1], q.Vars[3]
	if x != edn.Sym("?x") || e != edn.Sym("?e") {
		t.Fatalf("Vars = %v", q.Vars)
	}
	if a := es[1].Aggregate; es[1].Kind != ElemAggregate || a.Fn != AggMax || a.N != 3 || es[1].Var != 1 || a.FnVar != NoVar {
		t.Errorf("(max 3 ?x) = %+v %+v", es[1], a)
	}
	if a := es[2].Aggregate; a.Fn != AggCustom || q.Vars[a.FnVar] != edn.Sym("?f") || es[2].Var != 1 || a.N != 0 {
		t.Errorf("(aggregate ?f ?x) = %+v", a)
	}
	if pl := es[3].Pull; es[3].Kind != ElemPull || pl.Source != edn.Sym("$2") || es[3].Var != 3 || pl.PatternVar != NoVar || pl.Pattern == nil {
		t.Errorf("(pull $2 ?e [:a]) = %+v", pl)
	}
	if pl := es[4].Pull; pl.Source != edn.Sym("$") || pl.Pattern != nil || q.Vars[pl.PatternVar] != edn.Sym("?p") {
		t.Errorf("(pull ?e ?p) = %+v", pl)
	}
}

func TestASTAggregateKinds(t *testing.T) {
	tests := map[string]AggregateFn{
		"count": AggCount, "count-distinct": AggCountDistinct, "sum": AggSum, "min": AggMin,
		"max": AggMax, "avg": AggAvg, "median": AggMedian, "variance": AggVariance,
		"stddev": AggStddev, "distinct": AggDistinct, "rand": AggRand,
	}
	for name, fn := range tests {
		q := mustParse(t, `[:find (`+name+` ?x) :in [?x ...]]`)
		if got := q.Find.Elems[0].Aggregate.Fn; got != fn {
			t.Errorf("%s: Fn = %d, want %d", name, got, fn)
		}
	}
	if q := mustParse(t, `[:find (sample 5 ?x) :in [?x ...]]`); q.Find.Elems[0].Aggregate.Fn != AggSample || q.Find.Elems[0].Aggregate.N != 5 {
		t.Errorf("sample: %+v", q.Find.Elems[0].Aggregate)
	}
}

func TestASTBindings(t *testing.T) {
	q := mustParse(t, `[:find ?a ?b ?c ?d ?t :in [?a ...] [[?b _]] [?c [?d ...]] :where [(untuple ?c) [?t ...]]]`)
	want := []Binding{
		&BindColl{Elem: &BindScalar{Var: 0}},
		&BindColl{Elem: &BindTuple{Elems: []Binding{&BindScalar{Var: 1}, &BindIgnore{}}}},
		&BindTuple{Elems: []Binding{&BindScalar{Var: 2}, &BindColl{Elem: &BindScalar{Var: 3}}}},
	}
	for i, w := range want {
		if !reflect.DeepEqual(q.In[i].Binding, w) {
			t.Errorf("In[%d] = %#v, want %#v", i, q.In[i].Binding, w)
		}
	}
	f := q.Where[0].(*Function)
	if !reflect.DeepEqual(f.Binding, &BindColl{Elem: &BindScalar{Var: 4}}) || f.Fn.Name != edn.Sym("untuple") || f.Fn.Var != NoVar {
		t.Errorf("function = %+v", f)
	}
}

func TestASTNotOr(t *testing.T) {
	q := mustParse(t, `[:find ?e :in $ $2 :where [?e :a ?x]
		(not [?e :b ?y] [?y :c ?x])
		($2 not-join [?e] [?e :d ?z])
		(or [?e :f ?w] (and [?e :g ?w] [?w :h ?x]))
		(or-join [[?e] ?v] [?e :i ?v])]`)
	vars := func(vs []Var) []string {
		var out []string
		for _, v := range vs {
			out = append(out, q.Vars[v].String())
		}
		return out
	}
	not := q.Where[1].(*Not)
	if not.Join || !reflect.DeepEqual(vars(not.Vars), []string{"?e", "?y", "?x"}) || len(not.Clauses) != 2 {
		t.Errorf("not = %+v", not)
	}
	notJoin := q.Where[2].(*Not)
	if !notJoin.Join || notJoin.Source != edn.Sym("$2") || !reflect.DeepEqual(vars(notJoin.Vars), []string{"?e"}) {
		t.Errorf("not-join = %+v", notJoin)
	}
	or := q.Where[3].(*Or)
	if or.Join || len(or.Required) != 0 || !reflect.DeepEqual(vars(or.Free), []string{"?e", "?w", "?x"}) {
		t.Errorf("or = %+v, free %v", or, vars(or.Free))
	}
	if and, ok := or.Branches[1].(*And); !ok || len(and.Clauses) != 2 {
		t.Errorf("or branch 1 = %#v", or.Branches[1])
	}
	orJoin := q.Where[4].(*Or)
	if !orJoin.Join || !reflect.DeepEqual(vars(orJoin.Required), []string{"?e"}) || !reflect.DeepEqual(vars(orJoin.Free), []string{"?v"}) {
		t.Errorf("or-join = %+v", orJoin)
	}
}

func TestASTTermsAndRuleCall(t *testing.T) {
	q := mustParse(t, `[:find ?x :in $ % :where ($ rule ?x _ "c" [:name "n"]) [(get-else $ ?x :a nil) ?v]]`)
	rc := q.Where[0].(*RuleCall)
	want := []Term{
		{Kind: TermVar, Var: 0},
		{Kind: TermBlank, Var: NoVar},
		{Kind: TermConst, Var: NoVar, Value: "c"},
		{Kind: TermConst, Var: NoVar, Value: edn.Vector{edn.K("name"), "n"}},
	}
	if rc.Name != edn.Sym("rule") || rc.Source != edn.Sym("$") || !reflect.DeepEqual(rc.Args, want) {
		t.Errorf("rule call = %+v", rc)
	}
	f := q.Where[1].(*Function)
	if f.Args[0] != (Term{Kind: TermSource, Var: NoVar, Value: edn.Sym("$")}) || f.Args[3] != (Term{Kind: TermConst, Var: NoVar}) {
		t.Errorf("function args = %+v", f.Args)
	}
}

func TestASTReturnMaps(t *testing.T) {
	tests := []struct {
		q    string
		kind ReturnKind
		keys []edn.Value
	}{
		{`[:find ?a ?b :keys a b :in [[?a ?b]]]`, ReturnKeys, []edn.Value{edn.K("a"), edn.K("b")}},
		{`[:find ?a ?b :strs a b :in [[?a ?b]]]`, ReturnStrs, []edn.Value{"a", "b"}},
		{`[:find ?a ?b :syms a ns/b :in [[?a ?b]]]`, ReturnSyms, []edn.Value{edn.Sym("a"), edn.Sym("ns/b")}},
	}
	for _, tt := range tests {
		q := mustParse(t, tt.q)
		if q.Keys == nil || q.Keys.Kind != tt.kind || !reflect.DeepEqual(q.Keys.Keys, tt.keys) {
			t.Errorf("%s: Keys = %+v", tt.q, q.Keys)
		}
	}
}

func TestParseQueryForms(t *testing.T) {
	vector := mustParse(t, `[:find ?e :in $ ?n :with ?w :where [?e :name ?n] [?e :w ?w]]`)
	m := mustParse(t, `{:find [?e] :in [$ ?n] :with [?w] :where [[?e :name ?n] [?e :w ?w]]}`)
	list := mustParse(t, `(:find ?e :in $ ?n :with ?w :where [?e :name ?n] [?e :w ?w])`)
	for _, q := range []*Query{m, list} {
		if string(FormatQuery(q)) != string(FormatQuery(vector)) {
			t.Errorf("%s formats as %s, want %s", edn.Format(q.Form), FormatQuery(q), FormatQuery(vector))
		}
	}
	if _, err := Parse([]byte("[:find ?e")); err == nil || err.Error() != "query: edn: line 1, column 1: unterminated vector" {
		t.Errorf("Parse of bad EDN: %v", err)
	}
}
