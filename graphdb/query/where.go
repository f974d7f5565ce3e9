package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// maxPatternTerms is the length of a datom: entity, attribute, value,
// transaction and added flag.
const maxPatternTerms = 5

func (p *parser) parseClauses(forms []edn.Value) ([]Clause, error) {
	clauses := make([]Clause, 0, len(forms))
	for _, f := range forms {
		c, err := p.parseClause(f)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, c)
	}
	return clauses, nil
}

// parseClause reads one :where clause, trying the forms in DataScript's
// order: not, not-join, or, or-join, predicate, function, rule call, data
// pattern.
func (p *parser) parseClause(form edn.Value) (Clause, error) {
	elems, ok := seqOf(form)
	if !ok {
		return nil, errorf("cannot parse clause %s, expected a data pattern, predicate, function, rule call, not, not-join, or or or-join", show(form))
	}
	source, rest := takeSource(elems)
	if head, ok := firstSymbol(rest); ok && head.Namespace == "" {
		switch head.Name {
		case "not":
			return p.parseNot(form, source, rest[1:])
		case "not-join":
			return p.parseNotJoin(form, source, rest[1:])
		case "or":
			return p.parseOr(form, source, rest[1:])
		case "or-join":
			return p.parseOrJoin(form, source, rest[1:])
		case "and":
			return nil, errorf("%s: and is allowed only as a branch of or", show(form))
		}
	}
	if len(elems) > 0 {
		if call, isCall := elems[0].(edn.List); isCall && len(elems) <= 2 {
			return p.parseCall(form, call, elems[1:])
		}
	}
	if head, ok := firstSymbol(rest); ok && isPlainSymbol(head) {
		return p.parseRuleCall(form, source, head, rest[1:])
	}
	return p.parsePattern(form, source, rest)
}

// takeSource splits off a leading source variable.
func takeSource(elems []edn.Value) (edn.Symbol, []edn.Value) {
	if len(elems) > 0 && isSource(elems[0]) {
		return elems[0].(edn.Symbol), elems[1:]
	}
	return edn.Symbol{}, elems
}

func firstSymbol(elems []edn.Value) (edn.Symbol, bool) {
	if len(elems) == 0 {
		return edn.Symbol{}, false
	}
	s, ok := elems[0].(edn.Symbol)
	return s, ok
}

func (p *parser) parsePattern(form edn.Value, source edn.Symbol, elems []edn.Value) (Clause, error) {
	switch {
	case len(elems) == 0:
		return nil, errorf("pattern %s cannot be empty", show(form))
	case len(elems) > maxPatternTerms:
		return nil, errorf("pattern %s has more than %d elements (e a v tx added)", show(form), maxPatternTerms)
	}
	c := &Pattern{Form: form, Source: source, Terms: make([]Term, len(elems))}
	for i, e := range elems {
		t, ok := p.patternElem(e)
		if !ok {
			return nil, errorf("cannot parse clause %s: %s is not a variable, _ or a constant", show(form), show(e))
		}
		c.Terms[i] = t
	}
	return c, nil
}

// parseCall reads [(f args...)] or [(f args...) binding].
func (p *parser) parseCall(form edn.Value, call edn.List, binding []edn.Value) (Clause, error) {
	if len(call) == 0 {
		return nil, errorf("cannot parse clause %s: empty call ()", show(form))
	}
	fn := Fn{Var: NoVar}
	switch {
	case isVariable(call[0]):
		fn.Var, _ = p.variable(call[0])
	case isPlainSymbol(call[0]):
		fn.Name = call[0].(edn.Symbol)
	default:
		return nil, errorf("cannot parse clause %s: %s is not a function name or variable", show(form), show(call[0]))
	}
	args := make([]Term, len(call)-1)
	for i, a := range call[1:] {
		t, ok := p.fnArg(a)
		if !ok {
			return nil, errorf("cannot parse clause %s: argument %s is not a variable, constant or source", show(form), show(a))
		}
		args[i] = t
	}
	if len(binding) == 0 {
		return &Predicate{Form: form, Fn: fn, Args: args}, nil
	}
	b, err := p.parseBinding(binding[0])
	if err != nil {
		return nil, errorf("in %s: %w", show(form), err)
	}
	return &Function{Form: form, Fn: fn, Args: args, Binding: b}, nil
}

func (p *parser) parseRuleCall(form edn.Value, source, name edn.Symbol, elems []edn.Value) (Clause, error) {
	if len(elems) == 0 {
		return nil, errorf("rule call %s needs at least one argument", show(form))
	}
	c := &RuleCall{Form: form, Source: source, Name: name, Args: make([]Term, len(elems))}
	for i, e := range elems {
		t, ok := p.patternElem(e)
		if !ok {
			return nil, errorf("cannot parse rule call %s: argument %s is not a variable, _ or a constant", show(form), show(e))
		}
		c.Args[i] = t
	}
	return c, nil
}

func (p *parser) parseNot(form edn.Value, source edn.Symbol, elems []edn.Value) (Clause, error) {
	if len(elems) == 0 {
		return nil, errorf("cannot parse %s, expected (not clauses...)", show(form))
	}
	clauses, err := p.parseClauses(elems)
	if err != nil {
		return nil, err
	}
	vars := distinctVars(collectClausesVars(clauses, nil))
	if len(vars) == 0 {
		return nil, errorf("%s uses no variables to join on", show(form))
	}
	return &Not{Form: form, Source: source, Vars: vars, Clauses: clauses}, nil
}

