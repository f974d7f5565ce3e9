package query

import (
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

func TestDSEntity(t *testing.T) {
	db := newTestDB(t, `{:aka {:db/cardinality :db.cardinality/many}
	                     :friend {:db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
	                     :father {:db/valueType :db.type/ref}
	                     :profile {:db/valueType :db.type/ref :db/isComponent true}
	                     :email {:db/unique :db.unique/identity}}`,
		`[{:db/id 1, :name "Ivan", :email "@1", :age 19, :aka ["X" "Y"], :friend [2 3], :profile 10}
		  {:db/id 2, :name "Ivan", :sex "male", :aka ["Z"], :father 1}
		  {:db/id 3, :name "Oleg", :father 1}
		  {:db/id 10, :picture "ivan.png"}]`)
	e, ok := EntityOf(db, int64(1))
	if !ok {
		t.Fatal("EntityOf(1) not found")
	}
	check := func(what string, got any, want string) {
		t.Helper()
		if ok, msg := sameResult(got, want); !ok {
			t.Errorf("%s: %s", what, msg)
		}
	}
	check(":name", e.Get(edn.K("name")), `"Ivan"`)
	check(":age", e.Get(edn.K("age")), `19`)
	check(":aka", e.Get(edn.K("aka")), `#{"X" "Y"}`)
	check(":db/id", e.Get(edn.K("db/id")), `1`)
	if e.Get(edn.K("sex")) != nil {
		t.Errorf(":sex = %v, want nil", e.Get(edn.K("sex")))
	}
	friends := e.Get(edn.K("friend")).([]*Entity)
	if len(friends) != 2 || friends[0].Get(edn.K("name")) != "Ivan" || friends[1].Get(edn.K("name")) != "Oleg" {
		t.Errorf(":friend = %v", friends)
	}
	children := e.Get(edn.K("_father")).([]*Entity)
	if len(children) != 2 || children[0].ID() != 2 || children[1].ID() != 3 {
		t.Errorf(":_father = %v", children)
	}
	profile := e.Get(edn.K("profile")).(*Entity)
	if profile.Get(edn.K("picture")) != "ivan.png" {
		t.Errorf(":profile :picture = %v", profile.Get(edn.K("picture")))
	}
	if owner, ok := profile.Get(edn.K("_profile")).(*Entity); !ok || owner.ID() != 1 {
		t.Errorf("reverse component = %v, want entity 1", profile.Get(edn.K("_profile")))
	}
	if father := friends[0].Get(edn.K("father")).(*Entity); father.ID() != 1 {
		t.Errorf(":father = %d", father.ID())
	}
	keys := edn.Vector{}
	for _, k := range e.Keys() {
		keys = append(keys, k)
	}
	check("keys", keys, `[:aka :friend :profile :email :name :age]`)
	check("touch", e.Touch(), `{:db/id 1 :name "Ivan" :email "@1" :age 19 :aka ["X" "Y"] :friend [{:db/id 2} {:db/id 3}]
	                            :profile {:db/id 10 :picture "ivan.png"}}`)
	byRef, ok := EntityOf(db, mustEDN(t, `[:email "@1"]`))
	if !ok || byRef.ID() != 1 {
		t.Errorf("EntityOf lookup ref = %v, %v", byRef, ok)
	}
	if _, ok := EntityOf(db, mustEDN(t, `[:email "nope"]`)); ok {
		t.Error("EntityOf of an unknown lookup ref succeeded")
	}
	if empty, ok := EntityOf(db, int64(99)); !ok || empty.Get(edn.K("name")) != nil || len(empty.Keys()) != 0 {
		t.Errorf("EntityOf(99) = %v, %v; want an empty entity", empty, ok)
	}
}
