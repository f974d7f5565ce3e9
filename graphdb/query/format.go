package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// FormatQuery writes q back as an EDN query in the vector form, in a
// canonical shape: sections in the order :find, :keys/:strs/:syms, :in,
// :with, :where; pull patterns and rule variables as FormatPull and
// or-join write them. Parsing the output gives a query that formats to the
// same bytes.
func FormatQuery(q *Query) []byte { return edn.Format(q.EDN()) }

// EDN returns q as an EDN value; see FormatQuery.
func (q *Query) EDN() edn.Value {
	w := writer{names: q.Vars}
	out := edn.Vector{kwFind}
	out = append(out, w.find(q.Find)...)
	if q.Keys != nil {
		out = append(out, [...]edn.Keyword{kwKeys, kwStrs, kwSyms}[q.Keys.Kind])
		for _, k := range q.Keys.Keys {
			out = append(out, returnKeySymbol(k))
		}
	}
	out = append(out, kwIn)
	for _, in := range q.In {
		out = append(out, w.input(in))
	}
	if len(q.With) > 0 {
		out = append(out, kwWith)
		out = append(out, w.vars(q.With)...)
	}
	if len(q.Where) > 0 {
		out = append(out, kwWhere)
		out = append(out, w.clauses(q.Where)...)
	}
	return out
}

// EDN returns the rule set as EDN, branch by branch.
func (r *Rules) EDN() edn.Value {
	out := edn.Vector{}
	for _, rule := range r.Rules {
		for _, b := range rule.Branches {
			w := writer{names: b.Vars}
			head := edn.List{rule.Name}
			head = append(head, w.ruleVars(b.Head[:rule.Required], b.Head[rule.Required:])...)
			branch := edn.Vector{head}
			out = append(out, append(branch, w.clauses(b.Clauses)...))
		}
	}
	return out
}

// FormatPull writes a pull pattern canonically: * first, then the
// attributes in order, an attribute with options as [attr :as x :limit n
// :default d :xform f] and a map spec as {attr pattern}.
func FormatPull(p *Pull) []byte { return edn.Format(p.EDN()) }

// EDN returns the pattern as EDN; see FormatPull.
func (p *Pull) EDN() edn.Value {
	out := edn.Vector{}
	if p.Wildcard {
		out = append(out, edn.Sym("*"))
	}
	for _, a := range p.Attrs {
		out = append(out, a.EDN())
	}
	return out
}

// EDN returns the attribute spec as EDN; see FormatPull.
func (a PullAttr) EDN() edn.Value {
	name := a.Name
	if a.Reverse {
		name = edn.Keyword{Namespace: name.Namespace, Name: "_" + name.Name}
	}
	var spec edn.Value = name
	if opts := a.options(name); len(opts) > 0 {
		spec = append(edn.Vector{name}, opts...)
	}
	switch {
	case a.Recursive && a.Depth > 0:
		return mapOf(spec, a.Depth)
	case a.Recursive:
		return mapOf(spec, symEllipsis)
	case a.Pattern != nil:
		return mapOf(spec, a.Pattern.EDN())
	}
	return spec
}

func (a PullAttr) options(written edn.Keyword) edn.Vector {
	var opts edn.Vector
	if !edn.Equal(a.As, written) {
		opts = append(opts, edn.K("as"), a.As)
	}
	switch a.Limit {
	case DefaultLimit:
	case NoLimit:
		opts = append(opts, edn.K("limit"), nil)
	default:
		opts = append(opts, edn.K("limit"), a.Limit)
	}
	if a.HasDefault {
		opts = append(opts, edn.K("default"), a.Default)
	}
	if a.Xform != (edn.Symbol{}) {
		opts = append(opts, edn.K("xform"), a.Xform)
	}
	return opts
}

func mapOf(k, v edn.Value) *edn.Map {
	m := edn.NewMap(1)
	m.Put(k, v)
	return m
}

func returnKeySymbol(k edn.Value) edn.Value {
	switch x := k.(type) {
	case edn.Keyword:
		return edn.Symbol(x)
	case string:
		return edn.Sym(x)
	}
	return k
}

// writer turns AST nodes back into EDN, naming variables from names.
type writer struct{ names []edn.Symbol }

func (w writer) vars(vs []Var) []edn.Value {
	out := make([]edn.Value, len(vs))
	for i, v := range vs {
		out[i] = w.names[v]
	}
	return out
}

