//go:build unix

package graphdb

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system, all threads, garbage
// collection included) the process has used, so benchmarks can report
// throughput per CPU-second, which other processes on a shared machine do
// not distort the way they distort wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
