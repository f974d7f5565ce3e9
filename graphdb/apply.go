package graphdb

import (
	"fmt"
	"math/bits"
	"slices"
)

// DatomError reports a datom that cannot be applied, and why.
type DatomError struct {
	Datom  Datom
	Attr   string // the attribute's ident, when it has one
	Reason string
}

func (e *DatomError) Error() string {
	op := ":db/add"
	if !e.Datom.Added {
		op = ":db/retract"
	}
	attr := e.Attr
	if attr == "" {
		attr = e.Datom.A.String()
	}
	return fmt.Sprintf("graphdb: [%s %d %s %s]: %s", op, e.Datom.E, attr, e.Datom.V, e.Reason)
}

// builder applies resolved datoms to a new version of a database. It owns
// (via ed) every node it copies, so each node is copied once per
// transaction.
type builder struct {
	db        *DB // the version being built
	before    *DB
	ed        *edit
	pos       int64
	t         uint32
	o         valueOps
	migration bool
	bootstrap bool

	lastE   EID
	lastEn  *entity
	attrs   []*attrState // attribute states owned by this transaction
	recheck []Datom      // assertions to validate again at the end
	emptied []ovKey      // entities left without values of an attribute
	touched []EID
	schema  []EID
	applied []Datom // with arena strings
}

// newBuilder starts the version of before at feed position pos.
func newBuilder(before *DB, pos int64, migration bool) *builder {
	return &builder{db: before.clone(), before: before, ed: new(edit), pos: pos, t: storedTx(pos),
		o: before.ops(), migration: migration}
}

// applyDatoms returns the version of db after the transaction at position
// pos made of datoms, whose EIDs use db's feed slots (and 0 for none).
// The applied datoms are returned in datoms itself, their strings moved to
// the arena.
func (db *DB) applyDatoms(pos int64, datoms []Datom, feeds []FeedKey, migration bool) (*DB, []Datom, error) {
	if db.view.filtered {
		return nil, nil, ErrFiltered
	}
	if pos != db.basis {
		return nil, nil, fmt.Errorf("graphdb: transaction at position %d applied to version %d", pos, db.basis)
	}
	b := newBuilder(db, pos, migration)
	db.ar.lock()
	defer db.ar.unlock()
	if len(feeds) > 0 {
		b.db.feeds = append(slices.Clip(db.feeds), feeds...)
	}
	b.applied = datoms[:0] // rewritten in place, with arena strings
	for i, d := range datoms {
		if d.E != b.lastE {
			b.reserve(datoms[i:])
		}
		if err := b.apply(d); err != nil {
			return nil, nil, err
		}
	}
	if err := b.finish(); err != nil {
		return nil, nil, err
	}
	return b.db, b.applied, nil
}

func (b *builder) fail(d Datom, format string, args ...any) error {
	return &DatomError{Datom: d, Attr: b.identOf(d.A), Reason: fmt.Sprintf(format, args...)}
}

func (b *builder) identOf(a EID) string {
	if n, ok := attrNum(a); ok {
		if st := b.db.attr(n); st != nil {
			return st.info.ident
		}
	}
	return ""
}

// apply applies one datom, checking that it is a real change.
func (b *builder) apply(d Datom) error {
	a, ok := attrNum(d.A)
	if !ok {
		return b.fail(d, "the attribute is not an attribute entity of this feed")
	}
	if !b.bootstrap && a < firstUserIdent && a > attrTxInstant {
		return b.fail(d, "the attribute is a bootstrap ident, not an attribute")
	}
	if err := b.checkEID(d, d.E); err != nil {
		return err
	}
	if d.V.kind == KindInvalid || d.V.kind >= numKinds {
		return b.fail(d, "invalid value")
	}
	if d.V.kind == KindRef {
		if err := b.checkEID(d, d.V.Ref()); err != nil {
			return err
		}
	}
	if d.Added {
		return b.assert(d, a)
	}
	return b.retract(d, a)
}

// checkEID checks that e names an entity this transaction may use, and
// advances the allocation counters past it.
func (b *builder) checkEID(d Datom, e EID) error {
	if e == 0 || e.Slot() > len(b.db.feeds) || e.Part() > PartTx {
		return b.fail(d, "entity %#x is not a valid entity ID", uint64(e))
	}
	if e.Slot() != 0 || b.bootstrap {
		return nil
	}
	local := e.Local()
	switch e.Part() {
	case PartUser:
		b.db.nextUser = max(b.db.nextUser, local+1)
	case PartDB:
		if local < firstUserIdent && e == d.E {
			return b.fail(d, "entity %d belongs to the bootstrap schema, which is read-only", e)
		}
		if local > maxAttr {
			return b.fail(d, "entity %#x is past the db partition", uint64(e))
		}
		b.db.nextIdent = max(b.db.nextIdent, local+1)
	case PartTx:
		if int64(local) > b.pos {
			return b.fail(d, "entity %d is the entity of a future transaction", e)
		}
	}
	return nil
}

