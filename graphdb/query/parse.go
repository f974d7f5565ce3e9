package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// Parse parses a query written in EDN text.
func Parse(text []byte) (*Query, error) {
	form, err := edn.Parse(text)
	if err != nil {
		return nil, errorf("%w", err)
	}
	return ParseQuery(form)
}

// ParseQuery parses a query given as an EDN vector [:find ... :where ...]
// or map {:find [...] :where [...]}, and validates it: see the package
// documentation for the checks.
func ParseQuery(form edn.Value) (*Query, error) {
	sections, err := querySections(form)
	if err != nil {
		return nil, err
	}
	p := &parser{scope: newScope()}
	q := &Query{Form: form}
	findForms, ok := sections[kwFind]
	if !ok {
		return nil, errorf("missing :find in %s", show(form))
	}
	if q.Find, err = p.parseFind(findForms); err != nil {
		return nil, err
	}
	if q.Keys, err = parseReturnMap(sections); err != nil {
		return nil, err
	}
	if q.With, err = p.parseWith(sections[kwWith]); err != nil {
		return nil, err
	}
	inForms, ok := sections[kwIn]
	if !ok {
		inForms = []edn.Value{symDefault}
	}
	if q.In, err = p.parseIn(inForms); err != nil {
		return nil, err
	}
	if q.Where, err = p.parseClauses(sections[kwWhere]); err != nil {
		return nil, err
	}
	q.Vars = p.scope.names
	if err := validate(q); err != nil {
		return nil, err
	}
	return q, nil
}

var (
	kwFind  = edn.K("find")
	kwIn    = edn.K("in")
	kwWith  = edn.K("with")
	kwWhere = edn.K("where")
	kwKeys  = edn.K("keys")
	kwStrs  = edn.K("strs")
	kwSyms  = edn.K("syms")
)

func isSection(k edn.Keyword) bool {
	switch k {
	case kwFind, kwIn, kwWith, kwWhere, kwKeys, kwStrs, kwSyms:
		return true
	}
	return false
}

// querySections splits a query into its sections. In the vector form each
// keyword starts a section that runs to the next keyword; a section given
// twice continues, as in DataScript.
func querySections(form edn.Value) (map[edn.Keyword][]edn.Value, error) {
	sections := make(map[edn.Keyword][]edn.Value)
	switch q := form.(type) {
	case edn.Vector, edn.List:
		elems, _ := seqOf(q)
		var current *edn.Keyword
		for _, e := range elems {
			if k, ok := e.(edn.Keyword); ok {
				if !isSection(k) {
					return nil, errorf("unknown section %s in query", k)
				}
				current = &k
				sections[k] = append(sections[k], []edn.Value{}...)
				continue
			}
			if current == nil {
				return nil, errorf("query must start with a keyword such as :find, got %s", show(e))
			}
			sections[*current] = append(sections[*current], e)
		}
	case *edn.Map:
		for _, e := range q.Entries() {
			k, ok := e.Key.(edn.Keyword)
			if !ok || !isSection(k) {
				return nil, errorf("unknown section %s in query", show(e.Key))
			}
			elems, ok := seqOf(e.Value)
			if !ok {
				return nil, errorf("%s must be a vector in the map form, got %s", k, show(e.Value))
			}
			sections[k] = elems
		}
	default:
		return nil, errorf("query must be a vector or a map, got %s", show(form))
	}
	return sections, nil
}

// parser holds the variables of the query or rule branch being parsed.
type parser struct {
	scope *scope
}

func (p *parser) variable(v edn.Value) (Var, bool) {
	if !isVariable(v) {
		return NoVar, false
	}
	return p.scope.intern(v.(edn.Symbol)), true
}

