package graphdb

import (
	"sort"
	"sync"

	"github.com/tidwall/btree"
)

// pseq is a persistent sorted sequence: a plain slice while it is small
// (the common case: the facts of one entity), a copy-on-write B-tree once
// it grows past pseqMaxSmall, so that an entity with a million incoming
// refs or values is not copied whole on every change.
//
// A pseq value is immutable once published. A writer first calls
// cloneForWrite (once per transaction and entity) and may then change it
// in place.
type pseq[T any] struct {
	small []T
	big   *btree.BTreeG[T]
}

const pseqMaxSmall = 64

// treeCopyMu serializes btree Copy calls: Copy gives the source tree a new
// isolation ID, a write that two transactions forked from the same database
// could otherwise race on. Readers never look at that field.
var treeCopyMu sync.Mutex

func (s *pseq[T]) len() int {
	if s.big != nil {
		return s.big.Len()
	}
	return len(s.small)
}

// cloneForWrite makes s independent of the published version it was copied
// from.
func (s *pseq[T]) cloneForWrite() {
	if s.big != nil {
		treeCopyMu.Lock()
		s.big = s.big.Copy()
		treeCopyMu.Unlock()
		return
	}
	if s.small != nil {
		c := make([]T, len(s.small), len(s.small)+1)
		copy(c, s.small)
		s.small = c
	}
}

// search returns the index of the first small element >= x.
func (s *pseq[T]) search(x T, cmp func(a, b T) int) int {
	return sort.Search(len(s.small), func(i int) bool { return cmp(s.small[i], x) >= 0 })
}

// insert adds x; it reports false if an equal element is present.
func (s *pseq[T]) insert(x T, cmp func(a, b T) int) bool {
	if s.big != nil {
		_, replaced := s.big.Set(x)
		return !replaced
	}
	i := s.search(x, cmp)
	if i < len(s.small) && cmp(s.small[i], x) == 0 {
		return false
	}
	if len(s.small) >= pseqMaxSmall {
		s.toTree(cmp)
		s.big.Set(x)
		return true
	}
	s.small = append(s.small, x)
	copy(s.small[i+1:], s.small[i:])
	s.small[i] = x
	return true
}

func (s *pseq[T]) toTree(cmp func(a, b T) int) {
	t := btree.NewBTreeGOptions(func(a, b T) bool { return cmp(a, b) < 0 }, btree.Options{NoLocks: true, Degree: 32})
	for _, x := range s.small {
		t.Load(x)
	}
	s.big, s.small = t, nil
}

// remove deletes the element equal to x; it reports whether there was one.
func (s *pseq[T]) remove(x T, cmp func(a, b T) int) bool {
	if s.big != nil {
		_, ok := s.big.Delete(x)
		return ok
	}
	i := s.search(x, cmp)
	if i == len(s.small) || cmp(s.small[i], x) != 0 {
		return false
	}
	s.small = append(s.small[:i], s.small[i+1:]...)
	return true
}

// ascend calls fn on the elements >= pivot in order until fn returns false.
func (s *pseq[T]) ascend(pivot T, cmp func(a, b T) int, fn func(T) bool) bool {
	if s.big != nil {
		done := true
		s.big.Ascend(pivot, func(x T) bool {
			done = fn(x)
			return done
		})
		return done
	}
	for _, x := range s.small[s.search(pivot, cmp):] {
		if !fn(x) {
			return false
		}
	}
	return true
}

// each calls fn on all elements in order until fn returns false.
func (s *pseq[T]) each(fn func(T) bool) bool {
	if s.big != nil {
		done := true
		s.big.Scan(func(x T) bool {
			done = fn(x)
			return done
		})
		return done
	}
	for _, x := range s.small {
		if !fn(x) {
			return false
		}
	}
	return true
}
