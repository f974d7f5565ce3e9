package main

import (
	"bytes"
	"fmt"
	"os"
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

// measureNodes samples the usage of nodes' daemons now and returns a
// function that reports, for each, the CPU seconds it used and the MB it
// read from the disk since, as <label>_<node>_cpu_s and
// <label>_<node>_disk_read_MB: on a machine where the daemons share the
// cores, a throughput figure is only half the story.
func measureNodes(label string, report func(string, float64, string), nodes ...*testnet.Node) func() {
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
			report(fmt.Sprintf("%s_%s_cpu_s", label, nd.Name), after.cpu-before[i].cpu, "s")
			report(fmt.Sprintf("%s_%s_disk_read_MB", label, nd.Name), (after.diskRead-before[i].diskRead)/1e6, "MB")
			report(fmt.Sprintf("%s_%s_page_faults", label, nd.Name), after.faults-before[i].faults, "faults")
		}
	}
}
