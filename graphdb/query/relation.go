package query

import (
	"encoding/binary"
	"slices"
)

// relation is a bag of tuples over some variables, stored row after row in
// one slice. A relation without variables holds n empty tuples: n == 1 is
// the unit relation (the join identity), n == 0 the empty one.
type relation struct {
	vars []Var
	rows []val
	n    int

	small [smallRelation]val // rows of a tiny relation, saving an allocation
}

const smallRelation = 2

func newRelation(vars []Var, capRows int) *relation {
	r := &relation{vars: vars}
	if n := capRows * len(vars); n <= smallRelation {
		r.rows = r.small[:0]
	} else {
		r.rows = make([]val, 0, n)
	}
	return r
}

func unitRelation() *relation { return &relation{n: 1} }

func (r *relation) width() int { return len(r.vars) }

func (r *relation) row(i int) []val {
	w := len(r.vars)
	return r.rows[i*w : i*w+w : i*w+w]
}

func (r *relation) addRow(row []val) {
	r.rows = append(r.rows, row...)
	r.n++
}

// col returns the column of v, or -1.
func (r *relation) col(v Var) int {
	for i, x := range r.vars {
		if x == v {
			return i
		}
	}
	return -1
}

func (r *relation) has(v Var) bool { return r.col(v) >= 0 }

// cols returns the columns of vars in r.
func (r *relation) cols(vars []Var) []int {
	out := make([]int, len(vars))
	for i, v := range vars {
		out[i] = r.col(v)
	}
	return out
}

// product is the cross product of a and b.
func product(a, b *relation) *relation {
	if a.width() == 0 && a.n == 1 {
		return b
	}
	if b.width() == 0 && b.n == 1 {
		return a
	}
	out := newRelation(concatVars(a.vars, b.vars), a.n*b.n)
	for i := range a.n {
		for j := range b.n {
			out.rows = append(out.rows, a.row(i)...)
			out.rows = append(out.rows, b.row(j)...)
		}
	}
	out.n = a.n * b.n
	return out
}

func concatVars(a, b []Var) []Var {
	return append(slices.Clip(a), b...)
}

// sharedVars returns the variables of b that a also has.
func sharedVars(a, b *relation) []Var {
	var out []Var
	for _, v := range b.vars {
		if a.has(v) {
			out = append(out, v)
		}
	}
	return out
}

// join is the natural hash join of a and b on their shared variables. It
// builds the hash table on the smaller side.
func join(a, b *relation) *relation {
	shared := sharedVars(a, b)
	if len(shared) == 0 {
		return product(a, b)
	}
	extra := make([]int, 0, b.width())
	var outVars []Var
	outVars = append(outVars, a.vars...)
	for i, v := range b.vars {
		if !a.has(v) {
			extra = append(extra, i)
			outVars = append(outVars, v)
		}
	}
	out := newRelation(outVars, max(a.n, b.n))
	emit := func(ra, rb []val) {
		out.rows = append(out.rows, ra...)
		for _, c := range extra {
			out.rows = append(out.rows, rb[c])
		}
		out.n++
	}
	ac, bc := a.cols(shared), b.cols(shared)
	if a.n <= b.n {
		idx := buildIndex(a, ac)
		for j := range b.n {
			rb := b.row(j)
			idx.each(rb, bc, func(i int) { emit(a.row(i), rb) })
		}
	} else {
		idx := buildIndex(b, bc)
		for i := range a.n {
			ra := a.row(i)
			idx.each(ra, ac, func(j int) { emit(ra, b.row(j)) })
		}
	}
	return out
}

// antiJoin keeps the rows of a whose values in cols of a match no row of
// b in bcols.
func antiJoin(a *relation, acols []int, b *relation, bcols []int) *relation {
	idx := buildIndex(b, bcols)
	out := newRelation(a.vars, a.n)
	for i := range a.n {
		row := a.row(i)
		if !idx.contains(row, acols) {
			out.addRow(row)
		}
	}
	return out
}

// project returns the distinct tuples of r over vars (all of which r has).
func project(r *relation, vars []Var) *relation {
	cols := r.cols(vars)
	out := newRelation(vars, r.n)
	seen := newRowSet(len(vars))
	buf := make([]val, len(vars))
	for i := range r.n {
		row := r.row(i)
		for j, c := range cols {
			buf[j] = row[c]
		}
		if seen.add(buf) {
			out.addRow(buf)
		}
	}
	if len(vars) == 0 {
		out.n = min(r.n, 1)
	}
	return out
}

