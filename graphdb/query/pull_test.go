package query

import (
	"reflect"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

func parsePullText(t *testing.T, text string) (*Pull, error) {
	t.Helper()
	form, err := edn.Parse([]byte(text))
	if err != nil {
		t.Fatalf("edn.Parse(%s): %v", text, err)
	}
	return ParsePull(form)
}

func TestParsePull(t *testing.T) {
	tests := []struct{ in, want string }{
		{`[:name :age]`, `[:name :age]`},
		{`[*]`, `[*]`},
		{`["*" :name]`, `[* :name]`},
		{`[:name *]`, `[* :name]`},
		{`[]`, `[]`},
		{`(:name)`, `[:name]`},
		{`[:_friend :person/_parent]`, `[:_friend :person/_parent]`},
		{`[{:friend [:name]}]`, `[{:friend [:name]}]`},
		{`[{:friend [:name {:friend [:age]}]}]`, `[{:friend [:name {:friend [:age]}]}]`},
		{`[{:friend ...}]`, `[{:friend ...}]`},
		{`[{:friend "..."}]`, `[{:friend ...}]`},
		{`[{:friend 3}]`, `[{:friend 3}]`},
		{`[{:friend [:name] :enemy [:age]}]`, `[{:friend [:name]} {:enemy [:age]}]`},
		{`[(:friend :limit 10)]`, `[[:friend :limit 10]]`},
		{`[[:friend :limit nil]]`, `[[:friend :limit nil]]`},
		{`[[:name :as "Name" :default "none"]]`, `[[:name :as "Name" :default "none"]]`},
		{`[[:name :as :name]]`, `[:name]`},
		{`[[:name :xform str]]`, `[[:name :xform str]]`},
		{`[[:name :default nil]]`, `[[:name :default nil]]`},
		{`[(limit :friend 5)]`, `[[:friend :limit 5]]`},
		{`[["limit" :friend nil]]`, `[[:friend :limit nil]]`},
		{`[(default :name "x")]`, `[[:name :default "x"]]`},
		{`[{(:friend :limit 2) [:name]}]`, `[{[:friend :limit 2] [:name]}]`},
		{`[{[:_friend :as "friends"] ...}]`, `[{[:_friend :as "friends"] ...}]`},
		{`[:a {:b [:c]} :_reverse {:c 3} (:a :limit 10) [:a :as "x" :default 0] *]`,
			`[* :a {:b [:c]} :_reverse {:c 3} [:a :limit 10] [:a :as "x" :default 0]]`},
	}
	for _, tt := range tests {
		p, err := parsePullText(t, tt.in)
		if err != nil {
			t.Errorf("ParsePull(%s): %v", tt.in, err)
			continue
		}
		if got := string(FormatPull(p)); got != tt.want {
			t.Errorf("ParsePull(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParsePullAttrs(t *testing.T) {
	p, err := parsePullText(t, `[:person/_friend [:tags :limit nil :xform clojure.core/vec] {(:child :as "kids" :limit 2) 4}]`)
	if err != nil {
		t.Fatal(err)
	}
	want := []PullAttr{
		{Name: edn.K("person/friend"), Reverse: true, As: edn.K("person/_friend")},
		{Name: edn.K("tags"), As: edn.K("tags"), Limit: NoLimit, Xform: edn.Sym("clojure.core/vec")},
		{Name: edn.K("child"), As: "kids", Limit: 2, Recursive: true, Depth: 4},
	}
	if !reflect.DeepEqual(p.Attrs, want) {
		t.Errorf("Attrs = %+v\nwant %+v", p.Attrs, want)
	}
}

func TestParsePullErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{`:name`, "pull: expected a pattern vector, got :name"},
		{`[1]`, "expected attr-name | attr-expr | map-spec | *, got 1"},
		{`[foo]`, "expected attr-name | attr-expr | map-spec | *, got foo"},
		{`["name"]`, `expected attr-name | attr-expr | map-spec | *, got "name"`},
		{`[[]]`, "expected attr-name | attr-expr | map-spec | *, got []"},
		{`[["name" :as 1]]`, "expected [attr-name attr-option+]"},
		{`[[:name :as]]`, "expected an even number of options"},
		{`[[:name :foo 1]]`, "expected one of :as, :limit, :default, :xform"},
		{`[[:name :limit 0]]`, "expected (positive-number | nil), got 0"},
		{`[[:name :limit "1"]]`, `expected (positive-number | nil), got "1"`},
		{`[[:name :xform "str"]]`, `expected a symbol after :xform, got "str"`},
		{`[(limit :friend)]`, "expected [limit attr-name (positive-number | nil)]"},
		{`[(limit :friend -1)]`, "expected (positive-number | nil), got -1"},
		{`[(default :name)]`, "expected [default attr-name any-value]"},
		{`[{:friend 0}]`, "expected (pattern | ... | positive-number), got 0"},
		{`[{:friend ..}]`, "expected (pattern | ... | positive-number), got .."},
		{`[{:friend "x"}]`, `expected (pattern | ... | positive-number), got "x"`},
		{`[{:friend :name}]`, "expected a pattern vector, got :name"},
		{`[{1 [:name]}]`, "expected attr-name | attr-expr | map-spec | *, got 1"},
		{`[{:friend [1]}]`, "got 1"},
	}
	for _, tt := range tests {
		_, err := parsePullText(t, tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParsePull(%s) error = %v, want %q", tt.in, err, tt.err)
		}
	}
}
