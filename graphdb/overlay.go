package graphdb

import (
	"cmp"
	"slices"
)

// overlay applies a transaction's items in order to the (entity,
// attribute) pairs they touch, starting from the values in the database,
// and then diffs the result against the database: that diff is the
// transaction's datoms. Sequential semantics as in DataScript: an add then
// a retract of the same datom cancel out, the last value of a
// cardinality-one attribute wins, redundant assertions vanish.
type overlay struct {
	tx    *txn
	m     map[ovKey]*ovVals
	keys  []ovKey
	byEnt map[EID][]uint32
}

type ovKey struct {
	e EID
	a uint32
}

type ovVals struct {
	before, after []Value
	many          bool
}

func newOverlay(tx *txn) *overlay {
	return &overlay{tx: tx, m: make(map[ovKey]*ovVals, len(tx.items)), byEnt: map[EID][]uint32{}}
}

func (ov *overlay) get(e EID, a uint32, many bool) *ovVals {
	k := ovKey{e, a}
	if v, ok := ov.m[k]; ok {
		return v
	}
	v := &ovVals{many: many}
	if en := ov.tx.db.entity(e); en != nil {
		o := ov.tx.o
		en.eachCell(o, a, func(c cell) bool {
			v.before = append(v.before, o.value(c.kind(), c.v))
			return true
		})
		v.after = slices.Clone(v.before)
	}
	ov.m[k] = v
	ov.keys = append(ov.keys, k)
	ov.byEnt[e] = append(ov.byEnt[e], a)
	return v
}

func (ov *overlay) add(e EID, a uint32, v Value, many bool) {
	s := ov.get(e, a, many)
	switch {
	case !many:
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
		en.refs.each(func(br backref) bool {
			ov.retract(br.e, br.a, Ref(e))
			return true
		})
	}
	for _, a := range slices.Clone(ov.byEnt[e]) {
		s := ov.get(e, a, true)
		if st := db.attr(a); st != nil && st.info.component {
			for _, v := range s.after {
				if v.kind == KindRef {
					ov.retractEntity(v.Ref(), seen)
				}
			}
		}
		s.after = nil
	}
}

// datoms returns the net changes, by entity and attribute, retractions
// before assertions.
func (ov *overlay) datoms() []Datom {
	slices.SortFunc(ov.keys, func(x, y ovKey) int {
		if c := cmp.Compare(x.e, y.e); c != 0 {
			return c
		}
		return cmp.Compare(x.a, y.a)
	})
	var out []Datom
	for _, k := range ov.keys {
		s := ov.m[k]
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
