package query

import (
	"fmt"
	"math/big"
	"time"
	"unicode/utf8"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

var collBuiltins = map[string]builtinFn{
	"vector": makeSeq(false), "list": makeSeq(true), "tuple": makeSeq(false),
	"get": getFn, "count": countFn, "range": rangeFn,
	"not-empty": notEmptyFn, "empty?": emptyFn, "contains?": containsFn,
	"identity": groundFn, "hash-map": hashMapFn, "array-map": hashMapFn, "hash-set": hashSetFn,
}

func hashMapFn(ex *exec, args []val) (val, error) {
	if len(args)%2 != 0 {
		return valNil, fmt.Errorf("hash-map: no value supplied for key %s", showAny(ex.toEDN(args[len(args)-1])))
	}
	m := edn.NewMap(len(args) / 2)
	for i := 0; i < len(args); i += 2 {
		m.Put(ex.toEDN(args[i]), ex.toEDN(args[i+1]))
	}
	return ex.intern(m), nil
}

func hashSetFn(ex *exec, args []val) (val, error) {
	s := edn.NewSet(len(args))
	for _, a := range args {
		s.Add(ex.toEDN(a))
	}
	return ex.intern(s), nil
}

func makeSeq(list bool) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		out := make([]edn.Value, len(args))
		for i, a := range args {
			out[i] = ex.toEDN(a)
		}
		if list {
			return ex.intern(edn.List(out)), nil
		}
		return ex.intern(edn.Vector(out)), nil
	}
}

func getFn(ex *exec, args []val) (val, error) {
	if err := arity("get", args, 2, 3); err != nil {
		return valNil, err
	}
	dflt := valNil
	if len(args) == 3 {
		dflt = args[2]
	}
	key := ex.toEDN(args[1])
	switch c := ex.toEDN(args[0]).(type) {
	case *edn.Map:
		if v, ok := c.Get(key); ok {
			return ex.fromEDN(v), nil
		}
	case *edn.Set:
		if c.Contains(key) {
			return args[1], nil
		}
	case edn.Vector:
		if i, ok := index(args[1], len(c)); ok {
			return ex.fromEDN(c[i]), nil
		}
	case string:
		if i, ok := index(args[1], utf8.RuneCountInString(c)); ok {
			return ex.intern(edn.Char([]rune(c)[i])), nil
		}
	}
	return dflt, nil
}

func index(k val, n int) (int, bool) {
	return int(k.int()), k.k == kInt && k.int() >= 0 && k.int() < int64(n)
}

func countFn(ex *exec, args []val) (val, error) {
	if err := arity("count", args, 1, 1); err != nil {
		return valNil, err
	}
	n, ok := countOf(ex, args[0])
	if !ok {
		return valNil, fmt.Errorf("count not supported on %s", showAny(ex.toEDN(args[0])))
	}
	return intVal(int64(n)), nil
}

func countOf(ex *exec, v val) (int, bool) {
	switch c := ex.toEDN(v).(type) {
	case nil:
		return 0, true
	case string:
		return utf8.RuneCountInString(c), true
	case *edn.Map:
		return c.Len(), true
	}
	if elems, ok := collElems(ex.toEDN(v)); ok {
		return len(elems), true
	}
	return 0, false
}

func rangeFn(ex *exec, args []val) (val, error) {
	if err := arity("range", args, 1, 3); err != nil {
		return valNil, err
	}
	for _, a := range args {
		if a.k != kInt {
			return valNil, fmt.Errorf("range: arguments must be integers, got %s", showAny(ex.toEDN(a)))
		}
	}
	start, end, step := int64(0), args[0].int(), int64(1)
	if len(args) >= 2 {
		start, end = args[0].int(), args[1].int()
	}
	if len(args) == 3 {
		step = args[2].int()
	}
	const maxRange = 1 << 20
	var out edn.List
	for x := start; (step > 0 && x < end) || (step < 0 && x > end); x += step {
		if len(out) == maxRange {
			return valNil, fmt.Errorf("range: more than %d elements", maxRange)
		}
		out = append(out, x)
	}
	if step == 0 && start != end {
		return valNil, fmt.Errorf("range: a step of 0 never ends")
	}
	return ex.intern(out), nil
}

func notEmptyFn(ex *exec, args []val) (val, error) {
	if err := arity("not-empty", args, 1, 1); err != nil {
		return valNil, err
	}
	n, ok := countOf(ex, args[0])
	if !ok {
		return valNil, fmt.Errorf("not-empty not supported on %s", showAny(ex.toEDN(args[0])))
	}
	if n == 0 {
		return valNil, nil
	}
	return args[0], nil
}

func emptyFn(ex *exec, args []val) (val, error) {
	if err := arity("empty?", args, 1, 1); err != nil {
		return valNil, err
	}
	n, ok := countOf(ex, args[0])
	if !ok {
		return valNil, fmt.Errorf("empty? not supported on %s", showAny(ex.toEDN(args[0])))
	}
	return boolVal(n == 0), nil
}

func containsFn(ex *exec, args []val) (val, error) {
	if err := arity("contains?", args, 2, 2); err != nil {
		return valNil, err
	}
	key := ex.toEDN(args[1])
	switch c := ex.toEDN(args[0]).(type) {
	case *edn.Map:
		_, ok := c.Get(key)
		return boolVal(ok), nil
	case *edn.Set:
		return boolVal(c.Contains(key)), nil
	case edn.Vector:
		_, ok := index(args[1], len(c))
		return boolVal(ok), nil
	case string:
		_, ok := index(args[1], utf8.RuneCountInString(c))
		return boolVal(ok), nil
	case nil:
		return valFalse, nil
	}
	return valNil, fmt.Errorf("contains? not supported on %s", showAny(ex.toEDN(args[0])))
}