// parseFind tells the four shapes of :find apart as DataScript does: a
// relation of find elements first, then [elem ...], elem ., and [elems].
func (p *parser) parseFind(forms []edn.Value) (Find, error) {
	if len(forms) > 0 && allFindElems(forms) {
		elems, err := p.findElems(forms)
		return Find{Kind: FindRel, Elems: elems}, err
	}
	if len(forms) == 1 {
		if inner, ok := seqOf(forms[0]); ok && len(inner) == 2 && isSymbol(inner[1], symEllipsis) {
			elems, err := p.findElems(inner[:1])
			return Find{Kind: FindColl, Elems: elems}, err
		}
		if inner, ok := seqOf(forms[0]); ok && len(inner) > 0 && allFindElems(inner) {
			elems, err := p.findElems(inner)
			return Find{Kind: FindTuple, Elems: elems}, err
		}
	}
	if len(forms) == 2 && isSymbol(forms[1], symDot) && allFindElems(forms[:1]) {
		elems, err := p.findElems(forms[:1])
		return Find{Kind: FindScalar, Elems: elems}, err
	}
	return Find{}, errorf("cannot parse :find %s, expected ?a ?b (relation), [?a ...] (collection), [?a ?b] (tuple) or ?a . (scalar)", show(edn.Vector(forms)))
}

// allFindElems reports whether each form looks like a find element: a
// variable or a call such as (count ?x) or (pull ?e [*]).
func allFindElems(forms []edn.Value) bool {
	for _, f := range forms {
		if isVariable(f) {
			continue
		}
		if _, elems, ok := headSymbol(f); !ok || !isPlainSymbol(elems[0]) {
			return false
		}
	}
	return true
}

func (p *parser) findElems(forms []edn.Value) ([]FindElem, error) {
	elems := make([]FindElem, len(forms))
	for i, f := range forms {
		e, err := p.parseFindElem(f)
		if err != nil {
			return nil, err
		}
		elems[i] = e
	}
	return elems, nil
}

func (p *parser) parseFindElem(form edn.Value) (FindElem, error) {
	if v, ok := p.variable(form); ok {
		return FindElem{Kind: ElemVar, Var: v}, nil
	}
	head, elems, _ := headSymbol(form)
	switch head.Name {
	case "pull":
		if head.Namespace == "" {
			pull, err := p.parsePullExpr(form, elems)
			if err != nil {
				return FindElem{}, err
			}
			return FindElem{Kind: ElemPull, Var: pull.Var, Pull: pull}, nil
		}
	case "aggregate":
		if head.Namespace == "" {
			return p.parseCustomAggregate(form, elems)
		}
	}
	return p.parseAggregate(form, head, elems)
}

func (p *parser) parsePullExpr(form edn.Value, elems []edn.Value) (*PullExpr, error) {
	bad := errorf("cannot parse pull expression %s, expected (pull $src? ?entity pattern)", show(form))
	if len(elems) != 3 && len(elems) != 4 {
		return nil, bad
	}
	pull := &PullExpr{Source: symDefault, PatternVar: NoVar}
	args := elems[1:]
	if len(elems) == 4 {
		if !isSource(args[0]) {
			return nil, bad
		}
		pull.Source, args = args[0].(edn.Symbol), args[1:]
	}
	var ok bool
	if pull.Var, ok = p.variable(args[0]); !ok {
		return nil, bad
	}
	switch pattern := args[1].(type) {
	case edn.Symbol:
		if !isVariable(pattern) && !isPlainSymbol(pattern) {
			return nil, bad
		}
		pull.PatternVar = p.scope.intern(pattern) // a plain symbol names an input, as in DataScript
	default:
		parsed, err := ParsePull(pattern)
		if err != nil {
			return nil, errorf("in %s: %w", show(form), err)
		}
		pull.Pattern = parsed
	}
	return pull, nil
}

