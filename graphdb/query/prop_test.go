package query

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// The engine is compared with a reference evaluator that knows nothing of
// indices, relations or plans: bindings are maps, a data pattern is tried
// against every datom, a rule is a fixpoint over all datoms. Random small
// databases, random queries; both must give the same set of tuples.

type refDatom struct {
	e int64
	a string // ident text, e.g. ":a"
	v int64
}

type binding map[string]edn.Value

var propAttrs = []string{":a", ":b", ":r"}

func randomDB(t *testing.T, r *rand.Rand) (*graphdb.DB, []refDatom) {
	db := newTestDB(t, `{:b {:db/cardinality :db.cardinality/many}
	                     :r {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}}`)
	var ops []graphdb.Op
	seen := map[refDatom]bool{}
	var datoms []refDatom
	n, ents := r.IntN(14)+1, int64(5)
	if r.IntN(3) == 0 { // larger, so that plans choose hash joins over lookups
		n, ents = 20+r.IntN(12), 8
	}
	for range n {
		d := refDatom{e: r.Int64N(ents) + 1, a: propAttrs[r.IntN(3)], v: r.Int64N(5) + 1}
		if d.a == ":a" { // cardinality one: one value per entity
			if slices.ContainsFunc(datoms, func(x refDatom) bool { return x.e == d.e && x.a == ":a" }) {
				continue
			}
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		datoms = append(datoms, d)
		v := any(d.v)
		if d.a == ":r" {
			v = graphdb.EID(d.v)
		}
		ops = append(ops, graphdb.Add{E: graphdb.EID(d.e), A: d.a, V: v})
	}
	return transact(t, db, ops), datoms
}

// queryGen writes random queries over the variables ?x ?y ?z ?w.
type queryGen struct {
	r    *rand.Rand
	vars []string
}

func (g *queryGen) term(varsOnly bool) string {
	if varsOnly || g.r.IntN(4) > 0 {
		return g.vars[g.r.IntN(len(g.vars))]
	}
	return fmt.Sprint(g.r.IntN(5) + 1)
}

func (g *queryGen) pattern() string {
	attr := propAttrs[g.r.IntN(3)]
	if g.r.IntN(8) == 0 {
		attr = "_"
	}
	v := g.term(false)
	if g.r.IntN(6) == 0 {
		v = "_"
	}
	return fmt.Sprintf("[%s %s %s]", g.term(false), attr, v)
}

func (g *queryGen) clause(depth int) string {
	switch n := g.r.IntN(10); {
	case n < 5 || depth > 1:
		return g.pattern()
	case n < 6:
		return fmt.Sprintf("[(%s %s %s)]", []string{"<", "=", "not=", ">="}[g.r.IntN(4)], g.term(true), g.term(false))
	case n < 7:
		return fmt.Sprintf("(not %s)", g.clause(depth+1))
	case n < 8:
		p := g.pattern()
		return fmt.Sprintf("(or %s %s)", p, strings.Replace(p, propAttrs[0], propAttrs[1], 1))
	case n < 9:
		return fmt.Sprintf("(reach %s %s)", g.term(false), g.term(false))
	}
	return fmt.Sprintf("[(+ %s 1) %s]", g.term(true), g.vars[g.r.IntN(len(g.vars))])
}

func (g *queryGen) query() string {
	var where []string
	for range g.r.IntN(4) + 1 {
		where = append(where, g.clause(0))
	}
	find := g.vars[:g.r.IntN(2)+1]
	return fmt.Sprintf("[:find %s :in $ %% :where %s]", strings.Join(find, " "), strings.Join(where, " "))
}

var propSeed uint64 = 1

const reachRules = `[[(reach ?a ?b) [?a :r ?b]] [(reach ?a ?b) [?a :r ?t] (reach ?t ?b)]]`

func TestEngineMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(propSeed, 2))
	g := &queryGen{r: r, vars: []string{"?x", "?y", "?z", "?w"}}
	rules := mustEDN(t, reachRules)
	compared := 0
	for range 4000 {
		db, datoms := randomDB(t, r)
		text := g.query()
		q, err := Parse([]byte(text))
		if err != nil {
			continue // an invalid random query, e.g. a predicate before its variables
		}
		if err := q.CheckRules(mustRules(t, rules)); err != nil {
			continue
		}
		got, err := q.Run(db, rules)
		if err != nil && strings.Contains(err.Error(), "bound only inside not") {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		want := refRun(q, datoms)
		if !edn.Equal(got, want) {
			t.Fatalf("%s on %v:\n engine    %s\n reference %s", text, datoms, edn.Format(got), edn.Format(want))
		}
		compared++
	}
	if compared < 600 {
		t.Fatalf("only %d valid random queries compared", compared)
	}
}

