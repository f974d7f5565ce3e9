package graphdb

import (
	"slices"
	"sync"
)

// overlay applies a transaction's items in order to the (entity,
// attribute) pairs they touch, starting from the values in the database,
// and then diffs the result against the database: that diff is the
// transaction's datoms. Sequential semantics as in DataScript: an add then
// a retract of the same datom cancel out, the last value of a
// cardinality-one attribute wins, redundant assertions vanish.
type overlay struct {
	tx    *txn
	index map[EID]int32 // entity -> its latest ovVals; they link to earlier ones
	vals  []ovVals
	slab  []Value // backing store for small value lists
}

type ovKey struct {
	e EID
	a uint32
}

type ovVals struct {
	key           ovKey
	many          bool
	prev          int32 // the entity's previous ovVals, or -1
	before, after []Value
}

// scratch holds the working memory of one transaction's resolution. It is
// recycled between transactions (the transactor is called for every
// transaction of a feed, and fresh buffers each time cost more in garbage
// collection than in resolution).
type scratch struct {
	items []item
	vals  []ovVals
	index map[EID]int32
	slab  []Value
}

var scratchPool = sync.Pool{New: func() any { return &scratch{index: map[EID]int32{}} }}

// release clears the scratch (it holds strings of the caller and the
// database) and returns it to the pool.
func (s *scratch) release() {
	clear(s.items)
	clear(s.vals)
	clear(s.slab[:cap(s.slab)])
	clear(s.index)
	s.items, s.vals, s.slab = s.items[:0], s.vals[:0], s.slab[:0]
	scratchPool.Put(s)
}

func newOverlay(tx *txn) *overlay {
	s := tx.scratch
	return &overlay{tx: tx, index: s.index, vals: slices.Grow(s.vals[:0], len(tx.items)), slab: s.slab[:0]}
}

// alloc returns an empty value list with room for n values, carved from a
// slab so that a transaction of many small entities allocates little.
func (ov *overlay) alloc(n int) []Value {
	if n > 64 {
		return make([]Value, 0, n)
	}
	if cap(ov.slab)-len(ov.slab) < n {
		ov.slab = make([]Value, 0, max(1024, n))
		ov.tx.scratch.slab = ov.slab // the newest chunk is kept for reuse
	}
	l := len(ov.slab)
	ov.slab = ov.slab[:l+n]
	return ov.slab[l : l : l+n]
}

func (ov *overlay) get(e EID, a uint32, many bool) *ovVals {
	k := ovKey{e, a}
	head, ok := ov.index[e]
	if !ok {
		head = -1
	}
	for i := head; i >= 0; i = ov.vals[i].prev {
		if ov.vals[i].key.a == a {
			return &ov.vals[i]
		}
	}
	ov.index[e] = int32(len(ov.vals))
	ov.vals = append(ov.vals, ovVals{key: k, many: many, prev: head})
	v := &ov.vals[len(ov.vals)-1]
	if en := ov.tx.db.entity(e); en != nil {
		o := ov.tx.o
		en.eachCell(o, a, func(c cell) bool {
			if v.before == nil {
				v.before = ov.alloc(2)
			}
			v.before = append(v.before, o.cellValue(en, c))
			return true
		})
		v.after = append(ov.alloc(len(v.before)+1), v.before...)
	}
	return v
}

func (ov *overlay) add(e EID, a uint32, v Value, many bool) {
	s := ov.get(e, a, many)
	switch {
	case !many:
		if cap(s.after) == 0 {
			s.after = ov.alloc(1)
		}
		s.after = append(s.after[:0], v)
	case !slices.Contains(s.after, v):
		s.after = append(s.after, v)
	}
}

func (ov *overlay) retract(e EID, a uint32, v Value) {
	s := ov.get(e, a, true)
	if i := slices.Index(s.after, v); i >= 0 {
		s.after = slices.Delete(s.after, i, i+1)
	}
}

func (ov *overlay) clear(e EID, a uint32) { ov.get(e, a, true).after = nil }

