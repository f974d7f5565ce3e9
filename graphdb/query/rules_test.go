package query

import (
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

func parseRulesText(t *testing.T, text string) (*Rules, error) {
	t.Helper()
	form, err := edn.Parse([]byte(text))
	if err != nil {
		t.Fatalf("edn.Parse(%s): %v", text, err)
	}
	return ParseRules(form)
}

// Rule sets of DataScript's tests.
const (
	followRules = `[[(follow ?e1 ?e2) [?e1 :follow ?e2]]
	                [(follow ?e1 ?e2) [?e1 :follow ?t] (follow ?t ?e2)]]`
	mutualRules = `[[(f1 ?e1 ?e2) [?e1 :f1 ?e2]]
	                [(f1 ?e1 ?e2) [?t :f1 ?e2] (f2 ?e1 ?t)]
	                [(f2 ?e1 ?e2) [?e1 :f2 ?e2]]
	                [(f2 ?e1 ?e2) [?t :f2 ?e2] (f1 ?e1 ?t)]]`
	matchRules = `[[(match ?pred ?e ?e2) [?e :follow ?e2] [(?pred ?e)] [(?pred ?e2)]]]`
)

func TestParseRules(t *testing.T) {
	tests := []struct{ in, want string }{
		{followRules, `[[(follow ?e1 ?e2) [?e1 :follow ?e2]] [(follow ?e1 ?e2) [?e1 :follow ?t] (follow ?t ?e2)]]`},
		{`[[(rule ?x) [?x :name _]]]`, `[[(rule ?x) [?x :name _]]]`},
		{`[[(rule [?x] ?y) [_]]]`, `[[(rule [?x] ?y) [_]]]`},
		{`[[(rule [?x ?y] ?a ?b) [_]]]`, `[[(rule [?x ?y] ?a ?b) [_]]]`},
		{`[[(rule [?x]) [_]]]`, `[[(rule [?x]) [_]]]`},
		{`[[(rule ?x) [:a] [:b]] [(other ?x) [:c]] [(rule ?x) [:d]]]`, `[[(rule ?x) [:a] [:b]] [(rule ?x) [:d]] [(other ?x) [:c]]]`},
		{`[[(male ?x) [?x :male]] [(adult ?y) [?y ?a] [(>= ?a 18)]]]`, `[[(male ?x) [?x :male]] [(adult ?y) [?y ?a] [(>= ?a 18)]]]`},
		{`[[(pending? ?status) [(ground "pending") ?status]]]`, `[[(pending? ?status) [(ground "pending") ?status]]]`},
	}
	for _, tt := range tests {
		rs, err := parseRulesText(t, tt.in)
		if err != nil {
			t.Errorf("ParseRules(%s): %v", tt.in, err)
			continue
		}
		if got := string(edn.Format(rs.EDN())); got != tt.want {
			t.Errorf("ParseRules(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestParseRulesStructure(t *testing.T) {
	rs, err := parseRulesText(t, `[[(r [?a] ?b) [?a :x ?c] [?c :y ?b]] [(r [?a] ?b) [?a :z ?b]]]`)
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Lookup(edn.Sym("r"))
	if r == nil || r.Required != 1 || r.Arity != 2 || len(r.Branches) != 2 || rs.Lookup(edn.Sym("s")) != nil {
		t.Fatalf("rule r = %+v", r)
	}
	b := r.Branches[0]
	if len(b.Vars) != 3 || b.Vars[b.Head[0]] != edn.Sym("?a") || b.Vars[b.Head[1]] != edn.Sym("?b") || len(b.Clauses) != 2 {
		t.Errorf("branch 0 = %+v", b)
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{`(rule ?x)`, "cannot parse rule rule, expected [(name ?vars...) clauses...]"},
		{`:rules`, "rules must be a vector"},
		{`[[(rule) [_]]]`, "cannot parse rule vars (rule)"},
		{`[[(rule []) [_]]]`, "cannot parse rule vars (rule [])"},
		{`[[(rule ?x ?y ?x) [_]]]`, "should be distinct"},
		{`[[(rule [?x ?y] ?z ?x) [_]]]`, "should be distinct"},
		{`[[(rule ?x)]]`, "rule branch [(rule ?x)] should have clauses"},
		{`[[(rule ?x) [_]] [(rule ?x ?y) [_]]]`, "arity mismatch for rule rule"},
		{`[[(rule ?x) [_]] [(rule [?x]) [_]]]`, "arity mismatch for rule rule"},
		{`[[(rule $e1 ?e2) [?e1 :ref ?e2]]]`, "cannot parse var, expected a symbol starting with ?, got $e1"},
		{`[[(?rule ?x) [?x]]]`, "cannot parse rule name ?rule"},
		{`[[rule [?x]]]`, "cannot parse rule head rule"},
		{`[[(rule ?x) :a]]`, "in rule rule: query: cannot parse clause :a"},
		{`[[]]`, "cannot parse rule []"},
	}
	for _, tt := range tests {
		_, err := parseRulesText(t, tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseRules(%s) error = %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestCheckRules(t *testing.T) {
	tests := []struct {
		query, rules, err string // err "" means valid
	}{
		{`[:find ?e1 ?e2 :in $ % :where (follow ?e1 ?e2)]`, followRules, ""},
		{`[:find ?e2 :in $ ?e1 % :where (follow ?e1 ?e2)]`, followRules, ""},
		{`[:find ?e1 ?e2 :in $ % :where (f1 ?e1 ?e2)]`, mutualRules, ""},
		{`[:find ?x ?y :in $ % ?even :where (match ?even ?x ?y)]`, matchRules, ""},
		{`[:find ?x :in $ % :where (wat ?x)]`, followRules, "unknown rule wat in (wat ?x)"},
		{`[:find ?x :in $ % :where (follow ?x)]`, followRules, "rule follow takes 2 arguments, got 1 in (follow ?x)"},
		{`[:find ?x :in $ % :where (r ?x)]`, `[[(r ?x) (s ?x)]]`, "in rule r: query: unknown rule s in (s ?x)"},
		{`[:find ?x :in $ % :where (r ?x ?y)]`, `[[(r [?x] ?y) [?x :a ?y]]]`, "insufficient bindings: r needs its first 1 arguments bound in (r ?x ?y)"},
		{`[:find ?y :in $ % :where (r _ ?y)]`, `[[(r [?x] ?y) [?x :a ?y]]]`, "needs its first 1 arguments bound"},
		{`[:find ?y :in $ % :where (r 1 ?y)]`, `[[(r [?x] ?y) [?x :a ?y]]]`, ""},
		{`[:find ?y :in $ % ?x :where (r ?x ?y)]`, `[[(r [?x] ?y) [?x :a ?y]]]`, ""},
		{`[:find ?y :in $ % :where [?x :b] (r ?x ?y)]`, `[[(r [?x] ?y) [?x :a ?y]]]`, ""},
		{`[:find ?x :in $ % :where (r ?x)]`, `[[(r ?x) [?x :a] (not [?y :b 1])]]`, "in rule r: query: insufficient bindings: none of #{?y} is bound in (not [?y :b 1])"},
		{`[:find ?x :in $ % :where (r ?x)]`, `[[(r ?x) [(< ?x 3)]]]`, ""},
		{`[:find ?x :in $ % :where [?x :a] (not (r ?x))]`, `[[(r ?x) [?x :b]] [(unused ?x) (nowhere ?x)]]`, ""},
	}
	for _, tt := range tests {
		q := mustParse(t, tt.query)
		rs, err := parseRulesText(t, tt.rules)
		if err != nil {
			t.Fatalf("ParseRules(%s): %v", tt.rules, err)
		}
		err = q.CheckRules(rs)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("CheckRules(%s, %s): %v", tt.query, tt.rules, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("CheckRules(%s, %s) error = %v, want %q", tt.query, tt.rules, err, tt.err)
		}
	}
}
