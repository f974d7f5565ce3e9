package query

import (
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// Rules are evaluated with tabling, bottom-up and goal-directed (the
// magic-sets idea): a call of rule r with some arguments bound is a table
// keyed by (r, which arguments are bound, source). The table collects the
// bound argument tuples it was called with (seeds) and the answers found
// so far. A session evaluates the branches of its tables against their
// seeds, calls inside branches adding seeds to their tables and reading
// their answers, round after round until no table gains a seed or an
// answer. Sets only grow and hold values of the database, so recursion
// terminates on cycles.
//
// Rounds are semi-naive: a table's first round evaluates its branches in
// full; later rounds evaluate them for the seeds new since the last round,
// and once per rule call in the branch with that call reading only the
// answers its table gained in the last round (the delta) while the other
// calls read all answers. A derivation whose newest fact is from round k
// is thus found in round k+1, and nothing is derived again from old facts
// only.
//
// Rules under not run in a session of their own to completion first,
// which stratifies negation; a rule that reaches itself through not is an
// error.

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
	evaluated bool // the first, full round is done

	// Rows [seedDone, n) of seeds are not evaluated yet; this round
	// evaluates [seedFrom, seedTo). Answers [ansFrom, ansTo) are the delta
	// this round; ansDone is where the next round's delta starts.
	seedDone, seedFrom, seedTo int
	ansDone, ansFrom, ansTo    int

	full, delta rangeIndex // answers by bound positions
}

// rangeIndex is an index of rows [from, to) of the answers.
type rangeIndex struct {
	idx      *rowIndex
	from, to int
}

type session struct {
	ex      *exec
	tables  []*table
	byKey   map[tableKey]*table
	changed bool
	delta   *RuleCall // the call reading a delta in the branch being evaluated
	sites   map[*RuleBranch][]*RuleCall
}

func newSession(ex *exec) *session {
	return &session{ex: ex, byKey: map[tableKey]*table{}, sites: map[*RuleBranch][]*RuleCall{}}
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
		for _, t := range s.tables {
			t.seedFrom, t.seedTo = t.seedDone, t.seeds.n
			t.ansFrom, t.ansTo = t.ansDone, t.answers.n
		}
		for i := 0; i < len(s.tables); i++ { // tables may be added meanwhile
			if err := s.round(s.tables[i]); err != nil {
				return err
			}
		}
		for _, t := range s.tables {
			t.ansDone = t.ansTo
		}
	}
	return nil
}

// round evaluates the branches of t for one round.
func (s *session) round(t *table) error {
	if !t.evaluated {
		t.evaluated, t.seedDone = true, t.seeds.n
		t.ansTo = t.ansFrom // a table's first round reads no delta
		for _, b := range t.key.rule.Branches {
			if err := s.branch(t, b, 0, t.seedDone); err != nil {
				return err
			}
		}
		return nil
	}
	t.seedDone = t.seedTo
	for _, b := range t.key.rule.Branches {
		if t.seedTo > t.seedFrom {
			if err := s.branch(t, b, t.seedFrom, t.seedTo); err != nil {
				return err
			}
		}
		for _, c := range s.callSites(b) {
			if !s.hasDelta(c.Name) {
				continue
			}
			s.delta = c
			err := s.branch(t, b, 0, t.seedFrom)
			s.delta = nil
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// hasDelta reports whether a table of the rule gained answers last round.
func (s *session) hasDelta(name edn.Symbol) bool {
	for _, t := range s.tables {
		if t.key.rule.Name == name && t.ansTo > t.ansFrom {
			return true
		}
	}
	return false
}

// callSites lists the rule calls of a branch that run in its session:
// all but those under not.
func (s *session) callSites(b *RuleBranch) []*RuleCall {
	if sites, ok := s.sites[b]; ok {
		return sites
	}
	var sites []*RuleCall
	var walk func(cs []Clause)
	walk = func(cs []Clause) {
		for _, c := range cs {
			switch c := c.(type) {
			case *RuleCall:
				sites = append(sites, c)
			case *Or:
				walk(c.Branches)
			case *And:
				walk(c.Clauses)
			}
		}
	}
	walk(b.Clauses)
	s.sites[b] = sites
	return sites
}

// branch evaluates one branch of a rule for seeds [from, to).
func (s *session) branch(t *table, b *RuleBranch, from, to int) error {
	if from >= to {
		return nil
	}
	var headBound []Var
	for i, v := range b.Head {
		if t.key.mask&(1<<i) != 0 {
			headBound = append(headBound, v)
		}
	}
	w := len(headBound)
	seed := &relation{vars: headBound, rows: t.seeds.rows[from*w : to*w : to*w], n: to - from}
	inner := &env{ex: s.ex, names: b.Vars, implicit: t.key.src, rels: []*relation{seed}, sess: s}
	if err := inner.clauses(b.Clauses); err != nil {
		return err
	}
	for _, v := range b.Head {
		if !inner.bound(v) {
			return errorf("insufficient bindings: %s of rule %s is not bound by %s", b.Vars[v], t.key.rule.Name, show(b.Form))
		}
	}
	got := inner.collapseBag(b.Head, false)
	got = &relation{vars: t.answers.vars, rows: got.rows, n: got.n} // positions, in head order
	if addDistinct(t.answers, t.answerSet, got) > 0 {
		s.changed = true
	}
	return nil
}

// answersIndex returns the index of the answers a call reads: the delta
// if it is the call reading it, else all.
func (s *session) answersIndex(c *RuleCall, t *table, keyVars []Var) (*rowIndex, int) {
	ri, from, to := &t.full, 0, t.answers.n
	if s != nil && s.delta == c {
		ri, from, to = &t.delta, t.ansFrom, t.ansTo
	}
	if ri.idx == nil || ri.from != from || ri.to != to {
		w := t.answers.width()
		view := &relation{vars: t.answers.vars, rows: t.answers.rows[from*w : to*w], n: to - from}
		ri.idx, ri.from, ri.to = buildIndex(view, view.cols(keyVars)), from, to
	}
	return ri.idx, from
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
	idx, from := sess.answersIndex(c, t, keys.vars)
	en.put(joinAnswers(c, rel, keys, t, idx, from))
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
// The index covers the answers from row from on.
func joinAnswers(c *RuleCall, rel, keys *relation, t *table, idx *rowIndex, from int) *relation {
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
	keyCols := make([]int, keys.width())
	for i := range keyCols {
		keyCols[i] = i
	}
	out := newRelation(concatVars(rel.vars, fresh), rel.n)
	for i := range rel.n {
		row := rel.row(i)
		idx.each(keys.row(i), keyCols, func(j int) {
			ans := t.answers.row(from + j)
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
