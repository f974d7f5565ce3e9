package graphdb

import (
	"fmt"
	"slices"
	"testing"
)

func TestSubscriptions(t *testing.T) {
	db := schemaDB(t, attrDef(":name"), attrDef(":age"), attrDef(":friend", ":db/valueType", typeRef))
	name, age, friend := attrID(t, db, ":name"), attrID(t, db, ":age"), attrID(t, db, ":friend")
	s := NewSubscriptions()
	all := s.Add(Pattern{})
	names := s.Add(Pattern{Attrs: []EID{name}})
	ann := s.Add(Pattern{Entities: []EID{1}})
	annAge := s.Add(Pattern{Attrs: []EID{age, friend}, Entities: []EID{1}})
	gone := s.Add(Pattern{Attrs: []EID{name}})
	s.Remove(gone)
	s.Remove(gone)
	if s.Len() != 4 {
		t.Fatalf("Len = %d", s.Len())
	}
	tests := []struct {
		ops  []Op
		want map[SubID][]string
	}{
		{[]Op{Add{1, ":name", "Ann"}, Add{2, ":name", "Bob"}},
			map[SubID][]string{all: {`+1 :name "Ann"`, `+2 :name "Bob"`}, names: {`+1 :name "Ann"`, `+2 :name "Bob"`}, ann: {`+1 :name "Ann"`}}},
		{[]Op{Add{2, ":age", 30}},
			map[SubID][]string{all: {`+2 :age 30`}}},
		{[]Op{Add{1, ":age", 31}, Add{1, ":friend", EID(2)}},
			map[SubID][]string{all: {`+1 :age 31`, `+1 :friend 2`}, ann: {`+1 :age 31`, `+1 :friend 2`}, annAge: {`+1 :age 31`, `+1 :friend 2`}}},
		{[]Op{Add{2, ":name", "Bob"}}, map[SubID][]string{}}, // redundant: no datoms
		{[]Op{Retract{1, ":name", "Ann"}},
			map[SubID][]string{all: {`-1 :name "Ann"`}, names: {`-1 :name "Ann"`}, ann: {`-1 :name "Ann"`}}},
	}
	for i, tt := range tests {
		r := mustTransact(t, db, tt.ops...)
		got := map[SubID][]string{}
		var ids []SubID
		for _, m := range s.Match(r) {
			got[m.ID] = reportString(r.After, m.Datoms)
			ids = append(ids, m.ID)
		}
		if !slices.IsSorted(ids) {
			t.Fatalf("tx %d: matches not in ID order: %v", i, ids)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Fatalf("tx %d: matches %v, want %v", i, got, tt.want)
		}
		db = r.After
	}
}

func TestReportTouches(t *testing.T) {
	db := schemaDB(t, attrDef(":name"), attrDef(":age"))
	name, age := attrID(t, db, ":name"), attrID(t, db, ":age")
	r := mustTransact(t, db, Add{1, ":name", "Ann"})
	if !r.Touches([]EID{name}) || r.Touches([]EID{age}) || r.Touches(nil) {
		t.Fatalf("Touches wrong for attrs %v", r.Attrs)
	}
	s := NewSubscriptions()
	s.Add(Pattern{})
	if len(s.Match(r)) != 1 {
		t.Fatal("a wildcard subscription did not match")
	}
	skipped := &Report{Invalid: fmt.Errorf("bad"), Datoms: r.Datoms}
	if len(s.Match(skipped)) != 0 {
		t.Fatal("an invalid entry matched")
	}
}
