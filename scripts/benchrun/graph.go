package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/query"
)

// graphSuite runs the graph database's Go benchmarks (graphdb: 100,000
// entities x 10 attributes, two of them refs, in batches of 1,000, then
// 20% of the values changed; graphdb/query: DataScript's 20,000-person
// benchmark queries) and reports their figures, plus the latency of a
// live query's update after a transaction.
func graphSuite(dir string, report func(string, float64, string)) error {
	type metric struct{ bench, unit, name, outUnit string }
	runs := []struct {
		pkg, pattern, benchtime string
		metrics                 []metric
	}{
		{"./graphdb", "^Benchmark(Transact|Rebuild)$/entities=100000$", "1x", []metric{
			{"BenchmarkTransact/entities=100000", "transact_datoms/s", "transact_datoms_per_s", "datoms/s"},
			{"BenchmarkTransact/entities=100000", "bytes/datom", "bytes_per_datom", "bytes"},
			{"BenchmarkRebuild/entities=100000", "s/1M_datoms", "rebuild_1M_datoms_s", "s"},
		}},
		{"./graphdb", "^BenchmarkPointRead$", "2s", []metric{
			{"BenchmarkPointRead/current", "reads/s", "point_read_current_per_s", "reads/s"},
			{"BenchmarkPointRead/as-of", "reads/s", "point_read_as_of_per_s", "reads/s"},
		}},
		{"./graphdb/query", "^Benchmark(DataScript|Join2SingleEntity)$", "2s", []metric{
			{"BenchmarkJoin2SingleEntity", "ns/op", "join2_single_entity_queries_per_s", "queries/s"},
			{"BenchmarkDataScript/q1", "ns/op", "q1_ms", "ms"},
			{"BenchmarkDataScript/q2", "ns/op", "q2_ms", "ms"},
			{"BenchmarkDataScript/q3", "ns/op", "q3_ms", "ms"},
			{"BenchmarkDataScript/q4", "ns/op", "q4_ms", "ms"},
			{"BenchmarkDataScript/qpred1", "ns/op", "qpred1_ms", "ms"},
			{"BenchmarkDataScript/qpred2", "ns/op", "qpred2_ms", "ms"},
		}},
	}
	for _, r := range runs {
		out, err := exec.Command("go", "test", "-run", "^$", "-bench", r.pattern, "-benchtime", r.benchtime, r.pkg).CombinedOutput()
		if err != nil {
			return fmt.Errorf("go test -bench %s: %v\n%s", r.pkg, err, out)
		}
		got := parseBench(out)
		for _, m := range r.metrics {
			v, ok := got[m.bench][m.unit]
			if !ok {
				return fmt.Errorf("no %s %s in the benchmark output:\n%s", m.bench, m.unit, out)
			}
			switch {
			case m.unit == "ns/op" && m.outUnit == "ms":
				v /= 1e6
			case m.unit == "ns/op":
				v = 1e9 / v
			}
			report(m.name, v, m.outUnit)
		}
	}
	lat, err := liveQueryLatency()
	if err != nil {
		return err
	}
	report("live_query_update_latency_us", lat, "us")
	return nil
}

// parseBench reads "BenchmarkX-2  N  v unit  v unit ..." lines.
func parseBench(out []byte) map[string]map[string]float64 {
	res := map[string]map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
		res[name] = m
	}
	return res
}

// liveQueryLatency is the median time from a committed transaction to the
// live query's changed rows, on a database of 20,000 people.
func liveQueryLatency() (float64, error) {
	db := graphdb.NewDB(graphdb.FeedKey{1})
	r, err := db.Transact([]graphdb.Op{
		graphdb.Entity{":db/ident": graphdb.Keyword(":person/name"), ":db/valueType": graphdb.Keyword(":db.type/string"), ":db/unique": graphdb.Keyword(":db.unique/identity")},
		graphdb.Entity{":db/ident": graphdb.Keyword(":person/age"), ":db/valueType": graphdb.Keyword(":db.type/long")},
	})
	if err != nil {
		return 0, err
	}
	db = r.After
	for k := 0; k < 20; k++ {
		ops := make([]graphdb.Op, 0, 1000)
		for i := range 1000 {
			ops = append(ops, graphdb.Entity{":person/name": fmt.Sprintf("p%d", k*1000+i), ":person/age": int64(i % 90)})
		}
		if r, err = db.Transact(ops); err != nil {
			return 0, err
		}
		db = r.After
	}
	q, err := query.Parse([]byte(`[:find ?n :where [?e :person/age 42] [?e :person/name ?n]]`))
	if err != nil {
		return 0, err
	}
	live, _, err := query.NewLive(q, nil, db)
	if err != nil {
		return 0, err
	}
	var lat []time.Duration
	for i := range 200 {
		if r, err = db.Transact([]graphdb.Op{graphdb.Entity{":person/name": fmt.Sprintf("new%d", i), ":person/age": int64(42)}}); err != nil {
			return 0, err
		}
		db = r.After
		start := time.Now()
		ch, err := live.Apply(r)
		if err != nil {
			return 0, err
		}
		lat = append(lat, time.Since(start))
		if len(ch.Added) != 1 {
			return 0, fmt.Errorf("live query: %d rows added, want 1", len(ch.Added))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return float64(lat[len(lat)/2].Nanoseconds()) / 1e3, nil
}
