package graphdb

import (
	"cmp"
	"sort"
	"strings"
)

// cell is one current datom of an entity: 16 pointer-free bytes. The
// entity is implied by the node holding the cell.
type cell struct {
	ak uint32 // attribute number << 4 | value kind
	t  uint32 // stored tx: feed position + 1, 0 for the bootstrap schema
	v  uint64 // the number of the value, or its arena offset
}

// span is one past datom: a value asserted at stored tx from and retracted
// at stored tx to.
type span struct {
	ak       uint32
	from, to uint32
	v        uint64
}

// backref is a current reference to the entity from attribute a of e.
type backref struct {
	e EID
	a uint32
	t uint32
}

// backspan is a past reference to the entity.
type backspan struct {
	e        EID
	a        uint32
	from, to uint32
}

func packAK(a uint32, k Kind) uint32 { return a<<4 | uint32(k) }
func (c cell) attr() uint32          { return c.ak >> 4 }
func (c cell) kind() Kind            { return Kind(c.ak & 15) }
func (s span) attr() uint32          { return s.ak >> 4 }
func (s span) kind() Kind            { return Kind(s.ak & 15) }

// entity holds the datoms of one entity: the current ones (EAVT) and, once
// it has any, the past ones. It is copied on write (see idmap).
type entity struct {
	edit           *edit
	cells          pseq[cell] // sorted by attribute, then value
	strLen, strCap uint32     // local string bytes used and available (cells.go)
	hist           *entityHist
}

type entityHist struct {
	edit  *edit
	spans pseq[span] // sorted by attribute, retraction, value
}

// refList holds the references to one entity (VAET): the current ones and
// the past ones. It lives apart from the entity, so that pointing at an
// entity does not copy its datoms.
type refList struct {
	edit *edit
	cur  pseq[backref]  // sorted by attribute, then referencing entity
	past pseq[backspan] // sorted by attribute, retraction, entity
}

// ownEntity returns en, or a copy of it owned by ed (a new entity if en is
// nil).
func ownEntity(ed *edit, en *entity) *entity { return ownEntitySized(ed, en, 1, 0) }

// ownEntitySized is ownEntity giving a copied block room for extra more
// cells and extraBytes more string bytes.
func ownEntitySized(ed *edit, en *entity, extra, extraBytes int) *entity {
	if en == nil {
		return &entity{edit: ed}
	}
	if en.edit == ed {
		return en
	}
	c := &entity{edit: ed, cells: en.cells, strLen: en.strLen, strCap: en.strCap, hist: en.hist}
	if c.cells.big != nil {
		c.cells.cloneForWrite()
	} else {
		c.relayout(extra, extraBytes)
	}
	return c
}

// ownHist returns the history of en (which ed must own), copied for
// writing once per edit.
func (en *entity) ownHist(ed *edit) *entityHist {
	switch {
	case en.hist == nil:
		en.hist = &entityHist{edit: ed}
	case en.hist.edit != ed:
		h := *en.hist
		h.edit = ed
		h.spans.cloneForWrite()
		en.hist = &h
	}
	return en.hist
}

// ownRefList returns rl, or a copy of it owned by ed.
func ownRefList(ed *edit, rl *refList) *refList {
	if rl == nil {
		return &refList{edit: ed}
	}
	if rl.edit == ed {
		return rl
	}
	c := &refList{edit: ed, cur: rl.cur, past: rl.past}
	c.cur.cloneForWrite()
	c.past.cloneForWrite()
	return c
}

// valueOps compares stored values; arena kinds need the arena.
type valueOps struct{ ar *arena }

// cmpStored orders two stored values of the same attribute.
func (o valueOps) cmpStored(k1 Kind, v1 uint64, k2 Kind, v2 uint64) int {
	if k1 != k2 {
		return cmp.Compare(k1, k2)
	}
	if k1.arenaKind() {
		if v1 == v2 {
			return 0
		}
		return strings.Compare(o.ar.get(v1), o.ar.get(v2))
	}
	return cmp.Compare(orderKey(k1, v1), orderKey(k2, v2))
}

// cmpCell orders cells by attribute, then value.
func (o valueOps) cmpCell(x, y cell) int {
	if x.attr() != y.attr() {
		return cmp.Compare(x.attr(), y.attr())
	}
	return o.cmpStored(x.kind(), x.v, y.kind(), y.v)
}

func cmpBackref(x, y backref) int {
	if x.a != y.a {
		return cmp.Compare(x.a, y.a)
	}
	return cmp.Compare(x.e, y.e)
}

