package query

import (
	"slices"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// Live is a query kept up to date as transactions are materialized. It is
// a state machine without goroutines: the caller (the node) feeds it each
// transaction report in order and forwards the changes.
//
// Apply first compares the attributes the transaction touched
// (graphdb.Report.Attrs) with those the query reads: its data patterns'
// attributes, through rules, not and or, and its pull patterns'. When
// none is shared, the result cannot have changed and the query is not
// evaluated. Otherwise the query runs again on the new database and its
// rows are diffed with the previous ones. A query that reads an attribute
// through a variable (or calls a function on a source, or pulls a
// wildcard) may be affected by any transaction.
//
// The databases among the inputs that are current (not time views) and
// of the report's feed are replaced by the report's new database; other
// inputs stay as given.
type Live struct {
	q       *Query
	opts    *Options
	inputs  []any
	current []int // positions of inputs replaced by each report's database
	reads   attrSet
	rows    *edn.Set
	result  edn.Value
	basis   int64
}

// Change is what one transaction did to a live query's result.
type Change struct {
	Tx      int64 // feed position of the transaction
	Skipped bool  // the transaction cannot affect the query, which did not run
	// Added and Removed are the rows that entered and left the result:
	// tuples of a relation, elements of a collection, or the value of a
	// scalar or tuple query.
	Added, Removed []edn.Value
}

// Changed reports whether the result changed.
func (c Change) Changed() bool { return len(c.Added) > 0 || len(c.Removed) > 0 }

// NewLive registers q on its inputs (as for Run) and returns the live
// query and its initial result.
func NewLive(q *Query, opts *Options, inputs ...any) (*Live, edn.Value, error) {
	l := &Live{q: q, opts: opts, inputs: slices.Clone(inputs), basis: -1}
	for i, x := range inputs {
		if db, ok := x.(*graphdb.DB); ok && !db.IsFiltered() {
			l.current = append(l.current, i)
			l.basis = max(l.basis, db.Basis())
		}
	}
	rules, err := l.rulesInput()
	if err != nil {
		return nil, nil, err
	}
	l.reads = queryReads(q, rules)
	if err := l.evaluate(); err != nil {
		return nil, nil, err
	}
	return l, l.result, nil
}

// Result returns the current result.
func (l *Live) Result() edn.Value { return l.result }

// Apply brings the query up to date with the transaction of report r,
// which must follow the last one applied. Reports of other feeds and
// reports already applied change nothing.
func (l *Live) Apply(r *graphdb.Report) (Change, error) {
	ch := Change{Tx: r.Tx}
	if !l.follows(r) {
		ch.Skipped = true
		return ch, nil
	}
	gap := r.Before.Basis() > l.basis // versions we never saw: re-run
	for _, i := range l.current {
		l.inputs[i] = r.After
	}
	l.basis = r.After.Basis()
	if !gap && !l.affected(r) {
		ch.Skipped = true
		return ch, nil
	}
	old := l.rows
	if err := l.evaluate(); err != nil {
		return ch, err
	}
	ch.Added, ch.Removed = diffRows(old, l.rows)
	return ch, nil
}

// follows reports whether r is a new transaction of the feed the query
// reads.
func (l *Live) follows(r *graphdb.Report) bool {
	if len(l.current) == 0 || r.After == nil || r.After.Basis() <= l.basis {
		return false
	}
	db := l.inputs[l.current[0]].(*graphdb.DB)
	return db.Self() == r.After.Self()
}

func (l *Live) affected(r *graphdb.Report) bool {
	if l.reads.all {
		return true
	}
	for _, a := range r.Attrs {
		ident, ok := r.After.IdentOf(a)
		if !ok {
			ident, ok = r.Before.IdentOf(a)
		}
		if !ok || l.reads.idents[ident] || ident == ":db/ident" && l.renames(r) {
			return true
		}
	}
	return false
}

// renames reports whether r gives or takes an ident the query reads, which
// changes what its patterns name.
func (l *Live) renames(r *graphdb.Report) bool {
	identAttr, _ := r.After.Ident(":db/ident")
	for _, d := range r.Datoms {
		if d.A == identAttr && l.reads.idents[d.V.Str()] {
			return true
		}
	}
	return false
}

func (l *Live) evaluate() error {
	res, err := l.q.RunWith(l.opts, l.inputs...)
	if err != nil {
		return err
	}
	l.result, l.rows = res, rowsOf(l.q, res)
	return nil
}

func (l *Live) rulesInput() (*Rules, error) {
	for i, in := range l.q.In {
		if in.Kind == InRules && i < len(l.inputs) {
			return rulesInput(l.inputs[i])
		}
	}
	return nil, nil
}

// rowsOf returns the rows of a result as a set.
func rowsOf(q *Query, res edn.Value) *edn.Set {
	set := edn.NewSet(0)
	switch q.Find.Kind {
	case FindScalar, FindTuple:
		if res != nil {
			set.Add(res)
		}
		return set
	}
	elems, _ := collElems(res)
	for _, e := range elems {
		set.Add(e)
	}
	return set
}

func diffRows(old, cur *edn.Set) (added, removed []edn.Value) {
	for _, r := range cur.Elements() {
		if !old.Contains(r) {
			added = append(added, r)
		}
	}
	for _, r := range old.Elements() {
		if !cur.Contains(r) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// attrSet is the set of attributes a query reads, by ident, or all.
type attrSet struct {
	all    bool
	idents map[string]bool
}

// queryReads collects the attributes q reads.
func queryReads(q *Query, rules *Rules) attrSet {
	w := &readsWalker{set: attrSet{idents: map[string]bool{}}, rules: rules, seen: map[*Rule]bool{}}
	w.clauses(q.Where)
	for _, e := range q.Find.Elems {
		if e.Kind == ElemPull {
			// A pulled component attribute expands to any attribute of
			// the component entity: depend on everything.
			w.set.all = true
		}
	}
	return w.set
}

type readsWalker struct {
	set   attrSet
	rules *Rules
	seen  map[*Rule]bool
}

func (w *readsWalker) clauses(cs []Clause) {
	for _, c := range cs {
		w.clause(c)
	}
}

func (w *readsWalker) clause(c Clause) {
	switch c := c.(type) {
	case *Pattern:
		if len(c.Terms) < 2 || c.Terms[1].Kind != TermConst {
			w.set.all = true
			return
		}
		k, ok := c.Terms[1].Value.(edn.Keyword)
		if !ok {
			w.set.all = true
			return
		}
		w.set.idents[k.String()] = true
	case *Predicate:
		w.args(c.Args)
	case *Function:
		w.args(c.Args)
	case *RuleCall:
		w.rule(c.Name)
	case *Not:
		w.clauses(c.Clauses)
	case *Or:
		w.clauses(c.Branches)
	case *And:
		w.clauses(c.Clauses)
	}
}

// args marks functions given a source (get-else, missing? ...) as reading
// anything.
func (w *readsWalker) args(ts []Term) {
	if slices.ContainsFunc(ts, func(t Term) bool { return t.Kind == TermSource }) {
		w.set.all = true
	}
}

func (w *readsWalker) rule(name edn.Symbol) {
	if w.rules == nil {
		w.set.all = true
		return
	}
	r := w.rules.Lookup(name)
	if r == nil || w.seen[r] {
		return
	}
	w.seen[r] = true
	for _, b := range r.Branches {
		w.clauses(b.Clauses)
	}
}