// projectBag returns the tuples of r over vars, duplicates kept.
func projectBag(r *relation, vars []Var) *relation {
	if slices.Equal(r.vars, vars) {
		return r
	}
	cols := r.cols(vars)
	out := newRelation(vars, r.n)
	for i := range r.n {
		row := r.row(i)
		for _, c := range cols {
			out.rows = append(out.rows, row[c])
		}
	}
	out.n = r.n
	return out
}

// rowIndex is a hash index of the rows of a relation by some columns:
// chains of row numbers through next, headed by the key's entry.
type rowIndex struct {
	one  map[val]int32
	two  map[[2]val]int32
	many map[string]int32
	next []int32 // row i+1's successor in its chain, 0 ends
	buf  []byte
}

func buildIndex(r *relation, cols []int) *rowIndex {
	idx := &rowIndex{next: make([]int32, r.n)}
	switch len(cols) {
	case 1:
		idx.one = make(map[val]int32, r.n)
	case 2:
		idx.two = make(map[[2]val]int32, r.n)
	default:
		idx.many = make(map[string]int32, r.n)
	}
	for i := r.n - 1; i >= 0; i-- { // backwards, so chains run in row order
		row := r.row(i)
		switch {
		case idx.one != nil:
			k := row[cols[0]]
			idx.next[i] = idx.one[k]
			idx.one[k] = int32(i + 1)
			continue
		case idx.two != nil:
			k := [2]val{row[cols[0]], row[cols[1]]}
			idx.next[i] = idx.two[k]
			idx.two[k] = int32(i + 1)
			continue
		}
		idx.buf = appendKey(idx.buf[:0], row, cols)
		idx.next[i] = idx.many[string(idx.buf)]
		idx.many[string(idx.buf)] = int32(i + 1)
	}
	return idx
}

func (idx *rowIndex) head(row []val, cols []int) int32 {
	switch {
	case idx.one != nil:
		return idx.one[row[cols[0]]]
	case idx.two != nil:
		return idx.two[[2]val{row[cols[0]], row[cols[1]]}]
	}
	idx.buf = appendKey(idx.buf[:0], row, cols)
	return idx.many[string(idx.buf)]
}

func (idx *rowIndex) each(row []val, cols []int, fn func(int)) {
	for h := idx.head(row, cols); h != 0; h = idx.next[h-1] {
		fn(int(h - 1))
	}
}

func (idx *rowIndex) contains(row []val, cols []int) bool {
	return idx.head(row, cols) != 0
}

// appendKey encodes the vals of row at cols so that equal keys have equal
// bytes.
func appendKey(dst []byte, row []val, cols []int) []byte {
	for _, c := range cols {
		dst = appendVal(dst, row[c])
	}
	return dst
}

func appendVal(dst []byte, v val) []byte {
	dst = append(dst, byte(v.k))
	dst = binary.LittleEndian.AppendUint64(dst, v.n)
	dst = binary.AppendUvarint(dst, uint64(len(v.s)))
	return append(dst, v.s...)
}

// rowSet is a set of tuples of one width.
type rowSet struct {
	one  map[val]struct{}
	two  map[[2]val]struct{}
	many map[string]struct{}
	buf  []byte
	zero bool // width 0: whether the empty tuple is in
}

func newRowSet(width int) *rowSet {
	switch width {
	case 0:
		return &rowSet{}
	case 1:
		return &rowSet{one: map[val]struct{}{}}
	case 2:
		return &rowSet{two: map[[2]val]struct{}{}}
	}
	return &rowSet{many: map[string]struct{}{}}
}

// add inserts row and reports whether it was new.
func (s *rowSet) add(row []val) bool {
	switch {
	case s.one != nil:
		if _, ok := s.one[row[0]]; ok {
			return false
		}
		s.one[row[0]] = struct{}{}
		return true
	case s.two != nil:
		k := [2]val{row[0], row[1]}
		if _, ok := s.two[k]; ok {
			return false
		}
		s.two[k] = struct{}{}
		return true
	case s.many != nil:
		s.buf = appendRow(s.buf[:0], row)
		if _, ok := s.many[string(s.buf)]; ok {
			return false
		}
		s.many[string(s.buf)] = struct{}{}
		return true
	}
	was := s.zero
	s.zero = true
	return !was
}

func appendRow(dst []byte, row []val) []byte {
	for _, v := range row {
		dst = appendVal(dst, v)
	}
	return dst
}

// union appends the rows of b (same variables, maybe in another order)
// to a, returning a.
func unionInto(a, b *relation) *relation {
	if slices.Equal(a.vars, b.vars) {
		a.rows = append(a.rows, b.rows...)
		a.n += b.n
		return a
	}
	cols := b.cols(a.vars)
	buf := make([]val, len(cols))
	for i := range b.n {
		row := b.row(i)
		for j, c := range cols {
			buf[j] = row[c]
		}
		a.addRow(buf)
	}
	return a
}
