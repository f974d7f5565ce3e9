package edn

// Map is an EDN map. It keeps its entries in insertion order (so Format
// writes them back as they were read) and finds keys by Equal, so any
// value, a vector or a map included, can be a key. Small maps are searched
// linearly; from indexThreshold entries on a hash index is kept. The zero
// Map is empty and ready to use. Readers may share a Map; a writer needs
// exclusive access. Do not copy a Map by value once used: the copy would
// share its storage (use *Map, as Parse does).
type Map struct {
	entries []MapEntry
	index   hashIndex
}

// MapEntry is one key and its value.
type MapEntry struct {
	Key, Value Value
}

// Set is an EDN set, with elements in insertion order and lookup by Equal,
// like Map. The zero Set is empty and ready to use.
type Set struct {
	elems []Value
	index hashIndex
}

// indexThreshold is the size from which a hash index beats a linear scan
// of Equal calls.
const indexThreshold = 16

// NewMap returns an empty map with room for n entries.
func NewMap(n int) *Map { return &Map{entries: make([]MapEntry, 0, n)} }

// NewSet returns an empty set with room for n elements.
func NewSet(n int) *Set { return &Set{elems: make([]Value, 0, n)} }

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.entries) }

// Entries returns the entries in insertion order. The caller must not
// modify the returned slice.
func (m *Map) Entries() []MapEntry { return m.entries }

// Get returns the value stored under key.
func (m *Map) Get(key Value) (Value, bool) {
	if i := m.find(key); i >= 0 {
		return m.entries[i].Value, true
	}
	return nil, false
}

// Put stores value under key, replacing the value of an Equal key in
// place, and reports whether the key was new.
func (m *Map) Put(key, value Value) bool {
	if i := m.find(key); i >= 0 {
		m.entries[i].Value = value
		return false
	}
	m.entries = append(m.entries, MapEntry{Key: key, Value: value})
	m.index.added(len(m.entries), func(i int) Value { return m.entries[i].Key })
	return true
}

func (m *Map) find(key Value) int {
	if m.index.active() {
		return m.index.find(key, func(i int) Value { return m.entries[i].Key })
	}
	if k, ok := key.(Keyword); ok { // the common case: no interface Equal
		for i := range m.entries {
			if k2, ok := m.entries[i].Key.(Keyword); ok && k2 == k {
				return i
			}
		}
		return -1
	}
	for i := range m.entries {
		if Equal(m.entries[i].Key, key) {
			return i
		}
	}
	return -1
}

// Len returns the number of elements.
func (s *Set) Len() int { return len(s.elems) }

// Elements returns the elements in insertion order. The caller must not
// modify the returned slice.
func (s *Set) Elements() []Value { return s.elems }

// Contains reports whether the set holds an element Equal to v.
func (s *Set) Contains(v Value) bool { return s.find(v) >= 0 }

// Add inserts v and reports whether it was new.
func (s *Set) Add(v Value) bool {
	if s.find(v) >= 0 {
		return false
	}
	s.elems = append(s.elems, v)
	s.index.added(len(s.elems), func(i int) Value { return s.elems[i] })
	return true
}

func (s *Set) find(v Value) int {
	if s.index.active() {
		return s.index.find(v, func(i int) Value { return s.elems[i] })
	}
	for i := range s.elems {
		if Equal(s.elems[i], v) {
			return i
		}
	}
	return -1
}

// hashIndex is an open-addressing table of positions into the owner's
// entries, keyed by Hash. slots hold position+1, 0 marks an empty slot.
type hashIndex struct {
	hashes []uint64 // Hash of the key at each position
	slots  []int32
}

func (h *hashIndex) active() bool { return h.slots != nil }

func (h *hashIndex) find(key Value, keyAt func(int) Value) int {
	hash := Hash(key)
	mask := uint64(len(h.slots) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		s := h.slots[i]
		if s == 0 {
			return -1
		}
		pos := int(s - 1)
		if h.hashes[pos] == hash && Equal(keyAt(pos), key) {
			return pos
		}
	}
}

// added records that the owner now holds n keys, the last one new.
func (h *hashIndex) added(n int, keyAt func(int) Value) {
	switch {
	case n < indexThreshold:
		return
	case !h.active() || 4*n > 3*len(h.slots): // keep the load under 3/4
		h.rebuild(n, keyAt)
	default:
		h.hashes = append(h.hashes, Hash(keyAt(n-1)))
		h.insert(n - 1)
	}
}

func (h *hashIndex) rebuild(n int, keyAt func(int) Value) {
	size := 16
	for 3*size < 4*n*2 { // room to grow to twice n before the next rebuild
		size *= 2
	}
	h.slots = make([]int32, size)
	h.hashes = h.hashes[:0]
	for i := 0; i < n; i++ {
		h.hashes = append(h.hashes, Hash(keyAt(i)))
		h.insert(i)
	}
}

func (h *hashIndex) insert(pos int) {
	mask := uint64(len(h.slots) - 1)
	for i := h.hashes[pos] & mask; ; i = (i + 1) & mask {
		if h.slots[i] == 0 {
			h.slots[i] = int32(pos + 1)
			return
		}
	}
}
