package query

import (
	"fmt"
	"math"
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// aggregate groups the distinct tuples of :find and :with by the find
// elements that are not aggregates, and computes each aggregate over the
// values of its variable in the group (a bag: :with keeps duplicates).
func (ex *exec) aggregate(rel *relation) ([]edn.Vector, error) {
	q := ex.q
	var keyCols []int
	for _, e := range q.Find.Elems {
		if e.Kind != ElemAggregate {
			keyCols = append(keyCols, rel.col(e.Var))
		}
	}
	groups, order := map[string][]int{}, []string{}
	var buf []byte
	for i := range rel.n {
		buf = appendKey(buf[:0], rel.row(i), keyCols)
		if _, ok := groups[string(buf)]; !ok {
			order = append(order, string(buf))
		}
		groups[string(buf)] = append(groups[string(buf)], i)
	}
	pulls := ex.pullers(rel)
	out := make([]edn.Vector, 0, len(order))
	for _, k := range order {
		t, err := ex.aggregateGroup(rel, groups[k], pulls)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (ex *exec) aggregateGroup(rel *relation, rows []int, pulls []*puller) (edn.Vector, error) {
	first := rel.row(rows[0])
	t := make(edn.Vector, len(ex.q.Find.Elems))
	for j, e := range ex.q.Find.Elems {
		var err error
		switch e.Kind {
		case ElemVar:
			t[j] = ex.toEDN(first[rel.col(e.Var)])
		case ElemPull:
			t[j], err = pulls[j].pull(first)
		case ElemAggregate:
			c := rel.col(e.Var)
			vals := make([]val, len(rows))
			for i, r := range rows {
				vals[i] = rel.row(r)[c]
			}
			t[j], err = ex.applyAggregate(e.Aggregate, vals, rel, first)
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (ex *exec) applyAggregate(a *Aggregate, vals []val, rel *relation, row []val) (edn.Value, error) {
	switch a.Fn {
	case AggCount:
		return int64(len(vals)), nil
	case AggCountDistinct:
		return int64(len(distinctVals(vals))), nil
	case AggSum:
		v, err := ex.sum(vals)
		return ex.toEDN(v), err
	case AggAvg:
		return ex.avg(vals)
	case AggMedian:
		return ex.median(vals)
	case AggVariance:
		return ex.variance(vals)
	case AggStddev:
		v, err := ex.variance(vals)
		if err != nil {
			return nil, err
		}
		return math.Sqrt(v.(float64)), nil
	case AggDistinct:
		set := edn.NewSet(len(vals))
		for _, v := range distinctVals(vals) {
			set.Add(ex.toEDN(v))
		}
		return set, nil
	case AggMin, AggMax, AggRand, AggSample:
		n, err := ex.aggregateN(a, rel, row)
		if err != nil {
			return nil, err
		}
		if a.Fn == AggMin || a.Fn == AggMax {
			return ex.extreme(a.Fn, n, vals), nil
		}
		return ex.randomPick(a.Fn, n, vals), nil
	}
	return ex.customAggregate(a, vals, rel, row)
}

func distinctVals(vals []val) []val {
	seen := make(map[val]struct{}, len(vals))
	out := vals[:0:0]
	for _, v := range vals {
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}

func (ex *exec) sum(vals []val) (val, error) {
	if err := numbers(ex, "sum", vals); err != nil {
		return valNil, err
	}
	acc := intVal(0)
	for _, v := range vals {
		var err error
		if acc, err = arith2(acc, v, addInt, func(a, b float64) float64 { return a + b }); err != nil {
			return valNil, fmt.Errorf("sum: %w", err)
		}
	}
	return acc, nil
}

func (ex *exec) avg(vals []val) (edn.Value, error) {
	s, err := ex.sum(vals)
	if err != nil {
		return nil, err
	}
	return toFloat(s) / float64(len(vals)), nil
}

// median is the middle value, or the mean of the two middle ones.
func (ex *exec) median(vals []val) (edn.Value, error) {
	if err := numbers(ex, "median", vals); err != nil {
		return nil, err
	}
	sorted := slices.Clone(vals)
	slices.SortFunc(sorted, compareNumbers)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return ex.toEDN(sorted[mid]), nil
	}
	s, err := arith2(sorted[mid-1], sorted[mid], addInt, func(a, b float64) float64 { return a + b })
	if err != nil {
		s = floatVal(toFloat(sorted[mid-1]) + toFloat(sorted[mid]))
	}
	m, err := divide2(s, intVal(2))
	return ex.toEDN(m), err
}

func (ex *exec) variance(vals []val) (edn.Value, error) {
	m, err := ex.avg(vals)
	if err != nil {
		return nil, err
	}
	mean, total := m.(float64), 0.0
	for _, v := range vals {
		d := toFloat(v) - mean
		total += d * d
	}
	return total / float64(len(vals)), nil
}

// aggregateN returns the n of (max n ?x), a constant or an input
// variable; 0 when there is none.
func (ex *exec) aggregateN(a *Aggregate, rel *relation, row []val) (int64, error) {
	if len(a.Args) < 2 || a.Args[0].Kind != TermVar {
		return a.N, nil
	}
	v := row[rel.col(a.Args[0].Var)]
	if v.k != kInt || v.int() <= 0 {
		return 0, errorf("%s: n must be a positive integer, got %s", a.Name, showAny(ex.toEDN(v)))
	}
	return v.int(), nil
}

// extreme is min or max by compare: one value, or with n the n least (or
// greatest) values in ascending order, as DataScript.
func (ex *exec) extreme(fn AggregateFn, n int64, vals []val) edn.Value {
	sorted := slices.Clone(vals)
	slices.SortStableFunc(sorted, ex.compare)
	if n == 0 {
		if fn == AggMax {
			return ex.toEDN(sorted[len(sorted)-1])
		}
		return ex.toEDN(sorted[0])
	}
	k := min(int(n), len(sorted))
	pick := sorted[:k]
	if fn == AggMax {
		pick = sorted[len(sorted)-k:]
	}
	out := make(edn.Vector, k)
	for i, v := range pick {
		out[i] = ex.toEDN(v)
	}
	return out
}

// randomPick is rand (one value, or n drawn with replacement) or sample
// (n distinct positions, in random order).
func (ex *exec) randomPick(fn AggregateFn, n int64, vals []val) edn.Value {
	r := ex.random()
	if fn == AggRand && n == 0 {
		return ex.toEDN(vals[r.IntN(len(vals))])
	}
	if fn == AggRand {
		out := make(edn.Vector, n)
		for i := range out {
			out[i] = ex.toEDN(vals[r.IntN(len(vals))])
		}
		return out
	}
	perm := r.Perm(len(vals))
	out := make(edn.Vector, 0, min(int(n), len(vals)))
	for _, i := range perm[:min(int(n), len(vals))] {
		out = append(out, ex.toEDN(vals[i]))
	}
	return out
}

// customAggregate calls (aggregate ?f args... ?x): f gets the constant
// arguments and then the vector of values.
func (ex *exec) customAggregate(a *Aggregate, vals []val, rel *relation, row []val) (edn.Value, error) {
	f, ok := ex.fnOf(row[rel.col(a.FnVar)])
	if !ok {
		return nil, errorf("%s is not an aggregate function", ex.q.Vars[a.FnVar])
	}
	args := make([]val, 0, len(a.Args))
	for _, t := range a.Args[:len(a.Args)-1] { // constants and inputs before the values
		switch t.Kind {
		case TermVar:
			args = append(args, row[rel.col(t.Var)])
		default:
			args = append(args, ex.fromEDN(t.Value))
		}
	}
	coll := make(edn.Vector, len(vals))
	for i, v := range vals {
		coll[i] = ex.toEDN(v)
	}
	v, err := ex.call(f, append(args, ex.intern(coll)))
	if err != nil {
		return nil, errorf("aggregate: %w", err)
	}
	return ex.toEDN(v), nil
}
