// Package txedn reads transaction data written in the EDN syntax of Datomic
// and DataScript into graphdb operations, so that tx-data written for
// DataScript transacts unchanged.
//
// Transaction data is a vector (or list) of forms:
//
//	{:db/id -1 :person/name "Ann" :person/friend {:person/name "Bob"}}   entity map
//	[:db/add -1 :person/age 42]                                            assertion
//	[:db/retract [:person/name "Ann"] :person/age 42]                      retraction
//	[:db/retract 17 :person/age]                                           every value of an attribute
//	[:db/retractEntity [:person/name "Bob"]]                               entity (also :db.fn/retractEntity)
//	{:db/id "datomic.tx" :tx/message "import"}                             metadata on the transaction
//
// Entity references are positive numbers (entity IDs), negative numbers and
// strings (tempids: the same tempid is the same new entity), lookup refs
// [:unique/attr value], idents (:my/enum) and the transaction itself
// (:db/current-tx or "datomic.tx"). A reference into another feed is
// written #stele/ref ["k51..." 42]: entity 42 of the feed at that address.
//
// Values are EDN strings, integers, floats, booleans, keywords, #inst
// instants and #uuid UUIDs; bytes are written #stele/bytes "base64". For a
// ref attribute, numbers, strings and vectors are entity references; for a
// cardinality-many attribute a vector, list or set holds several values.
// Which one a vector is depends on the attribute's schema in the database
// the data is read against, exactly as in DataScript: a vector given to a
// ref attribute whose first element is a keyword is a lookup ref.
package txedn

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// Parse reads tx-data text against db's schema.
func Parse(db *graphdb.DB, text []byte) ([]graphdb.Op, error) {
	form, err := edn.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("tx-data: %w", err)
	}
	return FromEDN(db, form)
}

