package query

import "github.com/steledb/stele/graphdb/edn"

// collectClausesVars appends the variables of clauses to acc as DataScript's
// collect-vars does: a not or or contributes only its join variables.
func collectClausesVars(clauses []Clause, acc []Var) []Var {
	for _, c := range clauses {
		acc = collectVars(c, acc)
	}
	return acc
}

func collectVars(c Clause, acc []Var) []Var {
	switch c := c.(type) {
	case *Pattern:
		return termVars(c.Terms, acc)
	case *Predicate:
		return termVars(c.Args, fnVars(c.Fn, acc))
	case *Function:
		return bindingVars(c.Binding, termVars(c.Args, fnVars(c.Fn, acc)))
	case *RuleCall:
		return termVars(c.Args, acc)
	case *Not:
		return append(acc, c.Vars...)
	case *Or:
		return append(append(acc, c.Required...), c.Free...)
	case *And:
		return collectClausesVars(c.Clauses, acc)
	}
	panic("query: unknown clause type")
}

func termVars(terms []Term, acc []Var) []Var {
	for _, t := range terms {
		if t.Kind == TermVar {
			acc = append(acc, t.Var)
		}
	}
	return acc
}

func fnVars(fn Fn, acc []Var) []Var {
	if fn.Var != NoVar {
		acc = append(acc, fn.Var)
	}
	return acc
}

func bindingVars(b Binding, acc []Var) []Var {
	switch b := b.(type) {
	case *BindScalar:
		return append(acc, b.Var)
	case *BindTuple:
		for _, e := range b.Elems {
			acc = bindingVars(e, acc)
		}
	case *BindColl:
		return bindingVars(b.Elem, acc)
	}
	return acc
}

// findVars returns the variables :find mentions: projected variables, the
// function variables of custom aggregates, constants' variables of
// aggregates and pattern variables of pulls.
func findVars(f Find) []Var {
	var acc []Var
	for _, e := range f.Elems {
		switch e.Kind {
		case ElemVar:
			acc = append(acc, e.Var)
		case ElemAggregate:
			if e.Aggregate.FnVar != NoVar {
				acc = append(acc, e.Aggregate.FnVar)
			}
			acc = termVars(e.Aggregate.Args, acc)
		case ElemPull:
			acc = append(acc, e.Var)
			if e.Pull.PatternVar != NoVar {
				acc = append(acc, e.Pull.PatternVar)
			}
		}
	}
	return acc
}

// clauseSources appends the explicit sources of clauses, nested ones and
// those passed to functions included.
func clauseSources(clauses []Clause, acc []edn.Symbol) []edn.Symbol {
	for _, c := range clauses {
		acc = sourcesOf(c, acc)
	}
	return acc
}

func sourcesOf(c Clause, acc []edn.Symbol) []edn.Symbol {
	switch c := c.(type) {
	case *Pattern:
		return appendSource(acc, c.Source)
	case *Predicate:
		return termSources(c.Args, acc)
	case *Function:
		return termSources(c.Args, acc)
	case *RuleCall:
		return appendSource(acc, c.Source)
	case *Not:
		return clauseSources(c.Clauses, appendSource(acc, c.Source))
	case *Or:
		return clauseSources(c.Branches, appendSource(acc, c.Source))
	case *And:
		return clauseSources(c.Clauses, acc)
	}
	return acc
}

func appendSource(acc []edn.Symbol, s edn.Symbol) []edn.Symbol {
	if s == (edn.Symbol{}) {
		return acc
	}
	return append(acc, s)
}

func termSources(terms []Term, acc []edn.Symbol) []edn.Symbol {
	for _, t := range terms {
		if t.Kind == TermSource {
			acc = append(acc, t.Value.(edn.Symbol))
		}
	}
	return acc
}

// usesImplicitSource reports whether a data pattern reads the implicit
// source while it is $, i.e. outside any ($src not ...) or ($src or ...).
func usesImplicitSource(clauses []Clause) bool {
	for _, c := range clauses {
		switch c := c.(type) {
		case *Pattern:
			if c.Source == (edn.Symbol{}) {
				return true
			}
		case *Not:
			if c.Source == (edn.Symbol{}) && usesImplicitSource(c.Clauses) {
				return true
			}
		case *Or:
			if c.Source == (edn.Symbol{}) && usesImplicitSource(c.Branches) {
				return true
			}
		case *And:
			if usesImplicitSource(c.Clauses) {
				return true
			}
		}
	}
	return false
}

// hasRuleCall reports whether clauses invoke a rule.
func hasRuleCall(clauses []Clause) bool {
	for _, c := range clauses {
		switch c := c.(type) {
		case *RuleCall:
			return true
		case *Not:
			if hasRuleCall(c.Clauses) {
				return true
			}
		case *Or:
			if hasRuleCall(c.Branches) {
				return true
			}
		case *And:
			if hasRuleCall(c.Clauses) {
				return true
			}
		}
	}
	return false
}
