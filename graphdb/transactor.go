package graphdb

import (
	"fmt"
	"strings"
)

// OpError reports an operation of a transaction that cannot be resolved
// (unknown lookup ref or ident, type mismatch, conflicting upserts...).
type OpError struct {
	Index  int    // of the operation in the transaction
	Op     string // the operation, e.g. [:db/add "ann" :person/age "x"]
	Reason string
}

func (e *OpError) Error() string {
	return fmt.Sprintf("graphdb: transaction op %d %s: %s", e.Index, e.Op, e.Reason)
}

// Transact resolves ops against db (tempids, lookup refs, idents, upserts,
// cardinality-one replacement, redundant assertions) and applies them as
// the transaction at position db.Basis(). Nothing is changed on error: db
// is a value. The report holds the new database and the entry to append to
// the feed at position Report.Tx.
func (db *DB) Transact(ops []Op) (*Report, error) { return db.transact(ops, false) }

// Migrate is Transact for transactions that change declared schema: the
// value type, cardinality or uniqueness of an attribute (or constrain an
// attribute that already has data). The existing data is checked against
// the new schema and the migration fails, naming an offending datom, if it
// does not fit. The entry carries the migration flag.
func (db *DB) Migrate(ops []Op) (*Report, error) { return db.transact(ops, true) }

func (db *DB) transact(ops []Op, migration bool) (*Report, error) {
	if db.view.filtered {
		return nil, ErrFiltered
	}
	tx := newTxn(db, migration)
	defer tx.release()
	if err := tx.resolve(ops); err != nil {
		return nil, err
	}
	entry, err := tx.entry()
	if err != nil {
		return nil, err
	}
	encoded := EncodeTx(entry)
	r, err := db.applyEntry(db.basis, entry)
	if err != nil {
		return nil, err
	}
	r.TempIDs = tx.tempIDs()
	r.Entry = encoded
	return r, nil
}

type opKind uint8

const (
	opAdd opKind = iota
	opRetract
	opRetractAttr
	opRetractEntity
)

// txn is one transaction being resolved.
type txn struct {
	db        *DB
	pos       int64
	o         valueOps
	migration bool

	slots   []txSlot
	temps   map[TempID]int32
	attrs   map[string]*txAttr
	defined map[string]*txAttr // idents asserted in this transaction
	items   []item
	feeds   []FeedKey // new foreign feeds, slots len(db.feeds)+1...

	maxUser, maxIdent uint64 // explicit EIDs seen, to allocate past them
	opIndex           int
	op                Op
	scratch           *scratch
	keys              []string // entity map keys being expanded (a stack)
}

func (tx *txn) release() {
	tx.scratch.items = tx.items
	tx.scratch.release()
}

// txSlot is an entity being resolved: a tempid, a map without :db/id, or an
// implicit attribute.
type txSlot struct {
	temp   TempID
	named  bool  // a tempid of the caller, reported in Report.TempIDs
	parent int32 // union-find: slots unified by upserts share a root
	eid    EID   // bound by upsert or allocation
	dbPart bool  // gets a :db/ident: allocate in the db partition
}

// txAttr is an attribute as the transaction sees it.
type txAttr struct {
	ident string
	num   uint32 // 0 until known
	eid   EID    // set when bound to an existing entity
	slot  int32  // -1, or the slot of a new attribute entity
	info  attrInfo
}

// item is one resolved operation on one datom (or entity).
type item struct {
	kind  opKind
	e     EID
	eslot int32
	attr  *txAttr
	v     Value
	vslot int32
	op    int32
}

func newTxn(db *DB, migration bool) *txn {
	return &txn{
		db: db, pos: db.basis, o: db.ops(), migration: migration, scratch: scratchPool.Get().(*scratch),
		temps: map[TempID]int32{}, attrs: map[string]*txAttr{}, defined: map[string]*txAttr{},
	}
}

func (tx *txn) fail(format string, args ...any) error {
	return &OpError{Index: tx.opIndex, Op: describeOp(tx.op), Reason: fmt.Sprintf(format, args...)}
}

