package query

import (
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// Entity is a lazy, read-only view of one entity of a database, as
// DataScript's d/entity: attributes are read on first access and cached.
// An Entity is not safe for concurrent use (its cache fills as it is
// read); the database it reads is.
type Entity struct {
	ex    *exec
	src   *dbSource
	id    graphdb.EID
	cache map[edn.Keyword]any
}

// EntityOf returns the entity e of db: an entity ID (int64 or
// graphdb.EID), a lookup ref [:attr value] or an ident keyword. Like
// DataScript it returns an entity for any ID, with or without datoms, and
// false only when a lookup ref or ident does not resolve.
func EntityOf(db *graphdb.DB, e edn.Value) (*Entity, bool) {
	ex := newExec(&Query{}, nil)
	src := newDBSource(db)
	id, ok := src.entityID(ex, ex.fromEDN(e))
	if !ok {
		return nil, false
	}
	return &Entity{ex: ex, src: src, id: id}, true
}

// ID is the entity's ID.
func (en *Entity) ID() graphdb.EID { return en.id }

// DB is the database the entity reads.
func (en *Entity) DB() *graphdb.DB { return en.src.db }

// Get returns the value of attribute attr, or nil if the entity has none:
//
//	a plain attribute           its value (an EDN value)
//	cardinality many            an *edn.Set of values
//	a ref attribute             an *Entity (a []*Entity for cardinality many)
//	a reverse attribute :_attr  the entities referring to this one, as a
//	                            []*Entity (one *Entity for a component)
//	:db/id                      the ID, as int64
func (en *Entity) Get(attr edn.Keyword) any {
	if attr == kwDBID {
		return int64(en.id)
	}
	if v, ok := en.cache[attr]; ok {
		return v
	}
	v := en.read(attr)
	if en.cache == nil {
		en.cache = map[edn.Keyword]any{}
	}
	en.cache[attr] = v
	return v
}

func (en *Entity) read(attr edn.Keyword) any {
	kw := keywordVal(attr)
	if fwd, ok := forwardAttr(kw.s); ok {
		return en.readReverse(val{k: kKeyword, s: fwd})
	}
	schema, _ := en.src.schema(en.ex, kw)
	vals := en.values(kw, posE, posV)
	if len(vals) == 0 {
		return nil
	}
	if schema.ValueType == graphdb.KindRef {
		ents := en.entities(vals)
		if !schema.Many {
			return ents[0]
		}
		return ents
	}
	if !schema.Many {
		return en.ex.toEDN(vals[0])
	}
	set := edn.NewSet(len(vals))
	for _, v := range vals {
		set.Add(en.ex.toEDN(v))
	}
	return set
}

func (en *Entity) readReverse(fwd val) any {
	schema, _ := en.src.schema(en.ex, fwd)
	vals := en.values(fwd, posV, posE)
	if len(vals) == 0 {
		return nil
	}
	ents := en.entities(vals)
	if schema.Component {
		return ents[0]
	}
	return ents
}

// values reads position out of the datoms of attr with the entity at
// position in.
func (en *Entity) values(attr val, in, out int) []val {
	p := probe{n: 3}
	p.bound[in], p.v[in] = true, eidVal(en.id)
	p.bound[posA], p.v[posA] = true, attr
	p.need[out] = true
	var vals []val
	en.src.match(en.ex, &p, sinkFunc(func(t *[5]val) bool {
		vals = append(vals, t[out])
		return true
	}))
	return vals
}

func (en *Entity) entities(ids []val) []*Entity {
	out := make([]*Entity, len(ids))
	for i, v := range ids {
		out[i] = &Entity{ex: en.ex, src: en.src, id: v.eid()}
	}
	return out
}

// Keys returns the attributes the entity has, in index order.
func (en *Entity) Keys() []edn.Keyword {
	p := probe{n: 2}
	p.bound[posE], p.v[posE] = true, eidVal(en.id)
	p.need[posA] = true
	var keys []edn.Keyword
	en.src.match(en.ex, &p, sinkFunc(func(t *[5]val) bool {
		if t[posA].k != kKeyword {
			return true
		}
		k := en.ex.toEDN(t[posA]).(edn.Keyword)
		if n := len(keys); n == 0 || keys[n-1] != k {
			keys = append(keys, k)
		}
		return true
	}))
	return keys
}

// Touch returns every attribute of the entity as a map, with :db/id,
// references as {:db/id n} and components touched in turn: what pulling
// [*] gives.
func (en *Entity) Touch() *edn.Map {
	r := &pullRun{ex: en.ex, src: en.src}
	m, err := r.entity(wildcardPull, eidVal(en.id))
	if err != nil { // [*] has no :xform, the only source of errors
		panic("query: touch: " + err.Error())
	}
	return m
}
