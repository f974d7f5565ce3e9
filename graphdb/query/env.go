package query

import (
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// env is the state of evaluation within one scope (the query, or a rule
// branch): relations over disjoint sets of variables, whose product is
// the set of bindings so far. Like DataScript, it keeps unrelated
// relations apart and joins them only when a clause or :find needs it.
type env struct {
	ex       *exec
	names    []edn.Symbol // variable names of the scope
	implicit edn.Symbol   // the source of clauses that name none
	rels     []*relation
	sess     *session // the rule session the scope runs in, if any
}

func (en *env) clauses(cs []Clause) error {
	for _, c := range cs {
		if err := en.clause(c); err != nil {
			return err
		}
	}
	return nil
}

func (en *env) clause(c Clause) error {
	switch c := c.(type) {
	case *Pattern:
		return en.pattern(c)
	case *Predicate:
		return en.predicate(c)
	case *Function:
		return en.function(c)
	case *RuleCall:
		return en.ruleCall(c)
	case *Not:
		return en.not(c)
	case *Or:
		return en.or(c)
	case *And:
		return en.clauses(c.Clauses)
	}
	panic("query: unknown clause type")
}

// relOf returns the index of the relation binding v, or -1.
func (en *env) relOf(v Var) int {
	for i, r := range en.rels {
		if r.has(v) {
			return i
		}
	}
	return -1
}

func (en *env) bound(v Var) bool { return en.relOf(v) >= 0 }

// take removes the relations that bind any of vars and returns their
// product: the unit relation when there are none.
func (en *env) take(vars []Var) *relation {
	var out *relation
	kept := 0
	for _, r := range en.rels {
		if !bindsAny(r, vars) {
			en.rels[kept] = r
			kept++
			continue
		}
		if out == nil {
			out = r
		} else {
			out = product(out, r)
		}
	}
	clear(en.rels[kept:])
	en.rels = en.rels[:kept]
	if out == nil {
		return unitRelation()
	}
	return out
}

// takeMany is take for the arguments of a call: the relations of one row
// (scalar inputs, mostly) stay in the scope, and the call reads their
// values as constants (singleValue), which spares a product.
// The relations of the variables in always are taken in any case.
func (en *env) takeMany(vars, always []Var) *relation {
	keep := slices.Clip(always)
	for _, v := range vars {
		if i := en.relOf(v); i < 0 || en.rels[i].n != 1 || bindsAny(en.rels[i], always) {
			keep = append(keep, v)
		}
	}
	return en.take(keep)
}

// singleValue is the value of v in the one-row relation binding it.
func (en *env) singleValue(v Var) val {
	r := en.rels[en.relOf(v)]
	return r.rows[r.col(v)]
}

func bindsAny(r *relation, vars []Var) bool {
	for _, v := range vars {
		if r.has(v) {
			return true
		}
	}
	return false
}

// put adds a relation to the scope.
func (en *env) put(r *relation) { en.rels = append(en.rels, r) }

// empty reports whether some relation is empty, which makes the whole
// product empty.
func (en *env) empty() bool {
	for _, r := range en.rels {
		if r.n == 0 {
			return true
		}
	}
	return false
}

// collapse returns the distinct bindings of vars (all bound) over the
// whole scope.
func (en *env) collapse(vars []Var) *relation { return en.collapseBag(vars, true) }

// collapseBag is collapse, keeping duplicate tuples unless distinct.
func (en *env) collapseBag(vars []Var, distinct bool) *relation {
	if en.empty() {
		return newRelation(vars, 0)
	}
	var r *relation = unitRelation()
	for _, x := range en.rels {
		if bindsAny(x, vars) {
			r = product(r, x)
		}
	}
	if distinct {
		return project(r, vars)
	}
	return projectBag(r, vars)
}

// boundOf returns the variables of vars that the scope binds.
func (en *env) boundOf(vars []Var) []Var {
	var out []Var
	for _, v := range vars {
		if en.bound(v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// inner returns a scope for the clauses of not, or and rule branches,
// starting from rel.
func (en *env) inner(src edn.Symbol, rel *relation) *env {
	if src == (edn.Symbol{}) {
		src = en.implicit
	}
	return &env{ex: en.ex, names: en.names, implicit: src, rels: []*relation{rel}, sess: en.sess}
}

func (en *env) source(sym edn.Symbol) (*namedSource, error) {
	if sym == (edn.Symbol{}) {
		sym = en.implicit
	}
	return en.ex.source(sym)
}

func (en *env) constVal(t Term) val { return en.ex.fromEDN(t.Value) }
