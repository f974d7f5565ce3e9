package main

import (
	"crypto/sha256"
	"time"
)

// machineFigures reports how fast this machine hashes and copies right
// now, single-threaded: machine_sha256_MB_per_s and
// machine_copy_MB_per_s. On a virtual machine whose speed varies by a
// third from one minute to the next, they say whether a workload figure
// moved because of stele or because of the machine; the swarm clone,
// for one, hashes every byte once and copies it several times.
func machineFigures(report func(string, float64, string)) {
	const size = 64 << 20
	src, dst := make([]byte, size), make([]byte, size)
	for i := range src {
		src[i] = byte(i * 7)
	}
	copy(dst, src) // touch the pages first: the figure is the copy, not page faults
	best := func(run func()) float64 {
		var d time.Duration
		for i := range 3 {
			start := time.Now()
			run()
			if t := time.Since(start); i == 0 || t < d {
				d = t
			}
		}
		return float64(size) / 1e6 / d.Seconds()
	}
	report("machine_sha256_MB_per_s", best(func() { sha256.Sum256(src) }), "MB/s")
	report("machine_copy_MB_per_s", best(func() { copy(dst, src) }), "MB/s")
}
