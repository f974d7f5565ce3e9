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
}

func (en *env) planPattern(c *Pattern) *patternPlan {
	pl := &patternPlan{}
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
	rel := newRelation(pl.outs, 0)
	src.match(en.ex, &pl.p, func(t *[5]val) bool {
		for _, d := range pl.dups {
			if t[d[0]] != t[d[1]] {
				return true
			}
		}
		for _, pos := range pl.outPos {
			rel.rows = append(rel.rows, t[pos])
		}
		rel.n++
		return true
	})
	return rel
}

// lookupJoin matches the pattern once per row of rel, with the row's
// values in the probe: an index lookup per row.
func (en *env) lookupJoin(src source, pl *patternPlan, rel *relation) *relation {
	out := newRelation(concatVars(rel.vars, pl.outs), rel.n)
	cols := rel.cols(pl.bound)
	p := pl.p
	for _, pos := range pl.boundAt {
		p.bound[pos] = true
	}
	for i := range rel.n {
		row := rel.row(i)
		for k, pos := range pl.boundAt {
			p.v[pos] = row[cols[k]]
		}
		src.match(en.ex, &p, func(t *[5]val) bool {
			for _, d := range pl.dups {
				if t[d[0]] != t[d[1]] {
					return true
				}
			}
			out.rows = append(out.rows, row...)
			for _, pos := range pl.outPos {
				out.rows = append(out.rows, t[pos])
			}
			out.n++
			return true
		})
	}
	return out
}

// preferLookup chooses between an index lookup per row of rel and a scan
// followed by a hash join, by their estimated costs. Entity positions
// holding lookup refs or idents need the lookup, which resolves them.
func (en *env) preferLookup(src source, pl *patternPlan, rel *relation) bool {
	if rel.n == 0 || en.needsResolution(src, pl, rel) {
		return true
	}
	withRow := pl.p
	row := rel.row(0)
	cols := rel.cols(pl.bound)
	for k, pos := range pl.boundAt {
		withRow.bound[pos], withRow.v[pos] = true, row[cols[k]]
	}
	perRow := src.cost(en.ex, &withRow) + 2
	scan := src.cost(en.ex, &pl.p)
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
