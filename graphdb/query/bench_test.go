package query

import (
	"testing"

	"github.com/steledb/stele/graphdb/edn"
)

// Queries of DataScript's published benchmarks (q1 to q4, qpred) and a
// rule query.
var benchQueries = map[string]string{
	"q1":    `[:find ?e :where [?e :name "Ivan"]]`,
	"q4":    `[:find ?e ?l ?a :where [?e :name "Ivan"] [?e :last-name ?l] [?e :age ?a] [?e :sex :male]]`,
	"qpred": `[:find ?e ?s :in $ ?min_s :where [?e :salary ?s] [(> ?s ?min_s)]]`,
	"rules": `[:find ?e2 :in $ ?e1 % :where (follow ?e1 ?e2) (not [?e2 :blocked true]) (or [?e2 :a 1] [?e2 :b 2])]`,
	"pull":  `[:find [(pull ?e [:name {:friend [:name {:friend ...}]} (:tags :limit 5)]) ...] :where [?e :age ?a] [(< ?a 30)]]`,
}

func BenchmarkParseQuery(b *testing.B) {
	for name, text := range benchQueries {
		form, err := edn.Parse([]byte(text))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseQuery(form); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
