package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// nArg says whether an aggregate takes a count n before its variable.
type nArg uint8

const (
	nNever nArg = iota
	nOptional
	nRequired
)

// aggregates are DataScript's built-in aggregates.
var aggregates = map[string]struct {
	fn AggregateFn
	n  nArg
}{
	"count":          {AggCount, nNever},
	"count-distinct": {AggCountDistinct, nNever},
	"sum":            {AggSum, nNever},
	"avg":            {AggAvg, nNever},
	"median":         {AggMedian, nNever},
	"variance":       {AggVariance, nNever},
	"stddev":         {AggStddev, nNever},
	"distinct":       {AggDistinct, nNever},
	"min":            {AggMin, nOptional},
	"max":            {AggMax, nOptional},
	"rand":           {AggRand, nOptional},
	"sample":         {AggSample, nRequired},
}

func (p *parser) parseAggregate(form edn.Value, head edn.Symbol, elems []edn.Value) (FindElem, error) {
	agg, ok := aggregates[head.Name]
	if !ok || head.Namespace != "" {
		return FindElem{}, errorf("unknown aggregate %s in %s", head, show(form))
	}
	args, err := p.aggregateArgs(form, elems[1:])
	if err != nil {
		return FindElem{}, err
	}
	a := &Aggregate{Fn: agg.fn, Name: head, FnVar: NoVar, Args: args}
	switch {
	case len(args) == 1 && agg.n != nRequired:
	case len(args) == 2 && agg.n != nNever && isCount(args[0]):
		a.N = args[0].Value.(int64)
	case len(args) == 2 && agg.n != nNever && args[0].Kind == TermVar:
		// (max ?n ?x): n comes from an input, as DataScript allows
	default:
		return FindElem{}, errorf("aggregate %s takes %s, got %s", head, aggregateUsage(head.Name, agg.n), show(form))
	}
	return FindElem{Kind: ElemAggregate, Var: args[len(args)-1].Var, Aggregate: a}, nil
}

func aggregateUsage(name string, n nArg) string {
	switch n {
	case nOptional:
		return "(" + name + " ?x) or (" + name + " n ?x) with n a positive integer"
	case nRequired:
		return "(" + name + " n ?x) with n a positive integer"
	}
	return "(" + name + " ?x)"
}

func isCount(t Term) bool {
	n, ok := t.Value.(int64)
	return t.Kind == TermConst && ok && n > 0
}

// parseCustomAggregate reads (aggregate ?f args... ?x), where ?f is bound
// to the aggregate function by :in.
func (p *parser) parseCustomAggregate(form edn.Value, elems []edn.Value) (FindElem, error) {
	if len(elems) < 3 || !isVariable(elems[1]) {
		return FindElem{}, errorf("cannot parse custom aggregate %s, expected (aggregate ?f args... ?x)", show(form))
	}
	fnVar, _ := p.variable(elems[1])
	args, err := p.aggregateArgs(form, elems[2:])
	if err != nil {
		return FindElem{}, err
	}
	a := &Aggregate{Fn: AggCustom, Name: elems[0].(edn.Symbol), FnVar: fnVar, Args: args}
	return FindElem{Kind: ElemAggregate, Var: args[len(args)-1].Var, Aggregate: a}, nil
}

// aggregateArgs reads the arguments of an aggregate: constants, variables
// or sources, the last one the variable aggregated.
func (p *parser) aggregateArgs(form edn.Value, forms []edn.Value) ([]Term, error) {
	if len(forms) == 0 || !isVariable(forms[len(forms)-1]) {
		return nil, errorf("aggregate %s needs a variable as its last argument", show(form))
	}
	args := make([]Term, len(forms))
	for i, f := range forms {
		t, ok := p.fnArg(f)
		if !ok {
			return nil, errorf("cannot parse argument %s of aggregate %s, expected a variable, constant or source", show(f), show(form))
		}
		args[i] = t
	}
	return args, nil
}

// fnArg reads an argument of a function, predicate or aggregate: a
// variable, a source or a constant.
func (p *parser) fnArg(form edn.Value) (Term, bool) {
	if v, ok := p.variable(form); ok {
		return Term{Kind: TermVar, Var: v}, true
	}
	if isSource(form) {
		return Term{Kind: TermSource, Var: NoVar, Value: form}, true
	}
	if _, isSym := form.(edn.Symbol); isSym {
		return Term{}, false
	}
	return Term{Kind: TermConst, Var: NoVar, Value: form}, true
}

// patternElem reads an element of a data pattern or an argument of a rule
// call: a variable, _ or a constant.
func (p *parser) patternElem(form edn.Value) (Term, bool) {
	if v, ok := p.variable(form); ok {
		return Term{Kind: TermVar, Var: v}, true
	}
	if isSymbol(form, symBlank) {
		return Term{Kind: TermBlank, Var: NoVar}, true
	}
	if _, isSym := form.(edn.Symbol); isSym {
		return Term{}, false
	}
	return Term{Kind: TermConst, Var: NoVar, Value: form}, true
}
