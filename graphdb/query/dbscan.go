package query

import (
	"github.com/steledb/stele/graphdb"
)

// resolved is a probe in the database's terms: entity and attribute IDs,
// the transaction's feed position.
type resolved struct {
	hasE, hasA, hasV, hasTx, hasAdded bool

	e     graphdb.EID
	a     *identEntry
	v     val // in the database's numbering, for index reads
	vOut  val // in the numbering of results, to compare with
	tx    int64
	added bool
}

// resolve maps the known positions of p to the database. ok is false when
// one of them cannot match anything: an unknown ident or lookup ref, a
// value of a kind the attribute cannot hold.
func (s *dbSource) resolve(ex *exec, p *probe) (r resolved, ok bool) {
	if p.bound[posA] {
		a, ok := s.attrID(p.v[posA])
		if !ok {
			return r, false
		}
		r.hasA, r.a = true, s.attrByEID(a)
	}
	if p.bound[posE] {
		if r.e, ok = s.entityID(ex, p.v[posE]); !ok {
			return r, false
		}
		r.hasE = true
	}
	if p.bound[posV] {
		if r.v, ok = s.valueOf(ex, r.a, p.v[posV]); !ok {
			return r, false
		}
		r.hasV, r.vOut = true, r.v
		if s.view != nil && r.a != nil && r.a.attr.ValueType == graphdb.KindRef {
			r.vOut = eidVal(s.out(r.v.eid()))
		} else if s.view != nil {
			r.vOut = p.v[posV]
		}
	}
	if p.bound[posTx] {
		if r.tx, ok = txPositionIn(p.v[posTx], s.selfSlot()); !ok {
			return r, false
		}
		r.hasTx = true
	}
	if p.bound[posAdded] {
		if p.v[posAdded].k != kBool {
			return r, false
		}
		r.hasAdded, r.added = true, p.v[posAdded].n != 0
	}
	return r, true
}

// cost estimates the datoms an index read for p visits.
func (s *dbSource) cost(ex *exec, p *probe) int {
	r, ok := s.resolve(ex, p)
	switch {
	case !ok:
		return 0
	case r.hasE:
		return 4
	case r.hasA && r.hasV && (r.a.attr.Indexed || r.a.attr.ValueType == graphdb.KindRef):
		return 4
	case r.hasA:
		return int(s.db.Count(r.a.e)) + 1
	}
	return int(s.db.DatomCount()) + 1024
}

func (s *dbSource) match(ex *exec, p *probe, out sink) {
	r, ok := s.resolve(ex, p)
	if !ok || s.matchValue(&r, p, out) {
		return
	}
	m := &matcher{}
	if !s.busy { // reuse the source's matcher unless a match is running
		m = &s.m
		s.busy = true
		defer func() { s.busy = false }()
	}
	*m = matcher{s: s, r: r, p: p, out: out}
	s.scan(r, m)
}

// matcher checks the datoms an index read yields against a probe.
type matcher struct {
	s    *dbSource
	r    resolved
	p    *probe
	out  sink
	t    [5]val
	last *identEntry
}

func (m *matcher) visit(d graphdb.Datom) bool {
	r, s := &m.r, m.s
	switch {
	case r.hasE && d.E != r.e,
		r.hasA && d.A != r.a.e,
		r.hasTx && d.Tx != r.tx,
		r.hasAdded && d.Added != r.added:
		return true
	}
	v := fromDB(d.V)
	t := &m.t
	t[posE] = eidVal(d.E)
	if s.view != nil {
		t[posE] = eidVal(s.out(d.E))
		if d.V.Kind() == graphdb.KindRef {
			v = eidVal(s.out(d.V.Ref()))
		}
	}
	if r.hasV && v != r.vOut {
		return true
	}
	t[posV] = v
	if m.p.need[posA] {
		if m.last == nil || m.last.e != d.A {
			m.last = s.attrByEID(d.A)
		}
		t[posA] = m.last.ident
	}
	if m.p.need[posTx] {
		t[posTx] = txValIn(d.Tx, s.selfSlot())
	}
	t[posAdded] = boolVal(d.Added)
	return m.out.take(t)
}

// matchValue serves an entity and a cardinality-one attribute of the
// current state with DB.Value, the fastest read, and reports whether it
// did.
func (s *dbSource) matchValue(r *resolved, p *probe, out sink) bool {
	if !r.hasE || !r.hasA || !r.a.schema || r.a.attr.Many || r.hasTx || p.need[posTx] || s.db.IsFiltered() {
		return false
	}
	dv, ok := s.db.Value(r.e, r.a.e)
	if !ok || (r.hasAdded && !r.added) {
		return true
	}
	v := fromDB(dv)
	if s.view != nil && dv.Kind() == graphdb.KindRef {
		v = eidVal(s.out(dv.Ref()))
	}
	if r.hasV && v != r.vOut {
		return true
	}
	t := &s.m.t
	if s.busy {
		t = new([5]val)
	}
	*t = [5]val{eidVal(s.out(r.e)), r.a.ident, v, valNil, valTrue}
	out.take(t)
	return true
}

// scan reads the index that serves r best and calls visit on a superset
// of its matches.
func (s *dbSource) scan(r resolved, m *matcher) {
	db := s.db
	each := func(idx graphdb.Index, c ...graphdb.Value) bool {
		for d := range db.Datoms(idx, c...) {
			if !m.visit(d) {
				return false
			}
		}
		return true
	}
	var buf [2]graphdb.Value
	switch {
	case r.hasE && r.hasA && r.hasV:
		for _, c := range dbValues(r.v, r.a.attr.ValueType, buf[:0]) {
			if !each(graphdb.EAVT, graphdb.Ref(r.e), graphdb.Ref(r.a.e), c) {
				return
			}
		}
	case r.hasE && r.hasA:
		each(graphdb.EAVT, graphdb.Ref(r.e), graphdb.Ref(r.a.e))
	case r.hasE:
		each(graphdb.EAVT, graphdb.Ref(r.e))
	case r.hasA && r.hasV && r.a.attr.Indexed:
		for _, c := range dbValues(r.v, r.a.attr.ValueType, buf[:0]) {
			if !each(graphdb.AVET, graphdb.Ref(r.a.e), c) {
				return
			}
		}
	case r.hasA && r.hasV && r.a.attr.ValueType == graphdb.KindRef:
		each(graphdb.VAET, graphdb.Ref(r.v.eid()), graphdb.Ref(r.a.e))
	case r.hasA:
		each(graphdb.AEVT, graphdb.Ref(r.a.e))
	default:
		s.scanAll(m)
	}
}

// scanAll reads every datom except those of the schema partition:
// DataScript keeps its schema outside the datoms, so a pattern that names
// neither entity nor attribute does not see attributes and idents here
// either.
func (s *dbSource) scanAll(m *matcher) {
	for d := range s.db.Datoms(graphdb.EAVT) {
		if d.E.Part() == graphdb.PartDB {
			continue
		}
		if !m.visit(d) {
			return
		}
	}
}
