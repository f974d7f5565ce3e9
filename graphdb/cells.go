package graphdb

import (
	"cmp"
	"sort"
	"strings"
	"unsafe"
)

// Local strings. The bytes of an entity's current string, keyword, bytes
// and uuid values are stored in the same allocation as its cells, right
// after them, so that a point read touches one block of memory instead of
// the cells and then the arena: on a database larger than the caches that
// halves the cost of reading a string. A block is
//
//	[ cells: cap(cells.small) x 16 bytes | string bytes: strCap bytes ]
//
// and a cell refers to its bytes with v = localFlag | offset<<24 | length.
// Bytes once written are never changed, so strings handed out stay valid;
// a block is rewritten (compacted) whenever the entity is copied. Long
// values, values of large entities (B-tree form) and past values (spans)
// live in the arena.
const (
	localFlag    = 1 << 63
	localMaxLen  = 256
	cellSize     = int(unsafe.Sizeof(cell{}))
	localLenBits = 24
)

func isLocal(v uint64) bool { return v&localFlag != 0 }

// strArea is the address of the entity's string bytes.
func (en *entity) strArea() unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(en.cells.small)), cap(en.cells.small)*cellSize)
}

// localString returns the bytes of local ref v.
func (en *entity) localString(v uint64) string {
	n := int(v & (1<<localLenBits - 1))
	if n == 0 {
		return ""
	}
	off := int(v &^ localFlag >> localLenBits)
	return unsafe.String((*byte)(unsafe.Add(en.strArea(), off)), n)
}

// str returns the bytes of a stored arena-kind value of the entity.
func (o valueOps) str(en *entity, v uint64) string {
	if isLocal(v) {
		return en.localString(v)
	}
	return o.ar.get(v)
}

// cellValue turns a cell of en into a Value; strings alias the database.
func (o valueOps) cellValue(en *entity, c cell) Value {
	if c.kind().arenaKind() {
		return Value{kind: c.kind(), s: o.str(en, c.v)}
	}
	return Value{kind: c.kind(), n: c.v}
}

// cmpCellIn orders cells of en by attribute, then value.
func (o valueOps) cmpCellIn(en *entity, x, y cell) int {
	if x.ak != y.ak {
		return cmp.Compare(x.ak, y.ak)
	}
	if x.kind().arenaKind() {
		if x.v == y.v {
			return 0
		}
		return strings.Compare(o.str(en, x.v), o.str(en, y.v))
	}
	return cmp.Compare(orderKey(x.kind(), x.v), orderKey(y.kind(), y.v))
}

// relayout gives en (owned by the caller) a new block with room for extra
// more cells and extraBytes more string bytes, compacting the strings.
func (en *entity) relayout(extra, extraBytes int) {
	cs := en.cells.small
	live := 0
	for _, c := range cs {
		if c.kind().arenaKind() && isLocal(c.v) {
			live += int(c.v & (1<<localLenBits - 1))
		}
	}
	capC := max(len(cs)+extra, 1)
	strCells := (live + extraBytes + cellSize - 1) / cellSize
	blk := make([]cell, capC+strCells)
	next := blk[:len(cs):capC]
	var area []byte
	if strCells > 0 {
		area = unsafe.Slice((*byte)(unsafe.Pointer(&blk[capC])), strCells*cellSize)
	}
	used := 0
	for i, c := range cs {
		if c.kind().arenaKind() && isLocal(c.v) {
			s := en.localString(c.v)
			copy(area[used:], s)
			c.v = localFlag | uint64(used)<<localLenBits | uint64(len(s))
			used += len(s)
		}
		next[i] = c
	}
	en.cells.small, en.strLen, en.strCap = next, uint32(used), uint32(len(area))
}

// insertCell adds cell c to en (owned by the caller); for an arena kind,
// s holds its bytes, stored locally when small enough. It returns the
// stored cell.
func (en *entity) insertCell(o valueOps, c cell, s string) cell {
	if en.cells.big == nil && len(en.cells.small) >= pseqMaxSmall {
		en.toBig(o)
	}
	if en.cells.big != nil {
		if c.kind().arenaKind() {
			c.v = o.ar.put(s)
		}
		en.cells.big.Set(c)
		return c
	}
	local := c.kind().arenaKind() && len(s) <= localMaxLen
	if c.kind().arenaKind() && !local {
		c.v = o.ar.put(s)
	}
	needBytes := 0
	if local {
		needBytes = len(s)
	}
	if len(en.cells.small) == cap(en.cells.small) || int(en.strCap-en.strLen) < needBytes {
		en.relayout(max(1, len(en.cells.small)/2), needBytes+int(en.strCap)/2+16)
	}
	if local {
		off := int(en.strLen)
		if len(s) > 0 {
			copy(unsafe.Slice((*byte)(unsafe.Add(en.strArea(), off)), len(s)), s)
		}
		en.strLen += uint32(len(s))
		c.v = localFlag | uint64(off)<<localLenBits | uint64(len(s))
	}
	cs := en.cells.small
	i := sort.Search(len(cs), func(i int) bool { return o.cmpCellIn(en, cs[i], c) >= 0 })
	cs = append(cs, cell{})
	copy(cs[i+1:], cs[i:])
	cs[i] = c
	en.cells.small = cs
	return c
}

// appendCell adds c after every cell of en (owned by the caller), which
// has made room for it; otherwise it falls back to insertCell.
func (en *entity) appendCell(o valueOps, c cell, s string) cell {
	cs := en.cells.small
	local := c.kind().arenaKind() && len(s) <= localMaxLen
	if en.cells.big != nil || len(cs) == cap(cs) || local && int(en.strCap-en.strLen) < len(s) {
		return en.insertCell(o, c, s)
	}
	switch {
	case local && len(s) > 0:
		off := int(en.strLen)
		copy(unsafe.Slice((*byte)(unsafe.Add(en.strArea(), off)), len(s)), s)
		en.strLen += uint32(len(s))
		c.v = localFlag | uint64(off)<<localLenBits | uint64(len(s))
	case local:
		c.v = localFlag
	case c.kind().arenaKind():
		c.v = o.ar.put(s)
	}
	en.cells.small = append(cs, c)
	return c
}

// removeCell deletes cell c (as found by findCell) from en (owned by the
// caller). Its local bytes stay until the next relayout.
func (en *entity) removeCell(o valueOps, c cell) {
	if en.cells.big != nil {
		en.cells.big.Delete(c)
		return
	}
	cs := en.cells.small
	for i := range cs {
		if cs[i] == c {
			en.cells.small = append(cs[:i], cs[i+1:]...)
			return
		}
	}
}

// toBig moves en's cells to a B-tree, their local strings to the arena.
func (en *entity) toBig(o valueOps) {
	cs := make([]cell, len(en.cells.small))
	for i, c := range en.cells.small {
		if c.kind().arenaKind() && isLocal(c.v) {
			c.v = o.ar.put(en.localString(c.v))
		}
		cs[i] = c
	}
	en.cells.small = cs
	en.cells.toTree(o.cmpCell)
	en.strLen, en.strCap = 0, 0
}

// arenaValue returns the arena offset holding the bytes of cell c of en,
// copying local bytes to the arena (for spans and AVET, which outlive the
// block).
func (o valueOps) arenaValue(en *entity, c cell) uint64 {
	if c.kind().arenaKind() && isLocal(c.v) {
		return o.ar.put(en.localString(c.v))
	}
	return c.v
}
