package graphdb

import (
	"slices"
	"time"
)

// collectDefinitions finds the idents that the transaction asserts and the
// schema its entity maps give them, so that data in the same transaction
// can use a new attribute.
func (tx *txn) collectDefinitions(ops []Op) {
	size := 0
	for _, op := range ops {
		size++
		switch o := op.(type) {
		case Entity:
			size += len(o)
			kw, ok := o[":db/ident"].(Value)
			if !ok || kw.kind != KindKeyword {
				continue
			}
			a := &txAttr{ident: kw.s, slot: -1}
			if old, ok := tx.existingAttr(kw.s); ok {
				a.info = old.info
			}
			a.info.ident = kw.s
			applySchemaProps(&a.info, o)
			tx.defined[kw.s] = a
		case Add:
			if kw, ok := o.V.(Value); ok && kw.kind == KindKeyword && identText(o.A) == ":db/ident" {
				if _, dup := tx.defined[kw.s]; !dup {
					tx.defined[kw.s] = &txAttr{ident: kw.s, slot: -1, info: attrInfo{ident: kw.s}}
				}
			}
		}
	}
	tx.items = slices.Grow(tx.scratch.items[:0], size)
}

// applySchemaProps reads the schema keys of an entity map.
func applySchemaProps(info *attrInfo, m Entity) {
	ident := func(key string) string {
		if v, ok := m[key].(Value); ok && v.kind == KindKeyword {
			return v.s
		}
		return ""
	}
	if t := ident(":db/valueType"); t != "" {
		for k := KindString; k < numKinds; k++ {
			if t == ":db.type/"+k.String() {
				info.valueType = k
			}
		}
	}
	switch ident(":db/cardinality") {
	case ":db.cardinality/many":
		info.many, info.cardDeclared = true, true
	case ":db.cardinality/one":
		info.many, info.cardDeclared = false, true
	}
	switch ident(":db/unique") {
	case ":db.unique/identity":
		info.unique = UniqueIdentity
	case ":db.unique/value":
		info.unique = UniqueValue
	}
	if b, ok := m[":db/isComponent"]; ok {
		info.component = b == true || b == Bool(true)
	}
}

func (tx *txn) existingAttr(ident string) (*attrState, bool) {
	e, ok := tx.db.Ident(ident)
	if !ok {
		return nil, false
	}
	n, ok := attrNum(e)
	if !ok {
		return nil, false
	}
	st := tx.db.attr(n)
	return st, st != nil
}

// attribute resolves an attribute name: an attribute defined in this
// transaction, an existing one, or a new implicit (schema-less) one.
func (tx *txn) attribute(name string) (*txAttr, error) {
	if a, ok := tx.attrs[name]; ok {
		return a, nil
	}
	ident := identText(name)
	a, ok := tx.defined[ident]
	switch {
	case ok:
	default:
		e, found := tx.db.Ident(ident)
		if found {
			n, isAttr := attrNum(e)
			if !isAttr || (n < firstUserIdent && n > attrTxInstant) {
				return nil, tx.fail("%s is an ident, not an attribute", ident)
			}
			a = &txAttr{ident: ident, num: n, eid: e, slot: -1, info: tx.db.attr(n).info}
		} else {
			a = &txAttr{ident: ident, slot: tx.newSlot(TempID{}, false)}
			tx.slots[a.slot].dbPart = true
			a.info.ident = ident
			tx.items = append(tx.items, item{kind: opAdd, eslot: a.slot, attr: tx.identAttr(),
				v: Keyword(ident), vslot: -1, op: int32(tx.opIndex)})
		}
		tx.defined[ident] = a
	}
	tx.attrs[name] = a
	return a, nil
}

// identAttr is the :db/ident attribute.
func (tx *txn) identAttr() *txAttr {
	if a, ok := tx.attrs[":db/ident"]; ok {
		return a
	}
	a := &txAttr{ident: ":db/ident", num: attrIdent, eid: attrEID(attrIdent), slot: -1, info: tx.db.attr(attrIdent).info}
	tx.attrs[":db/ident"] = a
	return a
}

