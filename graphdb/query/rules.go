package query

import (
	"fmt"

	"github.com/steledb/stele/graphdb/edn"
)

// Rules is a parsed rule set, the value of the % input:
//
//	[[(follows ?a ?b) [?a :follows ?b]]
//	 [(follows ?a ?b) [?a :follows ?x] (follows ?x ?b)]]
//
// Branches with the same name form one rule.
type Rules struct {
	Form   edn.Value
	Rules  []*Rule // in order of first definition
	byName map[edn.Symbol]*Rule
}

// Rule is a named rule and its branches, whose results are united.
type Rule struct {
	Name     edn.Symbol
	Required int // the first Required arguments must be bound by the caller
	Arity    int
	Branches []*RuleBranch
}

// RuleBranch is one definition [(name ?head...) clauses...]. Its variables
// are its own: Var values index Vars, not the Vars of a query.
type RuleBranch struct {
	Form    edn.Value
	Vars    []edn.Symbol
	Head    []Var // the required variables first
	Clauses []Clause
}

// Lookup returns the rule of the given name, or nil.
func (r *Rules) Lookup(name edn.Symbol) *Rule { return r.byName[name] }

// ParseRules parses a rule set: a vector of branches [(name vars...)
// clauses...], where vars are [?a ?b] or [[?required...] ?free...] as in
// or-join. All branches of a rule must have the same numbers of required
// and free variables.
func ParseRules(form edn.Value) (*Rules, error) {
	elems, ok := seqOf(form)
	if !ok {
		return nil, errorf("rules must be a vector of [(name ?vars...) clauses...], got %s", show(form))
	}
	rs := &Rules{Form: form, byName: make(map[edn.Symbol]*Rule)}
	for _, e := range elems {
		name, branch, required, err := parseRuleBranch(e)
		if err != nil {
			return nil, err
		}
		rule := rs.byName[name]
		if rule == nil {
			rule = &Rule{Name: name, Required: required, Arity: len(branch.Head)}
			rs.byName[name] = rule
			rs.Rules = append(rs.Rules, rule)
		} else if rule.Required != required || rule.Arity != len(branch.Head) {
			return nil, errorf("arity mismatch for rule %s: %s vs. %s", name, show(rule.Branches[0].Form), show(e))
		}
		rule.Branches = append(rule.Branches, branch)
	}
	return rs, nil
}

func parseRuleBranch(form edn.Value) (edn.Symbol, *RuleBranch, int, error) {
	elems, ok := seqOf(form)
	if !ok || len(elems) == 0 {
		return edn.Symbol{}, nil, 0, errorf("cannot parse rule %s, expected [(name ?vars...) clauses...]", show(form))
	}
	head, ok := seqOf(elems[0])
	if !ok || len(head) == 0 {
		return edn.Symbol{}, nil, 0, errorf("cannot parse rule head %s, expected (name ?vars...)", show(elems[0]))
	}
	if !isPlainSymbol(head[0]) {
		return edn.Symbol{}, nil, 0, errorf("cannot parse rule name %s in %s, expected a plain symbol", show(head[0]), show(form))
	}
	name := head[0].(edn.Symbol)
	p := &parser{scope: newScope()}
	required, free, err := p.ruleVars(elems[0], head[1:])
	if err != nil {
		return name, nil, 0, errorf("in rule %s: %w", name, err)
	}
	if len(elems) == 1 {
		return name, nil, 0, errorf("rule branch %s should have clauses", show(form))
	}
	clauses, err := p.parseClauses(elems[1:])
	if err != nil {
		return name, nil, 0, fmt.Errorf("in rule %s: %w", name, err)
	}
	branch := &RuleBranch{
		Form:    form,
		Vars:    p.scope.names,
		Head:    append(required, free...),
		Clauses: clauses,
	}
	return name, branch, len(required), nil
}

// CheckRules checks the rule calls of q against rules, the rule set that
// will be bound to %: every rule called exists with the arity of the
// call, required arguments are bound where called, and the branches of
// the rules reached pass the same binding checks as a query (with the head
// variables taken as bound, since callers may bind any of them).
func (q *Query) CheckRules(rules *Rules) error {
	in, err := checkInputs(q)
	if err != nil {
		return err
	}
	a := &analysis{names: q.Vars, rules: rules, checked: map[*Rule]bool{}}
	return a.clauses(q.Where, in.vars.clone())
}

// ruleCall checks a call against the rule set, if known, and the rule's
// branches the first time it is reached.
func (a *analysis) ruleCall(c *RuleCall, bound varSet) error {
	if a.rules == nil {
		return nil
	}
	rule := a.rules.Lookup(c.Name)
	if rule == nil {
		return errorf("unknown rule %s in %s", c.Name, show(c.Form))
	}
	if len(c.Args) != rule.Arity {
		return errorf("rule %s takes %d arguments, got %d in %s", c.Name, rule.Arity, len(c.Args), show(c.Form))
	}
	for _, t := range c.Args[:rule.Required] {
		if t.Kind == TermBlank || t.Kind == TermVar && !bound.has(t.Var) {
			return errorf("insufficient bindings: %s needs its first %d arguments bound in %s", c.Name, rule.Required, show(c.Form))
		}
	}
	return a.checkRule(rule)
}

func (a *analysis) checkRule(rule *Rule) error {
	if a.checked[rule] {
		return nil
	}
	a.checked[rule] = true // before the branches, which may recur
	for _, b := range rule.Branches {
		inner := &analysis{names: b.Vars, rules: a.rules, checked: a.checked}
		bound := varSet{}
		bound.add(b.Head...)
		if err := inner.clauses(b.Clauses, bound); err != nil {
			return fmt.Errorf("in rule %s: %w", rule.Name, err)
		}
	}
	return nil
}
