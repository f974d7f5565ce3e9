package query

import "github.com/steledb/stele/graphdb/edn"

// Var is a query variable, interned: an index into the Vars of the Query
// or RuleBranch that holds the clause, so an evaluator can keep bindings in
// slices instead of maps keyed by name.
type Var int32

// NoVar marks the absence of a variable.
const NoVar Var = -1

// Query is a parsed Datalog query.
type Query struct {
	Form  edn.Value    // the query as given
	Vars  []edn.Symbol // name of each Var
	Find  Find
	Keys  *ReturnMap // :keys, :strs or :syms; nil for tuples
	In    []Input    // [$] when the query has no :in
	With  []Var
	Where []Clause
}

// VarName returns the symbol of v, such as ?name.
func (q *Query) VarName(v Var) edn.Symbol { return q.Vars[v] }

// FindKind is the shape of the result.
type FindKind uint8

const (
	FindRel    FindKind = iota // :find ?a ?b, a set of tuples
	FindColl                   // :find [?a ...], a collection of values
	FindScalar                 // :find ?a ., a single value
	FindTuple                  // :find [?a ?b], a single tuple
)

// Find is the :find spec.
type Find struct {
	Kind  FindKind
	Elems []FindElem
}

// FindElemKind tells a plain variable from an aggregate and a pull.
type FindElemKind uint8

const (
	ElemVar FindElemKind = iota
	ElemAggregate
	ElemPull
)

// FindElem is one element of :find. Var is the variable the element
// projects: the variable itself, the aggregated variable (the last
// argument of the aggregate) or the entity of a pull.
type FindElem struct {
	Kind      FindElemKind
	Var       Var
	Aggregate *Aggregate // Kind == ElemAggregate
	Pull      *PullExpr  // Kind == ElemPull
}

// AggregateFn is a built-in aggregate, or AggCustom.
type AggregateFn uint8

const (
	AggCustom        AggregateFn = iota // (aggregate ?f args... ?x)
	AggCount                            // (count ?x)
	AggCountDistinct                    // (count-distinct ?x)
	AggSum                              // (sum ?x)
	AggMin                              // (min ?x) or (min n ?x)
	AggMax                              // (max ?x) or (max n ?x)
	AggAvg                              // (avg ?x)
	AggMedian                           // (median ?x)
	AggVariance                         // (variance ?x)
	AggStddev                           // (stddev ?x)
	AggDistinct                         // (distinct ?x)
	AggRand                             // (rand ?x) or (rand n ?x)
	AggSample                           // (sample n ?x)
)

// Aggregate is an aggregate find element.
type Aggregate struct {
	Fn    AggregateFn
	Name  edn.Symbol // as written: count, max, aggregate...
	FnVar Var        // for AggCustom, the variable bound to the function
	N     int64      // the n of (max n ?x), (rand n ?x) and (sample n ?x); 0 without, or when n is a variable (Args[0])
	Args  []Term     // all arguments after the function, the last the aggregated Var
}

// PullExpr is (pull ?e pattern) or (pull $src ?e pattern) in :find.
type PullExpr struct {
	Source     edn.Symbol // $ unless given
	Var        Var        // the entity
	Pattern    *Pull      // a pattern written in the query, or nil
	PatternVar Var        // the input variable holding the pattern, or NoVar
}

// ReturnKind is the kind of keys of :keys, :strs and :syms.
type ReturnKind uint8

const (
	ReturnKeys ReturnKind = iota // keyword keys
	ReturnStrs                   // string keys
	ReturnSyms                   // symbol keys
)

// ReturnMap turns each result tuple into a map with the given keys, in
// :find order: edn.Keyword for :keys, string for :strs, edn.Symbol for
// :syms.
type ReturnMap struct {
	Kind ReturnKind
	Keys []edn.Value
}

// InputKind tells what an :in element binds.
type InputKind uint8

const (
	InSource  InputKind = iota // $ or $name: a database or a collection of tuples
	InRules                    // %: a rule set
	InBinding                  // a variable, tuple, collection or relation
)

