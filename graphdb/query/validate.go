package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// validate runs DataScript's query checks (validate-query) and then the
// binding checks its evaluator makes while it runs (check-bound and its
// kin), here ahead of time along the clauses in the order written, since
// DataScript evaluates them in that order.
func validate(q *Query) error {
	in, err := checkInputs(q)
	if err != nil {
		return err
	}
	if err := checkProjection(q, in.vars); err != nil {
		return err
	}
	if err := checkSources(q, in); err != nil {
		return err
	}
	if err := checkReturnMap(q); err != nil {
		return err
	}
	a := &analysis{names: q.Vars}
	return a.clauses(q.Where, in.vars.clone())
}

// inputs are what :in binds.
type inputs struct {
	vars    varSet
	sources map[edn.Symbol]bool
	rules   bool
}

func checkInputs(q *Query) (inputs, error) {
	in := inputs{vars: varSet{}, sources: map[edn.Symbol]bool{}}
	for _, input := range q.In {
		switch input.Kind {
		case InSource:
			if in.sources[input.Source] {
				return in, errorf(":in lists the source %s twice", input.Source)
			}
			in.sources[input.Source] = true
		case InRules:
			if in.rules {
				return in, errorf(":in lists %% twice")
			}
			in.rules = true
		case InBinding:
			for _, v := range bindingVars(input.Binding, nil) {
				if in.vars.has(v) {
					return in, errorf(":in binds %s twice", q.Vars[v])
				}
				in.vars.add(v)
			}
		}
	}
	with := varSet{}
	for _, v := range q.With {
		if with.has(v) {
			return in, errorf(":with lists %s twice", q.Vars[v])
		}
		with.add(v)
	}
	return in, nil
}

// checkProjection checks that every variable :find and :with use is bound
// by :in or :where, and that :find and :with share none.
func checkProjection(q *Query, inVars varSet) error {
	known := inVars.clone()
	known.add(collectClausesVars(q.Where, nil)...)
	find := findVars(q.Find)
	if unknown := known.minus(find); len(unknown) > 0 {
		return errorf(":find uses %s which no :where clause or :in binds", showVars(q.Vars, unknown))
	}
	if unknown := known.minus(q.With); len(unknown) > 0 {
		return errorf(":with uses %s which no :where clause or :in binds", showVars(q.Vars, unknown))
	}
	inFind := varSet{}
	inFind.add(find...)
	var shared []Var
	for _, v := range q.With {
		if inFind.has(v) {
			shared = append(shared, v)
		}
	}
	if len(shared) > 0 {
		return errorf(":find and :with should not use the same variables: %s", showVars(q.Vars, shared))
	}
	return nil
}

func checkSources(q *Query, in inputs) error {
	for _, e := range q.Find.Elems {
		if e.Kind == ElemPull && !in.sources[e.Pull.Source] {
			return errorf(":find pulls from the source %s which :in does not bind", e.Pull.Source)
		}
	}
	for _, s := range clauseSources(q.Where, nil) {
		if !in.sources[s] {
			return errorf(":where uses the source %s which :in does not bind", s)
		}
	}
	if usesImplicitSource(q.Where) && !in.sources[symDefault] {
		return errorf(":where has data patterns on the default source $ but :in does not bind $")
	}
	if hasRuleCall(q.Where) && !in.rules {
		return errorf(":where calls rules but :in has no rules var %%")
	}
	return nil
}

func checkReturnMap(q *Query) error {
	if q.Keys == nil {
		return nil
	}
	name := [...]string{":keys", ":strs", ":syms"}[q.Keys.Kind]
	switch q.Find.Kind {
	case FindScalar:
		return errorf("%s does not work with a scalar :find", name)
	case FindColl:
		return errorf("%s does not work with a collection :find", name)
	}
	if len(q.Keys.Keys) != len(q.Find.Elems) {
		return errorf("%s has %d names but :find has %d elements", name, len(q.Keys.Keys), len(q.Find.Elems))
	}
	return nil
}

