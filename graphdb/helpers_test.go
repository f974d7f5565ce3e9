package graphdb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// kw is a short keyword constructor for tests.
func kw(s string) Value { return Keyword(s) }

func mustTransact(t testing.TB, db *DB, ops ...Op) *Report {
	t.Helper()
	r, err := db.Transact(ops)
	if err != nil {
		t.Fatalf("Transact: %v", err)
	}
	return r
}

func transactErr(t testing.TB, db *DB, want string, ops ...Op) {
	t.Helper()
	_, err := db.Transact(ops)
	if err == nil {
		t.Fatalf("Transact succeeded, want error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("Transact error %q, want it to contain %q", err, want)
	}
}

// schemaDB returns a database with the schema given as attribute maps.
func schemaDB(t testing.TB, attrs ...Entity) *DB {
	t.Helper()
	db := NewDB(FeedKey{7})
	if len(attrs) == 0 {
		return db
	}
	ops := make([]Op, len(attrs))
	for i, a := range attrs {
		ops[i] = a
	}
	return mustTransact(t, db, ops...).After
}

func attrDef(ident string, props ...any) Entity {
	m := Entity{":db/ident": kw(ident)}
	for i := 0; i < len(props); i += 2 {
		m[props[i].(string)] = props[i+1]
	}
	return m
}

var (
	one        = kw(":db.cardinality/one")
	many       = kw(":db.cardinality/many")
	identity   = kw(":db.unique/identity")
	uniqueVal  = kw(":db.unique/value")
	typeString = kw(":db.type/string")
	typeLong   = kw(":db.type/long")
	typeRef    = kw(":db.type/ref")
)

// entityOf renders the current attributes of e as "ident=value" strings,
// sorted, with the bootstrap and ident datoms left out.
func entityOf(db *DB, e EID) []string {
	var out []string
	for d := range db.Datoms(EAVT, Ref(e)) {
		a, _ := db.Attribute(d.A)
		out = append(out, fmt.Sprintf("%s=%s", a.Ident, d.V))
	}
	slices.Sort(out)
	return out
}

func wantEntity(t testing.TB, db *DB, e EID, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := entityOf(db, e); !slices.Equal(got, want) {
		t.Fatalf("entity %d = %v, want %v", e, got, want)
	}
}

func attrID(t testing.TB, db *DB, ident string) EID {
	t.Helper()
	e, ok := db.Ident(ident)
	if !ok {
		t.Fatalf("no attribute %s", ident)
	}
	return e
}

// reportString renders report datoms as "+e ident value" lines.
func reportString(db *DB, ds []Datom) []string {
	var out []string
	for _, d := range ds {
		sign := "-"
		if d.Added {
			sign = "+"
		}
		ident, _ := db.IdentOf(d.A)
		out = append(out, fmt.Sprintf("%s%d %s %s", sign, d.E, ident, d.V))
	}
	return out
}
