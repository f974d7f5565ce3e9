package graphdb

import (
	"maps"
	"slices"
)

// Pattern selects datoms of transaction reports: those whose attribute is
// in Attrs and whose entity is in Entities. An empty list matches any
// attribute (or entity).
type Pattern struct {
	Attrs    []EID
	Entities []EID
}

// SubID identifies a subscription.
type SubID uint64

// Match is what one subscription receives from one report: the report and
// the datoms of it that match the subscription's pattern, in report order.
type Match struct {
	ID     SubID
	Report *Report
	Datoms []Datom
}

// Subscriptions is a registry of patterns matched against transaction
// reports. It is a plain data structure: its owner (one goroutine) adds
// and removes subscriptions and hands it each report, and delivers the
// matches however it likes. A report is matched without scanning the
// subscriptions that cannot match: they are indexed by attribute (or by
// entity when they name no attribute).
type Subscriptions struct {
	next     SubID
	subs     map[SubID]*subscription
	byAttr   map[EID]map[SubID]*subscription
	byEntity map[EID]map[SubID]*subscription
	any      map[SubID]*subscription
}

type subscription struct {
	id       SubID
	attrs    map[EID]bool
	entities map[EID]bool
}

// NewSubscriptions returns an empty registry.
func NewSubscriptions() *Subscriptions {
	return &Subscriptions{
		subs:     map[SubID]*subscription{},
		byAttr:   map[EID]map[SubID]*subscription{},
		byEntity: map[EID]map[SubID]*subscription{},
		any:      map[SubID]*subscription{},
	}
}

// Len is the number of subscriptions.
func (s *Subscriptions) Len() int { return len(s.subs) }

// Add registers a pattern and returns its ID.
func (s *Subscriptions) Add(p Pattern) SubID {
	s.next++
	sub := &subscription{id: s.next, attrs: setOf(p.Attrs), entities: setOf(p.Entities)}
	s.subs[sub.id] = sub
	switch {
	case len(sub.attrs) > 0:
		for a := range sub.attrs {
			addIndexed(s.byAttr, a, sub)
		}
	case len(sub.entities) > 0:
		for e := range sub.entities {
			addIndexed(s.byEntity, e, sub)
		}
	default:
		s.any[sub.id] = sub
	}
	return sub.id
}

// Remove drops a subscription; removing an unknown ID does nothing.
func (s *Subscriptions) Remove(id SubID) {
	sub, ok := s.subs[id]
	if !ok {
		return
	}
	delete(s.subs, id)
	delete(s.any, id)
	for a := range sub.attrs {
		removeIndexed(s.byAttr, a, id)
	}
	if len(sub.attrs) == 0 {
		for e := range sub.entities {
			removeIndexed(s.byEntity, e, id)
		}
	}
}

// Match returns, by increasing ID, the subscriptions that r concerns and
// their datoms. Reports of skipped (invalid) entries match nothing.
func (s *Subscriptions) Match(r *Report) []Match {
	if r.Invalid != nil || len(r.Datoms) == 0 {
		return nil
	}
	got := map[SubID][]Datom{}
	for _, d := range r.Datoms {
		for _, sub := range s.byAttr[d.A] {
			if len(sub.entities) == 0 || sub.entities[d.E] {
				got[sub.id] = append(got[sub.id], d)
			}
		}
		for _, sub := range s.byEntity[d.E] {
			got[sub.id] = append(got[sub.id], d)
		}
		for _, sub := range s.any {
			got[sub.id] = append(got[sub.id], d)
		}
	}
	out := make([]Match, 0, len(got))
	for _, id := range slices.Sorted(maps.Keys(got)) {
		out = append(out, Match{ID: id, Report: r, Datoms: got[id]})
	}
	return out
}

// Touches reports whether the transaction touched any of attrs (sorted),
// the cheap test a live query makes before re-evaluating anything.
func (r *Report) Touches(attrs []EID) bool {
	i, j := 0, 0
	for i < len(r.Attrs) && j < len(attrs) {
		switch {
		case r.Attrs[i] == attrs[j]:
			return true
		case r.Attrs[i] < attrs[j]:
			i++
		default:
			j++
		}
	}
	return false
}

func setOf(ids []EID) map[EID]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[EID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func addIndexed(index map[EID]map[SubID]*subscription, k EID, sub *subscription) {
	if index[k] == nil {
		index[k] = map[SubID]*subscription{}
	}
	index[k][sub.id] = sub
}

func removeIndexed(index map[EID]map[SubID]*subscription, k EID, id SubID) {
	delete(index[k], id)
	if len(index[k]) == 0 {
		delete(index, k)
	}
}
