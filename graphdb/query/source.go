package query

import (
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// Positions of a datom in a data pattern.
const (
	posE = iota
	posA
	posV
	posTx
	posAdded
)

// probe is a data pattern with the values known for some of its positions
// (constants, or variables bound by the row being joined): what a source
// must match.
type probe struct {
	n     int // terms in the pattern, 1 to 5
	bound [5]bool
	v     [5]val
	need  [5]bool // positions the caller reads from matches
}

// source is what data patterns read: a database or a collection of
// tuples.
type source interface {
	// match passes each tuple [e a v tx added] matching p to out, until
	// out returns false. Only the positions p.need holds are filled in;
	// out must not keep t.
	match(ex *exec, p *probe, out sink)
	// cost estimates how many tuples match p: a planning statistic.
	cost(ex *exec, p *probe) int
	// schema returns the schema of attribute a (an ident or an ID).
	schema(ex *exec, a val) (graphdb.Attribute, bool)
	// entity resolves an entity given as an ID, an ident or a lookup ref
	// to its ID.
	entity(ex *exec, v val) (val, bool)
}

// sink receives the matches of a probe.
type sink interface {
	take(t *[5]val) bool
}

// sinkFunc is a function as a sink.
type sinkFunc func(t *[5]val) bool

func (f sinkFunc) take(t *[5]val) bool { return f(t) }

// collSource is a collection of tuples given as a source, as DataScript
// allows: [[1 :age 30] [2 :age 40]].
type collSource struct {
	tuples [][]val
}

func newCollSource(ex *exec, x edn.Value) (*collSource, bool) {
	elems, ok := collElems(x)
	if !ok {
		return nil, false
	}
	s := &collSource{tuples: make([][]val, 0, len(elems))}
	for _, e := range elems {
		t, ok := seqOf(e)
		if !ok {
			return nil, false
		}
		row := make([]val, len(t))
		for i, x := range t {
			row[i] = ex.fromEDN(x)
		}
		s.tuples = append(s.tuples, row)
	}
	return s, true
}

func (s *collSource) match(ex *exec, p *probe, out sink) {
	var t [5]val
	for _, row := range s.tuples {
		if len(row) < p.n || !matchesBound(p, row) {
			continue
		}
		copy(t[:], row)
		if !out.take(&t) {
			return
		}
	}
}

func matchesBound(p *probe, row []val) bool {
	for i := range p.n {
		if p.bound[i] && row[i] != p.v[i] {
			return false
		}
	}
	return true
}

func (s *collSource) cost(*exec, *probe) int { return len(s.tuples) }

func (s *collSource) schema(*exec, val) (graphdb.Attribute, bool) { return graphdb.Attribute{}, false }

func (s *collSource) entity(_ *exec, v val) (val, bool) { return v, true }

// collElems returns the elements of a vector, list or set, or the [key
// value] entries of a map, as Clojure's seq does.
func collElems(x edn.Value) ([]edn.Value, bool) {
	switch c := x.(type) {
	case edn.Vector:
		return c, true
	case edn.List:
		return c, true
	case *edn.Set:
		return c.Elements(), true
	case *edn.Map:
		out := make([]edn.Value, c.Len())
		for i, e := range c.Entries() {
			out[i] = edn.Vector{e.Key, e.Value}
		}
		return out, true
	}
	return nil, false
}

// dbSource reads a database through its indices, choosing the index by
// the positions a probe knows.
type dbSource struct {
	db     *graphdb.DB
	idents []identEntry // attributes met, by EID and by ident
	view   *viewMap     // nil: entity IDs in the database's own numbering
	m      matcher      // reused by match when not busy
	busy   bool

	identsBuf [4]identEntry
}

type identEntry struct {
	e      graphdb.EID
	ident  val // kKeyword, or kInt of the EID when the attribute has no ident
	attr   graphdb.Attribute
	schema bool // attr holds the schema
}

func newDBSource(db *graphdb.DB) *dbSource {
	s := &dbSource{db: db}
	s.idents = s.identsBuf[:0]
	return s
}

// attrByEID returns what the source knows of attribute e.
func (s *dbSource) attrByEID(e graphdb.EID) *identEntry {
	for i := range s.idents {
		if s.idents[i].e == e {
			return &s.idents[i]
		}
	}
	ent := identEntry{e: e, ident: eidVal(e)}
	if a, ok := s.db.Attribute(e); ok {
		ent.attr, ent.schema = a, true
		ent.ident = val{k: kKeyword, s: a.Ident}
	} else if id, ok := s.db.IdentOf(e); ok {
		ent.ident = val{k: kKeyword, s: id}
	}
	s.idents = append(s.idents, ent)
	return &s.idents[len(s.idents)-1]
}

func (s *dbSource) schema(_ *exec, a val) (graphdb.Attribute, bool) {
	e, ok := s.attrID(a)
	if !ok {
		return graphdb.Attribute{}, false
	}
	ent := s.attrByEID(e)
	return ent.attr, ent.schema
}

func (s *dbSource) entity(ex *exec, v val) (val, bool) {
	e, ok := s.entityID(ex, v)
	if !ok {
		return valNil, false
	}
	return eidVal(s.out(e)), true
}

// entityID resolves an entity given as a number, an ident or a lookup ref
// to the database's numbering.
func (s *dbSource) entityID(ex *exec, v val) (graphdb.EID, bool) {
	switch v.k {
	case kInt:
		return s.in(v.eid())
	case kKeyword:
		return s.attrID(v)
	case kOther:
		if ref, ok := seqOf(ex.other(v)); ok && len(ref) == 2 {
			return s.lookupRef(ex, ex.fromEDN(ref[0]), ex.fromEDN(ref[1]))
		}
	}
	return 0, false
}

// attrID resolves an attribute given as an ident or an entity ID.
func (s *dbSource) attrID(v val) (graphdb.EID, bool) {
	switch v.k {
	case kInt:
		return v.eid(), true
	case kKeyword:
		for i := range s.idents {
			if s.idents[i].ident.s == v.s && s.idents[i].ident.k == kKeyword {
				return s.idents[i].e, true
			}
		}
		e, ok := s.db.Ident(v.s)
		if ok {
			s.attrByEID(e)
		}
		return e, ok
	}
	return 0, false
}

func (s *dbSource) lookupRef(ex *exec, attr, value val) (graphdb.EID, bool) {
	a, ok := s.attrID(attr)
	if !ok {
		return 0, false
	}
	t := s.attrByEID(a).attr.ValueType
	if t == graphdb.KindRef {
		e, ok := s.entityID(ex, value)
		if !ok {
			return 0, false
		}
		value = eidVal(e)
	}
	var buf [2]graphdb.Value
	for _, c := range dbValues(value, t, buf[:0]) {
		if e, ok := s.db.Lookup(a, c); ok {
			return e, true
		}
	}
	return 0, false
}

// valueOf resolves the value position for attribute a: in a ref attribute
// an ident or a lookup ref stands for its entity.
func (s *dbSource) valueOf(ex *exec, a *identEntry, v val) (val, bool) {
	if a == nil || a.attr.ValueType != graphdb.KindRef {
		return v, true
	}
	e, ok := s.entityID(ex, v)
	return eidVal(e), ok
}

// txPosition reads a transaction of the feed in slot 0 given as its
// entity or its feed position.
func txPosition(v val) (int64, bool) { return txPositionIn(v, 0) }

// txPositionIn reads a transaction of the feed in slot: its entity, or a
// feed position.
func txPositionIn(v val, slot int) (int64, bool) {
	if v.k != kInt {
		return 0, false
	}
	if e := v.eid(); e.Part() == graphdb.PartTx {
		return int64(e.Local()), e.Slot() == slot
	}
	return v.int(), true
}

// txVal is the value a pattern binds to ?tx: the transaction's entity,
// which holds its metadata, or -1 for the bootstrap schema.
func txVal(pos int64) val { return txValIn(pos, 0) }

func txValIn(pos int64, slot int) val {
	if pos < 0 {
		return intVal(-1)
	}
	return eidVal(graphdb.MakeEID(slot, graphdb.PartTx, uint64(pos)))
}
