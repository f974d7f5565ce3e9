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

func TestStatusBytes(t *testing.T) {
	status := "Name:\tstele\nVmPeak:\t 2345678 kB\nVmHWM:\t  306228 kB\nVmRSS:\t  152556 kB\nThreads:\t12\n"
	for _, tc := range []struct {
		name string
		want float64
		ok   bool
	}{
		{"VmHWM", 306228 * 1024, true},
		{"VmRSS", 152556 * 1024, true},
		{"VmSwap", 0, false},  // absent
		{"Threads", 0, false}, // not in kB
		{"Vm", 0, false},      // a prefix of names is no name
	} {
		got, ok := statusBytes([]byte(status), tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("statusBytes(%s) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
