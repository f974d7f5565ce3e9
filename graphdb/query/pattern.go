package query

import (
	"slices"

	"github.com/steledb/stele/graphdb"
)

// patternPlan sorts the terms of a data pattern: constants go into the
// probe, variables the scope binds are read from the joined row, new
// variables are bound from the matches.
type patternPlan struct {
	p       probe
	outs    []Var    // new variables, in order of first position
	outPos  []int    // their positions
	dups    [][2]int // a new variable repeated: position, first position
	bound   []Var    // variables the scope binds
	boundAt []int    // their positions

	// room for the slices above: a pattern has at most five terms
	outsBuf, boundBuf     [maxPatternTerms]Var
	outPosBuf, boundAtBuf [maxPatternTerms]int
	dupsBuf               [maxPatternTerms][2]int
}

func (en *env) planPattern(c *Pattern) *patternPlan {
	pl := &patternPlan{}
	pl.outs, pl.bound = pl.outsBuf[:0], pl.boundBuf[:0]
	pl.outPos, pl.boundAt, pl.dups = pl.outPosBuf[:0], pl.boundAtBuf[:0], pl.dupsBuf[:0]
	pl.p.n = len(c.Terms)
	for i, t := range c.Terms {
		switch t.Kind {
		case TermConst:
			pl.p.bound[i], pl.p.v[i] = true, en.constVal(t)
		case TermVar:
			switch {
			case en.bound(t.Var):
				pl.bound = append(pl.bound, t.Var)
				pl.boundAt = append(pl.boundAt, i)
			case slices.Contains(pl.outs, t.Var):
				first := pl.outPos[slices.Index(pl.outs, t.Var)]
				pl.dups = append(pl.dups, [2]int{i, first})
				pl.p.need[i] = true
			default:
				pl.outs = append(pl.outs, t.Var)
				pl.outPos = append(pl.outPos, i)
				pl.p.need[i] = true
			}
		}
	}
	return pl
}

func (en *env) pattern(c *Pattern) error {
	ns, err := en.source(c.Source)
	if err != nil {
		return err
	}
	pl := en.planPattern(c)
	if len(pl.bound) == 0 {
		en.put(en.scanPattern(ns.src, pl))
		return nil
	}
	rel := en.take(pl.bound)
	if en.preferLookup(ns.src, pl, rel) {
		en.put(en.lookupJoin(ns.src, pl, rel))
		return nil
	}
	// Scan with the constants only, binding the joined variables too, and
	// hash-join the result.
	scan := *pl
	scan.outs = slices.Clone(pl.outs)
	scan.outPos = slices.Clone(pl.outPos)
	scan.dups = slices.Clone(pl.dups)
	for k, v := range pl.bound {
		pos := pl.boundAt[k]
		scan.p.need[pos] = true
		if j := slices.Index(scan.outs, v); j >= 0 {
			scan.dups = append(scan.dups, [2]int{pos, scan.outPos[j]})
			continue
		}
		scan.outs = append(scan.outs, v)
		scan.outPos = append(scan.outPos, pos)
	}
	en.put(join(rel, en.scanPattern(ns.src, &scan)))
	return nil
}

// scanPattern returns the relation of the pattern's new variables over
// the matches of its constants.
func (en *env) scanPattern(src source, pl *patternPlan) *relation {
	// The estimate sizes the relation: it is exact for an attribute of
	// the current state, the common case.
	const maxHint = 1 << 20
	hint := min(src.cost(en.ex, &pl.p), maxHint)
	if pl.p.bound[posV] {
		hint /= 8 // a value filters the attribute's datoms; guess
	}
	j := &joiner{out: newRelation(pl.outs, hint), dups: pl.dups, outPos: pl.outPos}
	src.match(en.ex, &pl.p, j)
	return j.out
}

// lookupJoin matches the pattern once per row of rel, with the row's
// values in the probe: an index lookup per row.
func (en *env) lookupJoin(src source, pl *patternPlan, rel *relation) *relation {
	j := &joiner{out: newRelation(concatVars(rel.vars, pl.outs), rel.n), dups: pl.dups, outPos: pl.outPos, p: pl.p}
	var cols [maxPatternTerms]int
	for k, v := range pl.bound {
		cols[k] = rel.col(v)
	}
	for _, pos := range pl.boundAt {
		j.p.bound[pos] = true
	}
	for i := range rel.n {
		j.row = rel.row(i)
		for k, pos := range pl.boundAt {
			j.p.v[pos] = j.row[cols[k]]
		}
		src.match(en.ex, &j.p, j)
	}
	return j.out
}

// joiner is the sink of a pattern's matches: it appends the joined row
// (if any) and the values of the new variables.
type joiner struct {
	out    *relation
	row    []val
	dups   [][2]int
	outPos []int
	p      probe
}

func (j *joiner) take(t *[5]val) bool {
	for _, d := range j.dups {
		if t[d[0]] != t[d[1]] {
			return true
		}
	}
	j.out.rows = append(j.out.rows, j.row...)
	for _, pos := range j.outPos {
		j.out.rows = append(j.out.rows, t[pos])
	}
	j.out.n++
	return true
}

// preferLookup chooses between an index lookup per row of rel and a scan
// followed by a hash join, by their estimated costs. Entity positions
// holding lookup refs or idents need the lookup, which resolves them.
func (en *env) preferLookup(src source, pl *patternPlan, rel *relation) bool {
	if rel.n == 0 || en.needsResolution(src, pl, rel) {
		return true
	}
	withRow := &en.ex.scratch
	*withRow = pl.p
	row := rel.row(0)
	for k, pos := range pl.boundAt {
		withRow.bound[pos], withRow.v[pos] = true, row[rel.col(pl.bound[k])]
	}
	perRow := src.cost(en.ex, withRow) + 2
	*withRow = pl.p
	scan := src.cost(en.ex, withRow)
	return rel.n*perRow <= scan+2*rel.n
}

// needsResolution reports whether some value to join on is not an entity
// ID where the database compares entity IDs.
func (en *env) needsResolution(src source, pl *patternPlan, rel *relation) bool {
	s, ok := src.(entitySource)
	if !ok {
		return false
	}
	refValue := pl.p.bound[posA] && s.refAttr(en.ex, pl.p.v[posA])
	for k, pos := range pl.boundAt {
		if pos != posE && pos != posA && !(pos == posV && refValue) {
			continue
		}
		c := rel.col(pl.bound[k])
		for i := range rel.n {
			if rel.rows[i*rel.width()+c].k != kInt && pos != posA {
				return true
			}
			if pos == posA && rel.rows[i*rel.width()+c].k != kKeyword {
				return true
			}
		}
	}
	return false
}

// entitySource is a source of datoms with entity IDs: a database.
type entitySource interface {
	refAttr(ex *exec, a val) bool
}

func (s *dbSource) refAttr(ex *exec, a val) bool {
	e, ok := s.attrID(a)
	return ok && s.attrByEID(e).attr.ValueType == graphdb.KindRef
}