func (p *parser) parseNotJoin(form edn.Value, source edn.Symbol, elems []edn.Value) (Clause, error) {
	bad := errorf("cannot parse %s, expected (not-join [?vars...] clauses...)", show(form))
	if len(elems) < 2 {
		return nil, bad
	}
	varForms, ok := seqOf(elems[0])
	if !ok {
		return nil, bad
	}
	vars := make([]Var, len(varForms))
	for i, f := range varForms {
		if vars[i], ok = p.variable(f); !ok {
			return nil, bad
		}
	}
	if len(vars) == 0 {
		return nil, errorf("join variables of %s should not be empty", show(form))
	}
	clauses, err := p.parseClauses(elems[1:])
	if err != nil {
		return nil, err
	}
	if err := p.checkJoinVarsUsed(form, vars, clauses); err != nil {
		return nil, err
	}
	return &Not{Form: form, Source: source, Join: true, Vars: vars, Clauses: clauses}, nil
}

func (p *parser) checkJoinVarsUsed(form edn.Value, vars []Var, clauses []Clause) error {
	used := varSet{}
	used.add(collectClausesVars(clauses, nil)...)
	if missing := used.minus(vars); len(missing) > 0 {
		return errorf("join variables %s of %s are not used in its clauses", showVars(p.scope.names, missing), show(form))
	}
	return nil
}

func (p *parser) parseOr(form edn.Value, source edn.Symbol, elems []edn.Value) (Clause, error) {
	if len(elems) == 0 {
		return nil, errorf("cannot parse %s, expected (or clauses...)", show(form))
	}
	branches, err := p.parseBranches(elems)
	if err != nil {
		return nil, err
	}
	vars := distinctVars(collectClausesVars(branches, nil))
	if len(vars) == 0 {
		return nil, errorf("%s uses no variables to join on", show(form))
	}
	return &Or{Form: form, Source: source, Free: vars, Branches: branches}, nil
}

func (p *parser) parseOrJoin(form edn.Value, source edn.Symbol, elems []edn.Value) (Clause, error) {
	if len(elems) < 2 {
		return nil, errorf("cannot parse %s, expected (or-join [?vars...] clauses...)", show(form))
	}
	required, free, err := p.parseRuleVars(elems[0])
	if err != nil {
		return nil, errorf("in %s: %w", show(form), err)
	}
	branches, err := p.parseBranches(elems[1:])
	if err != nil {
		return nil, err
	}
	return &Or{Form: form, Source: source, Join: true, Required: required, Free: free, Branches: branches}, nil
}

// parseBranches reads the branches of or and or-join: clauses or (and
// clauses...).
func (p *parser) parseBranches(forms []edn.Value) ([]Clause, error) {
	branches := make([]Clause, len(forms))
	for i, f := range forms {
		if head, elems, ok := headSymbol(f); ok && head == (edn.Symbol{Name: "and"}) {
			if len(elems) < 2 {
				return nil, errorf("cannot parse %s, expected (and clauses...)", show(f))
			}
			clauses, err := p.parseClauses(elems[1:])
			if err != nil {
				return nil, err
			}
			branches[i] = &And{Form: f, Clauses: clauses}
			continue
		}
		c, err := p.parseClause(f)
		if err != nil {
			return nil, err
		}
		branches[i] = c
	}
	return branches, nil
}

// parseRuleVars reads the variables of or-join and of rule heads:
// [?a ?b] or [[?required...] ?free...].
func (p *parser) parseRuleVars(form edn.Value) (required, free []Var, err error) {
	elems, ok := seqOf(form)
	if !ok {
		return nil, nil, errorf("cannot parse rule vars %s, expected [?a ?b] or [[?required] ?free]", show(form))
	}
	return p.ruleVars(form, elems)
}

func (p *parser) ruleVars(form edn.Value, elems []edn.Value) (required, free []Var, err error) {
	if len(elems) > 0 {
		if req, ok := seqOf(elems[0]); ok {
			if required, err = p.varList(req); err != nil {
				return nil, nil, err
			}
			elems = elems[1:]
		}
	}
	if free, err = p.varList(elems); err != nil {
		return nil, nil, err
	}
	all := append(append([]Var(nil), required...), free...)
	switch {
	case len(all) == 0:
		return nil, nil, errorf("cannot parse rule vars %s, expected [?a ?b] or [[?required] ?free]", show(form))
	case len(distinctVars(all)) != len(all):
		return nil, nil, errorf("rule variables %s should be distinct", show(form))
	}
	return required, free, nil
}

func (p *parser) varList(forms []edn.Value) ([]Var, error) {
	vars := make([]Var, len(forms))
	for i, f := range forms {
		v, ok := p.variable(f)
		if !ok {
			return nil, errorf("cannot parse var, expected a symbol starting with ?, got %s", show(f))
		}
		vars[i] = v
	}
	return vars, nil
}

func distinctVars(vs []Var) []Var {
	return varSet{}.minus(vs)
}
