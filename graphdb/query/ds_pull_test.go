package query

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
)

const pullSchema = `{:aka    {:db/cardinality :db.cardinality/many}
                     :child  {:db/cardinality :db.cardinality/many :db/valueType :db.type/ref}
                     :friend {:db/cardinality :db.cardinality/many :db/valueType :db.type/ref}
                     :enemy  {:db/cardinality :db.cardinality/many :db/valueType :db.type/ref}
                     :father {:db/valueType :db.type/ref}
                     :part   {:db/valueType :db.type/ref :db/isComponent true :db/cardinality :db.cardinality/many}
                     :spec   {:db/valueType :db.type/ref :db/isComponent true :db/cardinality :db.cardinality/one}}`

const pullDatoms = `[[1 :name "Petr"] [1 :aka "Devil"] [1 :aka "Tupen"] [2 :name "David"] [3 :name "Thomas"]
  [4 :name "Lucy"] [5 :name "Elizabeth"] [6 :name "Matthew"] [7 :name "Eunan"] [8 :name "Kerri"]
  [9 :name "Rebecca"] [1 :child 2] [1 :child 3] [2 :father 1] [3 :father 1] [6 :father 3]
  [10 :name "Part A"] [11 :name "Part A.A"] [10 :part 11] [12 :name "Part A.A.A"] [11 :part 12]
  [13 :name "Part A.A.A.A"] [12 :part 13] [14 :name "Part A.A.A.B"] [12 :part 14] [15 :name "Part A.B"]
  [10 :part 15] [16 :name "Part A.B.A"] [15 :part 16] [17 :name "Part A.B.A.A"] [16 :part 17]
  [18 :name "Part A.B.A.B"] [16 :part 18]]`

// addsOf turns [[e a v] ...] into [[:db/add e a v] ...].
func addsOf(datoms string) string {
	datoms = strings.TrimSpace(datoms)
	return "[" + strings.ReplaceAll(datoms[1:], "[", "[:db/add ")
}

func pullTestDB(t *testing.T, extra ...string) *graphdb.DB {
	t.Helper()
	txs := []string{addsOf(pullDatoms)}
	for _, x := range extra {
		txs = append(txs, addsOf(x))
	}
	return newTestDB(t, pullSchema, txs...)
}

type pullCase struct {
	name    string
	pattern string
	e       string
	want    string
}

func runPulls(t *testing.T, db *graphdb.DB, cases []pullCase) {
	t.Helper()
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.pattern + " " + c.e
		}
		t.Run(name, func(t *testing.T) {
			p, err := ParsePull(mustEDN(t, c.pattern))
			if err != nil {
				t.Fatal(err)
			}
			got, err := PullEntity(db, p, mustEDN(t, c.e))
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "nil" {
				if got != nil {
					t.Fatalf("got %s, want nil", edn.Format(got))
				}
				return
			}
			if ok, msg := sameResult(got, c.want); !ok {
				t.Fatal(msg)
			}
		})
	}
}

func TestDSPullAttrSpec(t *testing.T) {
	db := pullTestDB(t)
	runPulls(t, db, []pullCase{
		{pattern: `[:name :aka]`, e: "1", want: `{:name "Petr" :aka ["Devil" "Tupen"]}`},
		{pattern: `[:name :father :db/id]`, e: "6", want: `{:name "Matthew" :father {:db/id 3} :db/id 6}`},
		{name: "missing entity", pattern: `[:name]`, e: "99", want: "nil"},
		{name: "lookup ref entity", pattern: `[:aka]`, e: `[:name "Petr"]`, want: "nil"}, // :name is not unique
	})
	es := []edn.Value{int64(1), int64(5), int64(7), int64(9)}
	p, _ := ParsePull(mustEDN(t, `[:name]`))
	got, err := PullMany(db, p, es)
	if err != nil {
		t.Fatal(err)
	}
	if ok, msg := sameResult(got, `[{:name "Petr"} {:name "Elizabeth"} {:name "Eunan"} {:name "Rebecca"}]`); !ok {
		t.Fatal(msg)
	}
}

