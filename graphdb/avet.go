package graphdb

import (
	"cmp"
	"strings"

	"github.com/tidwall/btree"
)

// avetIndex is the AVET index of one attribute: the current datoms in value
// order and, separately, the past ones, so current lookups do not pay for
// history. Items hold their value's bytes as a string aliasing the arena, so
// a lookup can compare a probe value that is not stored anywhere.
type avetIndex struct {
	cur  *btree.BTreeG[avetItem]
	past *btree.BTreeG[avetItem]
}

// avetItem is one datom of the index. For past datoms t is the stored tx
// of the assertion and to that of the retraction; current ones have to 0.
type avetItem struct {
	s    string // arena kinds
	n    uint64 // other kinds
	e    EID
	t    uint32
	to   uint32
	kind Kind
}

func (it avetItem) value() Value { return Value{kind: it.kind, n: it.n, s: it.s} }

func cmpAvetValue(x, y avetItem) int {
	if x.kind != y.kind {
		return cmp.Compare(x.kind, y.kind)
	}
	if x.kind.arenaKind() {
		return strings.Compare(x.s, y.s)
	}
	return cmp.Compare(orderKey(x.kind, x.n), orderKey(y.kind, y.n))
}

func lessAvetCur(x, y avetItem) bool {
	if c := cmpAvetValue(x, y); c != 0 {
		return c < 0
	}
	return x.e < y.e
}

func lessAvetPast(x, y avetItem) bool {
	if c := cmpAvetValue(x, y); c != 0 {
		return c < 0
	}
	if x.e != y.e {
		return x.e < y.e
	}
	if x.to != y.to {
		return x.to < y.to
	}
	return x.t < y.t
}

func newAVET() *avetIndex {
	opts := btree.Options{NoLocks: true, Degree: 32}
	return &avetIndex{
		cur:  btree.NewBTreeGOptions(lessAvetCur, opts),
		past: btree.NewBTreeGOptions(lessAvetPast, opts),
	}
}

// clone returns an index that can be changed without affecting ix.
func (ix *avetIndex) clone() *avetIndex {
	treeCopyMu.Lock()
	defer treeCopyMu.Unlock()
	return &avetIndex{cur: ix.cur.Copy(), past: ix.past.Copy()}
}

// probe is the smallest item holding value x.
func probe(x Value) avetItem { return avetItem{kind: x.kind, n: x.n, s: x.s} }

// storedItem builds the item of a value stored in the arena (or a number).
func (o valueOps) storedItem(k Kind, v uint64, e EID, t uint32) avetItem {
	it := avetItem{kind: k, e: e, t: t}
	if k.arenaKind() {
		it.s = o.ar.get(v)
	} else {
		it.n = v
	}
	return it
}

// itemOf builds the item of cell c of entity e. With keep, local bytes are
// copied to the arena, so the index does not hold on to the entity's
// block; without, the item is only a search key.
func (o valueOps) itemOf(en *entity, c cell, e EID, keep bool) avetItem {
	if keep {
		return o.storedItem(c.kind(), o.arenaValue(en, c), e, c.t)
	}
	it := avetItem{kind: c.kind(), e: e, t: c.t}
	if c.kind().arenaKind() {
		it.s = o.str(en, c.v)
	} else {
		it.n = c.v
	}
	return it
}

// eachEqual calls fn on the current items holding value x, in entity order,
// until fn returns false.
func (ix *avetIndex) eachEqual(x Value, fn func(avetItem) bool) {
	p := probe(x)
	ix.cur.Ascend(p, func(it avetItem) bool {
		return cmpAvetValue(it, p) == 0 && fn(it)
	})
}

// shared reports whether another entity holds the value of it.
func (ix *avetIndex) shared(it avetItem) bool {
	n := 0
	ix.eachEqual(it.value(), func(avetItem) bool {
		n++
		return n < 2
	})
	return n > 1
}

// first returns the entity holding value x now (for unique attributes).
func (ix *avetIndex) first(x Value) (EID, bool) {
	var e EID
	ok := false
	ix.eachEqual(x, func(it avetItem) bool {
		e, ok = it.e, true
		return false
	})
	return e, ok
}
