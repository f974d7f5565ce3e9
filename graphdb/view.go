package graphdb

import (
	"fmt"
	"iter"
)

// View combines the databases of several feeds into one value to read
// from, so that queries join across authors. Each feed gets a view slot:
// the feed of the first database is slot 0 (its EIDs are unchanged), the
// others follow in argument order, then every other feed they reference.
// EIDs read through a view carry view slots; an entity of feed X has the
// same EID whichever database mentions it.
//
// The feed of a datom is the feed whose transaction asserted it: the slot
// of its attribute (attributes belong to the feed that uses them), see
// FeedOf. Several feeds may assert facts about the same entity.
type View struct {
	feeds []FeedKey // by view slot
	dbs   []*DB     // dbs[s] is the database at view slot s
	local [][]int   // local[s][k]: the view slot of slot k of dbs[s]
}

// NewView combines dbs, which must be of distinct feeds.
func NewView(dbs ...*DB) (*View, error) {
	v := &View{dbs: dbs}
	slots := map[FeedKey]int{}
	for _, db := range dbs {
		if _, dup := slots[db.self]; dup {
			return nil, fmt.Errorf("graphdb: feed %s is twice in the view", db.self)
		}
		slots[db.self] = len(v.feeds)
		v.feeds = append(v.feeds, db.self)
	}
	for _, db := range dbs {
		table := []int{slots[db.self]}
		for _, k := range db.feeds {
			s, ok := slots[k]
			if !ok {
				s = len(v.feeds)
				slots[k] = s
				v.feeds = append(v.feeds, k)
			}
			table = append(table, s)
		}
		v.local = append(v.local, table)
	}
	if len(v.feeds) > maxSlot+1 {
		return nil, fmt.Errorf("graphdb: a view of more than %d feeds", maxSlot+1)
	}
	return v, nil
}

// Feed returns the key of view slot s.
func (v *View) Feed(s int) (FeedKey, bool) {
	if s < 0 || s >= len(v.feeds) {
		return FeedKey{}, false
	}
	return v.feeds[s], true
}

// DB returns the database at view slot s, nil for a feed that is only
// referenced.
func (v *View) DB(s int) *DB {
	if s < 0 || s >= len(v.dbs) {
		return nil
	}
	return v.dbs[s]
}

// Map returns the view of f applied to each database, e.g. a per-feed
// AsOf; f must return a database of the same feed.
func (v *View) Map(f func(slot int, db *DB) *DB) *View {
	c := *v
	c.dbs = make([]*DB, len(v.dbs))
	for s, db := range v.dbs {
		c.dbs[s] = f(s, db)
	}
	return &c
}

// FeedOf returns the view slot of the feed that asserted d.
func (v *View) FeedOf(d Datom) int { return d.A.Slot() }

// toView renumbers an EID of dbs[s] into the view.
func (v *View) toView(s int, e EID) EID { return e.withSlot(v.local[s][e.Slot()]) }

// toLocal renumbers a view EID for dbs[s]; false if that database has never
// referenced the entity's feed.
func (v *View) toLocal(s int, e EID) (EID, bool) {
	vs := e.Slot()
	if vs >= len(v.feeds) {
		return 0, false
	}
	ls, ok := v.dbs[s].FeedSlot(v.feeds[vs])
	return e.withSlot(ls), ok
}

func (v *View) datomToView(s int, d Datom) Datom {
	d.E, d.A = v.toView(s, d.E), v.toView(s, d.A)
	if d.V.kind == KindRef {
		d.V.n = uint64(v.toView(s, d.V.Ref()))
	}
	return d
}

// Value returns the value of attribute a of entity e, read from the feed
// that owns a.
func (v *View) Value(e, a EID) (Value, bool) {
	s := a.Slot()
	if s >= len(v.dbs) {
		return Value{}, false
	}
	le, ok := v.toLocal(s, e)
	if !ok {
		return Value{}, false
	}
	x, ok := v.dbs[s].Value(le, a.withSlot(0))
	if ok && x.kind == KindRef {
		x.n = uint64(v.toView(s, x.Ref()))
	}
	return x, ok
}

// Attrs returns the attributes named ident, one per feed that has one, in
// slot order.
func (v *View) Attrs(ident string) []EID {
	var out []EID
	for s, db := range v.dbs {
		if a, ok := db.Ident(ident); ok {
			out = append(out, v.toView(s, a))
		}
	}
	return out
}

// Datoms is DB.Datoms over all feeds of the view (components in view
// numbering; attributes as refs), merged in index order.
func (v *View) Datoms(idx Index, c ...Value) iter.Seq[Datom] {
	return func(yield func(Datom) bool) {
		var seqs []iter.Seq[Datom]
		var from []int
		for s, db := range v.dbs {
			lc, ok := v.localComponents(s, idx, c)
			if ok {
				seqs = append(seqs, db.Datoms(idx, lc...))
				from = append(from, s)
			}
		}
		v.merge(idx, seqs, from, yield)
	}
}

// localComponents renumbers the components for dbs[s]; false if they
// cannot match anything there (another feed's attribute, an unknown feed).
func (v *View) localComponents(s int, idx Index, c []Value) ([]Value, bool) {
	out := make([]Value, len(c))
	for i, x := range c {
		isAttr := attrPosition(idx, i)
		switch {
		case isAttr && x.kind == KindRef:
			if x.Ref().Slot() != s {
				return nil, false
			}
			x.n = uint64(x.Ref().withSlot(0))
		case x.kind == KindRef:
			le, ok := v.toLocal(s, x.Ref())
			if !ok {
				return nil, false
			}
			x.n = uint64(le)
		}
		out[i] = x
	}
	return out, true
}

func attrPosition(idx Index, i int) bool {
	switch idx {
	case AEVT, AVET:
		return i == 0
	case VAET:
		return i == 1
	}
	return i == 1
}

// merge yields the union of sorted streams in index order.
func (v *View) merge(idx Index, seqs []iter.Seq[Datom], from []int, yield func(Datom) bool) {
	if len(seqs) == 1 {
		for d := range seqs[0] {
			if !yield(v.datomToView(from[0], d)) {
				return
			}
		}
		return
	}
	type head struct {
		next func() (Datom, bool)
		stop func()
		d    Datom
		ok   bool
	}
	heads := make([]head, len(seqs))
	for i, seq := range seqs {
		next, stop := iter.Pull(seq)
		defer stop()
		d, ok := next()
		heads[i] = head{next, stop, v.datomToView(from[i], d), ok}
	}
	cmp := indexCmp[idx]
	for {
		best := -1
		for i := range heads {
			if heads[i].ok && (best < 0 || cmp(heads[i].d, heads[best].d) < 0) {
				best = i
			}
		}
		if best < 0 || !yield(heads[best].d) {
			return
		}
		d, ok := heads[best].next()
		heads[best].d, heads[best].ok = v.datomToView(from[best], d), ok
	}
}