// sourceArg reads a source argument ($).
func sourceArg(ex *exec, name string, v val) (*namedSource, error) {
	ns, ok := ex.other(v).(*namedSource)
	if !ok {
		return nil, fmt.Errorf("%s: first argument must be a source such as $, got %s", name, showAny(ex.toEDN(v)))
	}
	return ns, nil
}

// attrValues returns the values of attribute a of entity e in a source;
// for a reverse attribute :ns/_name, the entities referring to e.
func attrValues(ex *exec, ns *namedSource, e, a val) []val {
	in, out := posE, posV
	if a.k == kKeyword {
		if fwd, ok := forwardAttr(a.s); ok {
			a, in, out = val{k: kKeyword, s: fwd}, posV, posE
		}
	}
	p := probe{n: 3}
	p.bound[in], p.v[in] = true, e
	p.bound[posA], p.v[posA] = true, a
	p.need[out] = true
	var vals []val
	ns.src.match(ex, &p, sinkFunc(func(t *[5]val) bool {
		vals = append(vals, t[out])
		return true
	}))
	return vals
}

// forwardAttr returns :ns/name for a reverse attribute text ":ns/_name".
func forwardAttr(text string) (string, bool) {
	ns, name := splitKeywordText(text)
	if len(name) < 2 || name[0] != '_' {
		return "", false
	}
	if ns == "" {
		return ":" + name[1:], true
	}
	return ":" + ns + "/" + name[1:], true
}

func getElseFn(ex *exec, args []val) (val, error) {
	if err := arity("get-else", args, 4, 4); err != nil {
		return valNil, err
	}
	ns, err := sourceArg(ex, "get-else", args[0])
	if err != nil {
		return valNil, err
	}
	if args[3].k == kNil {
		return valNil, fmt.Errorf("get-else: nil default value is not supported")
	}
	if vs := attrValues(ex, ns, args[1], args[2]); len(vs) > 0 {
		return vs[0], nil
	}
	return args[3], nil
}

func getSomeFn(ex *exec, args []val) (val, error) {
	if err := arity("get-some", args, 2, -1); err != nil {
		return valNil, err
	}
	ns, err := sourceArg(ex, "get-some", args[0])
	if err != nil {
		return valNil, err
	}
	for _, a := range args[2:] {
		if vs := attrValues(ex, ns, args[1], a); len(vs) > 0 {
			return ex.intern(edn.Vector{ex.toEDN(a), ex.toEDN(vs[0])}), nil
		}
	}
	return valNil, nil
}

func missingFn(ex *exec, args []val) (val, error) {
	if err := arity("missing?", args, 3, 3); err != nil {
		return valNil, err
	}
	ns, err := sourceArg(ex, "missing?", args[0])
	if err != nil {
		return valNil, err
	}
	return boolVal(len(attrValues(ex, ns, args[1], args[2])) == 0), nil
}

// txToTFn returns the feed position of a transaction entity, of any feed
// (Datomic's tx->t); t->tx is its inverse for the feed in slot 0.
func txToTFn(ex *exec, args []val) (val, error) {
	if err := arity("tx->t", args, 1, 1); err != nil {
		return valNil, err
	}
	e := args[0].eid()
	pos, ok := int64(e.Local()), args[0].k == kInt && e.Part() == graphdb.PartTx
	if !ok {
		return valNil, fmt.Errorf("tx->t: %s is not a transaction", showAny(ex.toEDN(args[0])))
	}
	return intVal(pos), nil
}

func tToTxFn(ex *exec, args []val) (val, error) {
	if err := arity("t->tx", args, 1, 1); err != nil {
		return valNil, err
	}
	if args[0].k != kInt || args[0].int() < 0 || args[0].int() >= 1<<44 {
		return valNil, fmt.Errorf("t->tx: %s is not a feed position", showAny(ex.toEDN(args[0])))
	}
	return txVal(args[0].int()), nil
}

// typeName names the type of a value as Clojure on the JVM does.
func typeName(x any) string {
	switch x.(type) {
	case nil:
		return "nil"
	case bool:
		return "java.lang.Boolean"
	case int64:
		return "java.lang.Long"
	case *big.Int:
		return "clojure.lang.BigInt"
	case float64:
		return "java.lang.Double"
	case edn.BigDecimal:
		return "java.math.BigDecimal"
	case string:
		return "java.lang.String"
	case edn.Char:
		return "java.lang.Character"
	case edn.Keyword:
		return "clojure.lang.Keyword"
	case edn.Symbol:
		return "clojure.lang.Symbol"
	case edn.UUID:
		return "java.util.UUID"
	case time.Time:
		return "java.util.Date"
	case edn.Vector:
		return "clojure.lang.PersistentVector"
	case edn.List:
		return "clojure.lang.PersistentList"
	case *edn.Map:
		return "clojure.lang.PersistentArrayMap"
	case *edn.Set:
		return "clojure.lang.PersistentHashSet"
	case *graphdb.DB:
		return "graphdb.DB"
	case *namedSource:
		return "source"
	}
	return fmt.Sprintf("%T", x)
}
