package graphdb

// upsert binds tempids through unique-identity attributes: a tempid whose
// entity asserts a unique identity value that an existing entity holds
// becomes that entity, and tempids asserting the same new value become one
// entity. Two bindings of one tempid to different entities are an error.
func (tx *txn) upsert() error {
	type key struct {
		a *txAttr
		v Value
	}
	first := map[key]int32{}
	for _, it := range tx.items {
		if it.kind != opAdd || it.eslot < 0 || it.vslot >= 0 || it.attr.info.unique != UniqueIdentity {
			continue
		}
		tx.opIndex = int(it.op)
		if existing, ok := tx.holder(it.attr, it.v); ok {
			if err := tx.bind(it.eslot, existing, it); err != nil {
				return err
			}
			continue
		}
		k := key{it.attr, it.v}
		if s, ok := first[k]; ok {
			if err := tx.unify(s, it.eslot, it); err != nil {
				return err
			}
			continue
		}
		first[k] = it.eslot
	}
	return nil
}

// holder returns the existing entity holding value v of attribute a.
func (tx *txn) holder(a *txAttr, v Value) (EID, bool) {
	if a.num == 0 {
		return 0, false
	}
	st := tx.db.attr(a.num)
	if st == nil || st.avet == nil {
		return 0, false
	}
	return st.avet.first(v)
}

func (tx *txn) bind(s int32, e EID, it item) error {
	r := tx.root(s)
	if cur := tx.slots[r].eid; cur != 0 && cur != e {
		return tx.conflict(it, cur, e)
	}
	tx.slots[r].eid = e
	return nil
}

func (tx *txn) unify(s1, s2 int32, it item) error {
	r1, r2 := tx.root(s1), tx.root(s2)
	if r1 == r2 {
		return nil
	}
	e1, e2 := tx.slots[r1].eid, tx.slots[r2].eid
	if e1 != 0 && e2 != 0 && e1 != e2 {
		return tx.conflict(it, e1, e2)
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	tx.slots[r2].parent = r1
	tx.slots[r1].eid = max(e1, e2)
	tx.slots[r1].dbPart = tx.slots[r1].dbPart || tx.slots[r2].dbPart
	return nil
}

func (tx *txn) conflict(it item, e1, e2 EID) error {
	return tx.fail("conflicting upserts: %v resolves to both entity %d and entity %d (through %s %v)",
		tx.slots[it.eslot].temp, e1, e2, it.attr.ident, it.v)
}
