package query

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/steledb/stele/graphdb/edn"
)

var stringBuiltins = map[string]builtinFn{
	"str":         strFn,
	"pr-str":      printFn(true, ""),
	"prn-str":     printFn(true, "\n"),
	"print-str":   printFn(false, ""),
	"println-str": printFn(false, "\n"),
	"subs":        subsFn,
	"keyword":     keywordFn,
	"name":        nameFn(false),
	"namespace":   nameFn(true),
	"type":        typeFn,
	"meta":        func(*exec, []val) (val, error) { return valNil, nil },
	"re-pattern":  rePatternFn,
	"re-find":     reFindFn,
	"re-matches":  reMatchesFn,
	"re-seq":      reSeqFn,

	"clojure.string/blank?": func(ex *exec, args []val) (val, error) {
		if err := arity("clojure.string/blank?", args, 1, 1); err != nil {
			return valNil, err
		}
		if args[0].k == kNil {
			return valTrue, nil
		}
		s, err := stringArg(ex, "clojure.string/blank?", args[0])
		return boolVal(strings.TrimFunc(s, unicode.IsSpace) == ""), err
	},
	"clojure.string/includes?":    stringTest("clojure.string/includes?", strings.Contains),
	"clojure.string/starts-with?": stringTest("clojure.string/starts-with?", strings.HasPrefix),
	"clojure.string/ends-with?":   stringTest("clojure.string/ends-with?", strings.HasSuffix),
}

func stringArg(ex *exec, name string, v val) (string, error) {
	if v.k != kString {
		return "", fmt.Errorf("%s: %s is not a string", name, showAny(ex.toEDN(v)))
	}
	return v.s, nil
}

func stringTest(name string, test func(s, sub string) bool) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity(name, args, 2, 2); err != nil {
			return valNil, err
		}
		s, err := stringArg(ex, name, args[0])
		if err != nil {
			return valNil, err
		}
		sub, err := stringArg(ex, name, args[1])
		if err != nil {
			return valNil, err
		}
		return boolVal(test(s, sub)), nil
	}
}

// display writes v as Clojure's str does: strings and characters as
// they are, nil as nothing, everything else as printed.
func display(ex *exec, v val) string {
	switch v.k {
	case kNil:
		return ""
	case kString:
		return v.s
	case kKeyword:
		return v.s
	case kInt:
		return strconv.FormatInt(v.int(), 10)
	}
	x := ex.toEDN(v)
	switch c := x.(type) {
	case edn.Char:
		return string(rune(c))
	case edn.Symbol:
		return c.String()
	}
	if isEDN(x, 0) {
		return string(edn.Format(x))
	}
	return typeName(x)
}

func strFn(ex *exec, args []val) (val, error) {
	var b strings.Builder
	for _, a := range args {
		b.WriteString(display(ex, a))
	}
	return strVal(b.String()), nil
}

// printFn is pr-str (readable) or print-str (strings raw), joining its
// arguments with spaces.
func printFn(readable bool, end string) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		parts := make([]string, len(args))
		for i, a := range args {
			switch {
			case !readable && a.k == kNil:
				parts[i] = "nil"
			case !readable:
				parts[i] = display(ex, a)
			default:
				x := ex.toEDN(a)
				if !isEDN(x, 0) {
					parts[i] = typeName(x)
					continue
				}
				parts[i] = string(edn.Format(x))
			}
		}
		return strVal(strings.Join(parts, " ") + end), nil
	}
}

func subsFn(ex *exec, args []val) (val, error) {
	if err := arity("subs", args, 2, 3); err != nil {
		return valNil, err
	}
	s, err := stringArg(ex, "subs", args[0])
	if err != nil {
		return valNil, err
	}
	r := []rune(s)
	start, end := args[1], intVal(int64(len(r)))
	if len(args) == 3 {
		end = args[2]
	}
	if start.k != kInt || end.k != kInt || start.int() < 0 || end.int() > int64(len(r)) || start.int() > end.int() {
		return valNil, fmt.Errorf("subs: range %s %s out of bounds for a string of %d characters", showAny(ex.toEDN(start)), showAny(ex.toEDN(end)), len(r))
	}
	return strVal(string(r[start.int():end.int()])), nil
}