// retractEntity clears every attribute of e, the refs to e, and the
// entities e owns through component attributes.
func (ov *overlay) retractEntity(e EID, seen map[EID]bool) {
	if seen[e] {
		return
	}
	seen[e] = true
	db := ov.tx.db
	if en := db.entity(e); en != nil {
		en.cells.each(func(c cell) bool {
			ov.get(e, c.attr(), true)
			return true
		})
	}
	if rl := db.refList(e); rl != nil {
		rl.cur.each(func(br backref) bool {
			ov.retract(br.e, br.a, Ref(e))
			return true
		})
	}
	var attrs []uint32
	if head, ok := ov.index[e]; ok {
		for i := head; i >= 0; i = ov.vals[i].prev {
			attrs = append(attrs, ov.vals[i].key.a)
		}
	}
	for _, a := range attrs {
		s := ov.get(e, a, true)
		if st := db.attr(a); st != nil && st.info.component {
			for _, v := range s.after {
				if v.kind == KindRef {
					ov.retractEntity(v.Ref(), seen)
				}
			}
		}
		ov.get(e, a, true).after = nil
	}
}

// datoms returns the net changes in the order the transaction first
// touched each entity and attribute, retractions before assertions.
func (ov *overlay) datoms() []Datom {
	n := 0
	for i := range ov.vals {
		s := &ov.vals[i]
		if len(s.before) == 0 {
			n += len(s.after)
		} else {
			n += len(s.before) + len(s.after)
		}
	}
	out := make([]Datom, 0, n)
	for i := range ov.vals {
		s := &ov.vals[i]
		k := s.key
		for _, v := range s.before {
			if !slices.Contains(s.after, v) {
				out = append(out, Datom{E: k.e, A: attrEID(k.a), V: v})
			}
		}
		for _, v := range s.after {
			if !slices.Contains(s.before, v) {
				out = append(out, Datom{E: k.e, A: attrEID(k.a), V: v, Added: true})
			}
		}
	}
	return out
}

// entry runs the items through an overlay and encodes the result as the
// transaction's entry.
func (tx *txn) entry() (*TxEntry, error) {
	ov := newOverlay(tx)
	defer func() { tx.scratch.vals = ov.vals }()
	for _, it := range tx.items {
		tx.opIndex = int(it.op)
		e := tx.slotEID(it.e, it.eslot)
		var a uint32
		if it.attr != nil {
			a = tx.attrNumber(it.attr)
		}
		v := it.v
		if it.vslot >= 0 {
			v = Ref(tx.slots[it.vslot].eid)
		}
		switch it.kind {
		case opAdd:
			ov.add(e, a, v, it.attr.info.many)
		case opRetract:
			ov.retract(e, a, v)
		case opRetractAttr:
			ov.clear(e, a)
		case opRetractEntity:
			ov.retractEntity(e, map[EID]bool{})
		}
	}
	return tx.encodeEntry(ov.datoms()), nil
}

// encodeEntry renumbers the datoms' feed slots and the transaction entity
// for the entry.
func (tx *txn) encodeEntry(datoms []Datom) *TxEntry {
	entry := &TxEntry{Migration: tx.migration, Datoms: datoms}
	slotMap := map[int]int{}
	renumber := func(e EID) EID {
		if e == TxEID(tx.pos) {
			return 0
		}
		s := e.Slot()
		if s == 0 {
			return e
		}
		if i, ok := slotMap[s]; ok {
			return e.withSlot(i)
		}
		key := tx.feedKey(s)
		entry.Feeds = append(entry.Feeds, key)
		slotMap[s] = len(entry.Feeds)
		return e.withSlot(len(entry.Feeds))
	}
	for i := range datoms {
		d := &datoms[i]
		d.E = renumber(d.E)
		if d.V.kind == KindRef {
			d.V.n = uint64(renumber(d.V.Ref()))
		}
	}
	return entry
}

func (tx *txn) feedKey(slot int) FeedKey {
	if slot <= len(tx.db.feeds) {
		return tx.db.feeds[slot-1]
	}
	return tx.feeds[slot-len(tx.db.feeds)-1]
}
