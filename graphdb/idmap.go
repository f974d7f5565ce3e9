package graphdb

// idmap is a persistent map from uint64 keys to values of type T, built for
// keys that are dense within a few ranges (entity IDs of a partition,
// transaction positions). A key splits into a prefix (the bits above
// localBits, e.g. slot and partition of an EID) and a local number; each
// prefix has a radix trie of 64-way nodes over the local numbers, as deep as
// its largest key needs (3 levels for 262,144 keys).
//
// The zero value of T means "absent". Writes copy the nodes on the path
// unless the node was created under the same edit token, so one transaction
// copies each node at most once, and a published map is never modified.
type idmap[T comparable] struct {
	localBits uint
	edit      *edit // owner of the roots slice
	roots     []*trieRoot[T]
}

// edit is an ownership token: nodes stamped with the current token belong
// to the transaction being built and may be changed in place. Its one byte
// of size makes every token a distinct allocation.
type edit struct{ _ byte }

const (
	trieBits = 6
	trieFan  = 1 << trieBits
	trieMask = trieFan - 1
)

type trieRoot[T comparable] struct {
	prefix uint64
	depth  uint // inner levels above the leaves; 0: the root is a leaf
	edit   *edit
	inner  *trieInner[T]
	leaf   *trieLeaf[T]
}

// trieInner is an inner node: its children are inner nodes (kids), or
// leaves at the last inner level.
type trieInner[T comparable] struct {
	edit   *edit
	kids   [trieFan]*trieInner[T]
	leaves [trieFan]*trieLeaf[T]
}

type trieLeaf[T comparable] struct {
	edit *edit
	vals [trieFan]T
}

func newIDMap[T comparable](localBits uint) idmap[T] { return idmap[T]{localBits: localBits} }

func (m *idmap[T]) split(k uint64) (prefix, local uint64) {
	return k >> m.localBits, k & (1<<m.localBits - 1)
}

func (m *idmap[T]) root(prefix uint64) *trieRoot[T] {
	for _, r := range m.roots {
		if r.prefix == prefix {
			return r
		}
	}
	return nil
}

// get returns the value at k (the zero T if absent).
func (m *idmap[T]) get(k uint64) T {
	var zero T
	prefix, local := m.split(k)
	r := m.root(prefix)
	if r == nil || local>>(trieBits*(r.depth+1)) != 0 {
		return zero
	}
	leaf := r.leaf
	if r.depth > 0 {
		n := r.inner
		for shift := trieBits * r.depth; shift > trieBits; shift -= trieBits {
			if n = n.kids[local>>shift&trieMask]; n == nil {
				return zero
			}
		}
		leaf = n.leaves[local>>trieBits&trieMask]
	}
	if leaf == nil {
		return zero
	}
	return leaf.vals[local&trieMask]
}

// set stores v at k, copying shared nodes under token e.
func (m *idmap[T]) set(e *edit, k uint64, v T) { *m.ptr(e, k) = v }

// ptr returns the slot of k in a leaf owned by e, creating or copying the
// nodes on its path, so the caller can update the value in place.
func (m *idmap[T]) ptr(e *edit, k uint64) *T {
	prefix, local := m.split(k)
	r := m.ownRoot(e, prefix)
	for local>>(trieBits*(r.depth+1)) != 0 {
		grown := &trieInner[T]{edit: e}
		if r.depth == 0 {
			grown.leaves[0], r.leaf = r.leaf, nil
		} else {
			grown.kids[0] = r.inner
		}
		r.inner, r.depth = grown, r.depth+1
	}
	lp := &r.leaf
	if r.depth > 0 {
		n := ownInner(e, &r.inner)
		for shift := trieBits * r.depth; shift > trieBits; shift -= trieBits {
			n = ownInner(e, &n.kids[local>>shift&trieMask])
		}
		lp = &n.leaves[local>>trieBits&trieMask]
	}
	leaf := *lp
	switch {
	case leaf == nil:
		leaf = &trieLeaf[T]{edit: e}
		*lp = leaf
	case leaf.edit != e:
		c := *leaf
		c.edit = e
		leaf = &c
		*lp = leaf
	}
	return &leaf.vals[local&trieMask]
}

// ownInner makes *p an inner node owned by e and returns it.
func ownInner[T comparable](e *edit, p **trieInner[T]) *trieInner[T] {
	n := *p
	switch {
	case n == nil:
		n = &trieInner[T]{edit: e}
	case n.edit != e:
		c := *n
		c.edit = e
		n = &c
	default:
		return n
	}
	*p = n
	return n
}

// ownRoot returns the root for prefix, owned by e, creating it if needed.
func (m *idmap[T]) ownRoot(e *edit, prefix uint64) *trieRoot[T] {
	if m.edit != e {
		m.roots = append([]*trieRoot[T](nil), m.roots...)
		m.edit = e
	}
	i := 0
	for i < len(m.roots) && m.roots[i].prefix < prefix {
		i++
	}
	if i < len(m.roots) && m.roots[i].prefix == prefix {
		r := m.roots[i]
		if r.edit != e {
			c := *r
			c.edit = e
			r = &c
			m.roots[i] = r
		}
		return r
	}
	r := &trieRoot[T]{prefix: prefix, edit: e}
	m.roots = append(m.roots, nil)
	copy(m.roots[i+1:], m.roots[i:])
	m.roots[i] = r
	return r
}

// ascend calls fn for every present key >= from in increasing order until
// fn returns false. It reports whether it ran to the end.
func (m *idmap[T]) ascend(from uint64, fn func(k uint64, v T) bool) bool {
	fromPrefix, fromLocal := m.split(from)
	for _, r := range m.roots {
		if r.prefix < fromPrefix {
			continue
		}
		start := uint64(0)
		if r.prefix == fromPrefix {
			start = fromLocal
		}
		base := r.prefix << m.localBits
		var ok bool
		if r.depth == 0 {
			ok = ascendLeaf(r.leaf, 0, start, base, fn)
		} else {
			ok = ascendInner(r.inner, trieBits*r.depth, 0, start, base, fn)
		}
		if !ok {
			return false
		}
	}
	return true
}

// ascendInner walks the subtree n whose first local key is lo; its
// children each span 1<<shift keys.
func ascendInner[T comparable](n *trieInner[T], shift uint, lo, from, base uint64, fn func(uint64, T) bool) bool {
	span := uint64(1) << shift
	first := uint64(0)
	if from > lo {
		if from-lo >= span*trieFan {
			return true
		}
		first = (from - lo) / span
	}
	for i := first; i < trieFan; i++ {
		key := lo + i*span
		if shift == trieBits {
			if leaf := n.leaves[i]; leaf != nil && !ascendLeaf(leaf, key, from, base, fn) {
				return false
			}
			continue
		}
		if kid := n.kids[i]; kid != nil && !ascendInner(kid, shift-trieBits, key, from, base, fn) {
			return false
		}
	}
	return true
}

func ascendLeaf[T comparable](leaf *trieLeaf[T], lo, from, base uint64, fn func(uint64, T) bool) bool {
	var zero T
	if leaf == nil {
		return true
	}
	first := uint64(0)
	if from > lo {
		if from-lo >= trieFan {
			return true
		}
		first = from - lo
	}
	for i := first; i < trieFan; i++ {
		if v := leaf.vals[i]; v != zero && !fn(base|(lo+i), v) {
			return false
		}
	}
	return true
}
