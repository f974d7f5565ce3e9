package query

import (
	"errors"
	"fmt"
	"math"
)

// builtinFn is a built-in function on vals.
type builtinFn func(ex *exec, args []val) (val, error)

// builtins are DataScript's built-in functions and predicates (its
// datascript.built-ins/query-fns), by name.
var builtins map[string]builtinFn

func init() {
	builtins = map[string]builtinFn{
		"=": equalFn, "==": numEqualFn, "not=": notEqualFn, "!=": notEqualFn,
		"identical?": equalFn,
		"<":          compareChain(func(c int) bool { return c < 0 }),
		">":          compareChain(func(c int) bool { return c > 0 }),
		"<=":         compareChain(func(c int) bool { return c <= 0 }),
		">=":         compareChain(func(c int) bool { return c >= 0 }),
		"+":          arith("+", 0, addInt, func(a, b float64) float64 { return a + b }),
		"*":          arith("*", 1, mulInt, func(a, b float64) float64 { return a * b }),
		"-":          minusFn, "/": divideFn,
		"quot": quotFn, "rem": remFn, "mod": modFn,
		"inc": incDec(1), "dec": incDec(-1),
		"max": extremum(1), "min": extremum(-1),
		"zero?": signTest("zero?", func(s int) bool { return s == 0 }),
		"pos?":  signTest("pos?", func(s int) bool { return s > 0 }),
		"neg?":  signTest("neg?", func(s int) bool { return s < 0 }),
		"even?": parity("even?", 0), "odd?": parity("odd?", 1),
		"compare": compareFn, "rand": randFn, "rand-int": randIntFn,
		"true?":  unaryTest(func(v val) bool { return v == valTrue }),
		"false?": unaryTest(func(v val) bool { return v == valFalse }),
		"nil?":   unaryTest(func(v val) bool { return v.k == kNil }),
		"some?":  unaryTest(func(v val) bool { return v.k != kNil }),
		"not":    unaryTest(func(v val) bool { return !v.truthy() }),
		"and":    andFn, "or": orFn, "complement": complementFn,
		"-differ?": differFn, "ground": groundFn, "untuple": groundFn,
		"get-else": getElseFn, "get-some": getSomeFn, "missing?": missingFn,
		"tx->t": txToTFn, "t->tx": tToTxFn,
	}
	for name, f := range stringBuiltins {
		builtins[name] = f
	}
	for name, f := range collBuiltins {
		builtins[name] = f
	}
}

func arity(name string, args []val, lo, hi int) error {
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		return fmt.Errorf("wrong number of arguments (%d) passed to %s", len(args), name)
	}
	return nil
}

func equalFn(_ *exec, args []val) (val, error) {
	for i := 1; i < len(args); i++ {
		if args[i] != args[0] {
			return valFalse, nil
		}
	}
	return valTrue, nil
}

func notEqualFn(ex *exec, args []val) (val, error) {
	v, _ := equalFn(ex, args)
	return boolVal(!v.truthy()), nil
}

func numEqualFn(ex *exec, args []val) (val, error) {
	if err := numbers(ex, "==", args); err != nil {
		return valNil, err
	}
	for i := 1; i < len(args); i++ {
		if !numEqual(args[0], args[i]) {
			return valFalse, nil
		}
	}
	return valTrue, nil
}

// compareChain is <, >, <= or >= over any comparable values, as in
// DataScript, where they follow compare rather than numbers only.
func compareChain(ok func(int) bool) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		for i := 1; i < len(args); i++ {
			if !ok(ex.compare(args[i-1], args[i])) {
				return valFalse, nil
			}
		}
		return valTrue, nil
	}
}

func compareFn(ex *exec, args []val) (val, error) {
	if err := arity("compare", args, 2, 2); err != nil {
		return valNil, err
	}
	c := ex.compare(args[0], args[1])
	return intVal(int64(max(-1, min(1, c)))), nil
}

func numbers(ex *exec, name string, args []val) error {
	for _, a := range args {
		if !a.isNumber() {
			return fmt.Errorf("%s: %s is not a number", name, showAny(ex.toEDN(a)))
		}
	}
	return nil
}

var errOverflow = errors.New("integer overflow")

