package graphdb

import (
	"iter"
)

// Value returns the value of attribute a of entity e in this database (for
// a cardinality-many attribute, the smallest). It is the fastest read: no
// allocation, no iterator. A History database has no single value: Value
// reports false there (use Datoms).
func (db *DB) Value(e, a EID) (Value, bool) {
	n, ok := attrNum(a)
	if !ok {
		return Value{}, false
	}
	en := db.entity(e)
	if en == nil {
		return Value{}, false
	}
	if db.view.filtered {
		return db.viewValue(en, n)
	}
	c, ok := en.firstCell(n)
	if !ok {
		return Value{}, false
	}
	return db.ops().cellValue(en, c), true
}

// Lookup returns the entity that holds value v for unique (or indexed)
// attribute a, the resolution of the lookup ref [a v].
func (db *DB) Lookup(a EID, v Value) (EID, bool) {
	for d := range db.Datoms(AVET, Ref(a), v) {
		return d.E, true
	}
	return 0, false
}

// Count returns the number of current datoms of attribute a (ignoring time
// filters): a cheap statistic for query planning.
func (db *DB) Count(a EID) int64 {
	n, ok := attrNum(a)
	if !ok {
		return 0
	}
	if st := db.attr(n); st != nil {
		return st.count
	}
	return 0
}

// Datoms yields, in index order, the datoms of index idx whose leading
// components equal the given ones: up to E, A, V (and T) in the order of the
// index. Entities and attributes are given as Ref values; an attribute may
// also be given as a Keyword (its ident). For example
//
//	db.Datoms(EAVT, Ref(e))                     all facts of e
//	db.Datoms(AEVT, Keyword(":person/name"))    all names
//	db.Datoms(AVET, Ref(a), String("x"))        entities with a = "x"
//	db.Datoms(VAET, Ref(e))                     refs to e
//
// The iteration allocates nothing per datom; strings in yielded values
// share the database's memory and stay valid forever.
func (db *DB) Datoms(idx Index, c ...Value) iter.Seq[Datom] {
	q, ok := db.parseComponents(idx, c)
	return func(yield func(Datom) bool) {
		if ok {
			db.scan(q, yield)
		}
	}
}

// SeekDatoms yields the datoms of index idx from the first one >= the given
// components to the end of the index.
func (db *DB) SeekDatoms(idx Index, c ...Value) iter.Seq[Datom] {
	q, ok := db.parseComponents(idx, c)
	q.seek = true
	return func(yield func(Datom) bool) {
		if ok {
			db.scan(q, yield)
		}
	}
}

// query is a parsed Datoms call: which components are bound.
type query struct {
	idx    Index
	n      int // number of bound components
	e      EID
	a      uint32
	v      Value
	tx     int64
	seek   bool
	hasTx  bool
	target EID // VAET: the referenced entity
}

// parseComponents maps positional components to a query. ok is false when
// a component cannot match anything (an unknown ident, a non-ref entity).
func (db *DB) parseComponents(idx Index, c []Value) (q query, ok bool) {
	q.idx, q.n = idx, len(c)
	if len(c) > 4 {
		return q, false
	}
	order := [4]byte{'e', 'a', 'v', 't'}
	switch idx {
	case AEVT:
		order = [4]byte{'a', 'e', 'v', 't'}
	case AVET:
		order = [4]byte{'a', 'v', 'e', 't'}
	case VAET:
		order = [4]byte{'v', 'a', 'e', 't'}
	}
	for i, x := range c {
		switch order[i] {
		case 'e':
			if x.kind != KindRef {
				return q, false
			}
			q.e = x.Ref()
		case 'a':
			if q.a, ok = db.attrComponent(x); !ok {
				return q, false
			}
		case 'v':
			if idx == VAET && x.kind != KindRef {
				return q, false
			}
			q.v = x
			q.target = x.Ref()
		case 't':
			if x.kind != KindLong {
				return q, false
			}
			q.tx, q.hasTx = x.Long(), true
		}
	}
	return q, true
}

// attrComponent resolves an attribute given as a ref or an ident.
func (db *DB) attrComponent(x Value) (uint32, bool) {
	switch x.kind {
	case KindRef:
		return attrNum(x.Ref())
	case KindKeyword:
		e, ok := db.Ident(x.s)
		if !ok {
			return 0, false
		}
		return attrNum(e)
	}
	return 0, false
}

// datom builds the datom of a current cell of entity e.
func (db *DB) datom(e EID, en *entity, c cell) Datom {
	return Datom{E: e, A: attrEID(c.attr()), V: db.ops().cellValue(en, c), Tx: txPos(c.t), Added: true}
}

// scan runs a query; see the index-specific functions in scan.go.
func (db *DB) scan(q query, yield func(Datom) bool) {
	if q.hasTx {
		inner := yield
		yield = func(d Datom) bool { return d.Tx != q.tx || inner(d) }
	}
	if db.view.filtered {
		db.scanView(q, yield)
		return
	}
	switch q.idx {
	case EAVT:
		db.scanEAVT(q, yield)
	case AEVT:
		db.scanAEVT(q, yield)
	case AVET:
		db.scanAVET(q, yield)
	case VAET:
		db.scanVAET(q, yield)
	}
}
