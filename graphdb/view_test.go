package graphdb

import (
	"slices"
	"testing"
)

func TestViewAcrossFeeds(t *testing.T) {
	ka, kb := FeedKey{0xa}, FeedKey{0xb}
	ra := mustTransact(t, NewDB(ka), Entity{":db/id": "ann", ":name": "Ann"}, Entity{":db/id": "bob", ":name": "Bob"})
	dbA := ra.After
	ann, bob := ra.TempIDs[Temp("ann")], ra.TempIDs[Temp("bob")]
	dbB := NewDB(kb)
	dbB = mustTransact(t, dbB, attrDef(":likes", ":db/valueType", typeRef, ":db/cardinality", many)).After
	rb := mustTransact(t, dbB,
		Entity{":db/id": "me", ":name": "Carol", ":likes": Many{ForeignRef{ka, ann}, ForeignRef{ka, bob}}},
		Add{ForeignRef{ka, ann}, ":rating", 5})
	dbB = rb.After
	carol := rb.TempIDs[Temp("me")]

	v, err := NewView(dbA, dbB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewView(dbA, dbA); err == nil {
		t.Fatal("a view with a feed twice")
	}
	names := v.Attrs(":name")
	if len(names) != 2 || names[0].Slot() != 0 || names[1].Slot() != 1 {
		t.Fatalf("Attrs(:name) = %v", names)
	}
	carolV := carol.withSlot(1)
	if x, ok := v.Value(carolV, names[1]); !ok || x != String("Carol") {
		t.Fatalf("Value(carol, name) = %v %v", x, ok)
	}
	// Everything known about Ann: her name from feed A, a rating from feed B.
	var facts []string
	for d := range v.Datoms(EAVT, Ref(ann)) {
		if d.E != ann {
			t.Fatalf("datom of entity %d in EAVT of %d", d.E, ann)
		}
		ident, _ := v.DB(v.FeedOf(d)).IdentOf(d.A.withSlot(0))
		facts = append(facts, ident+"="+d.V.String())
	}
	if !slices.Equal(facts, []string{`:name="Ann"`, `:rating=5`}) {
		t.Fatalf("facts about Ann = %v", facts)
	}
	// Who likes Ann: a reverse ref from another feed, in view numbering.
	likes := collect(v.Datoms(VAET, Ref(ann)))
	if len(likes) != 1 || likes[0].E != carolV || v.FeedOf(likes[0]) != 1 {
		t.Fatalf("VAET of Ann = %v", likes)
	}
	// Both feeds' names, merged in AEVT order by attribute.
	all := collect(v.Datoms(AEVT))
	if !slices.IsSortedFunc(all, cmpAEVT) {
		t.Fatal("merged AEVT out of order")
	}
	var n int
	for _, d := range all {
		if d.A == names[0] || d.A == names[1] {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d names in the view", n)
	}
	// A view of feed B alone knows feed A only by reference.
	vb, _ := NewView(dbB)
	if k, _ := vb.Feed(1); k != ka || vb.DB(1) != nil {
		t.Fatal("feed A not referenced at slot 1")
	}
	if got := collect(vb.Datoms(VAET, Ref(ann.withSlot(1)))); len(got) != 1 || got[0].E != carol {
		t.Fatalf("VAET through the single view = %v", got)
	}
	// Per-feed time travel.
	old := v.Map(func(_ int, db *DB) *DB { return db.AsOf(db.Basis() - 1) })
	if _, ok := old.Value(carolV, names[1]); ok {
		t.Fatal("Carol exists before her transaction")
	}
}
