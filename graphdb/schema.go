package graphdb

import (
	"fmt"
	"maps"
	"slices"
)

// attrInfo is the schema of one attribute, derived from the datoms of the
// attribute entity whenever they change.
type attrInfo struct {
	ident        string
	valueType    Kind // KindInvalid: any kind (no :db/valueType)
	many         bool
	everMany     bool // many now or at some past version
	cardDeclared bool
	unique       Unique
	component    bool
	index        bool
}

// indexed reports whether the attribute is in AVET.
func (i attrInfo) indexed() bool { return i.unique != UniqueNone || i.index }

// Attribute is the schema of an attribute as readers see it.
type Attribute struct {
	ID        EID
	Ident     string // e.g. ":person/name"
	ValueType Kind   // KindInvalid when undeclared: values of any kind
	Many      bool   // cardinality many
	Unique    Unique
	Component bool
	Indexed   bool // in AVET: unique or :db/index true
}

// Attribute returns the schema of attribute a.
func (db *DB) Attribute(a EID) (Attribute, bool) {
	n, ok := attrNum(a)
	if !ok {
		return Attribute{}, false
	}
	st := db.attr(n)
	if st == nil || st.info.ident == "" {
		return Attribute{}, false
	}
	i := st.info
	return Attribute{ID: a, Ident: i.ident, ValueType: i.valueType, Many: i.many,
		Unique: i.unique, Component: i.component, Indexed: i.indexed()}, true
}

// Ident returns the entity whose :db/ident is ident (given with or without
// its leading colon).
func (db *DB) Ident(ident string) (EID, bool) {
	st := db.attr(attrIdent)
	return st.avet.first(Keyword(ident))
}

// IdentOf returns the :db/ident of entity e.
func (db *DB) IdentOf(e EID) (string, bool) {
	en := db.entity(e)
	if en == nil {
		return "", false
	}
	c, ok := en.firstCell(attrIdent)
	if !ok || c.kind() != KindKeyword {
		return "", false
	}
	return db.ops().str(en, c.v), true
}

// AttributeByIdent returns the schema of the attribute named ident.
func (db *DB) AttributeByIdent(ident string) (Attribute, bool) {
	e, ok := db.Ident(ident)
	if !ok {
		return Attribute{}, false
	}
	return db.Attribute(e)
}

// Attributes returns the installed attributes in ID order.
func (db *DB) Attributes() []Attribute {
	var out []Attribute
	db.attrs.ascend(0, func(k uint64, st *attrState) bool {
		if a, ok := db.Attribute(attrEID(uint32(k))); ok && (k >= firstUserIdent || k <= attrTxInstant) {
			out = append(out, a)
		}
		return true
	})
	return out
}

// deriveInfo reads the schema datoms of attribute entity en.
func deriveInfo(o valueOps, en *entity) (attrInfo, error) {
	var info attrInfo
	var err error
	en.cells.each(func(c cell) bool {
		switch c.attr() {
		case attrIdent:
			if c.kind() != KindKeyword {
				err = fmt.Errorf(":db/ident must be a keyword")
				break
			}
			info.ident = o.str(en, c.v)
		case attrValueType:
			k, ok := enumRef(c, identTypeBase+uint32(KindString), identTypeBase+uint32(numKinds-1))
			if !ok {
				err = fmt.Errorf(":db/valueType must be a :db.type/* ident")
			}
			info.valueType = Kind(k - identTypeBase)
		case attrCardinality:
			k, ok := enumRef(c, identCardOne, identCardMany)
			if !ok {
				err = fmt.Errorf(":db/cardinality must be :db.cardinality/one or :db.cardinality/many")
			}
			info.many, info.cardDeclared = k == identCardMany, true
		case attrUnique:
			k, ok := enumRef(c, identUniqueIdentity, identUniqueValue)
			if !ok {
				err = fmt.Errorf(":db/unique must be :db.unique/identity or :db.unique/value")
			}
			info.unique = UniqueIdentity + Unique(k-identUniqueIdentity)
		case attrIsComponent:
			info.component = c.kind() == KindBool && c.v == 1
		case attrIndex:
			info.index = c.kind() == KindBool && c.v == 1
		}
		return err == nil
	})
	info.everMany = info.many
	if en.hist != nil {
		en.hist.spans.each(func(s span) bool {
			if s.attr() == attrCardinality && s.kind() == KindRef && EID(s.v) == attrEID(identCardMany) {
				info.everMany = true
			}
			return true
		})
	}
	return info, err
}

// enumRef returns the db-partition number a schema cell refers to, if it is
// a ref within [lo, hi].
func enumRef(c cell, lo, hi uint32) (uint32, bool) {
	if c.kind() != KindRef {
		return 0, false
	}
	n, ok := attrNum(EID(c.v))
	return n, ok && n >= lo && n <= hi
}

// installBootstrap writes the bootstrap schema into an empty database.
func installBootstrap(db *DB) {
	b := newBuilder(db, -1, false)
	b.bootstrap = true
	db.ar.lock()
	defer db.ar.unlock()
	add := func(e uint32, a uint32, v Value) {
		if err := b.apply(Datom{E: attrEID(e), A: attrEID(a), V: v, Added: true}); err != nil {
			panic("graphdb: bootstrap: " + err.Error())
		}
	}
	idents := bootstrapIdents()
	for _, n := range slices.Sorted(maps.Keys(idents)) {
		add(n, attrIdent, Keyword(idents[n]))
	}
	for _, ba := range bootstrapAttrs {
		add(ba.num, attrIdent, Keyword(ba.ident))
		add(ba.num, attrValueType, Ref(attrEID(identTypeBase+uint32(ba.kind))))
		add(ba.num, attrCardinality, Ref(attrEID(identCardOne)))
		if ba.uniq != UniqueNone {
			add(ba.num, attrUnique, Ref(attrEID(identUniqueIdentity+uint32(ba.uniq-UniqueIdentity))))
		}
		add(ba.num, attrDoc, String(ba.doc))
	}
	if err := b.finish(); err != nil {
		panic("graphdb: bootstrap: " + err.Error())
	}
	*db = *b.db
}