func (w writer) find(f Find) []edn.Value {
	elems := make([]edn.Value, len(f.Elems))
	for i, e := range f.Elems {
		elems[i] = w.findElem(e)
	}
	switch f.Kind {
	case FindColl:
		return []edn.Value{edn.Vector{elems[0], symEllipsis}}
	case FindScalar:
		return []edn.Value{elems[0], symDot}
	case FindTuple:
		return []edn.Value{edn.Vector(elems)}
	}
	return elems
}

func (w writer) findElem(e FindElem) edn.Value {
	switch e.Kind {
	case ElemAggregate:
		a := e.Aggregate
		out := edn.List{a.Name}
		if a.Fn == AggCustom {
			out = append(out, w.names[a.FnVar])
		}
		return append(out, w.terms(a.Args)...)
	case ElemPull:
		out := edn.List{edn.Sym("pull"), e.Pull.Source, w.names[e.Var]}
		if e.Pull.PatternVar != NoVar {
			return append(out, w.names[e.Pull.PatternVar])
		}
		return append(out, e.Pull.Pattern.EDN())
	}
	return w.names[e.Var]
}

func (w writer) input(in Input) edn.Value {
	switch in.Kind {
	case InSource:
		return in.Source
	case InRules:
		return symRules
	}
	return w.binding(in.Binding)
}

func (w writer) binding(b Binding) edn.Value {
	switch b := b.(type) {
	case *BindScalar:
		return w.names[b.Var]
	case *BindTuple:
		out := make(edn.Vector, len(b.Elems))
		for i, e := range b.Elems {
			out[i] = w.binding(e)
		}
		return out
	case *BindColl:
		if t, ok := b.Elem.(*BindTuple); ok {
			return edn.Vector{w.binding(t)}
		}
		return edn.Vector{w.binding(b.Elem), symEllipsis}
	}
	return symBlank
}

func (w writer) terms(ts []Term) []edn.Value {
	out := make([]edn.Value, len(ts))
	for i, t := range ts {
		switch t.Kind {
		case TermBlank:
			out[i] = symBlank
		case TermVar:
			out[i] = w.names[t.Var]
		default:
			out[i] = t.Value
		}
	}
	return out
}

func (w writer) clauses(cs []Clause) []edn.Value {
	out := make([]edn.Value, len(cs))
	for i, c := range cs {
		out[i] = w.clause(c)
	}
	return out
}

func (w writer) clause(c Clause) edn.Value {
	switch c := c.(type) {
	case *Pattern:
		return edn.Vector(withSource(c.Source, w.terms(c.Terms)))
	case *Predicate:
		return edn.Vector{w.call(c.Fn, c.Args)}
	case *Function:
		return edn.Vector{w.call(c.Fn, c.Args), w.binding(c.Binding)}
	case *RuleCall:
		return edn.List(withSource(c.Source, append([]edn.Value{c.Name}, w.terms(c.Args)...)))
	case *Not:
		return w.not(c)
	case *Or:
		return w.or(c)
	case *And:
		return append(edn.List{edn.Sym("and")}, w.clauses(c.Clauses)...)
	}
	panic("query: unknown clause type")
}

func withSource(src edn.Symbol, rest []edn.Value) []edn.Value {
	if src == (edn.Symbol{}) {
		return rest
	}
	return append([]edn.Value{src}, rest...)
}

func (w writer) call(fn Fn, args []Term) edn.List {
	var head edn.Value = fn.Name
	if fn.Var != NoVar {
		head = w.names[fn.Var]
	}
	return append(edn.List{head}, w.terms(args)...)
}

func (w writer) not(c *Not) edn.Value {
	out := []edn.Value{edn.Sym("not")}
	if c.Join {
		out = []edn.Value{edn.Sym("not-join"), edn.Vector(w.vars(c.Vars))}
	}
	return edn.List(withSource(c.Source, append(out, w.clauses(c.Clauses)...)))
}

func (w writer) or(c *Or) edn.Value {
	out := []edn.Value{edn.Sym("or")}
	if c.Join {
		out = []edn.Value{edn.Sym("or-join"), edn.Vector(w.ruleVars(c.Required, c.Free))}
	}
	return edn.List(withSource(c.Source, append(out, w.clauses(c.Branches)...)))
}

func (w writer) ruleVars(required, free []Var) []edn.Value {
	var out []edn.Value
	if len(required) > 0 {
		out = append(out, edn.Vector(w.vars(required)))
	}
	return append(out, w.vars(free)...)
}
