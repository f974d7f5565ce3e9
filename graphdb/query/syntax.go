package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/steledb/stele/graphdb/edn"
)

// Symbols with a meaning of their own in queries.
var (
	symBlank    = edn.Symbol{Name: "_"}
	symRules    = edn.Symbol{Name: "%"}
	symDefault  = edn.Symbol{Name: "$"}
	symEllipsis = edn.Symbol{Name: "..."}
	symDot      = edn.Symbol{Name: "."}
)

// isVariable reports whether v is a variable: a symbol whose name starts
// with '?', as DataScript decides.
func isVariable(v edn.Value) bool {
	s, ok := v.(edn.Symbol)
	return ok && strings.HasPrefix(s.Name, "?")
}

// isSource reports whether v is a source variable: $ or $name.
func isSource(v edn.Value) bool {
	s, ok := v.(edn.Symbol)
	return ok && strings.HasPrefix(s.Name, "$")
}

// isPlainSymbol reports whether v is a symbol that is not a variable, a
// source, % or _.
func isPlainSymbol(v edn.Value) bool {
	s, ok := v.(edn.Symbol)
	return ok && !isVariable(s) && !isSource(s) && s != symRules && s != symBlank
}

func isSymbol(v edn.Value, s edn.Symbol) bool {
	x, ok := v.(edn.Symbol)
	return ok && x == s
}

// seqOf returns the elements of a list or vector.
func seqOf(v edn.Value) ([]edn.Value, bool) {
	switch x := v.(type) {
	case edn.List:
		return x, true
	case edn.Vector:
		return x, true
	}
	return nil, false
}

// headSymbol returns the first element of a list or vector if it is a
// symbol.
func headSymbol(v edn.Value) (edn.Symbol, []edn.Value, bool) {
	elems, ok := seqOf(v)
	if !ok || len(elems) == 0 {
		return edn.Symbol{}, nil, false
	}
	s, ok := elems[0].(edn.Symbol)
	return s, elems, ok
}

// errorf returns a query error. The package's errors all start "query: ".
func errorf(format string, args ...any) error {
	return fmt.Errorf("query: "+format, args...)
}

// show writes a form for an error message, shortened if long.
func show(v edn.Value) string {
	const max = 200
	s := string(edn.Format(v))
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// scope interns the variables of a query or a rule branch.
type scope struct {
	names []edn.Symbol
	index map[edn.Symbol]Var
}

func newScope() *scope { return &scope{index: make(map[edn.Symbol]Var)} }

func (s *scope) intern(sym edn.Symbol) Var {
	if v, ok := s.index[sym]; ok {
		return v
	}
	v := Var(len(s.names))
	s.names = append(s.names, sym)
	s.index[sym] = v
	return v
}

// varSet is a set of variables of one scope.
type varSet map[Var]struct{}

func (s varSet) add(vs ...Var) {
	for _, v := range vs {
		s[v] = struct{}{}
	}
}

func (s varSet) has(v Var) bool {
	_, ok := s[v]
	return ok
}

func (s varSet) clone() varSet {
	c := make(varSet, len(s))
	for v := range s {
		c[v] = struct{}{}
	}
	return c
}

// minus returns the variables of vs that are not in s, without repeats.
func (s varSet) minus(vs []Var) []Var {
	var out []Var
	seen := varSet{}
	for _, v := range vs {
		if !s.has(v) && !seen.has(v) {
			out = append(out, v)
			seen.add(v)
		}
	}
	return out
}

// showVars writes variables as an EDN set, sorted by name: #{?a ?b}.
func showVars(names []edn.Symbol, vs []Var) string {
	strs := make([]string, len(vs))
	for i, v := range vs {
		strs[i] = names[v].String()
	}
	sort.Strings(strs)
	return "#{" + strings.Join(strs, " ") + "}"
}

func sameVars(a, b []Var) bool {
	if len(a) != len(b) {
		return false
	}
	set := varSet{}
	set.add(a...)
	for _, v := range b {
		if !set.has(v) {
			return false
		}
	}
	return true
}