// parseReturnMap reads :keys, :strs or :syms: names written as symbols (or
// keywords or strings) that become keyword, string or symbol keys.
func parseReturnMap(sections map[edn.Keyword][]edn.Value) (*ReturnMap, error) {
	var rm *ReturnMap
	for _, kind := range []struct {
		kw   edn.Keyword
		kind ReturnKind
	}{{kwKeys, ReturnKeys}, {kwStrs, ReturnStrs}, {kwSyms, ReturnSyms}} {
		names, ok := sections[kind.kw]
		if !ok {
			continue
		}
		if rm != nil {
			return nil, errorf("only one of :keys, :strs and :syms may be given")
		}
		rm = &ReturnMap{Kind: kind.kind}
		for _, n := range names {
			key, err := returnKey(kind.kind, n)
			if err != nil {
				return nil, err
			}
			rm.Keys = append(rm.Keys, key)
		}
	}
	return rm, nil
}

func returnKey(kind ReturnKind, n edn.Value) (edn.Value, error) {
	var name edn.Symbol
	switch x := n.(type) {
	case edn.Symbol:
		name = x
	case edn.Keyword:
		name = edn.Symbol(x)
	case string:
		name = edn.Sym(x)
	default:
		return nil, errorf("return map keys must be symbols, got %s", show(n))
	}
	switch kind {
	case ReturnKeys:
		return edn.Keyword(name), nil
	case ReturnStrs:
		return name.String(), nil
	}
	return name, nil
}

func (p *parser) parseWith(forms []edn.Value) ([]Var, error) {
	vars := make([]Var, 0, len(forms))
	for _, f := range forms {
		v, ok := p.variable(f)
		if !ok {
			return nil, errorf("cannot parse :with %s, expected variables", show(edn.Vector(forms)))
		}
		vars = append(vars, v)
	}
	return vars, nil
}

// parseIn reads :in: sources, the rules var %, plain symbols (which
// DataScript takes as variables) and bindings.
func (p *parser) parseIn(forms []edn.Value) ([]Input, error) {
	inputs := make([]Input, 0, len(forms))
	for _, f := range forms {
		switch {
		case isSource(f):
			inputs = append(inputs, Input{Kind: InSource, Source: f.(edn.Symbol)})
		case isSymbol(f, symRules):
			inputs = append(inputs, Input{Kind: InRules})
		case isPlainSymbol(f):
			v := p.scope.intern(f.(edn.Symbol))
			inputs = append(inputs, Input{Kind: InBinding, Binding: &BindScalar{Var: v}})
		default:
			b, err := p.parseBinding(f)
			if err != nil {
				return nil, err
			}
			inputs = append(inputs, Input{Kind: InBinding, Binding: b})
		}
	}
	return inputs, nil
}

// parseBinding reads a binding form: [?x ...], [[?a ?b]], [?a _ ?b], _ or
// ?x, tried in DataScript's order.
func (p *parser) parseBinding(form edn.Value) (Binding, error) {
	elems, ok := seqOf(form)
	switch {
	case ok && len(elems) == 2 && isSymbol(elems[1], symEllipsis):
		elem, err := p.parseBinding(elems[0])
		if err != nil {
			return nil, err
		}
		return &BindColl{Elem: elem}, nil
	case ok && len(elems) == 1:
		if inner, isSeq := seqOf(elems[0]); isSeq { // [[?a ?b]]: a relation
			tuple, err := p.parseTuple(elems[0], inner)
			if err != nil {
				return nil, err
			}
			return &BindColl{Elem: tuple}, nil
		}
		return p.parseTuple(form, elems)
	case ok:
		return p.parseTuple(form, elems)
	case isSymbol(form, symBlank):
		return &BindIgnore{}, nil
	}
	if v, ok := p.variable(form); ok {
		return &BindScalar{Var: v}, nil
	}
	return nil, errorf("cannot parse binding %s, expected ?x, [?a ?b], [?x ...] or [[?a ?b]]", show(form))
}

func (p *parser) parseTuple(form edn.Value, elems []edn.Value) (*BindTuple, error) {
	if len(elems) == 0 {
		return nil, errorf("tuple binding cannot be empty: %s", show(form))
	}
	tuple := &BindTuple{Elems: make([]Binding, len(elems))}
	for i, e := range elems {
		b, err := p.parseBinding(e)
		if err != nil {
			return nil, err
		}
		tuple.Elems[i] = b
	}
	return tuple, nil
}