func mustRules(t *testing.T, form edn.Value) *Rules {
	rs, err := ParseRules(form)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// refRun evaluates q (with the reach rules) by brute force.
func refRun(q *Query, datoms []refDatom) edn.Value {
	bs := refClauses(q, q.Where, []binding{{}}, datoms)
	out := edn.NewSet(0)
	for _, b := range bs {
		t := edn.Vector{}
		for _, e := range q.Find.Elems {
			t = append(t, b[q.Vars[e.Var].Name])
		}
		out.Add(t)
	}
	return out
}

func refClauses(q *Query, cs []Clause, bs []binding, datoms []refDatom) []binding {
	for _, c := range cs {
		bs = refClause(q, c, bs, datoms)
	}
	return bs
}

func refClause(q *Query, c Clause, bs []binding, datoms []refDatom) []binding {
	var out []binding
	switch c := c.(type) {
	case *Pattern:
		for _, b := range bs {
			for _, d := range datoms {
				if nb, ok := unify(q, b, c.Terms, []edn.Value{d.e, edn.K(d.a[1:]), d.v}); ok {
					out = append(out, nb)
				}
			}
		}
	case *Predicate:
		for _, b := range bs {
			x, y := refArg(q, b, c.Args[0]), refArg(q, b, c.Args[1])
			cmp := edn.Compare(x, y)
			ok := map[string]bool{"<": cmp < 0, "=": cmp == 0, "not=": cmp != 0, ">=": cmp >= 0}[c.Fn.Name.Name]
			if ok {
				out = append(out, b)
			}
		}
	case *Function:
		for _, b := range bs {
			sum := refArg(q, b, c.Args[0]).(int64) + 1
			v := c.Binding.(*BindScalar).Var
			if old, bound := b[q.Vars[v].Name]; bound {
				if edn.Equal(old, sum) {
					out = append(out, b)
				}
				continue
			}
			out = append(out, extend(b, q.Vars[v].Name, sum))
		}
	case *Not:
		for _, b := range bs {
			if len(refClauses(q, c.Clauses, []binding{b}, datoms)) == 0 {
				out = append(out, b)
			}
		}
	case *Or:
		for _, br := range c.Branches {
			out = append(out, refClause(q, br, bs, datoms)...)
		}
	case *RuleCall:
		pairs := reachPairs(datoms)
		for _, b := range bs {
			for _, p := range pairs {
				if nb, ok := unify(q, b, c.Args, []edn.Value{p[0], p[1]}); ok {
					out = append(out, nb)
				}
			}
		}
	}
	return out
}

func refArg(q *Query, b binding, t Term) edn.Value {
	if t.Kind == TermVar {
		return b[q.Vars[t.Var].Name]
	}
	return t.Value
}

func unify(q *Query, b binding, terms []Term, vals []edn.Value) (binding, bool) {
	nb := b
	for i, t := range terms {
		switch t.Kind {
		case TermConst:
			if !edn.Equal(t.Value, vals[i]) {
				return nil, false
			}
		case TermVar:
			name := q.Vars[t.Var].Name
			if old, ok := nb[name]; ok {
				if !edn.Equal(old, vals[i]) {
					return nil, false
				}
				continue
			}
			nb = extend(nb, name, vals[i])
		}
	}
	return nb, true
}

func extend(b binding, name string, v edn.Value) binding {
	nb := make(binding, len(b)+1)
	for k, x := range b {
		nb[k] = x
	}
	nb[name] = v
	return nb
}

// reachPairs is the transitive closure of :r.
func reachPairs(datoms []refDatom) [][2]int64 {
	set := map[[2]int64]bool{}
	for _, d := range datoms {
		if d.a == ":r" {
			set[[2]int64{d.e, d.v}] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for p := range set {
			for q := range set {
				if p[1] == q[0] && !set[[2]int64{p[0], q[1]}] {
					set[[2]int64{p[0], q[1]}] = true
					changed = true
				}
			}
		}
	}
	var out [][2]int64
	for p := range set {
		out = append(out, p)
	}
	return out
}