func cmpSpan(x, y span) int {
	if c := cmp.Compare(x.attr(), y.attr()); c != 0 {
		return c
	}
	if c := cmp.Compare(x.to, y.to); c != 0 {
		return c
	}
	if c := cmp.Compare(x.ak, y.ak); c != 0 {
		return c
	}
	if c := cmp.Compare(x.v, y.v); c != 0 {
		return c
	}
	return cmp.Compare(x.from, y.from)
}

func cmpBackspan(x, y backspan) int {
	if c := cmp.Compare(x.a, y.a); c != 0 {
		return c
	}
	if c := cmp.Compare(x.to, y.to); c != 0 {
		return c
	}
	if c := cmp.Compare(x.e, y.e); c != 0 {
		return c
	}
	return cmp.Compare(x.from, y.from)
}

// value turns a stored value into a Value; strings alias the arena.
func (o valueOps) value(k Kind, v uint64) Value {
	if k.arenaKind() {
		return Value{kind: k, s: o.ar.get(v)}
	}
	return Value{kind: k, n: v}
}

// attrCells returns the cells of attribute a of an entity in its small
// form (ok false for the B-tree form): the fast path of reads.
func (en *entity) attrCells(a uint32) (cs []cell, ok bool) {
	if en.cells.big != nil {
		return nil, false
	}
	cs = en.cells.small
	lo, hi := 0, len(cs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cs[m].attr() < a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo
	for end < len(cs) && cs[end].attr() == a {
		end++
	}
	return cs[lo:end], true
}

// firstCell returns the first current cell of attribute a.
func (en *entity) firstCell(a uint32) (cell, bool) {
	if en.cells.big == nil {
		cs := en.cells.small
		lo, hi := 0, len(cs)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if cs[m].attr() < a {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(cs) && cs[lo].attr() == a {
			return cs[lo], true
		}
		return cell{}, false
	}
	var found cell
	ok := false
	en.cells.big.Ascend(cell{ak: packAK(a, 0)}, func(c cell) bool {
		found, ok = c, c.attr() == a
		return false
	})
	return found, ok
}

// hasTwo reports whether the entity has more than one value for a.
func (en *entity) hasTwo(a uint32) bool {
	if en.cells.big == nil {
		cs := en.cells.small
		for i := range cs {
			if cs[i].attr() == a {
				return i+1 < len(cs) && cs[i+1].attr() == a
			}
		}
		return false
	}
	n := 0
	en.cells.big.Ascend(cell{ak: packAK(a, 0)}, func(c cell) bool {
		if c.attr() == a {
			n++
		}
		return c.attr() == a && n < 2
	})
	return n > 1
}

// eachCell calls fn on the current cells of attribute a in value order. It
// returns false if fn stopped the iteration.
func (en *entity) eachCell(o valueOps, a uint32, fn func(cell) bool) bool {
	if cs, small := en.attrCells(a); small {
		for _, c := range cs {
			if !fn(c) {
				return false
			}
		}
		return true
	}
	stopped := false
	en.cells.ascend(cell{ak: packAK(a, 0)}, o.cmpCell, func(c cell) bool {
		if c.attr() != a {
			return false
		}
		stopped = !fn(c)
		return !stopped
	})
	return !stopped
}

// findCell returns the current cell holding value x for attribute a: a
// binary search, except for the byte-valued kinds of a large entity, which
// have no search key outside the arena and are scanned.
func (en *entity) findCell(o valueOps, a uint32, x Value) (cell, bool) {
	ak := packAK(a, x.kind)
	if !x.kind.arenaKind() {
		var found cell
		ok := false
		en.cells.ascend(cell{ak: ak, v: x.n}, o.cmpCell, func(c cell) bool {
			found, ok = c, c.ak == ak && c.v == x.n
			return false
		})
		return found, ok
	}
	if en.cells.big == nil {
		cs := en.cells.small
		i := sort.Search(len(cs), func(i int) bool {
			c := cs[i]
			if c.ak != ak {
				return c.ak > ak
			}
			return o.str(en, c.v) >= x.s
		})
		if i < len(cs) && cs[i].ak == ak && o.str(en, cs[i].v) == x.s {
			return cs[i], true
		}
		return cell{}, false
	}
	// A pivot of kind 0 sorts before every value of the attribute without
	// comparing bytes.
	var found cell
	ok := false
	en.cells.ascend(cell{ak: packAK(a, 0)}, o.cmpCell, func(c cell) bool {
		if c.attr() != a {
			return false
		}
		if c.ak == ak {
			found, ok = c, o.str(en, c.v) == x.s
		}
		return !ok
	})
	return found, ok
}
