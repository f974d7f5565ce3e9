package query

import (
	"fmt"
	"slices"

	"github.com/steledb/stele/graphdb/edn"
)

// callable is a function a clause calls: a built-in working on vals, or
// a Func working on EDN values.
type callable struct {
	name    string
	builtin builtinFn
	user    Func
}

func (ex *exec) call(f callable, args []val) (val, error) {
	if f.builtin != nil {
		return f.builtin(ex, args)
	}
	in := make([]edn.Value, len(args))
	for i, a := range args {
		in[i] = ex.toEDN(a)
	}
	out, err := f.user(in...)
	if err != nil {
		return valNil, fmt.Errorf("%s: %w", f.name, err)
	}
	return ex.fromEDN(out), nil
}

// namedFn resolves a function written by name: the caller's Funcs first,
// then the built-ins.
func (ex *exec) namedFn(name edn.Symbol) (callable, bool) {
	if f, ok := ex.opts.Funcs[name]; ok && f != nil {
		return callable{name: name.String(), user: f}, true
	}
	if b, ok := builtins[name.String()]; ok {
		return callable{name: name.String(), builtin: b}, true
	}
	return callable{}, false
}

// fnOf returns the function of a value bound to a function variable.
func (ex *exec) fnOf(v val) (callable, bool) {
	switch f := ex.other(v).(type) {
	case Func:
		return callable{name: "fn", user: f}, true
	case func(...edn.Value) (edn.Value, error):
		return callable{name: "fn", user: f}, true
	case callable:
		return f, true
	}
	return callable{}, false
}

// callPlan prepares the arguments of a predicate or function call:
// constants and sources once, variables per row.
type callPlan struct {
	fn     callable
	fnCol  int // column of the function variable, -1 for a named one, -2 for fnVal
	fnVal  val
	args   []val
	argCol []int // column per argument, -1 for constants
}

func (en *env) planCall(fn Fn, args []Term, rel *relation, form edn.Value, what string) (*callPlan, error) {
	cp := &callPlan{fnCol: -1, args: make([]val, len(args)), argCol: make([]int, len(args))}
	if fn.Var != NoVar {
		if cp.fnCol = rel.col(fn.Var); cp.fnCol < 0 {
			cp.fnCol = -2 // a function from a single-row relation
			cp.fnVal = en.singleValue(fn.Var)
		}
	} else {
		f, ok := en.ex.namedFn(fn.Name)
		if !ok {
			return nil, errorf("unknown %s %s in %s", what, fn.Name, show(form))
		}
		cp.fn = f
	}
	for i, t := range args {
		cp.argCol[i] = -1
		switch t.Kind {
		case TermVar:
			if cp.argCol[i] = rel.col(t.Var); cp.argCol[i] < 0 {
				cp.args[i] = en.singleValue(t.Var)
			}
		case TermConst:
			cp.args[i] = en.constVal(t)
		case TermSource:
			ns, err := en.source(t.Value.(edn.Symbol))
			if err != nil {
				return nil, err
			}
			cp.args[i] = en.ex.intern(ns)
		}
	}
	return cp, nil
}

// apply calls the function on one row.
func (cp *callPlan) apply(ex *exec, row []val, form edn.Value) (val, error) {
	for i, c := range cp.argCol {
		if c >= 0 {
			cp.args[i] = row[c]
		}
	}
	f := cp.fn
	if cp.fnCol != -1 {
		fv := cp.fnVal
		if cp.fnCol >= 0 {
			fv = row[cp.fnCol]
		}
		var ok bool
		if f, ok = ex.fnOf(fv); !ok {
			return valNil, errorf("%s is not a function in %s", showAny(ex.toEDN(fv)), show(form))
		}
	}
	v, err := ex.call(f, cp.args)
	if err != nil {
		return valNil, errorf("in %s: %w", show(form), err)
	}
	return v, nil
}

func (en *env) predicate(c *Predicate) error {
	rel := en.takeMany(termVars(c.Args, fnVars(c.Fn, nil)), nil)
	cp, err := en.planCall(c.Fn, c.Args, rel, c.Form, "predicate")
	if err != nil {
		return err
	}
	out := newRelation(rel.vars, rel.n)
	for i := range rel.n {
		row := rel.row(i)
		v, err := cp.apply(en.ex, row, c.Form)
		if err != nil {
			return err
		}
		if v.truthy() {
			out.addRow(row)
		}
	}
	en.put(out)
	return nil
}

// function binds the result of a call; a result of nil binds nothing, so
// the row goes, as in DataScript. A binding variable bound already keeps
// the rows where the result equals it.
func (en *env) function(c *Function) error {
	bvars := bindingVars(c.Binding, nil)
	rel := en.takeMany(termVars(c.Args, fnVars(c.Fn, nil)), bvars)
	cp, err := en.planCall(c.Fn, c.Args, rel, c.Form, "function")
	if err != nil {
		return err
	}
	var fresh []Var
	for _, v := range bvars {
		if !rel.has(v) && !slices.Contains(fresh, v) {
			fresh = append(fresh, v)
		}
	}
	out := newRelation(concatVars(rel.vars, fresh), rel.n)
	scalar, isScalar := c.Binding.(*BindScalar)
	for i := range rel.n {
		row := rel.row(i)
		v, err := cp.apply(en.ex, row, c.Form)
		if err != nil {
			return err
		}
		if v.k == kNil {
			continue
		}
		if isScalar {
			if col := rel.col(scalar.Var); col >= 0 {
				if row[col] == v {
					out.addRow(row)
				}
				continue
			}
			out.rows = append(append(out.rows, row...), v)
			out.n++
			continue
		}
		b, err := en.ex.bindVal(en.names, c.Binding, v)
		if err != nil {
			return errorf("in %s: %w", show(c.Form), err)
		}
		appendBound(out, rel, row, b, fresh)
	}
	en.put(out)
	return nil
}

// appendBound adds row extended by each tuple of b that agrees with row
// on the variables both bind.
func appendBound(out, rel *relation, row []val, b *relation, fresh []Var) {
	freshCols := b.cols(fresh)
	for j := range b.n {
		brow := b.row(j)
		agree := true
		for k, v := range b.vars {
			if c := rel.col(v); c >= 0 && row[c] != brow[k] {
				agree = false
				break
			}
		}
		if !agree {
			continue
		}
		out.rows = append(out.rows, row...)
		for _, c := range freshCols {
			out.rows = append(out.rows, brow[c])
		}
		out.n++
	}
}
