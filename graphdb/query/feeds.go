package query

import (
	"fmt"

	"github.com/steledb/stele/graphdb"
)

// Feeds is a view of the databases of several feeds as one source, so a
// query joins across authors: [:find ?name :where [?me :follows ?p] [?p
// :name ?name]] finds names asserted in any of the feeds, about entities
// of any feed.
//
// Entity IDs in a view use the numbering of the first database (the
// base): its own entities have feed slot 0, entities of a feed the base
// has referenced keep the base's slot for it, and feeds the base never
// referenced get the next free slots, in the order of the databases and
// then of their own slots. Key and Slot translate between slots and feed
// keys. Attributes are matched by ident across feeds, so they must be
// given as keywords.
//
// Each datom knows its feed: ?tx binds to the entity of the transaction,
// whose slot is the slot of the feed that asserted the datom (for
// example (tx->t ?tx) is its feed position, and Key of the slot of ?tx
// names the feed).
type Feeds struct {
	base  *graphdb.DB
	dbs   []*graphdb.DB
	keys  []graphdb.FeedKey // view slot k is keys[k]
	slots map[graphdb.FeedKey]int
}

// NewFeeds returns the view of dbs, one database per feed; dbs[0] is the
// base. It fails if two databases are of the same feed.
func NewFeeds(dbs ...*graphdb.DB) (*Feeds, error) {
	if len(dbs) == 0 {
		return nil, errorf("feeds: no database given")
	}
	f := &Feeds{base: dbs[0], dbs: dbs, slots: map[graphdb.FeedKey]int{}}
	selves := map[graphdb.FeedKey]bool{}
	for _, db := range dbs {
		if selves[db.Self()] {
			return nil, errorf("feeds: two databases of feed %s", db.Self())
		}
		selves[db.Self()] = true
		f.addKey(db.Self())
		for k := 1; ; k++ {
			key, ok := db.Feed(k)
			if !ok {
				break
			}
			f.addKey(key)
		}
	}
	return f, nil
}

func (f *Feeds) addKey(k graphdb.FeedKey) {
	if _, ok := f.slots[k]; !ok {
		f.slots[k] = len(f.keys)
		f.keys = append(f.keys, k)
	}
}

// Key returns the feed of view slot k.
func (f *Feeds) Key(slot int) (graphdb.FeedKey, bool) {
	if slot < 0 || slot >= len(f.keys) {
		return graphdb.FeedKey{}, false
	}
	return f.keys[slot], true
}

// Slot returns the view slot of a feed.
func (f *Feeds) Slot(key graphdb.FeedKey) (int, bool) {
	s, ok := f.slots[key]
	return s, ok
}

// source returns the view as a query source: one database source per
// feed, translating entity IDs.
func (f *Feeds) source() source {
	fs := &feedSource{}
	for i, db := range f.dbs {
		s := newDBSource(db)
		if i > 0 {
			s.view = f.viewOf(db)
		}
		fs.parts = append(fs.parts, s)
	}
	return fs
}

// viewOf maps the slots of db to the view's.
func (f *Feeds) viewOf(db *graphdb.DB) *viewMap {
	vm := &viewMap{fromView: map[int]int{}}
	for k := 0; ; k++ {
		key := db.Self()
		if k > 0 {
			var ok bool
			if key, ok = db.Feed(k); !ok {
				break
			}
		}
		vs := f.slots[key]
		vm.toView = append(vm.toView, vs)
		vm.fromView[vs] = k
	}
	vm.self = vm.toView[0]
	return vm
}

// viewMap translates entity IDs between a database's feed slots and a
// view's.
type viewMap struct {
	toView   []int       // database slot -> view slot
	fromView map[int]int // view slot -> database slot
	self     int         // view slot of the database's own feed
}

func moveSlot(e graphdb.EID, slot int) graphdb.EID {
	return graphdb.MakeEID(slot, e.Part(), e.Local())
}

// out maps an entity ID of the database to the results' numbering.
func (s *dbSource) out(e graphdb.EID) graphdb.EID {
	if s.view == nil || e.Slot() >= len(s.view.toView) {
		return e
	}
	return moveSlot(e, s.view.toView[e.Slot()])
}

// in maps an entity ID of the query to the database's numbering; false
// when the database knows nothing of its feed.
func (s *dbSource) in(e graphdb.EID) (graphdb.EID, bool) {
	if s.view == nil {
		return e, true
	}
	slot, ok := s.view.fromView[e.Slot()]
	if !ok {
		return 0, false
	}
	return moveSlot(e, slot), true
}

func (s *dbSource) selfSlot() int {
	if s.view == nil {
		return 0
	}
	return s.view.self
}

// feedSource is the union of the datoms of several databases.
type feedSource struct {
	parts []*dbSource
}

func (f *feedSource) match(ex *exec, p *probe, out sink) {
	stopped := false
	for _, s := range f.parts {
		s.match(ex, p, sinkFunc(func(t *[5]val) bool {
			if !out.take(t) {
				stopped = true
				return false
			}
			return true
		}))
		if stopped {
			return
		}
	}
}

func (f *feedSource) cost(ex *exec, p *probe) int {
	total := 0
	for _, s := range f.parts {
		total += s.cost(ex, p)
	}
	return total
}

func (f *feedSource) schema(ex *exec, a val) (graphdb.Attribute, bool) {
	for _, s := range f.parts {
		if attr, ok := s.schema(ex, a); ok {
			return attr, true
		}
	}
	return graphdb.Attribute{}, false
}

func (f *feedSource) entity(ex *exec, v val) (val, bool) {
	for _, s := range f.parts {
		if e, ok := s.entity(ex, v); ok && (v.k == kInt || s.hasEntity(e)) {
			return e, true
		}
	}
	return valNil, false
}

func (f *feedSource) refAttr(ex *exec, a val) bool {
	attr, ok := f.schema(ex, a)
	return ok && attr.ValueType == graphdb.KindRef
}

// hasEntity reports whether the database holds a datom about e (given in
// the results' numbering).
func (s *dbSource) hasEntity(e val) bool {
	local, ok := s.in(e.eid())
	if !ok {
		return false
	}
	for range s.db.Datoms(graphdb.EAVT, graphdb.Ref(local)) {
		return true
	}
	return false
}

func (f *Feeds) String() string { return fmt.Sprintf("feeds(%d)", len(f.dbs)) }
