package query

import (
	"bytes"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

// FuzzParseQuery checks that Parse never panics, that its errors are
// query errors, and that a parsed query formats to a query that parses
// and formats to the same bytes.
func FuzzParseQuery(f *testing.F) {
	for _, tt := range validQueries {
		f.Add([]byte(tt.in))
	}
	for _, tt := range invalidQueries {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		q, err := Parse(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "query: ") {
				t.Fatalf("Parse(%q) error %q lacks the query: prefix", text, err)
			}
			return
		}
		once := FormatQuery(q)
		again, err := Parse(once)
		if err != nil {
			t.Fatalf("Parse(%q) formats as %s, which does not parse: %v", text, once, err)
		}
		if twice := FormatQuery(again); !bytes.Equal(once, twice) {
			t.Fatalf("FormatQuery not stable for %q: %s then %s", text, once, twice)
		}
	})
}

// FuzzParsePull is FuzzParseQuery for pull patterns.
func FuzzParsePull(f *testing.F) {
	for _, seed := range []string{
		`[:a {:b [:c]} :_reverse {:c 3} (:a :limit 10) [:a :as "x" :default 0] *]`,
		`[{:friend ...} (limit :x nil) (default :y 1) [:z :xform str]]`, `[{[:a :as 1] [*]}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		form, err := edn.Parse(text)
		if err != nil {
			return
		}
		p, err := ParsePull(form)
		if err != nil {
			return
		}
		once := FormatPull(p)
		form2, err := edn.Parse(once)
		if err != nil {
			t.Fatalf("FormatPull gives unparsable %s", once)
		}
		p2, err := ParsePull(form2)
		if err != nil {
			t.Fatalf("ParsePull(%q) formats as %s, which does not parse: %v", text, once, err)
		}
		if twice := FormatPull(p2); !bytes.Equal(once, twice) {
			t.Fatalf("FormatPull not stable for %q: %s then %s", text, once, twice)
		}
	})
}

// FuzzParseRules checks ParseRules and CheckRules never panic and rule
// sets format stably.
func FuzzParseRules(f *testing.F) {
	for _, seed := range []string{followRules, mutualRules, matchRules, `[[(r [?a] ?b) [?a :x ?b] (not (r ?b _))]]`} {
		f.Add([]byte(seed), []byte(`[:find ?a ?b :in $ % :where (r ?a ?b)]`))
	}
	f.Fuzz(func(t *testing.T, rulesText, queryText []byte) {
		form, err := edn.Parse(rulesText)
		if err != nil {
			return
		}
		rs, err := ParseRules(form)
		if err != nil {
			return
		}
		once := edn.Format(rs.EDN())
		form2, _ := edn.Parse(once)
		rs2, err := ParseRules(form2)
		if err != nil {
			t.Fatalf("rules %q format as %s, which does not parse: %v", rulesText, once, err)
		}
		if twice := edn.Format(rs2.EDN()); !bytes.Equal(once, twice) {
			t.Fatalf("rules format not stable: %s then %s", once, twice)
		}
		if q, err := Parse(queryText); err == nil {
			_ = q.CheckRules(rs)
		}
	})
}