// reserve makes room in the block of the entity of ds[0] for the
// assertions of the run of datoms on that entity, so that a new entity's
// cells and strings are allocated once.
func (b *builder) reserve(ds []Datom) {
	e, n, bytes := ds[0].E, 0, 0
	for _, d := range ds {
		if d.E != e {
			break
		}
		if d.Added {
			n++
			if d.V.kind.arenaKind() && len(d.V.s) <= localMaxLen {
				bytes += len(d.V.s)
			}
		}
	}
	if n == 0 || n == 1 && bytes == 0 {
		return
	}
	en := b.ownSized(e, n, bytes)
	cs := en.cells.small
	if en.cells.big == nil && len(cs)+n <= pseqMaxSmall &&
		(cap(cs)-len(cs) < n || int(en.strCap-en.strLen) < bytes) {
		en.relayout(n, bytes)
	}
}

// own returns the entity e owned by this transaction.
func (b *builder) own(e EID) *entity { return b.ownSized(e, 1, 0) }

// ownSized is own with room for extra cells and bytes if it copies.
func (b *builder) ownSized(e EID, extra, extraBytes int) *entity {
	if e == b.lastE && b.lastEn != nil {
		return b.lastEn
	}
	old := b.db.ents.get(uint64(e))
	en := ownEntitySized(b.ed, old, extra, extraBytes)
	if en != old {
		b.db.ents.set(b.ed, uint64(e), en)
	}
	b.lastE, b.lastEn = e, en
	return en
}

// ownAttr returns the state of attribute a owned by this transaction.
func (b *builder) ownAttr(a uint32) *attrState {
	if int(a) < len(b.attrs) && b.attrs[a] != nil {
		return b.attrs[a]
	}
	st := b.loadAttr(a)
	if int(a) < 1<<16 {
		if int(a) >= len(b.attrs) {
			b.attrs = append(b.attrs, make([]*attrState, int(a)+1-len(b.attrs))...)
		}
		b.attrs[a] = st
	}
	return st
}

func (b *builder) loadAttr(a uint32) *attrState {
	st := b.db.attrs.get(uint64(a))
	switch {
	case st == nil:
		st = &attrState{edit: b.ed, bits: newIDMap[bitPair](bitmapLocalBits)}
	case st.edit != b.ed:
		c := *st
		c.edit = b.ed
		if c.avet != nil {
			c.avet = c.avet.clone()
		}
		st = &c
	default:
		return st
	}
	b.db.attrs.set(b.ed, uint64(a), st)
	return st
}

func (b *builder) touch(e EID) {
	if n := len(b.touched); n == 0 || b.touched[n-1] != e {
		b.touched = append(b.touched, e)
	}
}

func (b *builder) assert(d Datom, a uint32) error {
	en := b.own(d.E)
	if _, dup := en.findCell(b.o, a, d.V); dup {
		return b.fail(d, "the datom is already asserted")
	}
	c := en.insertCell(b.o, cell{ak: packAK(a, d.V.kind), t: b.t, v: d.V.n}, d.V.s)
	if d.V.kind.arenaKind() {
		d.V.s = b.o.str(en, c.v)
	}
	st := b.ownAttr(a)
	if bit := uint64(1) << (d.E & 63); st.bits.get(uint64(d.E)>>6).cur&bit == 0 {
		w := st.bits.ptr(b.ed, uint64(d.E)>>6)
		w.cur |= bit
		w.ever |= bit
	}
	st.count++
	suspect := st.info.ident == "" || st.info.valueType != KindInvalid && st.info.valueType != d.V.kind ||
		!st.info.many && en.hasTwo(a)
	if st.avet != nil {
		it := b.o.itemOf(en, c, d.E, true)
		st.avet.cur.Set(it)
		suspect = suspect || st.info.unique != UniqueNone && st.avet.shared(it)
	}
	if suspect {
		b.recheck = append(b.recheck, d)
	}
	if d.V.kind == KindRef {
		b.ownRefs(d.V.Ref()).cur.insert(backref{e: d.E, a: a, t: b.t}, cmpBackref)
	}
	b.record(d, a)
	return nil
}

