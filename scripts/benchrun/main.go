// Command benchrun runs stele's workload benchmarks and prints one
// "name value unit" line per figure. scripts/bench runs it; see the README
// for the workloads and targets.
package main

import (
	"fmt"
	"os"
	"sort"
)

// A suite runs one component's workloads in dir and reports figures.
type suite func(dir string, report func(name string, value float64, unit string)) error

var suites = map[string]suite{
	"feed":  feedSuite,
	"graph": graphSuite,
	"swarm": swarmSuite,
}

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		for name := range suites {
			names = append(names, name)
		}
		sort.Strings(names)
	}
	for _, name := range names {
		if _, ok := suites[name]; !ok {
			fail(fmt.Errorf("unknown suite %q", name))
		}
	}
	base, err := os.MkdirTemp(os.Getenv("BENCH_DIR"), "stele-bench-")
	if err != nil {
		fail(err)
	}
	// BENCH_KEEP=1 leaves the workloads' files (repos, clones, logs) for
	// a look afterwards, or for back-to-back runs on a disk that is slow
	// to create files right after many were removed (see the README).
	keep := os.Getenv("BENCH_KEEP") == "1"
	if keep {
		fmt.Fprintln(os.Stderr, "bench: keeping", base)
	} else {
		defer os.RemoveAll(base)
	}
	report := func(name string, value float64, unit string) {
		fmt.Printf("%s %s %s\n", name, formatValue(value), unit)
	}
	machineFigures(report)
	if err := diskFigure(base, report); err != nil {
		fail(err)
	}
	for _, name := range names {
		run := suites[name]
		dir, err := os.MkdirTemp(base, name+"-")
		if err != nil {
			fail(err)
		}
		if err := run(dir, report); err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		if !keep {
			os.RemoveAll(dir)
		}
	}
}

func formatValue(v float64) string {
	if v >= 100 || v == float64(int64(v)) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
