package graphdb

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// The cases below follow DataScript's own tests (test/datascript/test/
// transact.cljc, upsert.cljc, lookup_refs.cljc, components.cljc,
// tempid.cljc), rewritten for the Go API.

func TestTransactCardinality(t *testing.T) {
	db := schemaDB(t, attrDef(":aka", ":db/cardinality", many))
	db = mustTransact(t, db,
		Add{1, ":name", "Ivan"}, Add{1, ":name", "Petr"},
		Add{1, ":aka", "Devil"}, Add{1, ":aka", "Tupen"}).After
	wantEntity(t, db, 1, `:aka="Devil"`, `:aka="Tupen"`, `:name="Petr"`)

	r := mustTransact(t, db, Add{1, ":name", "Ivan"})
	if got := reportString(db, r.Datoms); !slices.Equal(got, []string{`-1 :name "Petr"`, `+1 :name "Ivan"`}) {
		t.Fatalf("cardinality-one replacement datoms = %v", got)
	}
	db = r.After
	r = mustTransact(t, db, Add{1, ":name", "Ivan"}, Add{1, ":aka", "Devil"})
	if len(r.Datoms) != 0 {
		t.Fatalf("redundant assertions produced datoms %v", r.Datoms)
	}
	db = mustTransact(t, db, Retract{1, ":aka", "Devil"}).After
	wantEntity(t, db, 1, `:aka="Tupen"`, `:name="Ivan"`)
	db = mustTransact(t, db, Retract{E: 1, A: ":aka"}, Retract{1, ":name", "Not him"}).After
	wantEntity(t, db, 1, `:name="Ivan"`)
	r = mustTransact(t, db, Add{1, ":name", "Oleg"}, Retract{1, ":name", "Oleg"})
	if got := reportString(db, r.Datoms); !slices.Equal(got, []string{`-1 :name "Ivan"`}) {
		t.Fatalf("add then retract in one transaction = %v", got)
	}
}

func TestTransactRetractEntity(t *testing.T) {
	db := schemaDB(t,
		attrDef(":friend", ":db/valueType", typeRef, ":db/cardinality", many),
		attrDef(":profile", ":db/valueType", typeRef, ":db/isComponent", true),
		attrDef(":parts", ":db/valueType", typeRef, ":db/isComponent", true, ":db/cardinality", many))
	db = mustTransact(t, db,
		Entity{":db/id": 1, ":name": "Ivan", ":friend": Many{2, 3},
			":profile": Entity{":db/id": 10, ":email": "@1", ":parts": Many{Entity{":db/id": 11, ":x": 1}}}},
		Entity{":db/id": 2, ":name": "Petr", ":friend": Many{1}},
		Entity{":db/id": 3, ":name": "Oleg", ":friend": Many{1, 2}}).After
	wantEntity(t, db, 10, `:email="@1"`, `:parts=11`)
	db = mustTransact(t, db, RetractEntity{1}).After
	wantEntity(t, db, 1)
	wantEntity(t, db, 10)
	wantEntity(t, db, 11)
	wantEntity(t, db, 2, `:name="Petr"`)
	wantEntity(t, db, 3, `:friend=2`, `:name="Oleg"`)
	if n := len(collect(db.Datoms(VAET, Ref(1)))); n != 0 {
		t.Fatalf("%d refs to the retracted entity remain", n)
	}
}

func TestTransactComponentsNested(t *testing.T) {
	db := schemaDB(t, attrDef(":profile", ":db/valueType", typeRef, ":db/isComponent", true))
	r := mustTransact(t, db, Entity{":db/id": "ann", ":name": "Ann", ":profile": Entity{":email": "ann@x"}})
	ann := r.TempIDs[Temp("ann")]
	prof, ok := r.After.Value(ann, attrID(t, r.After, ":profile"))
	if !ok {
		t.Fatal("no profile ref")
	}
	wantEntity(t, r.After, prof.Ref(), `:email="ann@x"`)
	// Reverse refs in maps: {:_profile parent}.
	r = mustTransact(t, r.After, Entity{":db/id": "p2", ":email": "p2@x", ":_profile": ann})
	p2 := r.TempIDs[Temp("p2")]
	if v, _ := r.After.Value(ann, attrID(t, r.After, ":profile")); v.Ref() != p2 {
		t.Fatalf("reverse ref in map: profile = %v, want %d", v, p2)
	}
}

