package graphdb

import (
	"fmt"
	"maps"
	"slices"
)

// loader rebuilds a database from the entities of a snapshot: it inserts
// cells and spans directly, derives AEVT bits, VAET and the transaction
// records, then the schema and AVET.
type loader struct {
	b      *builder
	prev   EID
	txEnts map[uint32][]EID // by stored tx
	buf    []loadedCell
}

func newLoader(db *DB) *loader {
	b := newBuilder(db, -1, false)
	b.bootstrap = true
	return &loader{b: b, txEnts: map[uint32][]EID{}}
}

func (l *loader) entities(r *reader) error {
	db := l.b.db
	db.ar.lock()
	defer db.ar.unlock()
	n := r.count(3)
	for i := 0; i < n && r.err == nil; i++ {
		e := EID(r.uvarint())
		if r.err == nil {
			if err := l.checkEntity(e); err != nil {
				return err
			}
		}
		en := &entity{edit: l.b.ed}
		if err := l.cells(r, e, en); err != nil {
			return err
		}
		if err := l.spans(r, e, en); err != nil {
			return err
		}
		db.ents.set(l.b.ed, uint64(e), en)
		l.prev = e
	}
	return r.err
}

func (l *loader) checkEntity(e EID) error {
	switch {
	case e <= l.prev:
		return fmt.Errorf("entity %d out of order", e)
	case e.Slot() > len(l.b.db.feeds) || e.Part() > PartTx:
		return fmt.Errorf("entity %#x out of range", uint64(e))
	case e.Slot() == 0 && e.Part() == PartDB && e.Local() < firstUserIdent:
		return fmt.Errorf("entity %d belongs to the bootstrap schema", e)
	}
	return nil
}

// value reads the value of a cell or span with attribute a and kind.
func (l *loader) value(r *reader, a uint64, kind byte) (uint32, Value) {
	k := Kind(kind)
	if r.err == nil && (a == 0 || a > maxAttr || k == KindInvalid || k >= numKinds) {
		r.fail("bad attribute %d or kind %d", a, kind)
	}
	if r.err != nil {
		return 0, Value{}
	}
	v := r.value(k, len(l.b.db.feeds))
	if r.err == nil && k == KindRef && v.n == 0 {
		r.fail("ref to entity 0")
	}
	return uint32(a), v
}

func (l *loader) tx(t uint64, e EID) {
	ents := l.txEnts[uint32(t)]
	if len(ents) == 0 || ents[len(ents)-1] != e {
		l.txEnts[uint32(t)] = append(ents, e)
	}
}

// loadedCell is a cell as read, its bytes still in the snapshot.
type loadedCell struct {
	ak uint32
	t  uint32
	x  Value
}

func (l *loader) cells(r *reader, e EID, en *entity) error {
	b, o := l.b, l.b.o
	n := r.count(4)
	cells, bytes := l.buf[:0], 0
	for i := 0; i < n && r.err == nil; i++ {
		a, kind := r.uvarint(), r.byte()
		t := r.uvarint()
		if r.err == nil && (t == 0 || t > uint64(b.db.basis)) {
			return fmt.Errorf("entity %d: cell tx %d out of range", e, t)
		}
		an, x := l.value(r, a, kind)
		if r.err != nil {
			break
		}
		ak := packAK(an, x.kind)
		if last := len(cells) - 1; last >= 0 && (ak < cells[last].ak || ak == cells[last].ak && CompareValues(cells[last].x, x) >= 0) {
			return fmt.Errorf("entity %d: cells out of order", e)
		}
		cells = append(cells, loadedCell{ak, uint32(t), x})
		if len(x.s) <= localMaxLen {
			bytes += len(x.s)
		}
	}
	l.buf = cells
	if r.err != nil {
		return r.err
	}
	if n <= pseqMaxSmall {
		en.relayout(n, bytes)
	}
	for _, lc := range cells {
		c := en.appendCell(o, cell{ak: lc.ak, t: lc.t, v: lc.x.n}, lc.x.s)
		an, k, v, t := c.attr(), c.kind(), c.v, uint64(c.t)
		st := b.ownAttr(an)
		w := st.bits.ptr(b.ed, uint64(e)>>6)
		w.cur |= 1 << (e & 63)
		w.ever |= 1 << (e & 63)
		st.count++
		if k == KindRef {
			b.ownRefs(EID(v)).cur.insert(backref{e: e, a: an, t: c.t}, cmpBackref)
		}
		if isSchemaAttr(an) {
			b.schema = append(b.schema, e)
		}
		l.tx(t, e)
		b.db.datoms++
	}
	return r.err
}

func (l *loader) spans(r *reader, e EID, en *entity) error {
	b := l.b
	n := r.count(5)
	if n == 0 {
		return r.err
	}
	spans := make([]span, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		a, kind := r.uvarint(), r.byte()
		from, to := r.uvarint(), r.uvarint()
		if r.err == nil && (from == 0 || from > to || to > uint64(b.db.basis)) {
			return fmt.Errorf("entity %d: span [%d, %d) out of range", e, from, to)
		}
		an, x := l.value(r, a, kind)
		if r.err != nil {
			break
		}
		k, v := x.kind, x.n
		if k.arenaKind() {
			v = b.db.ar.put(x.s)
		}
		s := span{ak: packAK(an, k), from: uint32(from), to: uint32(to), v: v}
		if len(spans) > 0 && cmpSpan(spans[len(spans)-1], s) >= 0 {
			return fmt.Errorf("entity %d: spans out of order", e)
		}
		spans = append(spans, s)
		st := b.ownAttr(an)
		st.bits.ptr(b.ed, uint64(e)>>6).ever |= 1 << (e & 63)
		if k == KindRef {
			b.ownRefs(EID(v)).past.insert(backspan{e: e, a: an, from: s.from, to: s.to}, cmpBackspan)
		}
		l.tx(from, e)
		l.tx(to, e)
		b.db.datoms += 2
	}
	en.hist = &entityHist{edit: b.ed, spans: pseq[span]{small: spans}}
	if len(spans) > pseqMaxSmall {
		en.hist.spans.toTree(cmpSpan)
	}
	return r.err
}

// finish derives the schema, AVET and the transaction records.
func (l *loader) finish() (*DB, error) {
	b := l.b
	if err := b.refreshSchema(); err != nil {
		return nil, fmt.Errorf("graphdb: snapshot schema: %w", err)
	}
	// The bootstrap attributes' AVET (:db/ident) was built before the
	// snapshot's datoms arrived; the refreshed attributes have theirs.
	for _, ba := range bootstrapAttrs {
		if st := b.db.attr(ba.num); st.info.indexed() {
			st = b.ownAttr(ba.num)
			if err := b.buildAVET(attrEID(ba.num), ba.num, st); err != nil {
				return nil, fmt.Errorf("graphdb: snapshot: %w", err)
			}
		}
	}
	for _, t := range slices.Sorted(maps.Keys(l.txEnts)) {
		b.db.txs.set(b.ed, uint64(txPos(t)), &txRecord{ents: l.txEnts[t]})
	}
	return b.db, nil
}