// analysis follows which variables are bound, clause after clause, and
// reports what DataScript's evaluator reports as insufficient bindings.
type analysis struct {
	names   []edn.Symbol
	rules   *Rules // nil: rule calls bind their variables and are not checked
	checked map[*Rule]bool
}

func (a *analysis) clauses(clauses []Clause, bound varSet) error {
	for _, c := range clauses {
		if err := a.clause(c, bound); err != nil {
			return err
		}
	}
	return nil
}

func (a *analysis) clause(c Clause, bound varSet) error {
	switch c := c.(type) {
	case *Pattern:
		bound.add(termVars(c.Terms, nil)...)
	case *Predicate:
		return a.requireBound(bound, termVars(c.Args, fnVars(c.Fn, nil)), c)
	case *Function:
		if err := a.requireBound(bound, termVars(c.Args, fnVars(c.Fn, nil)), c); err != nil {
			return err
		}
		bound.add(bindingVars(c.Binding, nil)...)
	case *RuleCall:
		if err := a.ruleCall(c, bound); err != nil {
			return err
		}
		bound.add(termVars(c.Args, nil)...)
	case *Not:
		return a.not(c, bound)
	case *Or:
		if c.Join {
			return a.orJoin(c, bound)
		}
		return a.or(c, bound)
	case *And:
		return a.clauses(c.Clauses, bound)
	}
	return nil
}

func (a *analysis) requireBound(bound varSet, vars []Var, c Clause) error {
	if missing := bound.minus(vars); len(missing) > 0 {
		return errorf("insufficient bindings: %s not bound in %s", showVars(a.names, missing), show(c.form()))
	}
	return nil
}

// not needs one of its variables bound before it; not-join needs all its
// join variables, and its clauses see only those.
func (a *analysis) not(c *Not, bound varSet) error {
	if c.Join {
		if err := a.requireBound(bound, c.Vars, c); err != nil {
			return err
		}
		inner := varSet{}
		inner.add(c.Vars...)
		return a.clauses(c.Clauses, inner)
	}
	if len(bound.minus(c.Vars)) == len(distinctVars(c.Vars)) {
		return errorf("insufficient bindings: none of %s is bound in %s", showVars(a.names, c.Vars), show(c.Form))
	}
	return a.clauses(c.Clauses, bound.clone())
}

// or needs all branches to leave the same variables free; afterwards the
// variables the first branch bound are bound, as DataScript continues with
// the context of the first branch.
func (a *analysis) or(c *Or, bound varSet) error {
	var first []Var
	var after varSet
	for i, b := range c.Branches {
		free := bound.minus(collectVars(b, nil))
		if i == 0 {
			first = free
		} else if !sameVars(first, free) {
			return errorf("all branches of %s must use the same set of free variables (or use or-join), had %s and %s",
				show(c.Form), showVars(a.names, first), showVars(a.names, free))
		}
		branchBound := bound.clone()
		if err := a.clause(b, branchBound); err != nil {
			return err
		}
		if i == 0 {
			after = branchBound
		}
	}
	for v := range after {
		bound.add(v)
	}
	return nil
}

// orJoin needs its required variables bound, and each branch to use all
// of its free join variables; the branches see only the join variables.
func (a *analysis) orJoin(c *Or, bound varSet) error {
	if err := a.requireBound(bound, c.Required, c); err != nil {
		return err
	}
	join := c.joinVars()
	free := bound.minus(join)
	inner := varSet{}
	for _, v := range join {
		if bound.has(v) {
			inner.add(v)
		}
	}
	for _, b := range c.Branches {
		used := varSet{}
		used.add(collectVars(b, nil)...)
		if missing := used.minus(free); len(missing) > 0 {
			return errorf("branch %s of %s does not use the free join variables %s", show(b.form()), show(c.Form), showVars(a.names, missing))
		}
		if err := a.clause(b, inner.clone()); err != nil {
			return err
		}
	}
	bound.add(join...)
	return nil
}
