package query

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

// txOps converts DataScript transaction data written in EDN into graphdb
// operations: entity maps, [:db/add e a v], [:db/retract e a v?],
// [:db/retractEntity e]. A two-element vector starting with a keyword is
// a lookup ref; other vectors are several values of a cardinality-many
// attribute.
func txOps(t testing.TB, form edn.Value) []graphdb.Op {
	t.Helper()
	elems, ok := form.(edn.Vector)
	if !ok {
		t.Fatalf("tx data must be a vector, got %s", edn.Format(form))
	}
	ops := make([]graphdb.Op, 0, len(elems))
	for _, e := range elems {
		ops = append(ops, txOp(t, e))
	}
	return ops
}

func txOp(t testing.TB, e edn.Value) graphdb.Op {
	t.Helper()
	switch x := e.(type) {
	case *edn.Map:
		return entityMap(x)
	case edn.Vector:
		op, _ := x[0].(edn.Keyword)
		switch op.String() {
		case ":db/add":
			return graphdb.Add{E: entityRef(x[1]), A: x[2].(edn.Keyword).String(), V: goVal(x[3])}
		case ":db/retract":
			r := graphdb.Retract{E: entityRef(x[1]), A: x[2].(edn.Keyword).String()}
			if len(x) > 3 {
				r.V = goVal(x[3])
			}
			return r
		case ":db/retractEntity", ":db.fn/retractEntity":
			return graphdb.RetractEntity{E: entityRef(x[1])}
		}
	}
	t.Fatalf("unsupported tx op %s", edn.Format(e))
	return nil
}

func entityMap(m *edn.Map) graphdb.Entity {
	out := graphdb.Entity{}
	for _, kv := range m.Entries() {
		k := kv.Key.(edn.Keyword).String()
		if k == ":db/id" {
			out[k] = entityRef(kv.Value)
			continue
		}
		out[k] = goVal(kv.Value)
	}
	return out
}

func entityRef(x edn.Value) any {
	switch v := x.(type) {
	case edn.Vector:
		return graphdb.LookupRef{Attr: v[0].(edn.Keyword).String(), V: goVal(v[1])}
	case edn.Keyword:
		return graphdb.Keyword(v.String())
	case int64:
		if v > 0 {
			return graphdb.EID(v)
		}
		return v
	}
	return x
}

func goVal(x edn.Value) any {
	switch v := x.(type) {
	case edn.Keyword:
		return graphdb.Keyword(v.String())
	case *edn.Map:
		return entityMap(v)
	case edn.Vector:
		if len(v) == 2 {
			if _, ok := v[0].(edn.Keyword); ok {
				if _, second := v[1].(edn.Keyword); !second {
					return entityRef(v)
				}
			}
		}
		many := make(graphdb.Many, len(v))
		for i, y := range v {
			many[i] = goVal(y)
		}
		return many
	case *edn.Set:
		return goVal(edn.Vector(v.Elements()))
	case edn.UUID:
		return [16]byte(v)
	case time.Time:
		return v
	}
	return x
}

// schemaOps turns a DataScript schema map {:attr {:db/cardinality ...}}
// into attribute definitions.
func schemaOps(m *edn.Map) []graphdb.Op {
	var ops []graphdb.Op
	for _, kv := range m.Entries() {
		def := graphdb.Entity{":db/ident": graphdb.Keyword(kv.Key.(edn.Keyword).String())}
		for _, p := range kv.Value.(*edn.Map).Entries() {
			def[p.Key.(edn.Keyword).String()] = goVal(p.Value)
		}
		ops = append(ops, def)
	}
	return ops
}

func mustEDN(t testing.TB, text string) edn.Value {
	t.Helper()
	v, err := edn.Parse([]byte(text))
	if err != nil {
		t.Fatalf("edn.Parse(%s): %v", text, err)
	}
	return v
}

// newTestDB builds a database: the schema (a DataScript schema map, or
// "") then each transaction in turn.
func newTestDB(t testing.TB, schema string, txs ...string) *graphdb.DB {
	t.Helper()
	db := graphdb.NewDB(graphdb.FeedKey{1})
	if strings.TrimSpace(schema) != "" {
		db = transact(t, db, schemaOps(mustEDN(t, schema).(*edn.Map)))
	}
	for _, tx := range txs {
		db = transact(t, db, txOps(t, mustEDN(t, tx)))
	}
	return db
}

func transact(t testing.TB, db *graphdb.DB, ops []graphdb.Op) *graphdb.DB {
	t.Helper()
	r, err := db.Transact(ops)
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	return r.After
}

// runQuery runs a query on inputs given as EDN text (or as Go values, for
// anything that is not a string).
func runQuery(t testing.TB, query string, inputs ...any) (edn.Value, error) {
	t.Helper()
	q, err := Parse([]byte(query))
	if err != nil {
		return nil, err
	}
	return q.Run(inputs...)
}

// sameResult compares a result with the expected EDN text. Collections
// from :find [?x ...] compare as bags, since their order is not defined.
func sameResult(got edn.Value, want string) (bool, string) {
	w, err := edn.Parse([]byte(want))
	if err != nil {
		return false, fmt.Sprintf("bad expected EDN %s: %v", want, err)
	}
	if edn.Equal(got, w) {
		return true, ""
	}
	if g, ok := got.(edn.Vector); ok {
		if wv, ok := w.(edn.Vector); ok && sameBag(g, wv) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("got %s, want %s", edn.Format(got), want)
}

func sameBag(a, b edn.Vector) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
outer:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && edn.Equal(x, y) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}
