package graphdb

import (
	"strings"
	"testing"
)

func TestSchemaChanges(t *testing.T) {
	base := schemaDB(t, attrDef(":age", ":db/valueType", typeLong), attrDef(":tags", ":db/cardinality", many),
		attrDef(":code"), attrDef(":empty", ":db/valueType", typeLong))
	base = mustTransact(t, base,
		Entity{":db/id": 1, ":age": 30, ":tags": Many{"a", "b"}, ":code": "x"},
		Entity{":db/id": 2, ":age": 40, ":tags": Many{"c"}, ":code": "x"}).After
	tests := []struct {
		name      string
		migrate   bool
		ops       []Op
		wantErr   string
		checkAttr string
	}{
		{name: "type change needs a migration", ops: []Op{Entity{":db/ident": kw(":age"), ":db/valueType": typeString}},
			wantErr: "is a migration"},
		{name: "type change checked against data", migrate: true,
			ops: []Op{Entity{":db/ident": kw(":age"), ":db/valueType": typeString}}, wantErr: "existing value is a long"},
		{name: "changing a declared type is a migration even without data", ops: []Op{Entity{":db/ident": kw(":empty"), ":db/valueType": typeString}},
			wantErr: "is a migration"},
		{name: "declaring a type on data is a migration", ops: []Op{Entity{":db/ident": kw(":code"), ":db/valueType": typeString}},
			wantErr: "is a migration"},
		{name: "declaring a fitting type", migrate: true, ops: []Op{Entity{":db/ident": kw(":code"), ":db/valueType": typeString}},
			checkAttr: ":code"},
		{name: "many to one with several values", migrate: true,
			ops: []Op{Entity{":db/ident": kw(":tags"), ":db/cardinality": one}}, wantErr: "entity has several values"},
		{name: "unique over duplicates", migrate: true,
			ops: []Op{Entity{":db/ident": kw(":code"), ":db/unique": uniqueVal}}, wantErr: "unique conflict"},
		{name: "unique without migration", ops: []Op{Entity{":db/ident": kw(":age"), ":db/unique": identity}},
			wantErr: "is a migration"},
		{name: "unique over distinct values", migrate: true,
			ops: []Op{Entity{":db/ident": kw(":age"), ":db/unique": identity}}, checkAttr: ":age"},
		{name: "index is free", ops: []Op{Entity{":db/ident": kw(":code"), ":db/index": true}}, checkAttr: ":code"},
		{name: "doc is free", ops: []Op{Entity{":db/ident": kw(":age"), ":db/doc": "years"}}},
		{name: "one to many is free when undeclared", ops: []Op{Entity{":db/ident": kw(":code"), ":db/cardinality": many}}},
		{name: "component needs ref", ops: []Op{Entity{":db/ident": kw(":age"), ":db/isComponent": true}},
			wantErr: "requires :db/valueType :db.type/ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *Report
			var err error
			if tt.migrate {
				r, err = base.Migrate(tt.ops)
			} else {
				r, err = base.Transact(tt.ops)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.checkAttr != "" {
				a, _ := r.After.AttributeByIdent(tt.checkAttr)
				if !a.Indexed && a.ValueType == KindInvalid {
					t.Fatalf("attribute %+v unchanged", a)
				}
				// The new schema is enforced and indexed.
				if a.Indexed && len(collect(r.After.Datoms(AVET, Ref(a.ID)))) != 2 {
					t.Fatalf("AVET of %s not built", tt.checkAttr)
				}
			}
		})
	}
}

func TestMigrationFlagOnFeed(t *testing.T) {
	db := schemaDB(t, attrDef(":n", ":db/valueType", typeLong))
	db = mustTransact(t, db, Add{1, ":n", 5}).After
	if _, err := db.Migrate([]Op{Retract{E: 1, A: ":n"}, Entity{":db/ident": kw(":n"), ":db/valueType": typeString}}); err != nil {
		t.Fatalf("migrating an attribute whose data goes away in the same transaction: %v", err)
	}
	r, err := db.Migrate([]Op{Entity{":db/ident": kw(":n"), ":db/valueType": typeLong, ":db/unique": identity}})
	if err != nil {
		t.Fatal(err)
	}
	entry, _ := DecodeTx(r.Entry)
	if !entry.Migration {
		t.Fatal("migration entry lacks its flag")
	}
	entry.Migration = false
	if _, err := db.ApplyTx(db.Basis(), EncodeTx(entry)); err == nil || !strings.Contains(err.Error(), "is a migration") {
		t.Fatalf("a replica accepted a schema change without the migration flag: %v", err)
	}
	if e, ok := r.After.Lookup(attrID(t, r.After, ":n"), Long(5)); !ok || e != 1 {
		t.Fatal("migrated unique attribute not usable for lookups")
	}
}

// TestAsOfAcrossCardinalityMigration reads a version from before an
// attribute became cardinality one, when it held two values.
func TestAsOfAcrossCardinalityMigration(t *testing.T) {
	db := schemaDB(t, attrDef(":tags", ":db/cardinality", many))
	db = mustTransact(t, db, Add{1, ":tags", "b"}, Add{1, ":tags", "a"}).After
	v := db.Basis()
	r, err := db.Migrate([]Op{Retract{1, ":tags", "a"}, Entity{":db/ident": kw(":tags"), ":db/cardinality": one}})
	if err != nil {
		t.Fatal(err)
	}
	tags := attrID(t, r.After, ":tags")
	if x, _ := r.After.Value(1, tags); x != String("b") {
		t.Fatalf("current value %v", x)
	}
	if x, _ := r.After.AsOf(v).Value(1, tags); x != String("a") {
		t.Fatalf("value as of %d = %v, want the smaller of two", v, x)
	}
}

func TestRenameAttribute(t *testing.T) {
	db := schemaDB(t, attrDef(":old/name", ":db/valueType", typeString))
	db = mustTransact(t, db, Add{1, ":old/name", "Ann"}).After
	id := attrID(t, db, ":old/name")
	db = mustTransact(t, db, Add{kw(":old/name"), ":db/ident", kw(":new/name")}).After
	if _, ok := db.Ident(":old/name"); ok {
		t.Fatal("the old ident still resolves")
	}
	if got := attrID(t, db, ":new/name"); got != id {
		t.Fatalf("renamed attribute is %d, was %d", got, id)
	}
	wantEntity(t, db, 1, `:new/name="Ann"`)
	db = mustTransact(t, db, Entity{":db/id": 2, ":new/name": "Bob"}).After
	wantEntity(t, db, 2, `:new/name="Bob"`)
}
