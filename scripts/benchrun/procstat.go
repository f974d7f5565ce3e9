package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/steledb/stele/testnet"
)

// A usage is what a process had used by some moment, from Linux's /proc:
// CPU seconds (user and system) and bytes read from the disk (not from the
// page cache).
type usage struct {
	cpu      float64
	diskRead float64
	faults   float64 // minor page faults: fresh memory touched
	peakRSS  float64 // the most resident memory the process ever had, bytes
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux port Go supports.
const clockTicks = 100

// readUsage reads the usage of process pid; ok is false where /proc does
// not tell (another OS).
func readUsage(pid int) (u usage, ok bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, false
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after it. utime and stime are fields 14 and 15 of the whole line.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return u, false
	}
	user, err1 := strconv.ParseFloat(f[11], 64)
	sys, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return u, false
	}
	u.cpu = (user + sys) / clockTicks
	u.faults, _ = strconv.ParseFloat(f[7], 64) // minflt, field 10
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		u.peakRSS, _ = statusBytes(status, "VmHWM")
	}
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return u, false
	}
	for _, line := range strings.Split(string(io), "\n") {
		if v, found := strings.CutPrefix(line, "read_bytes: "); found {
			u.diskRead, _ = strconv.ParseFloat(v, 64)
			return u, true
		}
	}
	return u, false
}

// statusBytes reads a "Name:   N kB" line of /proc/PID/status, in bytes.
func statusBytes(status []byte, name string) (float64, bool) {
	for _, line := range strings.Split(string(status), "\n") {
		v, found := strings.CutPrefix(line, name+":")
		if !found {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, false
		}
		n, err := strconv.ParseFloat(f[0], 64)
		return n * 1024, err == nil
	}
	return 0, false
}

// measureNodes samples the usage of nodes' daemons now and returns a
// function that reports, for each, the CPU seconds it used, the MB it
// read from the disk and the page faults it took since, and the most
// memory it ever held resident (its whole life: for a fresh daemon, the
// workload's peak), as <label>_<role>_cpu_s and so on, roles[i] naming
// nodes[i]: on a machine where the daemons share the cores, a throughput
// figure is only half the story, and on one whose host backs memory
// lazily every fresh page costs (see the README).
func measureNodes(label string, report func(string, float64, string), roles []string, nodes ...*testnet.Node) func() {
	before := make([]usage, len(nodes))
	ok := make([]bool, len(nodes))
	for i, nd := range nodes {
		before[i], ok[i] = readUsage(nd.PID())
	}
	return func() {
		for i, nd := range nodes {
			after, still := readUsage(nd.PID())
			if !ok[i] || !still {
				continue
			}
			report(fmt.Sprintf("%s_%s_cpu_s", label, roles[i]), after.cpu-before[i].cpu, "s")
			report(fmt.Sprintf("%s_%s_disk_read_MB", label, roles[i]), (after.diskRead-before[i].diskRead)/1e6, "MB")
			report(fmt.Sprintf("%s_%s_page_faults", label, roles[i]), after.faults-before[i].faults, "faults")
			if after.peakRSS > 0 {
				report(fmt.Sprintf("%s_%s_peak_rss_MiB", label, roles[i]), after.peakRSS/(1<<20), "MiB")
			}
		}
	}
}

// medians gathers figures reported more than once (runs of a workload)
// and reports each one's median, in the order the figures first came.
type medians struct {
	names  []string
	units  map[string]string
	values map[string][]float64
}

func newMedians() *medians {
	return &medians{units: map[string]string{}, values: map[string][]float64{}}
}

func (m *medians) add(name string, value float64, unit string) {
	if _, seen := m.units[name]; !seen {
		m.names = append(m.names, name)
		m.units[name] = unit
	}
	m.values[name] = append(m.values[name], value)
}

func (m *medians) report(report func(string, float64, string)) {
	for _, name := range m.names {
		v := slices.Clone(m.values[name])
		slices.Sort(v)
		mid := v[len(v)/2]
		if len(v)%2 == 0 {
			mid = (v[len(v)/2-1] + mid) / 2
		}
		report(name, mid, m.units[name])
	}
}
