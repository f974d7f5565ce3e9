package txedn

import (
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
)

const schema = `[{:db/ident :person/name  :db/valueType :db.type/string :db/unique :db.unique/identity}
 {:db/ident :person/age   :db/valueType :db.type/long}
 {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
 {:db/ident :person/best  :db/valueType :db.type/ref}
 {:db/ident :person/aka   :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
 {:db/ident :person/photo :db/valueType :db.type/bytes}
 {:db/ident :tx/message   :db/valueType :db.type/string}]`

// transact reads and transacts texts in order, returning the last report.
func transact(t *testing.T, texts ...string) (*graphdb.DB, *graphdb.Report) {
	t.Helper()
	db := graphdb.NewDB(graphdb.FeedKey{1})
	var r *graphdb.Report
	for _, text := range texts {
		ops, err := Parse(db, []byte(text))
		if err != nil {
			t.Fatalf("Parse(%s): %v", text, err)
		}
		if r, err = db.Transact(ops); err != nil {
			t.Fatalf("Transact(%s): %v", text, err)
		}
		db = r.After
	}
	return db, r
}

func value(t *testing.T, db *graphdb.DB, e graphdb.EID, attr string) graphdb.Value {
	t.Helper()
	a, ok := db.Ident(attr)
	if !ok {
		t.Fatalf("no attribute %s", attr)
	}
	v, _ := db.Value(e, a)
	return v
}

func lookup(t *testing.T, db *graphdb.DB, name string) graphdb.EID {
	t.Helper()
	a, _ := db.Ident(":person/name")
	e, ok := db.Lookup(a, graphdb.String(name))
	if !ok {
		t.Fatalf("no person %q", name)
	}
	return e
}

func TestEntityMapsAndTempids(t *testing.T) {
	db, r := transact(t, schema, `[{:db/id -1 :person/name "Ann" :person/age 42 :person/aka #{"A" "Annie"}
	   :person/friend [-2 "carl"] :person/best {:person/name "Dora"}}
	  {:db/id -2 :person/name "Bob"}
	  [:db/add "carl" :person/name "Carl"]
	  {:db/id "datomic.tx" :tx/message "first"}]`)
	ann := lookup(t, db, "Ann")
	if r.TempIDs[graphdb.TempNum(-1)] != ann || r.TempIDs[graphdb.Temp("carl")] != lookup(t, db, "Carl") {
		t.Fatalf("tempids %v", r.TempIDs)
	}
	if v := value(t, db, ann, ":person/age"); v.Long() != 42 {
		t.Errorf("age = %v", v)
	}
	if v := value(t, db, ann, ":person/best"); v.Ref() != lookup(t, db, "Dora") {
		t.Errorf("best = %v, want Dora's entity", v)
	}
	if v := value(t, db, graphdb.TxEID(r.Tx), ":tx/message"); v.Str() != "first" {
		t.Errorf("tx metadata = %v", v)
	}
	friends := 0
	fa, _ := db.Ident(":person/friend")
	for d := range db.Datoms(graphdb.EAVT, graphdb.Ref(ann), graphdb.Ref(fa)) {
		if d.V.Ref() != lookup(t, db, "Bob") && d.V.Ref() != lookup(t, db, "Carl") {
			t.Errorf("unexpected friend %v", d.V)
		}
		friends++
	}
	if friends != 2 {
		t.Errorf("%d friends, want 2", friends)
	}
}

