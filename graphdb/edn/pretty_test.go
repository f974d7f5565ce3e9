package edn

import "testing"

func TestFormatPretty(t *testing.T) {
	v := mustParse(t, `{:db/id 1, :person/name "Ann", :person/friends [{:db/id 2, :person/name "Bob"} {:db/id 3, :person/name "Cid"}]}`)
	want := `{:db/id 1,
 :person/name "Ann",
 :person/friends [{:db/id 2, :person/name "Bob"}
                  {:db/id 3, :person/name "Cid"}]}`
	if got := string(FormatPretty(v, 50)); got != want {
		t.Errorf("FormatPretty =\n%s\nwant\n%s", got, want)
	}
	if got := string(FormatPretty(v, 200)); got != string(Format(v)) {
		t.Errorf("FormatPretty with room = %s, want Format's one line", got)
	}
}

func TestFormatPrettyReadsBack(t *testing.T) {
	for _, in := range fuzzSeeds() {
		v, err := Parse([]byte(in))
		if err != nil {
			continue
		}
		for _, width := range []int{0, 10, 80} {
			back, err := Parse(FormatPretty(v, width))
			if err != nil || !identical(back, v) {
				t.Errorf("FormatPretty(%s, %d) reads back as %v, %v", in, width, back, err)
			}
		}
	}
	nested := mustParse(t, `#my/tag [(1 2) #{[3 4]} {:a {:b "long string value"}}]`)
	back, err := Parse(FormatPretty(nested, 5))
	if err != nil || !identical(back, nested) {
		t.Errorf("nested reads back as %v, %v", back, err)
	}
}
