package query

import (
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// Rules are evaluated with tabling, bottom-up and goal-directed (the
// magic-sets idea): a call of rule r with some arguments bound is a table
// keyed by (r, which arguments are bound, source). The table collects the
// bound argument tuples it was called with (seeds) and the answers found
// so far. A session evaluates every branch of every table against its
// seeds, calls inside branches adding seeds to their tables and reading
// their current answers, round after round until no table gains a seed or
// an answer. Sets only grow and hold values of the database, so recursion
// terminates on cycles. Rules under not run in a session of their own to
// completion first, which stratifies negation; a rule that reaches itself
// through not is an error.

// maxNegationDepth bounds sessions nested through not.
const maxNegationDepth = 32

type tableKey struct {
	rule *Rule
	mask uint64 // bit i: argument i is bound
	src  edn.Symbol
}

type table struct {
	key       tableKey
	seeds     *relation // columns: the bound argument positions, as Var(i)
	seedSet   *rowSet
	answers   *relation // columns: all argument positions, Var(0) up
	answerSet *rowSet
	index     *rowIndex // answers by bound positions, valid for indexRows
	indexRows int
}

type session struct {
	ex      *exec
	tables  []*table
	byKey   map[tableKey]*table
	changed bool
}

func newSession(ex *exec) *session {
	return &session{ex: ex, byKey: map[tableKey]*table{}}
}

func (s *session) table(k tableKey) *table {
	if t, ok := s.byKey[k]; ok {
		return t
	}
	var bound []Var
	for i := range k.rule.Arity {
		if k.mask&(1<<i) != 0 {
			bound = append(bound, Var(i))
		}
	}
	all := make([]Var, k.rule.Arity)
	for i := range all {
		all[i] = Var(i)
	}
	t := &table{
		key:   k,
		seeds: newRelation(bound, 1), seedSet: newRowSet(len(bound)),
		answers: newRelation(all, 0), answerSet: newRowSet(len(all)),
	}
	s.byKey[k] = t
	s.tables = append(s.tables, t)
	s.changed = true
	return t
}

// run evaluates the tables to their fixpoint.
func (s *session) run() error {
	for s.changed {
		s.changed = false
		for i := 0; i < len(s.tables); i++ { // tables may be added meanwhile
			t := s.tables[i]
			for _, b := range t.key.rule.Branches {
				if err := s.branch(t, b); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// branch evaluates one branch of a rule for the table's seeds.
func (s *session) branch(t *table, b *RuleBranch) error {
	var headBound []Var
	for i, v := range b.Head {
		if t.key.mask&(1<<i) != 0 {
			headBound = append(headBound, v)
		}
	}
	w := len(headBound)
	seed := &relation{vars: headBound, rows: t.seeds.rows[: t.seeds.n*w : t.seeds.n*w], n: t.seeds.n}
	inner := &env{ex: s.ex, names: b.Vars, implicit: t.key.src, rels: []*relation{seed}, sess: s}
	if err := inner.clauses(b.Clauses); err != nil {
		return err
	}
	for _, v := range b.Head {
		if !inner.bound(v) {
			return errorf("insufficient bindings: %s of rule %s is not bound by %s", b.Vars[v], t.key.rule.Name, show(b.Form))
		}
	}
	got := inner.collapse(b.Head)
	got.vars = t.answers.vars // positions, in head order
	if addDistinct(t.answers, t.answerSet, got) > 0 {
		s.changed = true
	}
	return nil
}

func (s *session) addSeeds(t *table, seeds *relation) {
	if addDistinct(t.seeds, t.seedSet, seeds) > 0 {
		s.changed = true
	}
}

// ruleCall evaluates (rule args...): it finds the answers for the bound
// arguments' values and joins them in.
func (en *env) ruleCall(c *RuleCall) error {
	ex := en.ex
	rule := ex.rules.Lookup(c.Name)
	if rule == nil {
		return errorf("unknown rule %s in %s", c.Name, show(c.Form))
	}
	src := c.Source
	if src == (edn.Symbol{}) {
		src = en.implicit
	}
	var boundVars []Var
	var mask uint64
	for i, t := range c.Args {
		switch {
		case t.Kind == TermConst, t.Kind == TermVar && en.bound(t.Var):
			mask |= 1 << i
			if t.Kind == TermVar {
				boundVars = append(boundVars, t.Var)
			}
		}
	}
	rel := en.take(boundVars)
	keys := en.callKeys(c, mask, rel)
	sess := en.sess
	if sess == nil {
		if ex.negDepth > maxNegationDepth {
			return errorf("rule %s reaches itself through not, which cannot be evaluated", c.Name)
		}
		sess = newSession(ex)
	}
	t := sess.table(tableKey{rule: rule, mask: mask, src: src})
	sess.addSeeds(t, distinctRows(keys))
	if en.sess == nil {
		if err := sess.run(); err != nil {
			return err
		}
	}
	en.put(joinAnswers(c, rel, keys, t))
	return nil
}

// callKeys returns, per row of rel, the values of the bound arguments.
func (en *env) callKeys(c *RuleCall, mask uint64, rel *relation) *relation {
	var vars []Var
	var cols []int
	var consts []val
	for i, t := range c.Args {
		if mask&(1<<i) == 0 {
			continue
		}
		vars = append(vars, Var(i))
		if t.Kind == TermVar {
			cols = append(cols, rel.col(t.Var))
			consts = append(consts, valNil)
		} else {
			cols = append(cols, -1)
			consts = append(consts, en.constVal(t))
		}
	}
	keys := newRelation(vars, rel.n)
	buf := make([]val, len(vars))
	for i := range rel.n {
		row := rel.row(i)
		for j, c := range cols {
			if c >= 0 {
				buf[j] = row[c]
			} else {
				buf[j] = consts[j]
			}
		}
		keys.addRow(buf)
	}
	return keys
}

func distinctRows(r *relation) *relation {
	return project(r, r.vars)
}

// joinAnswers extends each row of rel with the answers matching its keys,
// binding the call's unbound variables.
func joinAnswers(c *RuleCall, rel, keys *relation, t *table) *relation {
	var fresh []Var
	var freshPos []int
	var dups [][2]int
	for i, a := range c.Args {
		if a.Kind != TermVar || t.key.mask&(1<<i) != 0 {
			continue
		}
		if j := slices.Index(fresh, a.Var); j >= 0 {
			dups = append(dups, [2]int{i, freshPos[j]})
			continue
		}
		fresh = append(fresh, a.Var)
		freshPos = append(freshPos, i)
	}
	if t.index == nil || t.indexRows != t.answers.n {
		t.index, t.indexRows = buildIndex(t.answers, t.answers.cols(keys.vars)), t.answers.n
	}
	keyCols := make([]int, keys.width())
	for i := range keyCols {
		keyCols[i] = i
	}
	out := newRelation(concatVars(rel.vars, fresh), rel.n)
	for i := range rel.n {
		row := rel.row(i)
		t.index.each(keys.row(i), keyCols, func(j int) {
			ans := t.answers.row(j)
			for _, d := range dups {
				if ans[d[0]] != ans[d[1]] {
					return
				}
			}
			out.rows = append(out.rows, row...)
			for _, p := range freshPos {
				out.rows = append(out.rows, ans[p])
			}
			out.n++
		})
	}
	return out
}