// bindIdent attaches an ident asserted in this transaction to its entity.
func (tx *txn) bindIdent(kw Value, e EID, s int32) {
	a, ok := tx.defined[kw.s]
	if !ok || a.num != 0 || a.slot >= 0 {
		return
	}
	if s >= 0 {
		a.slot = s
		tx.slots[s].dbPart = true
		return
	}
	if n, ok := attrNum(e); ok {
		a.num, a.eid = n, e
	}
}

// expand turns one operation into items.
func (tx *txn) expand(op Op) error {
	switch o := op.(type) {
	case Entity:
		_, _, err := tx.expandMap(o)
		return err
	case Add:
		e, s, err := tx.entityRef(o.E, true)
		if err != nil {
			return err
		}
		return tx.addValue(e, s, o.A, o.V)
	case Retract:
		e, s, err := tx.entityRef(o.E, false)
		if err != nil {
			return err
		}
		a, err := tx.attribute(o.A)
		if err != nil {
			return err
		}
		if o.V == nil {
			tx.items = append(tx.items, item{kind: opRetractAttr, e: e, eslot: s, attr: a, vslot: -1, op: int32(tx.opIndex)})
			return nil
		}
		v, vs, err := tx.value(a, o.V)
		if err != nil {
			return err
		}
		if vs >= 0 {
			return tx.fail("cannot retract a ref to a new entity")
		}
		tx.items = append(tx.items, item{kind: opRetract, e: e, eslot: s, attr: a, v: v, vslot: -1, op: int32(tx.opIndex)})
		return nil
	case RetractEntity:
		e, s, err := tx.entityRef(o.E, false)
		if err != nil {
			return err
		}
		tx.items = append(tx.items, item{kind: opRetractEntity, e: e, eslot: s, vslot: -1, op: int32(tx.opIndex)})
		return nil
	case nil:
		return tx.fail("nil operation")
	}
	return tx.fail("unknown operation type %T", op)
}

// expandMap expands an entity map and returns its entity.
func (tx *txn) expandMap(m Entity) (EID, int32, error) {
	var e EID
	s := int32(-1)
	if id, ok := m[":db/id"]; ok {
		var err error
		if e, s, err = tx.entityRef(id, true); err != nil {
			return 0, -1, err
		}
	} else {
		s = tx.newSlot(TempID{}, false)
	}
	// Keys in a fixed order, so that resolution (and EID allocation) does
	// not depend on map iteration. The buffer is a stack: nested maps push
	// their keys above ours.
	start := len(tx.keys)
	for k := range m {
		tx.keys = append(tx.keys, k)
	}
	slices.Sort(tx.keys[start:])
	defer func() { tx.keys = tx.keys[:start] }()
	for i := range len(m) {
		key := tx.keys[start+i]
		if key == ":db/id" {
			continue
		}
		if fwd, rev := reverseAttr(key); rev {
			if err := tx.addReverse(e, s, fwd, m[key]); err != nil {
				return 0, -1, err
			}
			continue
		}
		if err := tx.addValue(e, s, key, m[key]); err != nil {
			return 0, -1, err
		}
	}
	return e, s, nil
}

// addValue adds the items for one key of a map or one Add.
func (tx *txn) addValue(e EID, s int32, name string, x any) error {
	a, err := tx.attribute(name)
	if err != nil {
		return err
	}
	if many, ok := asMany(x); ok {
		if !a.info.many {
			return tx.fail("%s has cardinality one but is given several values", a.ident)
		}
		for _, y := range many {
			if err := tx.addValue(e, s, name, y); err != nil {
				return err
			}
		}
		return nil
	}
	v, vs, err := tx.value(a, x)
	if err != nil {
		return err
	}
	if a.num == attrIdent || a.ident == ":db/ident" {
		tx.bindIdent(v, e, s)
	}
	tx.items = append(tx.items, item{kind: opAdd, e: e, eslot: s, attr: a, v: v, vslot: vs, op: int32(tx.opIndex)})
	return nil
}