func addInt(a, b int64) (int64, error) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, errOverflow
	}
	return s, nil
}

func mulInt(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, errOverflow
	}
	return p, nil
}

// arith folds + or * over numbers: longs while all are longs, doubles
// from the first double on.
func arith(name string, unit int64, onInt func(a, b int64) (int64, error), onFloat func(a, b float64) float64) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := numbers(ex, name, args); err != nil {
			return valNil, err
		}
		acc := intVal(unit)
		for _, a := range args {
			var err error
			if acc, err = arith2(acc, a, onInt, onFloat); err != nil {
				return valNil, fmt.Errorf("%s: %w", name, err)
			}
		}
		return acc, nil
	}
}

func arith2(a, b val, onInt func(a, b int64) (int64, error), onFloat func(a, b float64) float64) (val, error) {
	if a.k == kInt && b.k == kInt {
		n, err := onInt(a.int(), b.int())
		return intVal(n), err
	}
	return floatVal(onFloat(toFloat(a), toFloat(b))), nil
}

func toFloat(v val) float64 {
	if v.k == kInt {
		return float64(v.int())
	}
	return v.float()
}

func minusFn(ex *exec, args []val) (val, error) {
	if err := arity("-", args, 1, -1); err != nil {
		return valNil, err
	}
	if err := numbers(ex, "-", args); err != nil {
		return valNil, err
	}
	sub := func(a, b int64) (int64, error) {
		if b == math.MinInt64 {
			return 0, errOverflow
		}
		return addInt(a, -b)
	}
	fsub := func(a, b float64) float64 { return a - b }
	if len(args) == 1 {
		return arith2(intVal(0), args[0], sub, fsub)
	}
	acc := args[0]
	for _, a := range args[1:] {
		var err error
		if acc, err = arith2(acc, a, sub, fsub); err != nil {
			return valNil, fmt.Errorf("-: %w", err)
		}
	}
	return acc, nil
}

// divideFn divides; longs that do not divide evenly give a double (where
// Clojure would give a ratio).
func divideFn(ex *exec, args []val) (val, error) {
	if err := arity("/", args, 1, -1); err != nil {
		return valNil, err
	}
	if err := numbers(ex, "/", args); err != nil {
		return valNil, err
	}
	if len(args) == 1 {
		args = []val{intVal(1), args[0]}
	}
	acc := args[0]
	for _, d := range args[1:] {
		var err error
		if acc, err = divide2(acc, d); err != nil {
			return valNil, err
		}
	}
	return acc, nil
}

func divide2(a, b val) (val, error) {
	if a.k == kInt && b.k == kInt {
		switch {
		case b.int() == 0:
			return valNil, errors.New("/: divide by zero")
		case a.int()%b.int() == 0 && !(a.int() == math.MinInt64 && b.int() == -1):
			return intVal(a.int() / b.int()), nil
		}
	}
	return floatVal(toFloat(a) / toFloat(b)), nil
}

// intDivision is quot, rem or mod on longs, or on doubles.
func intDivision(name string, onInt func(a, b int64) int64, onFloat func(a, b float64) float64) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity(name, args, 2, 2); err != nil {
			return valNil, err
		}
		if err := numbers(ex, name, args); err != nil {
			return valNil, err
		}
		a, b := args[0], args[1]
		if a.k != kInt || b.k != kInt {
			return floatVal(onFloat(toFloat(a), toFloat(b))), nil
		}
		switch {
		case b.int() == 0:
			return valNil, fmt.Errorf("%s: divide by zero", name)
		case b.int() == -1 && a.int() == math.MinInt64:
			if name == "quot" {
				return valNil, fmt.Errorf("quot: %w", errOverflow)
			}
			return intVal(0), nil
		}
		return intVal(onInt(a.int(), b.int())), nil
	}
}