func TestDSPullReverseAttrSpec(t *testing.T) {
	db := pullTestDB(t)
	runPulls(t, db, []pullCase{
		{pattern: `[:name :_child]`, e: "2", want: `{:name "David" :_child [{:db/id 1}]}`},
		{pattern: `[:name {:_child [:name]}]`, e: "2", want: `{:name "David" :_child [{:name "Petr"}]}`},
		{pattern: `[:name :_father]`, e: "3", want: `{:name "Thomas" :_father [{:db/id 6}]}`},
		{pattern: `[:name :_father]`, e: "1", want: `{:name "Petr" :_father [{:db/id 2} {:db/id 3}]}`},
		{pattern: `[:name {:_father [:name]}]`, e: "3", want: `{:name "Thomas" :_father [{:name "Matthew"}]}`},
		{pattern: `[:name {:_father [:name]}]`, e: "1", want: `{:name "Petr" :_father [{:name "David"} {:name "Thomas"}]}`},
	})
}

const pullParts = `{:name "Part A",
  :part [{:db/id 11 :name "Part A.A"
          :part [{:db/id 12 :name "Part A.A.A"
                  :part [{:db/id 13 :name "Part A.A.A.A"} {:db/id 14 :name "Part A.A.A.B"}]}]}
         {:db/id 15 :name "Part A.B"
          :part [{:db/id 16 :name "Part A.B.A"
                  :part [{:db/id 17 :name "Part A.B.A.A"} {:db/id 18 :name "Part A.B.A.B"}]}]}]}`

func TestDSPullComponentAttr(t *testing.T) {
	db := pullTestDB(t)
	recdb := pullTestDB(t, `[[12 :part 10]]`)
	rpart := strings.Replace(pullParts, `:part [{:db/id 13`, `:part [{:db/id 10} {:db/id 13`, 1)
	runPulls(t, db, []pullCase{
		{name: "expanded recursively", pattern: `[:name :part]`, e: "10", want: pullParts},
		{name: "reverse component is single", pattern: `[:name :_part]`, e: "11", want: `{:name "Part A.A" :_part {:db/id 10}}`},
		{name: "reverse component pattern", pattern: `[:name {:_part [:name]}]`, e: "11", want: `{:name "Part A.A" :_part {:name "Part A"}}`},
	})
	runPulls(t, recdb, []pullCase{
		{name: "expansion stops at loops", pattern: `[:name :part]`, e: "10", want: rpart},
	})
}

func TestDSPullWildcard(t *testing.T) {
	db := pullTestDB(t)
	runPulls(t, db, []pullCase{
		{pattern: `[*]`, e: "1", want: `{:db/id 1 :name "Petr" :aka ["Devil" "Tupen"] :child [{:db/id 2} {:db/id 3}]}`},
		{pattern: `[* :_child]`, e: "2", want: `{:db/id 2 :name "David" :_child [{:db/id 1}] :father {:db/id 1}}`},
		{pattern: `[* {:child [:name]}]`, e: "1", want: `{:db/id 1 :name "Petr" :aka ["Devil" "Tupen"] :child [{:name "David"} {:name "Thomas"}]}`},
	})
}

func TestDSPullLimit(t *testing.T) {
	var akas strings.Builder
	akas.WriteString("[[4 :friend 5] [4 :friend 6] [4 :friend 7] [4 :friend 8]")
	for i := range 2000 {
		fmt.Fprintf(&akas, ` [8 :aka "aka-%d"]`, i)
	}
	akas.WriteString("]")
	db := pullTestDB(t, akas.String())
	count := func(pattern string) int {
		p, err := ParsePull(mustEDN(t, pattern))
		if err != nil {
			t.Fatal(err)
		}
		got, err := PullEntity(db, p, int64(8))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := got.(*edn.Map).Get(edn.K("aka"))
		return len(v.(edn.Vector))
	}
	for pattern, want := range map[string]int{
		`[:aka]`: 1000, `[(limit :aka 500)]`: 500, `[[:aka :limit 500]]`: 500,
		`[(limit :aka 1500)]`: 1500, `[(limit :aka nil)]`: 2000, `[[:aka :limit nil]]`: 2000,
	} {
		if got := count(pattern); got != want {
			t.Errorf("%s: %d values, want %d", pattern, got, want)
		}
	}
	runPulls(t, db, []pullCase{
		{name: "limit as map key", pattern: `[:name {(limit :friend 2) [:name]}]`, e: "4",
			want: `{:name "Lucy" :friend [{:name "Elizabeth"} {:name "Matthew"}]}`},
	})
}