func upsertDB(t *testing.T) *DB {
	db := schemaDB(t,
		attrDef(":name", ":db/unique", identity),
		attrDef(":email", ":db/unique", identity),
		attrDef(":slugs", ":db/unique", identity, ":db/cardinality", many))
	return mustTransact(t, db,
		Entity{":db/id": 1, ":name": "Ivan", ":email": "@1"},
		Entity{":db/id": 2, ":name": "Petr", ":email": "@2"}).After
}

func TestUpsert(t *testing.T) {
	tests := []struct {
		name    string
		ops     []Op
		temp    any // tempid expected to resolve to entity want
		want    EID
		wantErr string
		check   []string // entity want afterwards
	}{
		{name: "map without id", ops: []Op{Entity{":name": "Ivan", ":age": 35}}, want: 1,
			check: []string{`:age=35`, `:email="@1"`, `:name="Ivan"`}},
		{name: "map by two attributes", ops: []Op{Entity{":name": "Ivan", ":email": "@1", ":age": 35}}, want: 1,
			check: []string{`:age=35`, `:email="@1"`, `:name="Ivan"`}},
		{name: "tempid", ops: []Op{Entity{":db/id": -1, ":name": "Ivan", ":age": 35}}, temp: TempNum(-1), want: 1},
		{name: "string tempid", ops: []Op{Entity{":db/id": "x", ":name": "Petr", ":age": 36}}, temp: Temp("x"), want: 2},
		{name: "new value of other identity", ops: []Op{Entity{":db/id": -1, ":name": "Ivan", ":email": "@3"}},
			temp: TempNum(-1), want: 1, check: []string{`:email="@3"`, `:name="Ivan"`}},
		{name: "vector form", ops: []Op{Add{-1, ":name", "Ivan"}, Add{-1, ":age", 12}}, temp: TempNum(-1), want: 1,
			check: []string{`:age=12`, `:email="@1"`, `:name="Ivan"`}},
		{name: "same tempid twice", ops: []Op{Entity{":db/id": -1, ":name": "Ivan", ":age": 35}, Entity{":db/id": -1, ":age": 36}},
			temp: TempNum(-1), want: 1, check: []string{`:age=36`, `:email="@1"`, `:name="Ivan"`}},
		{name: "conflicting upserts", ops: []Op{Entity{":name": "Ivan", ":email": "@2"}}, wantErr: "conflicting upserts"},
		{name: "conflicting tempid", ops: []Op{Add{-1, ":name", "Ivan"}, Add{-1, ":name", "Petr"}}, wantErr: "conflicting upserts"},
		{name: "explicit id and taken value", ops: []Op{Add{2, ":email", "@1"}}, wantErr: "unique conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := upsertDB(t)
			if tt.wantErr != "" {
				transactErr(t, db, tt.wantErr, tt.ops...)
				return
			}
			r := mustTransact(t, db, tt.ops...)
			if tt.temp != nil && r.TempIDs[tt.temp.(TempID)] != tt.want {
				t.Fatalf("tempid %v = %d, want %d", tt.temp, r.TempIDs[tt.temp.(TempID)], tt.want)
			}
			if tt.check != nil {
				wantEntity(t, r.After, tt.want, tt.check...)
			}
			if got := r.After.nextUser; got != 3 {
				t.Fatalf("an upsert allocated a new entity (next is %d)", got)
			}
		})
	}
}

func TestTempidUnification(t *testing.T) {
	db := upsertDB(t)
	r := mustTransact(t, db, Add{-1, ":name", "Igor"}, Add{-2, ":name", "Igor"}, Add{-2, ":age", 5})
	if r.TempIDs[TempNum(-1)] != r.TempIDs[TempNum(-2)] || r.TempIDs[TempNum(-1)] != 3 {
		t.Fatalf("tempids not unified: %v", r.TempIDs)
	}
	wantEntity(t, r.After, 3, `:age=5`, `:name="Igor"`)
	// Cardinality-many identity.
	db = mustTransact(t, r.After, Entity{":db/id": 1, ":slugs": Many{"ivan1", "ivan2"}}).After
	r = mustTransact(t, db, Entity{":db/id": -1, ":slugs": Many{"ivan1", "ivan3"}})
	if r.TempIDs[TempNum(-1)] != 1 {
		t.Fatalf("card-many identity upsert resolved to %d", r.TempIDs[TempNum(-1)])
	}
}