func TestLookupRefsUpsertsAndRetractions(t *testing.T) {
	db, _ := transact(t, schema,
		`[{:person/name "Ann" :person/age 1} {:person/name "Bob"}]`,
		`[{:person/name "Ann" :person/age 2}
		  [:db/add [:person/name "Bob"] :person/best [:person/name "Ann"]]
		  [:db/add [:person/name "Ann"] :person/photo #stele/bytes "AAEC"]]`)
	ann, bob := lookup(t, db, "Ann"), lookup(t, db, "Bob")
	if v := value(t, db, ann, ":person/age"); v.Long() != 2 {
		t.Errorf("upserted age = %v, want 2", v)
	}
	if v := value(t, db, bob, ":person/best"); v.Ref() != ann {
		t.Errorf("best by lookup ref = %v", v)
	}
	if v := value(t, db, ann, ":person/photo"); string(v.Bytes()) != "\x00\x01\x02" {
		t.Errorf("bytes = %q", v.Bytes())
	}
	ops, err := Parse(db, []byte(`[[:db/retract [:person/name "Ann"] :person/age 2] [:db.fn/retractEntity [:person/name "Bob"]]]`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.Transact(ops)
	if err != nil {
		t.Fatal(err)
	}
	if v := value(t, r.After, ann, ":person/age"); v.IsValid() {
		t.Errorf("age after retract = %v", v)
	}
	a, _ := r.After.Ident(":person/name")
	if _, ok := r.After.Lookup(a, graphdb.String("Bob")); ok {
		t.Error("Bob survived retractEntity")
	}
}

func TestSchemalessAndForeignRefs(t *testing.T) {
	db, _ := transact(t, `[{:db/id -1 :note/text "hi" :note/rank 1.5 :note/at #inst "2024-05-01T12:00:00Z" :note/kind :kind/memo
	  :note/id #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}]`)
	a, _ := db.Ident(":note/kind")
	n := 0
	for d := range db.Datoms(graphdb.AEVT, graphdb.Ref(a)) {
		if d.V.String() != ":kind/memo" {
			t.Errorf("keyword value = %v", d.V)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d :note/kind datoms", n)
	}
	ops, err := Parse(db, []byte(`[[:db/add -1 :note/about #stele/ref ["k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh" 5]]]`))
	if err != nil {
		t.Fatal(err)
	}
	fr, ok := ops[0].(graphdb.Add).V.(graphdb.ForeignRef)
	if !ok || fr.E != 5 || fr.Feed[0] != 0x3b {
		t.Fatalf("foreign ref = %#v", ops[0])
	}
}

func TestErrors(t *testing.T) {
	db, _ := transact(t, schema)
	tests := []struct{ text, want string }{
		{`{:a 1}`, "want a vector of forms"},
		{`[[:db/add -1]]`, "takes an entity, an attribute and a value"},
		{`[[:db/frob -1 :a 1]]`, "unknown operation :db/frob"},
		{`[["x" -1 :a 1]]`, "must start with a keyword"},
		{`[[:db/add -1 "name" 1]]`, "attribute must be a keyword"},
		{`[[:db/add 0 :a 1]]`, "0 is not an entity"},
		{`[[:db/add [:person/name] :person/age 1]]`, "a lookup ref is [:attribute value]"},
		{`[{:person/age [1 2]}]`, "cardinality/many"},
		{`[{:a nil}]`, "nil is not a value"},
		{`[{:a 123456789012345678901234567890}]`, "does not fit in 64 bits"},
		{`[{:a #foo 1}]`, "unknown tag #foo"},
		{`[{"a" 1}]`, "key must be a keyword"},
		{`[[:db/add -1 :a {:b 1}]]`, "only inside an entity map"},
		{`[{:a \c}]`, "cannot be stored"},
		{`[{:a #stele/ref ["nope" 1]}]`, "address"},
		{`[[:db/add -1 :person/best #stele/ref ["nope" 1]]]`, "address"},
		{`[{:a #stele/bytes 12}]`, "base64"},
		{`[{:a 1]`, "edn"},
	}
	for _, tt := range tests {
		_, err := Parse(db, []byte(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s) = %v, want an error containing %q", tt.text, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(schema))
	f.Add([]byte(`[[:db/add -1 :person/friend [[:person/name "a"] 7]]]`))
	db := graphdb.NewDB(graphdb.FeedKey{1})
	f.Fuzz(func(t *testing.T, text []byte) {
		ops, err := Parse(db, text)
		if err == nil {
			db.Transact(ops) // must not panic, whatever it returns
		}
	})
}