func asMany(x any) ([]any, bool) {
	switch m := x.(type) {
	case Many:
		return m, true
	case []any:
		return m, true
	}
	return nil, false
}

// addReverse adds :ns/name from each value to the entity (key :ns/_name).
func (tx *txn) addReverse(e EID, s int32, fwd string, x any) error {
	vals, ok := asMany(x)
	if !ok {
		vals = []any{x}
	}
	a, err := tx.attribute(fwd)
	if err != nil {
		return err
	}
	for _, y := range vals {
		var src EID
		ss := int32(-1)
		if m, isMap := y.(Entity); isMap {
			src, ss, err = tx.expandMap(m)
		} else {
			src, ss, err = tx.entityRef(y, true)
		}
		if err != nil {
			return err
		}
		target := Ref(e)
		tx.items = append(tx.items, item{kind: opAdd, e: src, eslot: ss, attr: a, v: target, vslot: s, op: int32(tx.opIndex)})
	}
	return nil
}

// value converts x to a value of attribute a; for refs to new entities it
// returns the slot instead (vslot >= 0).
func (tx *txn) value(a *txAttr, x any) (Value, int32, error) {
	isRef := a.info.valueType == KindRef
	if m, ok := x.(Entity); ok {
		if a.info.valueType != KindRef && a.info.valueType != KindInvalid {
			return Value{}, -1, tx.fail("%s holds %s values; a nested map needs a ref attribute", a.ident, a.info.valueType)
		}
		e, s, err := tx.expandMap(m)
		return Ref(e), s, err
	}
	if isRef || isEntityRef(x) {
		e, s, err := tx.entityRef(x, true)
		if err != nil {
			return Value{}, -1, err
		}
		if s >= 0 {
			return Value{kind: KindRef}, s, tx.checkType(a, KindRef)
		}
		return Ref(e), -1, tx.checkType(a, KindRef)
	}
	v, ok := goValue(x)
	if !ok {
		return Value{}, -1, tx.fail("unsupported value %v of type %T", x, x)
	}
	return v, -1, tx.checkType(a, v.kind)
}

func (tx *txn) checkType(a *txAttr, k Kind) error {
	if a.info.valueType != KindInvalid && a.info.valueType != k {
		return tx.fail("type mismatch: %s holds %s values, not %s", a.ident, a.info.valueType, k)
	}
	return nil
}

// isEntityRef reports whether x can only be an entity reference.
func isEntityRef(x any) bool {
	switch v := x.(type) {
	case EID, TempID, LookupRef, ForeignRef, txEntity:
		return true
	case Value:
		return v.kind == KindRef
	}
	return false
}

// goValue converts a Go value to a Value.
func goValue(x any) (Value, bool) {
	switch v := x.(type) {
	case Value:
		return v, v.kind != KindInvalid
	case string:
		return String(v), true
	case int:
		return Long(int64(v)), true
	case int64:
		return Long(v), true
	case int32:
		return Long(int64(v)), true
	case float64:
		return Double(v), true
	case bool:
		return Bool(v), true
	case time.Time:
		return Instant(v), true
	case []byte:
		return Bytes(v), true
	case [16]byte:
		return UUID(v), true
	}
	return Value{}, false
}

