package query

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// Func is a function a query calls: passed as an input (:in ?f, then
// [(?f ?x) ?y] or (aggregate ?f ?x)) or registered by name in Options. It
// gets EDN values (entity IDs as int64) and returns one; an aggregate
// function gets the collected values as its last argument, an edn.Vector.
// A predicate holds when its result is neither nil nor false.
type Func func(args ...edn.Value) (edn.Value, error)

// Options adjust a run. The zero Options is ready to use.
type Options struct {
	// Funcs adds named functions and predicates, or overrides built-ins.
	Funcs map[edn.Symbol]Func
	// Rand feeds rand, rand-int and the rand and sample aggregates. When
	// nil, they draw from a fixed-seed generator, so runs repeat.
	Rand io.Reader
}

// Q parses the query text and runs it on inputs (see Query.Run).
func Q(text string, inputs ...any) (edn.Value, error) {
	q, err := Parse([]byte(text))
	if err != nil {
		return nil, err
	}
	return q.Run(inputs...)
}

// Run evaluates q with inputs matched to its :in elements in order:
//
//	$, $name   a *graphdb.DB, a *Feeds view, or a collection of tuples
//	%          rules: a *Rules or their EDN form
//	bindings   EDN values (Go ints, strings and graphdb.EID are taken as
//	           their EDN counterparts); a Func for a function variable
//
// The result has the shape of :find: a set of tuples (edn.Vector) for a
// relation, an edn.Vector for a collection, one value (or nil) for a
// scalar, one tuple (or nil) for a tuple spec; with :keys, :strs or :syms
// tuples become maps. Entity IDs are int64, as DataScript returns numbers.
// A query without :in reads the one input $.
func (q *Query) Run(inputs ...any) (edn.Value, error) {
	return q.RunWith(nil, inputs...)
}

// RunWith is Run with options.
func (q *Query) RunWith(opts *Options, inputs ...any) (edn.Value, error) {
	ex := newExec(q, opts)
	en, err := ex.where(inputs)
	if err != nil {
		return nil, err
	}
	return ex.find(en)
}

// exec is one evaluation of a query.
type exec struct {
	q       *Query
	opts    *Options
	root    env
	sources []namedSource
	inline  struct { // storage for the common case, saving allocations
		sources [2]namedSource
		db      dbSource
		rels    [4]*relation
	}
	rules *Rules
	rng   *rand.Rand

	others     []any // interned values of kind kOther
	otherIndex map[uint64][]uint32

	scratch  probe                     // for cost estimates
	regexps  map[string]*regexp.Regexp // patterns given as strings, compiled
	negDepth int                       // nested rule sessions under not
}

type namedSource struct {
	name edn.Symbol
	src  source
	db   *graphdb.DB // the database, for pull and entity functions
}

var noOptions = &Options{}

func newExec(q *Query, opts *Options) *exec {
	if opts == nil {
		opts = noOptions
	}
	ex := &exec{q: q, opts: opts}
	ex.sources = ex.inline.sources[:0]
	return ex
}

// where binds the inputs and evaluates the :where clauses.
func (ex *exec) where(inputs []any) (*env, error) {
	q := ex.q
	in := q.In
	if len(inputs) == 0 && len(in) == 1 && in[0].Kind == InSource && in[0].Source == symDefault {
		in = nil // DataScript runs [:find ... :where [(f) ?x]] without a database
	}
	if len(inputs) != len(in) {
		return nil, errorf("wrong number of inputs: %s takes %d, got %d", showInputs(q), len(q.In), len(inputs))
	}
	en := &ex.root
	*en = env{ex: ex, names: q.Vars, implicit: symDefault, rels: ex.inline.rels[:0]}
	for i, x := range in {
		if err := ex.bindInput(en, x, inputs[i]); err != nil {
			return nil, err
		}
	}
	if ex.rules != nil {
		if err := q.CheckRules(ex.rules); err != nil {
			return nil, err
		}
	}
	if err := en.clauses(q.Where); err != nil {
		return nil, err
	}
	return en, nil
}

func (ex *exec) bindInput(en *env, in Input, x any) error {
	switch in.Kind {
	case InSource:
		src, db, err := ex.newSource(x)
		if err != nil {
			return errorf("input %s: %w", in.Source, err)
		}
		ex.sources = append(ex.sources, namedSource{name: in.Source, src: src, db: db})
	case InRules:
		rules, err := rulesInput(x)
		if err != nil {
			return err
		}
		ex.rules = rules
	case InBinding:
		rel, err := ex.bindRel(ex.q.Vars, in.Binding, x)
		if err != nil {
			return err
		}
		en.rels = append(en.rels, rel)
	}
	return nil
}

func (ex *exec) newSource(x any) (source, *graphdb.DB, error) {
	switch s := x.(type) {
	case *graphdb.DB:
		if ex.inline.db.db == nil {
			ex.inline.db = dbSource{db: s}
			ex.inline.db.idents = ex.inline.db.identsBuf[:0]
			return &ex.inline.db, s, nil
		}
		return newDBSource(s), s, nil
	case *Feeds:
		return s.source(), s.base, nil
	}
	if cs, ok := newCollSource(ex, x); ok {
		return cs, nil, nil
	}
	return nil, nil, fmt.Errorf("a source must be a *graphdb.DB, a *Feeds or a collection of tuples, got %T", x)
}

func rulesInput(x any) (*Rules, error) {
	switch r := x.(type) {
	case *Rules:
		return r, nil
	case string:
		form, err := edn.Parse([]byte(r))
		if err != nil {
			return nil, errorf("rules: %w", err)
		}
		return ParseRules(form)
	}
	return ParseRules(x)
}

// source returns the source named sym.
func (ex *exec) source(sym edn.Symbol) (*namedSource, error) {
	for i := range ex.sources {
		if ex.sources[i].name == sym {
			return &ex.sources[i], nil
		}
	}
	return nil, errorf("no source %s bound", sym)
}

// random returns the generator for rand and sample.
func (ex *exec) random() *rand.Rand {
	if ex.rng == nil {
		if ex.opts.Rand != nil {
			ex.rng = rand.New(readerSource{ex.opts.Rand})
		} else {
			ex.rng = rand.New(rand.NewPCG(0, 0))
		}
	}
	return ex.rng
}

// readerSource draws random numbers from an io.Reader; a short read gives
// zeros, which keeps the generator total.
type readerSource struct{ r io.Reader }

func (s readerSource) Uint64() uint64 {
	var b [8]byte
	io.ReadFull(s.r, b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// showInputs writes the :in of q for an error message.
func showInputs(q *Query) string {
	w := writer{names: q.Vars}
	in := edn.Vector{edn.K("in")}
	for _, x := range q.In {
		in = append(in, w.input(x))
	}
	return show(in)
}
