package query

import (
	"fmt"
	"strings"

	"github.com/steledb/stele/graphdb/edn"
)

// Pull is a parsed pull pattern:
//
//	pattern     = [(attr-spec | map-spec | * | "*")*]
//	attr-spec   = attr-name | attr-expr
//	attr-name   = a keyword; :ns/_name is the reverse of :ns/name
//	attr-expr   = [attr-name option+] or (attr-name option+)
//	            | [limit attr-name (n | nil)] | [default attr-name value]
//	option      = :as value | :limit (n | nil) | :default value | :xform symbol
//	map-spec    = {attr-spec (pattern | ... | n)}
//
// For example [:name {:friend [:name (:email :default "none")]} :_friend
// {:parent ...} [:child :limit 10] *]. Whether an attribute is a ref or
// has cardinality many is the schema's business, so the checks that need
// it (a reverse or nested attribute must be a ref, a limit needs
// cardinality many) are the evaluator's, as in DataScript's pull.
type Pull struct {
	Form     edn.Value
	Wildcard bool
	Attrs    []PullAttr // in the order written; a later spec of the same attribute overrides
}

// Limits of cardinality-many attributes in a PullAttr.
const (
	DefaultLimit int64 = 0  // the evaluator's default (DataScript's is 1,000)
	NoLimit      int64 = -1 // :limit nil
)

// PullAttr is one attribute of a pull pattern.
type PullAttr struct {
	Name       edn.Keyword // the forward attribute: :person/friend for :person/_friend
	Reverse    bool
	As         edn.Value // the key in the result: the attribute as written unless :as
	Limit      int64     // DefaultLimit, NoLimit or a positive limit
	Default    edn.Value // with HasDefault, the value when the entity has none
	HasDefault bool
	Xform      edn.Symbol // function applied to the value; zero Symbol for none
	Pattern    *Pull      // the pattern of a map spec {attr pattern}
	Recursive  bool       // map spec {attr ...} or {attr n}: pull the same pattern again
	Depth      int64      // recursion limit n of {attr n}; 0 for ... (unbounded)
}

// ParsePull parses a pull pattern.
func ParsePull(form edn.Value) (*Pull, error) {
	elems, ok := seqOf(form)
	if !ok {
		return nil, pullError("a pattern vector", form)
	}
	p := &Pull{Form: form}
	for _, e := range elems {
		if err := p.addSpec(e); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func pullError(expected string, got edn.Value) error {
	return fmt.Errorf("pull: expected %s, got %s", expected, show(got))
}

func (p *Pull) addSpec(spec edn.Value) error {
	switch s := spec.(type) {
	case edn.Symbol:
		if s != (edn.Symbol{Name: "*"}) {
			return pullError("attr-name | attr-expr | map-spec | *", spec)
		}
		p.Wildcard = true
	case string:
		if s != "*" {
			return pullError("attr-name | attr-expr | map-spec | *", spec)
		}
		p.Wildcard = true
	case *edn.Map:
		for _, e := range s.Entries() {
			attr, err := parseMapSpec(e.Key, e.Value)
			if err != nil {
				return err
			}
			p.Attrs = append(p.Attrs, attr)
		}
	default:
		attr, err := parseAttrSpec(spec)
		if err != nil {
			return err
		}
		p.Attrs = append(p.Attrs, attr)
	}
	return nil
}

func parseAttrSpec(spec edn.Value) (PullAttr, error) {
	if k, ok := spec.(edn.Keyword); ok {
		return attrNamed(k), nil
	}
	elems, ok := seqOf(spec)
	if !ok || len(elems) == 0 {
		return PullAttr{}, pullError("attr-name | attr-expr | map-spec | *", spec)
	}
	switch legacyHead(elems[0]) {
	case "limit":
		return parseLegacyLimit(spec, elems)
	case "default":
		return parseLegacyDefault(spec, elems)
	}
	k, ok := elems[0].(edn.Keyword)
	if !ok {
		return PullAttr{}, pullError("[attr-name attr-option+] | [limit attr-name (positive-num | nil)] | [default attr-name any-val]", spec)
	}
	return parseAttrOptions(attrNamed(k), spec, elems[1:])
}

// attrNamed returns the attribute for a name, reverse when the name part
// starts with '_'.
func attrNamed(k edn.Keyword) PullAttr {
	attr := PullAttr{Name: k, As: k}
	if strings.HasPrefix(k.Name, "_") && len(k.Name) > 1 {
		attr.Name, attr.Reverse = edn.Keyword{Namespace: k.Namespace, Name: k.Name[1:]}, true
	}
	return attr
}

func legacyHead(v edn.Value) string {
	switch x := v.(type) {
	case edn.Symbol:
		if x.Namespace == "" {
			return x.Name
		}
	case string:
		return x
	}
	return ""
}

func parseAttrOptions(attr PullAttr, spec edn.Value, opts []edn.Value) (PullAttr, error) {
	if len(opts)%2 != 0 {
		return attr, pullError("an even number of options", spec)
	}
	for i := 0; i < len(opts); i += 2 {
		key, value := opts[i], opts[i+1]
		var err error
		switch key {
		case edn.K("as"):
			attr.As = value
		case edn.K("limit"):
			attr.Limit, err = parseLimit(value)
		case edn.K("default"):
			attr.Default, attr.HasDefault = value, true
		case edn.K("xform"):
			sym, ok := value.(edn.Symbol)
			if !ok {
				err = pullError("a symbol after :xform", value)
			}
			attr.Xform = sym
		default:
			err = pullError("one of :as, :limit, :default, :xform", spec)
		}
		if err != nil {
			return attr, err
		}
	}
	return attr, nil
}

func parseLimit(v edn.Value) (int64, error) {
	if v == nil {
		return NoLimit, nil
	}
	if n, ok := v.(int64); ok && n > 0 {
		return n, nil
	}
	return 0, pullError("(positive-number | nil)", v)
}

func parseLegacyLimit(spec edn.Value, elems []edn.Value) (PullAttr, error) {
	if len(elems) != 3 {
		return PullAttr{}, pullError("[limit attr-name (positive-number | nil)]", spec)
	}
	attr, err := parseAttrSpec(elems[1])
	if err != nil {
		return attr, err
	}
	attr.Limit, err = parseLimit(elems[2])
	return attr, err
}

func parseLegacyDefault(spec edn.Value, elems []edn.Value) (PullAttr, error) {
	if len(elems) != 3 {
		return PullAttr{}, pullError("[default attr-name any-value]", spec)
	}
	attr, err := parseAttrSpec(elems[1])
	if err != nil {
		return attr, err
	}
	attr.Default, attr.HasDefault = elems[2], true
	return attr, nil
}

// parseMapSpec reads one entry {attr-spec (pattern | ... | n)}.
func parseMapSpec(key, value edn.Value) (PullAttr, error) {
	attr, err := parseAttrSpec(key)
	if err != nil {
		return attr, err
	}
	switch v := value.(type) {
	case edn.Symbol:
		if v != symEllipsis {
			return attr, pullError("(pattern | ... | positive-number)", value)
		}
		attr.Recursive = true
	case string:
		if v != "..." {
			return attr, pullError("(pattern | ... | positive-number)", value)
		}
		attr.Recursive = true
	case int64:
		if v <= 0 {
			return attr, pullError("(pattern | ... | positive-number)", value)
		}
		attr.Recursive, attr.Depth = true, v
	default:
		sub, err := ParsePull(value)
		if err != nil {
			return attr, err
		}
		attr.Pattern = sub
	}
	return attr, nil
}