// Input is one element of :in, matched with one argument of the query.
type Input struct {
	Kind    InputKind
	Source  edn.Symbol // InSource
	Binding Binding    // InBinding
}

// TermKind tells what a term of a pattern, call or rule invocation is.
type TermKind uint8

const (
	TermBlank  TermKind = iota // _
	TermVar                    // ?x
	TermConst                  // any value that is not a symbol
	TermSource                 // $ or $name, as an argument of a function
)

// Term is an element of a data pattern, an argument of a predicate or
// function, or an argument of a rule invocation.
type Term struct {
	Kind  TermKind
	Var   Var       // TermVar
	Value edn.Value // TermConst: the constant; TermSource: the edn.Symbol
}

// Binding is the shape an input or a function result binds: *BindScalar,
// *BindTuple, *BindColl or *BindIgnore. A relation [[?a ?b]] is a BindColl
// of a BindTuple.
type Binding interface{ isBinding() }

// BindScalar binds one value to Var.
type BindScalar struct{ Var Var }

// BindIgnore is _ in a tuple binding: the value is not bound.
type BindIgnore struct{}

// BindTuple binds the elements of a sequence to the elements of Elems.
type BindTuple struct{ Elems []Binding }

// BindColl binds each element of a collection to Elem, one result per
// element: [?x ...].
type BindColl struct{ Elem Binding }

func (*BindScalar) isBinding() {}
func (*BindIgnore) isBinding() {}
func (*BindTuple) isBinding()  {}
func (*BindColl) isBinding()   {}

// Clause is a :where clause: *Pattern, *Predicate, *Function, *RuleCall,
// *Not, *Or or *And (And only as a branch of Or). Each keeps the Form it
// was parsed from for error messages.
type Clause interface{ form() edn.Value }

// Pattern is a data pattern [$src? e a v tx added], with 1 to 5 terms.
type Pattern struct {
	Form   edn.Value
	Source edn.Symbol // zero Symbol: the implicit source ($ unless rebound)
	Terms  []Term
}

// Fn is the function of a predicate or function call: a symbol naming it
// (such as < or get-else) or a variable bound to a function by :in.
type Fn struct {
	Name edn.Symbol // when Var is NoVar
	Var  Var
}

// Predicate is [(pred args...)]; the clause keeps the tuples for which the
// predicate is true.
type Predicate struct {
	Form edn.Value
	Fn   Fn
	Args []Term
}

// Function is [(f args...) binding]; the result of f is bound to Binding.
type Function struct {
	Form    edn.Value
	Fn      Fn
	Args    []Term
	Binding Binding
}

// RuleCall is ($src? rule-name args...), an invocation of a rule from %.
type RuleCall struct {
	Form   edn.Value
	Source edn.Symbol
	Name   edn.Symbol
	Args   []Term
}

// Not is (not clauses...) or (not-join [vars] clauses...): it removes the
// tuples for which the clauses hold. Vars are the join variables: those
// written for not-join, all variables of the clauses for not.
type Not struct {
	Form    edn.Value
	Source  edn.Symbol
	Join    bool // written as not-join
	Vars    []Var
	Clauses []Clause
}

// Or is (or branches...) or (or-join [[required...] free...] branches...):
// the union of its branches. For or, Free holds all the variables of the
// branches and Required is empty; a branch is one clause or an *And.
type Or struct {
	Form     edn.Value
	Source   edn.Symbol
	Join     bool // written as or-join
	Required []Var
	Free     []Var
	Branches []Clause
}

// And is (and clauses...), a branch of an Or.
type And struct {
	Form    edn.Value
	Clauses []Clause
}

func (c *Pattern) form() edn.Value   { return c.Form }
func (c *Predicate) form() edn.Value { return c.Form }
func (c *Function) form() edn.Value  { return c.Form }
func (c *RuleCall) form() edn.Value  { return c.Form }
func (c *Not) form() edn.Value       { return c.Form }
func (c *Or) form() edn.Value        { return c.Form }
func (c *And) form() edn.Value       { return c.Form }

// Vars of an Or, required first.
func (c *Or) joinVars() []Var { return append(append([]Var(nil), c.Required...), c.Free...) }
