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
	depth  uint // levels below root; the root is a leaf when depth is 0
	edit   *edit
	node   *trieNode[T]
}

// trieNode is an inner node (kids used) or a leaf (vals used).
type trieNode[T comparable] struct {
	edit *edit
	kids *[trieFan]*trieNode[T]
	vals *[trieFan]T
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
	n := r.node
	for shift := trieBits * r.depth; shift > 0; shift -= trieBits {
		n = n.kids[local>>shift&trieMask]
		if n == nil {
			return zero
		}
	}
	return n.vals[local&trieMask]
}

// set stores v at k, copying shared nodes under token e.
func (m *idmap[T]) set(e *edit, k uint64, v T) {
	prefix, local := m.split(k)
	r := m.ownRoot(e, prefix)
	for local>>(trieBits*(r.depth+1)) != 0 {
		grown := &trieNode[T]{edit: e, kids: new([trieFan]*trieNode[T])}
		grown.kids[0] = r.node
		r.node, r.depth = grown, r.depth+1
	}
	p := &r.node
	for shift := trieBits * r.depth; ; shift -= trieBits {
		n := ownNode(e, p, shift == 0)
		if shift == 0 {
			n.vals[local&trieMask] = v
			return
		}
		p = &n.kids[local>>shift&trieMask]
	}
}

// ownNode makes *p a node owned by e (creating or copying it) and returns it.
func ownNode[T comparable](e *edit, p **trieNode[T], leaf bool) *trieNode[T] {
	n := *p
	switch {
	case n == nil:
		n = &trieNode[T]{edit: e}
		if leaf {
			n.vals = new([trieFan]T)
		} else {
			n.kids = new([trieFan]*trieNode[T])
		}
	case n.edit != e:
		c := &trieNode[T]{edit: e}
		if n.vals != nil {
			vals := *n.vals
			c.vals = &vals
		} else {
			kids := *n.kids
			c.kids = &kids
		}
		n = c
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
		if !ascendNode(r.node, trieBits*r.depth, 0, start, base, fn) {
			return false
		}
	}
	return true
}

// ascendNode walks the subtree n whose first local key is lo.
func ascendNode[T comparable](n *trieNode[T], shift uint, lo, from, base uint64, fn func(uint64, T) bool) bool {
	var zero T
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
		if shift == 0 {
			if v := n.vals[i]; v != zero && !fn(base|key, v) {
				return false
			}
			continue
		}
		if kid := n.kids[i]; kid != nil && !ascendNode(kid, shift-trieBits, key, from, base, fn) {
			return false
		}
	}
	return true
}
