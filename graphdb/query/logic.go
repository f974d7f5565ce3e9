package query

import "slices"

// not removes the bindings for which its clauses hold. The clauses run in
// a scope that starts from the distinct bindings of the join variables
// (for not, those of its variables bound so far; for not-join, the ones
// written), and the tuples they keep are subtracted.
func (en *env) not(c *Not) error {
	join := en.boundOf(c.Vars)
	rel := en.take(join)
	seed := project(rel, join)
	inner := en.inner(c.Source, seed)
	inner.sess = nil // rules under not run to completion first (stratified)
	en.ex.negDepth++
	defer func() { en.ex.negDepth-- }()
	if err := inner.clauses(c.Clauses); err != nil {
		return err
	}
	held := inner.collapse(join)
	en.put(antiJoin(rel, rel.cols(join), held, held.cols(join)))
	return nil
}

// or unites what its branches bind. Each branch runs in a scope that
// starts from the distinct bindings of the join variables bound so far;
// the union, over those and the variables the branches bind, is then
// joined in.
func (en *env) or(c *Or) error {
	joinVars := c.joinVars()
	bound := en.boundOf(joinVars)
	rel := en.take(bound)
	seed := project(rel, bound)
	var union *relation
	var seen *rowSet
	for _, b := range c.Branches {
		inner := en.inner(c.Source, seed)
		if err := inner.clause(b); err != nil {
			return err
		}
		outVars := slices.Clone(bound)
		for _, v := range joinVars {
			if !slices.Contains(outVars, v) && inner.bound(v) {
				outVars = append(outVars, v)
			}
		}
		got := inner.collapse(outVars)
		if union == nil {
			union, seen = newRelation(outVars, got.n), newRowSet(len(outVars))
		} else if len(outVars) != len(union.vars) {
			return errorf("all branches of %s must bind the same variables", show(c.Form))
		}
		addDistinct(union, seen, got)
	}
	en.put(join(rel, union))
	return nil
}

// addDistinct adds the rows of r that dst (over the same variables) does
// not hold yet.
func addDistinct(dst *relation, seen *rowSet, r *relation) int {
	cols := r.cols(dst.vars)
	buf := make([]val, len(cols))
	added := 0
	for i := range r.n {
		row := r.row(i)
		for j, c := range cols {
			buf[j] = row[c]
		}
		if seen.add(buf) {
			dst.addRow(buf)
			added++
		}
	}
	return added
}
