package graphdb

import (
	"cmp"
	"slices"
)

// AsOf returns the database as of version n: the transactions at feed
// positions < n. A version at or past the basis changes nothing but the
// filter flag; a negative one is treated as 0 (bootstrap schema only).
func (db *DB) AsOf(n int64) *DB {
	c := *db
	bound := uint32(min(max(n, 0), db.basis))
	if !c.view.filtered {
		c.view = view{filtered: true, asOf: uint32(db.basis)}
	}
	c.view.asOf = min(c.view.asOf, bound)
	return &c
}

// Since returns the database restricted to the datoms of transactions at
// positions >= n (as Datomic's since: the state, minus what is older).
func (db *DB) Since(n int64) *DB {
	c := *db
	if !c.view.filtered {
		c.view = view{filtered: true, asOf: uint32(db.basis)}
	}
	c.view.minT = max(c.view.minT, uint32(min(max(n, 0)+1, int64(^uint32(0)))))
	return &c
}

// History returns the database of all datoms, assertions and retractions,
// each with its transaction (restricted by AsOf and Since if set).
func (db *DB) History() *DB {
	c := *db
	if !c.view.filtered {
		c.view = view{filtered: true, asOf: uint32(db.basis)}
	}
	c.view.history = true
	return &c
}

// IsFiltered reports whether db is a time view (AsOf, Since, History).
func (db *DB) IsFiltered() bool { return db.view.filtered }

// Current returns db without its time filter.
func (db *DB) Current() *DB {
	c := *db
	c.view = view{}
	return &c
}

// visibleSpan reports whether a past datom is part of the state at asOf.
func (v view) visibleSpan(from, to uint32) bool {
	return from <= v.asOf && to > v.asOf && from >= v.minT
}

// inRange reports whether stored tx t is within the view: for a current
// datom, whether it is visible.
func (v view) inRange(t uint32) bool { return t <= v.asOf && t >= v.minT }

// viewValue is Value under a time filter.
func (db *DB) viewValue(en *entity, a uint32) (Value, bool) {
	o := db.ops()
	if db.view.history {
		return Value{}, false
	}
	best, found := Value{}, false
	consider := func(k Kind, v uint64) {
		x := o.value(k, v)
		if !found || CompareValues(x, best) < 0 {
			best, found = x, true
		}
	}
	en.eachCell(o, a, func(c cell) bool {
		if db.view.inRange(c.t) {
			x := o.cellValue(en, c)
			if !found || CompareValues(x, best) < 0 {
				best, found = x, true
			}
		}
		return true
	})
	// An attribute that has always had cardinality one has at most one
	// value at any version: a current value visible then leaves nothing to
	// find in the history.
	if found {
		if st := db.attr(a); st != nil && !st.info.everMany {
			return best, true
		}
	}
	if en.hist != nil {
		en.hist.spans.ascend(span{ak: packAK(a, 0), to: db.view.asOf + 1}, cmpSpan, func(s span) bool {
			if s.attr() != a {
				return false
			}
			if db.view.visibleSpan(s.from, s.to) {
				consider(s.kind(), s.v)
			}
			return true
		})
	}
	return best, found
}

// entityView appends to buf the datoms of entity e (of attribute a only,
// unless a is 0) that the filter lets through, in EAVT order.
func (db *DB) entityView(e EID, en *entity, a uint32, buf []Datom) []Datom {
	v := db.view
	start := len(buf)
	o := db.ops()
	cells := func(c cell) bool {
		if a != 0 && c.attr() != a {
			return false
		}
		if v.inRange(c.t) {
			buf = append(buf, db.datom(e, en, c))
		}
		return true
	}
	en.cells.ascend(cell{ak: packAK(a, 0)}, o.cmpCell, cells)
	if en.hist != nil {
		en.hist.spans.ascend(span{ak: packAK(a, 0)}, cmpSpan, func(s span) bool {
			if a != 0 && s.attr() != a {
				return false
			}
			d := Datom{E: e, A: attrEID(s.attr()), V: o.value(s.kind(), s.v), Tx: txPos(s.from), Added: true}
			switch {
			case !v.history:
				if v.visibleSpan(s.from, s.to) {
					buf = append(buf, d)
				}
			default:
				if v.inRange(s.from) {
					buf = append(buf, d)
				}
				if v.inRange(s.to) {
					d.Tx, d.Added = txPos(s.to), false
					buf = append(buf, d)
				}
			}
			return true
		})
	}
	slices.SortFunc(buf[start:], cmpEAVT)
	return buf
}

func cmpEAVT(x, y Datom) int {
	if c := cmp.Compare(x.E, y.E); c != 0 {
		return c
	}
	if c := cmp.Compare(x.A, y.A); c != 0 {
		return c
	}
	if c := CompareValues(x.V, y.V); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Tx, y.Tx); c != 0 {
		return c
	}
	return cmpBool(x.Added, y.Added)
}

func cmpAEVT(x, y Datom) int {
	if c := cmp.Compare(x.A, y.A); c != 0 {
		return c
	}
	return cmpEAVT(x, y)
}

func cmpAVET(x, y Datom) int {
	if c := cmp.Compare(x.A, y.A); c != 0 {
		return c
	}
	if c := CompareValues(x.V, y.V); c != 0 {
		return c
	}
	if c := cmp.Compare(x.E, y.E); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Tx, y.Tx); c != 0 {
		return c
	}
	return cmpBool(x.Added, y.Added)
}