func describeOp(op Op) string {
	switch o := op.(type) {
	case Add:
		return fmt.Sprintf("[:db/add %v %s %v]", o.E, keywordText(o.A), o.V)
	case Retract:
		if o.V == nil {
			return fmt.Sprintf("[:db/retract %v %s]", o.E, keywordText(o.A))
		}
		return fmt.Sprintf("[:db/retract %v %s %v]", o.E, keywordText(o.A), o.V)
	case RetractEntity:
		return fmt.Sprintf("[:db/retractEntity %v]", o.E)
	case Entity:
		return fmt.Sprintf("%v", map[string]any(o))
	}
	return fmt.Sprintf("%T", op)
}

// resolve turns ops into items with every entity and attribute known.
func (tx *txn) resolve(ops []Op) error {
	tx.collectDefinitions(ops)
	for i, op := range ops {
		tx.opIndex, tx.op = i, op
		if err := tx.expand(op); err != nil {
			return err
		}
	}
	if err := tx.upsert(); err != nil {
		return err
	}
	tx.allocate()
	return nil
}

func (tx *txn) newSlot(t TempID, named bool) int32 {
	tx.slots = append(tx.slots, txSlot{temp: t, named: named, parent: int32(len(tx.slots))})
	return int32(len(tx.slots) - 1)
}

func (tx *txn) root(s int32) int32 {
	for tx.slots[s].parent != s {
		tx.slots[s].parent = tx.slots[tx.slots[s].parent].parent
		s = tx.slots[s].parent
	}
	return s
}

// tempSlot returns the slot of tempid t, creating it.
func (tx *txn) tempSlot(t TempID) int32 {
	if s, ok := tx.temps[t]; ok {
		return s
	}
	s := tx.newSlot(t, true)
	tx.temps[t] = s
	return s
}

// noteExplicit records an explicit EID so allocation does not reuse it.
func (tx *txn) noteExplicit(e EID) {
	if e.Slot() != 0 {
		return
	}
	switch e.Part() {
	case PartUser:
		tx.maxUser = max(tx.maxUser, e.Local())
	case PartDB:
		tx.maxIdent = max(tx.maxIdent, e.Local())
	}
}

// allocate gives every unbound slot a new EID, in slot order.
func (tx *txn) allocate() {
	nextUser := max(tx.db.nextUser, tx.maxUser+1)
	nextIdent := max(tx.db.nextIdent, tx.maxIdent+1)
	for i := range tx.slots {
		r := tx.root(int32(i))
		if tx.slots[r].dbPart {
			tx.slots[i].dbPart = true
		}
		if i != int(r) || tx.slots[r].eid != 0 {
			continue
		}
		if tx.slots[r].dbPart {
			tx.slots[r].eid = MakeEID(0, PartDB, nextIdent)
			nextIdent++
		} else {
			tx.slots[r].eid = MakeEID(0, PartUser, nextUser)
			nextUser++
		}
	}
	for i := range tx.slots {
		tx.slots[i].eid = tx.slots[tx.root(int32(i))].eid
	}
}

func (tx *txn) tempIDs() map[TempID]EID {
	m := make(map[TempID]EID, len(tx.temps))
	for t, s := range tx.temps {
		if tx.slots[s].named {
			m[t] = tx.slots[s].eid
		}
	}
	return m
}

// slotEID is the EID of an item's entity or ref value.
func (tx *txn) slotEID(e EID, s int32) EID {
	if s >= 0 {
		return tx.slots[s].eid
	}
	return e
}

// attrNum is the final number of an attribute.
func (tx *txn) attrNumber(a *txAttr) uint32 {
	if a.num == 0 && a.slot >= 0 {
		a.num = uint32(tx.slots[a.slot].eid.Local())
	}
	return a.num
}

// ident normalizes an attribute name to keyword text.
func identText(name string) string {
	if strings.HasPrefix(name, ":") {
		return name
	}
	return ":" + name
}

// reverseAttr reports whether name is a reverse ref like :ns/_name, and
// returns the forward name.
func reverseAttr(name string) (string, bool) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		i = strings.IndexByte(name, ':') // :_name without a namespace
	}
	if i+2 >= len(name) || name[i+1] != '_' {
		return name, false
	}
	return name[:i+1] + name[i+2:], true
}