func TestLookupRefs(t *testing.T) {
	db := schemaDB(t,
		attrDef(":name", ":db/unique", identity),
		attrDef(":email", ":db/unique", uniqueVal),
		attrDef(":friend", ":db/valueType", typeRef))
	db = mustTransact(t, db, Entity{":db/id": 1, ":name": "Ivan", ":email": "@1"},
		Entity{":db/id": 2, ":name": "Petr", ":email": "@2"}).After
	db = mustTransact(t, db, Add{LookupRef{":name", "Ivan"}, ":age", 35},
		Add{1, ":friend", LookupRef{":email", "@2"}}).After
	wantEntity(t, db, 1, `:age=35`, `:email="@1"`, `:friend=2`, `:name="Ivan"`)
	db = mustTransact(t, db, Retract{LookupRef{":name", "Ivan"}, ":age", 35}).After
	wantEntity(t, db, 1, `:email="@1"`, `:friend=2`, `:name="Ivan"`)
	transactErr(t, db, "matches no entity", Add{LookupRef{":name", "Sergey"}, ":age", 1})
	transactErr(t, db, "not a unique attribute", Add{LookupRef{":friend", 2}, ":age", 1})
	transactErr(t, db, "unknown attribute", Add{LookupRef{":nope", 2}, ":age", 1})
	transactErr(t, db, "unique conflict", Add{2, ":email", "@1"})
	if e, ok := db.Lookup(attrID(t, db, ":email"), String("@2")); !ok || e != 2 {
		t.Fatalf("Lookup = %d %v", e, ok)
	}
	db = mustTransact(t, db, RetractEntity{LookupRef{":name", "Petr"}}).After
	wantEntity(t, db, 2)
	wantEntity(t, db, 1, `:email="@1"`, `:name="Ivan"`)
}