func TestDSPullDefaultAsXform(t *testing.T) {
	db := pullTestDB(t)
	runPulls(t, db, []pullCase{
		{pattern: `[(default :foo "bar")]`, e: "1", want: `{:foo "bar"}`},
		{pattern: `[[:foo :default "bar"]]`, e: "1", want: `{:foo "bar"}`},
		{pattern: `[[:name :default "x"] [:_child :default []]]`, e: "1", want: `{:name "Petr" :_child []}`},
		{pattern: `[[:name :as "Name"] [:aka :as :alias]]`, e: "1", want: `{"Name" "Petr", :alias ["Devil" "Tupen"]}`},
		{pattern: `[[:aka :xform count]]`, e: "1", want: `{:aka 2}`},
	})
}

func TestDSPullMap(t *testing.T) {
	db := pullTestDB(t)
	runPulls(t, db, []pullCase{
		{name: "single attrs yield a map", pattern: `[:name {:father [:name]}]`, e: "6", want: `{:name "Matthew" :father {:name "Thomas"}}`},
		{name: "multi attrs yield a collection", pattern: `[:name {:child [:name]}]`, e: "1",
			want: `{:name "Petr" :child [{:name "David"} {:name "Thomas"}]}`},
		{name: "missing attrs are dropped", pattern: `[:name {:father [:name]}]`, e: "1", want: `{:name "Petr"}`},
		{name: "non matching results are removed", pattern: `[:name {:child [:foo]}]`, e: "1", want: `{:name "Petr" :child []}`},
		{name: "map specs override component expansion", pattern: `[:name {:part [:name]}]`, e: "10",
			want: `{:name "Part A" :part [{:name "Part A.A"} {:name "Part A.B"}]}`},
		{name: "recursion depth overrides component expansion", pattern: `[:name {:part 1}]`, e: "10",
			want: `{:name "Part A" :part [{:name "Part A.A"} {:name "Part A.B"}]}`},
	})
}

func TestDSPullRecursion(t *testing.T) {
	links := `[[4 :friend 5] [5 :friend 6] [6 :friend 7] [7 :friend 8] [4 :enemy 6] [5 :enemy 7] [6 :enemy 8] [7 :enemy 4]]`
	db := pullTestDB(t, links)
	cyclic := pullTestDB(t, links, `[[8 :friend 4]]`)
	friends := `{:db/id 4 :name "Lucy" :friend [{:db/id 5 :name "Elizabeth" :friend [{:db/id 6 :name "Matthew"
	  :friend [{:db/id 7 :name "Eunan" :friend [{:db/id 8 :name "Kerri"}]}]}]}]}`
	runPulls(t, db, []pullCase{
		{name: "infinite recursion", pattern: `[:db/id :name {:friend ...}]`, e: "4", want: friends},
		{name: "depth limit", pattern: `[:db/id :name {:friend 2}]`, e: "4",
			want: `{:db/id 4 :name "Lucy" :friend [{:db/id 5 :name "Elizabeth" :friend [{:db/id 6 :name "Matthew"}]}]}`},
	})
	runPulls(t, cyclic, []pullCase{
		{name: "cycles", pattern: `[:db/id :name {:friend ...}]`, e: "4",
			want: strings.Replace(friends, `{:db/id 8 :name "Kerri"}`,
				`{:db/id 8 :name "Kerri" :friend [{:db/id 4 :name "Lucy" :friend [{:db/id 5}]}]}`, 1)},
	})
}

func TestDSPullInQuery(t *testing.T) {
	db := pullTestDB(t)
	runCases(t, []*graphdb.DB{db}, []qcase{
		{query: `[:find (pull ?e [:name]) :where [?e :aka "Devil"]]`, in: []any{theDB}, want: `[[{:name "Petr"}]]`},
		{query: `[:find ?e (pull ?e [:name]) :where [?e :father 1]]`, in: []any{theDB},
			want: `[[2 {:name "David"}] [3 {:name "Thomas"}]]`},
		{name: "pattern as input", query: `[:find [(pull ?e ?p) ...] :in $ ?p :where [?e :father 1]]`,
			in: []any{theDB, `[:name]`}, want: `[{:name "David"} {:name "Thomas"}]`},
		{name: "plain symbol pattern", query: `[:find (pull ?e pattern) . :in $ pattern :where [?e :aka "Devil"]]`,
			in: []any{theDB, `[:aka]`}, want: `{:aka ["Devil" "Tupen"]}`},
		{name: "named source", query: `[:find (pull $2 ?e [:name]) . :in $ $2 :where [$ ?e :aka "Devil"]]`,
			in: []any{theDB, theDB}, want: `{:name "Petr"}`},
	})
}
