package query

import (
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// find projects the bindings onto :find and :with, aggregates, pulls and
// shapes the result.
func (ex *exec) find(en *env) (edn.Value, error) {
	q := ex.q
	vars := projectionVars(q)
	for _, v := range vars {
		if !en.bound(v) {
			return nil, errorf("insufficient bindings: %s is used in :find or :with but bound only inside not", q.Vars[v])
		}
	}
	// A relation without aggregates, :with or pull ends in an edn.Set,
	// which drops repeated tuples itself; the other shapes need distinct
	// tuples first.
	distinct := hasAggregate(q.Find) || q.Find.Kind == FindColl || q.Find.Kind == FindRel && bagResult(q)
	rel := en.collapseBag(vars, distinct)
	tuples, err := ex.findTuples(rel)
	if err != nil {
		return nil, err
	}
	return ex.shape(tuples), nil
}

// projectionVars are the variables :find and :with need, without repeats.
func projectionVars(q *Query) []Var {
	var vars []Var
	add := func(v Var) {
		if v != NoVar && !slices.Contains(vars, v) {
			vars = append(vars, v)
		}
	}
	for _, v := range findVars(q.Find) {
		add(v)
	}
	for _, v := range q.With {
		add(v)
	}
	return vars
}

func hasAggregate(f Find) bool {
	return slices.ContainsFunc(f.Elems, func(e FindElem) bool { return e.Kind == ElemAggregate })
}

// findTuples computes the result tuples as EDN values.
func (ex *exec) findTuples(rel *relation) ([]edn.Vector, error) {
	q := ex.q
	if hasAggregate(q.Find) {
		return ex.aggregate(rel)
	}
	cols := rel.cols(elemVars(q.Find))
	out := make([]edn.Vector, 0, rel.n)
	buf := make([]val, len(cols))
	pulls := ex.pullers(rel)
	for i := range rel.n {
		row := rel.row(i)
		for j, c := range cols {
			buf[j] = row[c]
		}
		t := make(edn.Vector, len(cols))
		for j, e := range q.Find.Elems {
			if e.Kind == ElemPull {
				v, err := pulls[j].pull(row)
				if err != nil {
					return nil, err
				}
				t[j] = v
				continue
			}
			t[j] = ex.toEDN(buf[j])
		}
		out = append(out, t)
	}
	return out, nil
}

// elemVars is the variable of each find element.
func elemVars(f Find) []Var {
	out := make([]Var, len(f.Elems))
	for i, e := range f.Elems {
		out[i] = e.Var
	}
	return out
}

// bagResult reports whether DataScript returns the tuples of q as a
// sequence (here an edn.Vector) rather than a set: with :with (which
// keeps duplicates), aggregates or pull.
func bagResult(q *Query) bool {
	return len(q.With) > 0 || slices.ContainsFunc(q.Find.Elems, func(e FindElem) bool { return e.Kind != ElemVar })
}

// shape turns tuples into the result :find asks for.
func (ex *exec) shape(tuples []edn.Vector) edn.Value {
	q := ex.q
	switch q.Find.Kind {
	case FindScalar:
		if len(tuples) == 0 {
			return nil
		}
		return tuples[0][0]
	case FindColl:
		out := make(edn.Vector, len(tuples))
		for i, t := range tuples {
			out[i] = t[0]
		}
		return out
	case FindTuple:
		if len(tuples) == 0 {
			return nil
		}
		return ex.returnMap(tuples[0])
	}
	if bagResult(q) {
		out := make(edn.Vector, len(tuples))
		for i, t := range tuples {
			out[i] = ex.returnMap(t)
		}
		return out
	}
	set := edn.NewSet(len(tuples))
	for _, t := range tuples {
		set.Add(ex.returnMap(t))
	}
	return set
}

// returnMap applies :keys, :strs or :syms to a tuple.
func (ex *exec) returnMap(t edn.Vector) edn.Value {
	if ex.q.Keys == nil {
		return t
	}
	m := edn.NewMap(len(t))
	for i, k := range ex.q.Keys.Keys {
		m.Put(k, t[i])
	}
	return m
}
