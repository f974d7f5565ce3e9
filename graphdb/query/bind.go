package query

import (
	"github.com/steledb/stele/graphdb/edn"
)

// bindRel turns a value into the relation a binding form makes of it:
//
//	?x          one tuple [x]
//	_           the unit relation (nothing bound)
//	[?a ?b]     one tuple from the first elements of a sequence
//	[?x ...]    one tuple per element of a collection
//	[[?a ?b]]   one tuple per element, each a sequence
func (ex *exec) bindRel(names []edn.Symbol, b Binding, x any) (*relation, error) {
	switch b := b.(type) {
	case *BindScalar:
		rel := newRelation([]Var{b.Var}, 1)
		rel.addRow([]val{ex.fromEDN(x)})
		return rel, nil
	case *BindIgnore:
		return unitRelation(), nil
	case *BindTuple:
		return ex.bindTuple(names, b, x)
	case *BindColl:
		return ex.bindColl(names, b, x)
	}
	panic("query: unknown binding type")
}

func (ex *exec) bindTuple(names []edn.Symbol, b *BindTuple, x any) (*relation, error) {
	elems, ok := seqOf(x)
	if !ok {
		return nil, errorf("cannot bind value %s to tuple %s", showAny(x), showBinding(names, b))
	}
	if len(elems) < len(b.Elems) {
		return nil, errorf("not enough elements in a collection %s to bind tuple %s", showAny(x), showBinding(names, b))
	}
	rel := unitRelation()
	for i, e := range b.Elems {
		r, err := ex.bindRel(names, e, elems[i])
		if err != nil {
			return nil, err
		}
		rel = product(rel, r)
	}
	return rel, nil
}

func (ex *exec) bindColl(names []edn.Symbol, b *BindColl, x any) (*relation, error) {
	elems, ok := collElems(x)
	if !ok {
		return nil, errorf("cannot bind value %s to collection %s", showAny(x), showBinding(names, b))
	}
	vars := bindingVars(b.Elem, nil)
	out := newRelation(vars, len(elems))
	for _, e := range elems {
		r, err := ex.bindRel(names, b.Elem, e)
		if err != nil {
			return nil, err
		}
		unionInto(out, r)
	}
	return out, nil
}

// bindVal binds the result of a function call.
func (ex *exec) bindVal(names []edn.Symbol, b Binding, v val) (*relation, error) {
	if s, ok := b.(*BindScalar); ok {
		rel := newRelation([]Var{s.Var}, 1)
		rel.addRow([]val{v})
		return rel, nil
	}
	return ex.bindRel(names, b, ex.toEDN(v))
}

func showBinding(names []edn.Symbol, b Binding) string {
	return show(writer{names: names}.binding(b))
}

// showAny writes a value for an error message, EDN or not.
func showAny(x any) string {
	if isEDN(x, 0) {
		return show(x)
	}
	return typeName(x)
}
