package graphdb

import (
	"slices"
)

// refreshSchema re-derives the schema of every attribute entity whose schema
// datoms changed, enforces the rules for changing a schema, and builds or
// drops AVET indices.
//
// The rules: adding an attribute, or declaring properties of an attribute
// that has no data yet, is always allowed. Changing a declared value type,
// cardinality or uniqueness, or declaring a constraint (a value type,
// uniqueness) on an attribute that already has data, is a migration: the
// transaction must carry the migration flag, and the current data must
// satisfy the new schema.
func (b *builder) refreshSchema() error {
	slices.Sort(b.schema)
	for _, e := range slices.Compact(b.schema) {
		if err := b.refreshAttr(e); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) refreshAttr(e EID) error {
	info, err := deriveInfo(b.o, b.db.entity(e))
	if err != nil {
		return b.failSchema(e, err.Error())
	}
	if e.Slot() != 0 || e.Part() != PartDB {
		if info != (attrInfo{ident: info.ident}) {
			return b.failSchema(e, "only entities of the db partition can be attributes")
		}
		return nil
	}
	a, _ := attrNum(e)
	old, hadData := attrInfo{}, false
	if st := b.before.attr(a); st != nil {
		old, hadData = st.info, st.count > 0
	}
	if !b.bootstrap {
		if err := b.checkSchemaChange(e, old, info, hadData); err != nil {
			return err
		}
	}
	st := b.ownAttr(a)
	st.info = info
	switch {
	case info.indexed() && st.avet == nil:
		return b.buildAVET(e, a, st)
	case !info.indexed():
		st.avet = nil
	}
	return nil
}

func (b *builder) failSchema(e EID, reason string) error {
	ident, _ := b.db.IdentOf(e)
	return &DatomError{Datom: Datom{E: e, A: attrEID(attrIdent), V: Keyword(ident), Tx: b.pos, Added: true},
		Attr: ":db/ident", Reason: "schema of " + ident + ": " + reason}
}

func (b *builder) checkSchemaChange(e EID, old, info attrInfo, hadData bool) error {
	if old.ident != "" && info.ident == "" && hadData {
		return b.failSchema(e, "an attribute with data cannot lose its :db/ident")
	}
	if info.component && info.valueType != KindRef {
		return b.failSchema(e, ":db/isComponent requires :db/valueType :db.type/ref")
	}
	typeChange := old.valueType != info.valueType &&
		(old.valueType != KindInvalid || hadData && info.valueType != KindInvalid)
	cardChange := old.many != info.many && (old.cardDeclared || hadData && !info.many)
	uniqueChange := old.unique != info.unique && (old.unique != UniqueNone || hadData && info.unique != UniqueNone)
	if !typeChange && !cardChange && !uniqueChange {
		return nil
	}
	if !b.migration {
		return b.failSchema(e, "changing the value type, cardinality or uniqueness of a declared attribute, "+
			"or constraining one that has data, is a migration (use DB.Migrate)")
	}
	return b.checkMigratedData(e, info)
}

// checkMigratedData checks the current datoms of attribute e against its
// new schema (uniqueness is checked when AVET is built).
func (b *builder) checkMigratedData(e EID, info attrInfo) error {
	a, _ := attrNum(e)
	st := b.db.attr(a)
	if st == nil {
		return nil
	}
	var err error
	eachBit(&st.bits, false, func(ent EID) bool {
		n := 0
		en := b.db.entity(ent)
		en.eachCell(b.o, a, func(c cell) bool {
			n++
			d := Datom{E: ent, A: e, V: b.o.cellValue(en, c), Tx: txPos(c.t), Added: true}
			switch {
			case info.valueType != KindInvalid && c.kind() != info.valueType:
				err = b.fail(d, "migration to %s: existing value is a %s", info.valueType, c.kind())
			case !info.many && n > 1:
				err = b.fail(d, "migration to cardinality one: the entity has several values")
			}
			return err == nil
		})
		return err == nil
	})
	return err
}

// buildAVET indexes the current and past datoms of attribute a.
func (b *builder) buildAVET(e EID, a uint32, st *attrState) error {
	ix := newAVET()
	eachBit(&st.bits, true, func(ent EID) bool {
		en := b.db.entity(ent)
		en.eachCell(b.o, a, func(c cell) bool {
			ix.cur.Set(b.o.itemOf(en, c, ent, true))
			return true
		})
		if en.hist != nil {
			en.hist.spans.ascend(span{ak: packAK(a, 0)}, cmpSpan, func(s span) bool {
				if s.attr() != a {
					return false
				}
				it := b.o.storedItem(s.kind(), s.v, ent, s.from)
				it.to = s.to
				ix.past.Set(it)
				return true
			})
		}
		return true
	})
	st.avet = ix
	if st.info.unique == UniqueNone {
		return nil
	}
	var prev avetItem
	var err error
	first := true
	ix.cur.Scan(func(it avetItem) bool {
		if !first && cmpAvetValue(prev, it) == 0 {
			err = b.fail(Datom{E: it.e, A: e, V: it.value(), Tx: txPos(it.t), Added: true},
				"unique conflict: entity %d has the same value", prev.e)
		}
		prev, first = it, false
		return err == nil
	})
	return err
}

// eachBit calls fn for every entity of the current (or, with ever, the
// historical) bitmap of m in increasing order.
func eachBit(m *idmap[bitPair], ever bool, fn func(EID) bool) bool {
	return eachBitFrom(m, ever, 0, fn)
}