func keywordFn(ex *exec, args []val) (val, error) {
	if err := arity("keyword", args, 1, 2); err != nil {
		return valNil, err
	}
	if len(args) == 1 {
		switch args[0].k {
		case kKeyword:
			return args[0], nil
		case kString:
			return val{k: kKeyword, s: ":" + args[0].s}, nil
		}
		if s, ok := ex.toEDN(args[0]).(edn.Symbol); ok {
			return val{k: kKeyword, s: ":" + s.String()}, nil
		}
		return valNil, nil
	}
	ns, name := display(ex, args[0]), display(ex, args[1])
	if args[0].k == kNil {
		return val{k: kKeyword, s: ":" + name}, nil
	}
	return val{k: kKeyword, s: ":" + ns + "/" + name}, nil
}

// nameFn is name, or namespace with ns set.
func nameFn(ns bool) builtinFn {
	return func(ex *exec, args []val) (val, error) {
		if err := arity("name", args, 1, 1); err != nil {
			return valNil, err
		}
		var space, name string
		switch x := ex.toEDN(args[0]).(type) {
		case edn.Keyword:
			space, name = x.Namespace, x.Name
		case edn.Symbol:
			space, name = x.Namespace, x.Name
		case string:
			name = x
		default:
			return valNil, fmt.Errorf("doesn't support name: %s", showAny(x))
		}
		if !ns {
			return strVal(name), nil
		}
		if space == "" {
			return valNil, nil
		}
		return strVal(space), nil
	}
}

func typeFn(ex *exec, args []val) (val, error) {
	if err := arity("type", args, 1, 1); err != nil {
		return valNil, err
	}
	return ex.intern(edn.Sym(typeName(ex.toEDN(args[0])))), nil
}

// regexpArg reads a pattern: a *regexp.Regexp or, for convenience, a
// string compiled once per run. Go's RE2 syntax is close to Java's but
// has no backreferences or lookaround.
func regexpArg(ex *exec, name string, v val) (*regexp.Regexp, error) {
	if re, ok := ex.other(v).(*regexp.Regexp); ok {
		return re, nil
	}
	s, err := stringArg(ex, name, v)
	if err != nil {
		return nil, err
	}
	if re, ok := ex.regexps[s]; ok {
		return re, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if ex.regexps == nil {
		ex.regexps = map[string]*regexp.Regexp{}
	}
	ex.regexps[s] = re
	return re, nil
}

func rePatternFn(ex *exec, args []val) (val, error) {
	if err := arity("re-pattern", args, 1, 1); err != nil {
		return valNil, err
	}
	re, err := regexpArg(ex, "re-pattern", args[0])
	if err != nil {
		return valNil, err
	}
	return ex.intern(re), nil
}

// matchVal is a match as Clojure returns it: the string, or with groups
// a vector of the match and its groups (nil for groups that did not
// take part).
func matchVal(s string, loc []int) edn.Value {
	if len(loc) == 2 {
		return s[loc[0]:loc[1]]
	}
	out := make(edn.Vector, len(loc)/2)
	for i := range out {
		if loc[2*i] >= 0 {
			out[i] = s[loc[2*i]:loc[2*i+1]]
		}
	}
	return out
}

func reArgs(ex *exec, name string, args []val) (*regexp.Regexp, string, error) {
	if err := arity(name, args, 2, 2); err != nil {
		return nil, "", err
	}
	re, err := regexpArg(ex, name, args[0])
	if err != nil {
		return nil, "", err
	}
	s, err := stringArg(ex, name, args[1])
	return re, s, err
}

func reFindFn(ex *exec, args []val) (val, error) {
	re, s, err := reArgs(ex, "re-find", args)
	if err != nil {
		return valNil, err
	}
	loc := re.FindStringSubmatchIndex(s)
	if loc == nil {
		return valNil, nil
	}
	return ex.fromEDN(matchVal(s, loc)), nil
}

func reMatchesFn(ex *exec, args []val) (val, error) {
	re, s, err := reArgs(ex, "re-matches", args)
	if err != nil {
		return valNil, err
	}
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		if loc[0] == 0 && loc[1] == len(s) {
			return ex.fromEDN(matchVal(s, loc)), nil
		}
	}
	whole, err := regexp.Compile(`^(?:` + re.String() + `)$`)
	if err != nil {
		return valNil, err
	}
	if loc := whole.FindStringSubmatchIndex(s); loc != nil {
		return ex.fromEDN(matchVal(s, loc)), nil
	}
	return valNil, nil
}

func reSeqFn(ex *exec, args []val) (val, error) {
	re, s, err := reArgs(ex, "re-seq", args)
	if err != nil {
		return valNil, err
	}
	locs := re.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return valNil, nil
	}
	out := make(edn.List, len(locs))
	for i, loc := range locs {
		out[i] = matchVal(s, loc)
	}
	return ex.intern(out), nil
}