func (b *builder) retract(d Datom, a uint32) error {
	en := b.own(d.E)
	c, ok := en.findCell(b.o, a, d.V)
	if !ok {
		return b.fail(d, "the datom is not asserted, so it cannot be retracted")
	}
	d.V = b.o.cellValue(en, c)
	it := b.o.itemOf(en, c, d.E, false)
	en.ownHist(b.ed).spans.insert(span{ak: c.ak, from: c.t, to: b.t, v: b.o.arenaValue(en, c)}, cmpSpan)
	en.removeCell(b.o, c)
	st := b.ownAttr(a)
	st.count--
	if _, still := en.firstCell(a); !still {
		// Cleared at the end unless an assertion (a replacement) refills it.
		b.emptied = append(b.emptied, ovKey{d.E, a})
	}
	if st.avet != nil {
		st.avet.cur.Delete(it)
		past := b.o.itemOf(en, c, d.E, true)
		past.to = b.t
		st.avet.past.Set(past)
	}
	if d.V.kind == KindRef {
		b.retractBackref(d.E, a, d.V.Ref())
	}
	b.record(d, a)
	return nil
}

func (b *builder) retractBackref(src EID, a uint32, target EID) {
	rl := b.ownRefs(target)
	var br backref
	rl.cur.ascend(backref{e: src, a: a}, cmpBackref, func(x backref) bool {
		br = x
		return false
	})
	rl.cur.remove(br, cmpBackref)
	rl.past.insert(backspan{e: src, a: a, from: br.t, to: b.t}, cmpBackspan)
}

// ownRefs returns the references to e owned by this transaction.
func (b *builder) ownRefs(e EID) *refList {
	old := b.db.refs.get(uint64(e))
	rl := ownRefList(b.ed, old)
	if rl != old {
		b.db.refs.set(b.ed, uint64(e), rl)
	}
	return rl
}

// record notes what a datom touched, for the tx record and schema refresh.
func (b *builder) record(d Datom, a uint32) {
	d.Tx = b.pos
	b.applied = append(b.applied, d)
	b.touch(d.E)
	if isSchemaAttr(a) {
		b.schema = append(b.schema, d.E)
	}
	if !b.bootstrap {
		b.db.datoms++
	}
}

// finish refreshes the schema, validates the asserted datoms against it
// and records the transaction.
func (b *builder) finish() error {
	for _, k := range b.emptied {
		if _, refilled := b.db.entity(k.e).firstCell(k.a); !refilled {
			st := b.ownAttr(k.a)
			st.bits.ptr(b.ed, uint64(k.e)>>6).cur &^= 1 << (k.e & 63)
		}
	}
	if err := b.refreshSchema(); err != nil {
		return err
	}
	// Assertions were checked as they were applied; those that looked wrong
	// then (a second value that a later retraction may remove) are checked
	// again now. A schema change re-checks everything against the new schema.
	check := b.recheck
	if len(b.schema) > 0 {
		check = b.applied
	}
	for _, d := range check {
		if !d.Added {
			continue
		}
		if err := b.validate(d); err != nil {
			return err
		}
	}
	if b.bootstrap {
		return nil
	}
	slices.Sort(b.touched)
	b.db.txs.set(b.ed, uint64(b.pos), &txRecord{ents: slices.Compact(b.touched)})
	b.db.basis = b.pos + 1
	return nil
}

// validate checks an asserted datom against the schema of the new version.
func (b *builder) validate(d Datom) error {
	a, _ := attrNum(d.A)
	st := b.db.attr(a)
	if st == nil || st.info.ident == "" {
		return b.fail(d, "unknown attribute: entity %d has no :db/ident", d.A)
	}
	info := st.info
	if info.valueType != KindInvalid && d.V.kind != info.valueType {
		return b.fail(d, "type mismatch: the attribute holds %s values, not %s", info.valueType, d.V.kind)
	}
	if !info.many {
		n := 0
		b.db.entity(d.E).eachCell(b.o, a, func(cell) bool { n++; return n < 2 })
		if n > 1 {
			return b.fail(d, "cardinality one: the entity would have two values")
		}
	}
	if info.unique != UniqueNone && st.avet != nil {
		var holders []EID
		st.avet.eachEqual(d.V, func(it avetItem) bool {
			holders = append(holders, it.e)
			return len(holders) < 2
		})
		if len(holders) > 1 {
			other := holders[0]
			if other == d.E {
				other = holders[1]
			}
			return b.fail(d, "unique conflict: entity %d already has this value", other)
		}
	}
	return nil
}

func bitIndex(bit uint64) int { return bits.TrailingZeros64(bit) }