// FromEDN converts a tx-data form read by package edn.
func FromEDN(db *graphdb.DB, form edn.Value) ([]graphdb.Op, error) {
	forms, ok := sequence(form)
	if !ok {
		return nil, fmt.Errorf("tx-data: want a vector of forms, got %s", describe(form))
	}
	r := reader{db: db}
	ops := make([]graphdb.Op, 0, len(forms))
	for i, f := range forms {
		op, err := r.op(f)
		if err != nil {
			return nil, fmt.Errorf("tx-data form %d %s: %w", i, clip(edn.Format(f)), err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

type reader struct{ db *graphdb.DB }

func (r reader) op(f edn.Value) (graphdb.Op, error) {
	switch f := f.(type) {
	case *edn.Map:
		return r.entity(f)
	case edn.Vector, edn.List:
		items, _ := sequence(f)
		return r.listOp(items)
	}
	return nil, fmt.Errorf("want an entity map or an operation vector, got %s", describe(f))
}

func (r reader) listOp(items []edn.Value) (graphdb.Op, error) {
	if len(items) == 0 {
		return nil, errors.New("empty operation")
	}
	fn, ok := items[0].(edn.Keyword)
	if !ok {
		return nil, fmt.Errorf("operation must start with a keyword such as :db/add, got %s", describe(items[0]))
	}
	args := items[1:]
	switch name := keywordName(fn); name {
	case ":db/add", ":db/retract":
		if len(args) != 3 && !(name == ":db/retract" && len(args) == 2) {
			return nil, fmt.Errorf("%s takes an entity, an attribute and a value", name)
		}
		e, err := r.ref(args[0])
		if err != nil {
			return nil, fmt.Errorf("entity: %w", err)
		}
		attr, ok := args[1].(edn.Keyword)
		if !ok {
			return nil, fmt.Errorf("attribute must be a keyword, got %s", describe(args[1]))
		}
		a := keywordName(attr)
		if len(args) == 2 {
			return graphdb.Retract{E: e, A: a}, nil
		}
		v, err := r.value(a, args[2], false)
		if err != nil {
			return nil, fmt.Errorf("value of %s: %w", a, err)
		}
		if name == ":db/add" {
			return graphdb.Add{E: e, A: a, V: v}, nil
		}
		return graphdb.Retract{E: e, A: a, V: v}, nil
	case ":db/retractEntity", ":db.fn/retractEntity":
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one entity", name)
		}
		e, err := r.ref(args[0])
		if err != nil {
			return nil, fmt.Errorf("entity: %w", err)
		}
		return graphdb.RetractEntity{E: e}, nil
	default:
		return nil, fmt.Errorf("unknown operation %s (want :db/add, :db/retract or :db/retractEntity)", name)
	}
}

func (r reader) entity(m *edn.Map) (graphdb.Entity, error) {
	ent := make(graphdb.Entity, m.Len())
	for _, kv := range m.Entries() {
		k, ok := kv.Key.(edn.Keyword)
		if !ok {
			return nil, fmt.Errorf("entity map key must be a keyword, got %s", describe(kv.Key))
		}
		a := keywordName(k)
		var v any
		var err error
		if a == ":db/id" {
			v, err = r.ref(kv.Value)
		} else {
			v, err = r.value(a, kv.Value, true)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		ent[a] = v
	}
	return ent, nil
}

// value converts the value of attribute a; inMap allows nested entity
// maps and collections (as entity maps do).
func (r reader) value(a string, v edn.Value, inMap bool) (any, error) {
	attr, known := r.attribute(a)
	isRef := known && attr.ValueType == graphdb.KindRef || isReverse(a)
	many := known && attr.Many || isReverse(a)
	if items, ok := sequence(v); ok {
		if _, isSet := v.(*edn.Set); !isSet && isRef && len(items) == 2 && isKeyword(items[0]) {
			return r.ref(v) // a lookup ref, as DataScript reads [:attr value]
		}
		if !many {
			return nil, fmt.Errorf("a collection of values needs an attribute declared with :db/cardinality :db.cardinality/many")
		}
		out := make(graphdb.Many, len(items))
		for i, item := range items {
			x, err := r.value1(isRef, item, inMap)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return r.value1(isRef, v, inMap)
}

func (r reader) value1(isRef bool, v edn.Value, inMap bool) (any, error) {
	if m, ok := v.(*edn.Map); ok {
		if !inMap {
			return nil, errors.New("a nested entity map is allowed only inside an entity map")
		}
		return r.entity(m)
	}
	if isRef {
		return r.ref(v)
	}
	return scalar(v)
}

func (r reader) attribute(a string) (graphdb.Attribute, bool) {
	if r.db == nil {
		return graphdb.Attribute{}, false
	}
	return r.db.AttributeByIdent(a)
}

// ref converts an entity reference.
func (r reader) ref(v edn.Value) (any, error) {
	switch v := v.(type) {
	case int64:
		if v == 0 {
			return nil, errors.New("0 is not an entity")
		}
		if v < 0 {
			return graphdb.TempNum(v), nil
		}
		return graphdb.EID(v), nil
	case string:
		if v == "datomic.tx" {
			return graphdb.TxEntity, nil
		}
		return graphdb.Temp(v), nil
	case edn.Keyword:
		if k := keywordName(v); k == ":db/current-tx" {
			return graphdb.TxEntity, nil
		} else {
			return graphdb.Keyword(k), nil
		}
	case edn.Vector, edn.List:
		items, _ := sequence(v)
		if len(items) != 2 || !isKeyword(items[0]) {
			return nil, fmt.Errorf("a lookup ref is [:attribute value], got %s", clip(edn.Format(v)))
		}
		a := keywordName(items[0].(edn.Keyword))
		val, err := r.value(a, items[1], false)
		if err != nil {
			return nil, fmt.Errorf("lookup ref %s: %w", a, err)
		}
		return graphdb.LookupRef{Attr: a, V: val}, nil
	case edn.Tagged:
		if v.Tag == edn.Sym("stele/ref") {
			return foreignRef(v.Value)
		}
	}
	return nil, fmt.Errorf("%s is not an entity reference (an ID, a tempid, a lookup ref or an ident)", describe(v))
}

func foreignRef(v edn.Value) (any, error) {
	items, ok := sequence(v)
	if !ok || len(items) != 2 {
		return nil, errors.New(`#stele/ref takes ["feed address" entity-id]`)
	}
	addr, ok1 := items[0].(string)
	e, ok2 := items[1].(int64)
	if !ok1 || !ok2 || e <= 0 {
		return nil, errors.New(`#stele/ref takes ["feed address" entity-id]`)
	}
	pub, err := crypto.ParseAddress(addr)
	if err != nil {
		return nil, fmt.Errorf("#stele/ref: %w", err)
	}
	return graphdb.ForeignRef{Feed: graphdb.FeedKey(pub), E: graphdb.EID(e)}, nil
}

// scalar converts a plain value.
func scalar(v edn.Value) (any, error) {
	switch v := v.(type) {
	case string, int64, float64, bool:
		return v, nil
	case *big.Int:
		return nil, fmt.Errorf("integer %s does not fit in 64 bits", v)
	case edn.BigDecimal:
		return v.Float64(), nil
	case time.Time:
		return v, nil
	case edn.UUID:
		return [16]byte(v), nil
	case edn.Keyword:
		return graphdb.Keyword(keywordName(v)), nil
	case edn.Tagged:
		if v.Tag == edn.Sym("stele/ref") {
			return foreignRef(v.Value)
		}
		if v.Tag == edn.Sym("stele/bytes") {
			s, ok := v.Value.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if !ok || err != nil {
				return nil, errors.New(`#stele/bytes takes a base64 string`)
			}
			return b, nil
		}
		return nil, fmt.Errorf("unknown tag #%s", v.Tag)
	case nil:
		return nil, errors.New("nil is not a value (retract the attribute instead)")
	}
	return nil, fmt.Errorf("%s cannot be stored as a value", describe(v))
}

func sequence(v edn.Value) ([]edn.Value, bool) {
	switch v := v.(type) {
	case edn.Vector:
		return v, true
	case edn.List:
		return v, true
	case *edn.Set:
		return v.Elements(), true
	}
	return nil, false
}

func isKeyword(v edn.Value) bool { _, ok := v.(edn.Keyword); return ok }

func isReverse(a string) bool {
	for i := len(a) - 1; i > 0; i-- {
		if a[i] == '/' {
			return i+1 < len(a) && a[i+1] == '_'
		}
	}
	return len(a) > 1 && a[1] == '_'
}

func keywordName(k edn.Keyword) string {
	if k.Namespace == "" {
		return ":" + k.Name
	}
	return ":" + k.Namespace + "/" + k.Name
}

func describe(v edn.Value) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("%s (%T)", clip(edn.Format(v)), v)
}

func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}