func floorMod[T int64 | float64](m, b T) T {
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

var (
	quotFn = intDivision("quot", func(a, b int64) int64 { return a / b },
		func(a, b float64) float64 { return math.Trunc(a / b) })
	remFn = intDivision("rem", func(a, b int64) int64 { return a % b }, math.Mod)
	modFn = intDivision("mod", func(a, b int64) int64 { return floorMod(a%b, b) },
		func(a, b float64) float64 { return floorMod(math.Mod(a, b), b) })
)

func incDec(d int64) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity("inc", args, 1, 1); err != nil {
			return valNil, err
		}
		if err := numbers(ex, "inc", args); err != nil {
			return valNil, err
		}
		return arith2(args[0], intVal(d), addInt, func(a, b float64) float64 { return a + b })
	}
}

// extremum is max (dir 1) or min (dir -1) of numbers.
func extremum(dir int) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity("max", args, 1, -1); err != nil {
			return valNil, err
		}
		if err := numbers(ex, "max", args); err != nil {
			return valNil, err
		}
		best := args[0]
		for _, a := range args[1:] {
			if compareNumbers(a, best)*dir > 0 {
				best = a
			}
		}
		return best, nil
	}
}

func signTest(name string, ok func(int) bool) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity(name, args, 1, 1); err != nil {
			return valNil, err
		}
		if err := numbers(ex, name, args); err != nil {
			return valNil, err
		}
		sign := 0
		if !numEqual(args[0], intVal(0)) {
			sign = compareNumbers(args[0], intVal(0))
		}
		return boolVal(ok(sign)), nil
	}
}

func parity(name string, rem int64) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity(name, args, 1, 1); err != nil {
			return valNil, err
		}
		if args[0].k != kInt {
			return valNil, fmt.Errorf("%s: argument must be an integer, got %s", name, showAny(ex.toEDN(args[0])))
		}
		return boolVal(args[0].int()&1 == rem), nil
	}
}

func unaryTest(ok func(val) bool) builtinFn {
	return func(_ *exec, args []val) (val, error) {
		if len(args) != 1 {
			return valNil, fmt.Errorf("wrong number of arguments (%d), expected 1", len(args))
		}
		return boolVal(ok(args[0])), nil
	}
}

func andFn(_ *exec, args []val) (val, error) {
	out := valTrue
	for _, a := range args {
		if out = a; !a.truthy() {
			return a, nil
		}
	}
	return out, nil
}

func orFn(_ *exec, args []val) (val, error) {
	out := valNil
	for _, a := range args {
		if out = a; a.truthy() {
			return a, nil
		}
	}
	return out, nil
}

func complementFn(ex *exec, args []val) (val, error) {
	if err := arity("complement", args, 1, 1); err != nil {
		return valNil, err
	}
	f, ok := ex.fnOf(args[0])
	if !ok {
		return valNil, fmt.Errorf("complement: %s is not a function", showAny(ex.toEDN(args[0])))
	}
	neg := func(ex *exec, args []val) (val, error) {
		v, err := ex.call(f, args)
		return boolVal(!v.truthy()), err
	}
	return ex.intern(callable{name: "complement", builtin: neg}), nil
}

// differFn is DataScript's -differ?: whether the first half of the
// arguments differs from the second.
func differFn(_ *exec, args []val) (val, error) {
	h := len(args) / 2
	if len(args)%2 != 0 {
		return valTrue, nil
	}
	for i := range h {
		if args[i] != args[h+i] {
			return valTrue, nil
		}
	}
	return valFalse, nil
}

func groundFn(_ *exec, args []val) (val, error) {
	if len(args) != 1 {
		return valNil, fmt.Errorf("wrong number of arguments (%d), expected 1", len(args))
	}
	return args[0], nil
}

func randFn(ex *exec, args []val) (val, error) {
	if err := arity("rand", args, 0, 1); err != nil {
		return valNil, err
	}
	f := ex.random().Float64()
	if len(args) == 1 {
		if err := numbers(ex, "rand", args); err != nil {
			return valNil, err
		}
		f *= toFloat(args[0])
	}
	return floatVal(f), nil
}

func randIntFn(ex *exec, args []val) (val, error) {
	if err := arity("rand-int", args, 1, 1); err != nil {
		return valNil, err
	}
	if err := numbers(ex, "rand-int", args); err != nil {
		return valNil, err
	}
	n := int64(toFloat(args[0]))
	if n <= 0 {
		return intVal(0), nil
	}
	return intVal(ex.random().Int64N(n)), nil
}