func cmpVAET(x, y Datom) int {
	if c := CompareValues(x.V, y.V); c != 0 {
		return c
	}
	if c := cmp.Compare(x.A, y.A); c != 0 {
		return c
	}
	return cmpEAVT(x, y)
}

func cmpBool(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}

var indexCmp = [...]func(x, y Datom) int{EAVT: cmpEAVT, AEVT: cmpAEVT, AVET: cmpAVET, VAET: cmpVAET}

// scanView runs a query under a time filter. It reads the same index
// structures plus the history, entity by entity, sorting each small batch.
func (db *DB) scanView(q query, yield func(Datom) bool) {
	emit := func(batch []Datom) bool {
		slices.SortFunc(batch, indexCmp[q.idx])
		for _, d := range batch {
			if !q.matches(d) {
				continue
			}
			if !yield(d) {
				return false
			}
		}
		return true
	}
	var buf []Datom
	switch q.idx {
	case EAVT:
		db.viewEntities(q, func(e EID, en *entity) bool {
			buf = db.entityView(e, en, 0, buf[:0])
			return emit(buf)
		})
	case AEVT:
		db.viewAttrs(q, func(a uint32, st *attrState) bool {
			return eachBitFrom(&st.bits, true, q.startE(a), func(e EID) bool {
				buf = db.entityView(e, db.entity(e), a, buf[:0])
				return emit(buf)
			})
		})
	case AVET:
		db.viewAttrs(q, func(a uint32, st *attrState) bool {
			if st.avet == nil {
				return true
			}
			return emit(db.avetView(a, st.avet, buf[:0]))
		})
	case VAET:
		db.viewRefs(q, func(v EID, rl *refList) bool {
			buf = db.refsView(v, rl, buf[:0])
			return emit(buf)
		})
	}
}

// matches reports whether d is in the range of q: equal to its components,
// or (for a seek) not before them.
func (q query) matches(d Datom) bool {
	if q.seek {
		return !q.before(d)
	}
	a, _ := attrNum(d.A)
	for i := range q.n {
		ok := true
		switch q.component(i) {
		case 'e':
			ok = d.E == q.e
		case 'a':
			ok = a == q.a
		case 'v':
			ok = d.V == q.v
		case 't':
			ok = d.Tx == q.tx
		}
		if !ok {
			return false
		}
	}
	return true
}

// viewEntities visits the entities a filtered EAVT query may touch.
func (db *DB) viewEntities(q query, fn func(EID, *entity) bool) {
	if q.n > 0 && !q.seek {
		if en := db.entity(q.e); en != nil {
			fn(q.e, en)
		}
		return
	}
	db.ents.ascend(uint64(q.e), func(k uint64, en *entity) bool { return fn(EID(k), en) })
}

// viewRefs visits the referenced entities a filtered VAET query may touch.
func (db *DB) viewRefs(q query, fn func(EID, *refList) bool) {
	if q.n > 0 && !q.seek {
		if rl := db.refList(q.target); rl != nil {
			fn(q.target, rl)
		}
		return
	}
	db.refs.ascend(uint64(q.target), func(k uint64, rl *refList) bool { return fn(EID(k), rl) })
}

// viewAttrs visits the attributes a filtered AEVT or AVET query may touch.
func (db *DB) viewAttrs(q query, fn func(uint32, *attrState) bool) {
	from := uint64(0)
	if q.n > 0 {
		from = uint64(q.a)
	}
	db.attrs.ascend(from, func(k uint64, st *attrState) bool {
		if q.n > 0 && !q.seek && uint32(k) != q.a {
			return false
		}
		return fn(uint32(k), st)
	})
}

func (q query) startE(a uint32) EID {
	if q.n >= 2 && a == q.a {
		return q.e
	}
	return 0
}

// avetView appends the filtered AVET datoms of attribute a.
func (db *DB) avetView(a uint32, ix *avetIndex, buf []Datom) []Datom {
	v := db.view
	ix.cur.Scan(func(it avetItem) bool {
		if v.inRange(it.t) {
			buf = append(buf, Datom{E: it.e, A: attrEID(a), V: it.value(), Tx: txPos(it.t), Added: true})
		}
		return true
	})
	ix.past.Scan(func(it avetItem) bool {
		d := Datom{E: it.e, A: attrEID(a), V: it.value(), Tx: txPos(it.t), Added: true}
		if !v.history {
			if v.visibleSpan(it.t, it.to) {
				buf = append(buf, d)
			}
			return true
		}
		if v.inRange(it.t) {
			buf = append(buf, d)
		}
		if v.inRange(it.to) {
			d.Tx, d.Added = txPos(it.to), false
			buf = append(buf, d)
		}
		return true
	})
	return buf
}

// refsView appends the filtered VAET datoms pointing at entity v.
func (db *DB) refsView(v EID, rl *refList, buf []Datom) []Datom {
	w := db.view
	rl.cur.each(func(br backref) bool {
		if w.inRange(br.t) {
			buf = append(buf, Datom{E: br.e, A: attrEID(br.a), V: Ref(v), Tx: txPos(br.t), Added: true})
		}
		return true
	})
	rl.past.each(func(bs backspan) bool {
		d := Datom{E: bs.e, A: attrEID(bs.a), V: Ref(v), Tx: txPos(bs.from), Added: true}
		if !w.history {
			if w.visibleSpan(bs.from, bs.to) {
				buf = append(buf, d)
			}
			return true
		}
		if w.inRange(bs.from) {
			buf = append(buf, d)
		}
		if w.inRange(bs.to) {
			d.Tx, d.Added = txPos(bs.to), false
			buf = append(buf, d)
		}
		return true
	})
	return buf
}