func TestTransactErrors(t *testing.T) {
	db := schemaDB(t, attrDef(":age", ":db/valueType", typeLong), attrDef(":friend", ":db/valueType", typeRef),
		attrDef(":tags", ":db/cardinality", many))
	tests := []struct {
		name string
		ops  []Op
		want string
	}{
		{"type mismatch", []Op{Add{1, ":age", "x"}}, "type mismatch: :age holds long values, not string"},
		{"unknown ident", []Op{Add{1, ":friend", kw(":no/such")}}, "unknown ident :no/such"},
		{"several values for cardinality one", []Op{Entity{":db/id": 1, ":age": Many{1, 2}}}, "cardinality one"},
		{"retract on tempid", []Op{Retract{"x", ":age", 1}}, "names no existing entity"},
		{"unsupported value", []Op{Add{1, ":x", struct{}{}}}, "unsupported value"},
		{"not an entity", []Op{Add{1.5, ":x", 1}}, "is not an entity reference"},
		{"bootstrap is read-only", []Op{Add{attrEID(attrDoc), ":db/doc", "mine"}}, "read-only"},
		{"ident as attribute", []Op{Add{1, ":db.type/string", 1}}, "not an attribute"},
		{"nested map on a long", []Op{Add{1, ":age", Entity{":x": 1}}}, "needs a ref attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { transactErr(t, db, tt.want, tt.ops...) })
	}
	_, err := db.Transact([]Op{Add{1, ":age", "x"}})
	var opErr *OpError
	if !errors.As(err, &opErr) || opErr.Index != 0 || opErr.Op != `[:db/add 1 :age x]` {
		t.Fatalf("error %#v does not name the operation", err)
	}
}

func TestTempidsAndTxMetadata(t *testing.T) {
	db := NewDB(FeedKey{1})
	when := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	r := mustTransact(t, db,
		Add{-1, ":name", "Ivan"}, Add{"B", ":name", "Petr"}, Add{-1, ":friend", Temp("B")},
		Entity{":db/id": TxEntity, ":db/txInstant": when, ":tx/note": "import"})
	if r.TempIDs[TempNum(-1)] != 1 || r.TempIDs[Temp("B")] != 2 || len(r.TempIDs) != 2 {
		t.Fatalf("tempids = %v", r.TempIDs)
	}
	got, ok := r.After.Value(TxEID(r.Tx), attrEID(attrTxInstant))
	if !ok || !got.Time().Equal(when.Truncate(time.Millisecond)) {
		t.Fatalf("txInstant = %v", got)
	}
	if v, _ := r.After.Value(1, attrID(t, r.After, ":friend")); v != Ref(2) {
		t.Fatalf("schema-less ref to a tempid = %v", v)
	}
	if !slices.Equal(r.Attrs, sortedAttrs(r.After, ":db/ident", ":db/txInstant", ":name", ":friend", ":tx/note")) {
		t.Fatalf("report attrs = %v", r.Attrs)
	}
}

func sortedAttrs(db *DB, idents ...string) []EID {
	var out []EID
	for _, id := range idents {
		e, _ := db.Ident(id)
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

func TestSchemaInSameTransaction(t *testing.T) {
	db := NewDB(FeedKey{1})
	r := mustTransact(t, db,
		attrDef(":person/email", ":db/valueType", typeString, ":db/unique", identity),
		attrDef(":person/friends", ":db/valueType", typeRef, ":db/cardinality", many),
		Entity{":db/id": "ann", ":person/email": "ann@x", ":person/friends": Many{"bob"}},
		Entity{":db/id": "bob", ":person/email": "bob@x"})
	db = r.After
	ann, bob := r.TempIDs[Temp("ann")], r.TempIDs[Temp("bob")]
	if ann.Part() != PartUser || bob.Part() != PartUser {
		t.Fatalf("data entities allocated in partition %d, %d", ann.Part(), bob.Part())
	}
	a, ok := db.AttributeByIdent(":person/friends")
	if !ok || a.ValueType != KindRef || !a.Many || a.ID.Part() != PartDB {
		t.Fatalf("attribute = %+v", a)
	}
	r = mustTransact(t, db, Entity{":person/email": "ann@x", ":person/friends": Many{LookupRef{":person/email", "ann@x"}}})
	if len(r.Datoms) != 1 || r.Datoms[0].E != ann || r.Datoms[0].V != Ref(ann) {
		t.Fatalf("upsert through a same-transaction attribute: %v", r.Datoms)
	}
}

func TestSchemalessAttribute(t *testing.T) {
	db := NewDB(FeedKey{1})
	db = mustTransact(t, db, Add{1, ":foo", 1}).After
	db = mustTransact(t, db, Add{1, ":foo", "now a string"}).After
	wantEntity(t, db, 1, `:foo="now a string"`)
	a, ok := db.AttributeByIdent(":foo")
	if !ok || a.ValueType != KindInvalid || a.Many {
		t.Fatalf("implicit attribute = %+v", a)
	}
}

func TestForeignRefs(t *testing.T) {
	other := FeedKey{9, 9}
	db := NewDB(FeedKey{1})
	r := mustTransact(t, db, Add{"x", ":likes", ForeignRef{other, 5}}, Add{ForeignRef{other, 6}, ":rating", 4})
	x := r.TempIDs[Temp("x")]
	v, _ := r.After.Value(x, attrID(t, r.After, ":likes"))
	if v.Ref().Slot() != 1 || v.Ref().Local() != 5 {
		t.Fatalf("foreign ref = %#x", uint64(v.Ref()))
	}
	if k, ok := r.After.Feed(1); !ok || k != other {
		t.Fatalf("feed slot 1 = %v", k)
	}
	entry, err := DecodeTx(r.Entry)
	if err != nil || len(entry.Feeds) != 1 || entry.Feeds[0] != other {
		t.Fatalf("entry feeds = %v, %v", entry, err)
	}
	replica, err := NewDB(FeedKey{1}).ApplyTx(0, r.Entry)
	if err != nil {
		t.Fatal(err)
	}
	sameDatoms(t, "replica", collect(replica.After.Datoms(EAVT)), collect(r.After.Datoms(EAVT)))
}

// TestEntryReplays checks that an entry materializes on a replica to the
// state the transactor computed.
func TestEntryReplays(t *testing.T) {
	db := upsertDB(t)
	r := mustTransact(t, db, Entity{":name": "Ivan", ":age": 35}, Entity{":db/id": "n", ":name": "New"},
		Entity{":db/id": TxEntity, ":db/txInstant": time.Unix(1, 0)})
	replay, err := db.ApplyTx(db.Basis(), r.Entry)
	if err != nil {
		t.Fatal(err)
	}
	sameDatoms(t, "replayed", collect(replay.After.History().Datoms(EAVT)), collect(r.After.History().Datoms(EAVT)))
	if !slices.Equal(replay.Attrs, r.Attrs) {
		t.Fatalf("attrs differ: %v %v", replay.Attrs, r.Attrs)
	}
}
