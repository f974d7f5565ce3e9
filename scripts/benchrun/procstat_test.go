package main

import (
	"fmt"
	"strings"
	"testing"
)

// Figures reported by several runs come out once each, as their median,
// in the order they first came.
func TestMedians(t *testing.T) {
	m := newMedians()
	for _, run := range [][2]float64{{300, 3.1}, {360, 2.9}, {340, 3.5}, {410, 2.7}} {
		m.add("clone_MB_per_s", run[0], "MB/s")
		m.add("cpu_s", run[1], "s")
	}
	m.add("once", 7, "bytes")
	var out strings.Builder
	m.report(func(name string, v float64, unit string) { fmt.Fprintf(&out, "%s %v %s\n", name, v, unit) })
	want := "clone_MB_per_s 350 MB/s\ncpu_s 3 s\nonce 7 bytes\n"
	if out.String() != want {
		t.Errorf("got\n%swant\n%s", out.String(), want)
	}
}