// entityRef resolves an entity reference. With allowNew, tempids create
// slots; otherwise they are an error (nothing to retract on a new entity).
func (tx *txn) entityRef(x any, allowNew bool) (EID, int32, error) {
	switch v := x.(type) {
	case EID:
		return tx.explicit(v)
	case int:
		return tx.number(int64(v), allowNew)
	case int64:
		return tx.number(v, allowNew)
	case string:
		return tx.temp(Temp(v), allowNew)
	case TempID:
		return tx.temp(v, allowNew)
	case txEntity:
		return TxEID(tx.pos), -1, nil
	case LookupRef:
		return tx.lookup(v)
	case ForeignRef:
		return tx.foreign(v)
	case Value:
		switch v.kind {
		case KindRef:
			return tx.explicit(v.Ref())
		case KindLong:
			return tx.number(v.Long(), allowNew)
		case KindString:
			return tx.temp(Temp(v.s), allowNew)
		case KindKeyword:
			return tx.identRef(v.s)
		}
	}
	return 0, -1, tx.fail("%v (%T) is not an entity reference", x, x)
}

func (tx *txn) explicit(e EID) (EID, int32, error) {
	if e == 0 || e.Part() > PartTx || e.Slot() > len(tx.db.feeds)+len(tx.feeds) {
		return 0, -1, tx.fail("%#x is not a valid entity ID", uint64(e))
	}
	tx.noteExplicit(e)
	return e, -1, nil
}

func (tx *txn) number(n int64, allowNew bool) (EID, int32, error) {
	if n < 0 {
		return tx.temp(TempNum(n), allowNew)
	}
	return tx.explicit(EID(n))
}

func (tx *txn) temp(t TempID, allowNew bool) (EID, int32, error) {
	if !allowNew {
		return 0, -1, tx.fail("tempid %v names no existing entity", t)
	}
	return 0, tx.tempSlot(t), nil
}

func (tx *txn) identRef(kw string) (EID, int32, error) {
	if e, ok := tx.db.Ident(kw); ok {
		return e, -1, nil
	}
	if a, ok := tx.defined[identText(kw)]; ok {
		if a.slot >= 0 {
			return 0, a.slot, nil
		}
		if a.eid != 0 {
			return a.eid, -1, nil
		}
	}
	return 0, -1, tx.fail("unknown ident %s", kw)
}

func (tx *txn) lookup(l LookupRef) (EID, int32, error) {
	ident := identText(l.Attr)
	e, ok := tx.db.Ident(ident)
	if !ok {
		return 0, -1, tx.fail("lookup ref %v: unknown attribute %s", l, ident)
	}
	n, _ := attrNum(e)
	st := tx.db.attr(n)
	if st == nil || st.info.unique == UniqueNone {
		return 0, -1, tx.fail("lookup ref %v: %s is not a unique attribute", l, ident)
	}
	v, ok := goValue(l.V)
	if st.info.valueType == KindRef || isEntityRef(l.V) {
		ref, _, err := tx.entityRef(l.V, false)
		if err != nil {
			return 0, -1, err
		}
		v, ok = Ref(ref), true
	}
	if !ok {
		return 0, -1, tx.fail("lookup ref %v: unsupported value", l)
	}
	if found, ok := st.avet.first(v); ok {
		return found, -1, nil
	}
	return 0, -1, tx.fail("lookup ref %v matches no entity", l)
}

func (tx *txn) foreign(f ForeignRef) (EID, int32, error) {
	if f.E.Slot() != 0 || f.E == 0 || f.E.Part() > PartTx {
		return 0, -1, tx.fail("foreign entity %#x must be a slot-0 EID of its feed", uint64(f.E))
	}
	if slot, ok := tx.db.FeedSlot(f.Feed); ok {
		return f.E.withSlot(slot), -1, nil
	}
	for i, k := range tx.feeds {
		if k == f.Feed {
			return f.E.withSlot(len(tx.db.feeds) + i + 1), -1, nil
		}
	}
	if len(tx.db.feeds)+len(tx.feeds) >= maxSlot {
		return 0, -1, tx.fail("too many feeds referenced")
	}
	tx.feeds = append(tx.feeds, f.Feed)
	return f.E.withSlot(len(tx.db.feeds) + len(tx.feeds)), -1, nil
}
