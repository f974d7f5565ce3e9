package graphdb

import (
	"cmp"
	"math/bits"
)

// The scans of the current state (no time filter): each reads exactly the
// index range the query asks for.

func (db *DB) scanEAVT(q query, yield func(Datom) bool) {
	o := db.ops()
	if q.seek {
		db.ents.ascend(uint64(q.e), func(k uint64, en *entity) bool {
			return en.cells.each(func(c cell) bool {
				d := db.datom(EID(k), en, c)
				return q.before(d) || yield(d)
			})
		})
		return
	}
	if q.n == 0 {
		db.ents.ascend(0, func(k uint64, en *entity) bool {
			return en.cells.each(func(c cell) bool { return yield(db.datom(EID(k), en, c)) })
		})
		return
	}
	en := db.entity(q.e)
	if en == nil {
		return
	}
	switch q.n {
	case 1:
		en.cells.each(func(c cell) bool { return yield(db.datom(q.e, en, c)) })
	case 2:
		en.eachCell(o, q.a, func(c cell) bool { return yield(db.datom(q.e, en, c)) })
	default:
		if c, ok := en.findCell(o, q.a, q.v); ok {
			yield(db.datom(q.e, en, c))
		}
	}
}

func (db *DB) scanAEVT(q query, yield func(Datom) bool) {
	if q.n >= 2 && !q.seek {
		q2 := q
		q2.idx, q2.e = EAVT, q.e
		db.scanEAVT(q2, yield)
		return
	}
	from := uint64(0)
	if q.n > 0 {
		from = uint64(q.a)
	}
	db.attrs.ascend(from, func(k uint64, st *attrState) bool {
		a := uint32(k)
		if q.n > 0 && !q.seek && a != q.a {
			return false
		}
		start := EID(0)
		if q.seek && a == q.a {
			start = q.e
		}
		return db.attrEntities(q, a, st, start, yield)
	})
}

// attrEntities yields the current datoms of attribute a, entity by entity
// from start, walking the attribute's bitmap word by word. It is the
// innermost loop of attribute scans, so it avoids callbacks per datom.
func (db *DB) attrEntities(q query, a uint32, st *attrState, start EID, yield func(Datom) bool) bool {
	o := db.ops()
	A := attrEID(a)
	return st.bits.ascend(uint64(start)>>6, func(k uint64, p bitPair) bool {
		w := p.cur
		if k == uint64(start)>>6 {
			w &^= 1<<(start&63) - 1
		}
		for ; w != 0; w &= w - 1 {
			e := EID(k<<6 | uint64(bits.TrailingZeros64(w)))
			en := db.entity(e)
			if cs, small := en.attrCells(a); small {
				for _, c := range cs {
					d := Datom{E: e, A: A, V: o.cellValue(en, c), Tx: txPos(c.t), Added: true}
					if !(q.seek && q.before(d)) && !yield(d) {
						return false
					}
				}
				continue
			}
			if !en.eachCell(o, a, func(c cell) bool {
				d := db.datom(e, en, c)
				return (q.seek && q.before(d)) || yield(d)
			}) {
				return false
			}
		}
		return true
	})
}

func (db *DB) scanAVET(q query, yield func(Datom) bool) {
	from := uint64(0)
	if q.n > 0 {
		from = uint64(q.a)
	}
	db.attrs.ascend(from, func(k uint64, st *attrState) bool {
		a := uint32(k)
		if q.n > 0 && !q.seek && a != q.a {
			return false
		}
		if st.avet == nil {
			return true
		}
		fn := func(it avetItem) bool {
			d := Datom{E: it.e, A: attrEID(a), V: it.value(), Tx: txPos(it.t), Added: true}
			if q.seek {
				return q.before(d) || yield(d)
			}
			if q.n >= 2 && cmpAvetValue(it, probe(q.v)) != 0 {
				return false
			}
			if q.n >= 3 && it.e != q.e {
				return it.e < q.e
			}
			return yield(d)
		}
		if q.n >= 2 && a == q.a {
			st.avet.cur.Ascend(avetItem{kind: q.v.kind, n: q.v.n, s: q.v.s, e: q.e}, fn)
		} else {
			st.avet.cur.Scan(fn)
		}
		return q.n == 0 || q.seek
	})
}

func (db *DB) scanVAET(q query, yield func(Datom) bool) {
	each := func(v EID, rl *refList) bool {
		fn := func(br backref) bool {
			if !q.seek && q.n >= 2 && br.a != q.a {
				return false
			}
			if !q.seek && q.n >= 3 && br.e != q.e {
				return br.e < q.e
			}
			d := Datom{E: br.e, A: attrEID(br.a), V: Ref(v), Tx: txPos(br.t), Added: true}
			return (q.seek && q.before(d)) || yield(d)
		}
		if q.n >= 2 && v == q.target {
			return rl.cur.ascend(backref{a: q.a, e: q.e}, cmpBackref, fn)
		}
		return rl.cur.each(fn)
	}
	if q.n == 0 || q.seek {
		db.refs.ascend(uint64(q.target), func(k uint64, rl *refList) bool { return each(EID(k), rl) })
		return
	}
	if rl := db.refList(q.target); rl != nil {
		each(q.target, rl)
	}
}

// before reports whether d sorts before the components of a seek.
func (q query) before(d Datom) bool {
	a, _ := attrNum(d.A)
	for i := range q.n {
		var c int
		switch q.component(i) {
		case 'e':
			c = cmp.Compare(d.E, q.e)
		case 'a':
			c = cmp.Compare(a, q.a)
		case 'v':
			c = CompareValues(d.V, q.v)
		case 't':
			c = cmp.Compare(d.Tx, q.tx)
		}
		if c != 0 {
			return c < 0
		}
	}
	return false
}

func (q query) component(i int) byte {
	orders := [...]string{EAVT: "eavt", AEVT: "aevt", AVET: "avet", VAET: "vaet"}
	return orders[q.idx][i]
}

// eachBitFrom calls fn for the entities >= from in a bitmap of m, in order.
func eachBitFrom(m *idmap[bitPair], ever bool, from EID, fn func(EID) bool) bool {
	return m.ascend(uint64(from)>>6, func(k uint64, p bitPair) bool {
		w := p.cur
		if ever {
			w = p.ever
		}
		if k == uint64(from)>>6 {
			w &^= 1<<(from&63) - 1
		}
		for w != 0 {
			bit := w & -w
			if !fn(EID(k<<6 | uint64(bitIndex(bit)))) {
				return false
			}
			w ^= bit
		}
		return true
	})
}
