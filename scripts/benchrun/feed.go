package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/steledb/stele/feed"
)

// feedSuite: 1,000,000 entries of 100 B appended durably in batches of
// 1,000 (one writer, then four writers sharing group commits), read back
// and verified; 1 GiB in 64 KiB entries appended in batches of 16 and
// verified; proof sizes; and the time to open the 1M-entry feed.
func feedSuite(dir string, report func(string, float64, string)) error {
	small := filepath.Join(dir, "small")
	s, err := feed.Open(small, feed.Options{})
	if err != nil {
		return err
	}
	f, err := s.Create("small")
	if err != nil {
		return err
	}
	const n, batch = 1_000_000, 1000
	entries := makeEntries(batch, 100)
	start := time.Now()
	for f.Len() < n {
		if _, err := f.Append(entries...); err != nil {
			return err
		}
	}
	report("append_100B_entries_per_s", n/time.Since(start).Seconds(), "entries/s")

	rate, err := concurrentAppend(s, 4, n, entries)
	if err != nil {
		return err
	}
	report("append_100B_4_writers_entries_per_s", rate, "entries/s")

	start = time.Now()
	count := 0
	if err := f.Scan(0, n, func(int64, []byte) error { count++; return nil }); err != nil {
		return err
	}
	report("read_100B_entries_per_s", float64(count)/time.Since(start).Seconds(), "entries/s")

	start = time.Now()
	if err := f.Verify(nil); err != nil {
		return err
	}
	report("verify_100B_MB_per_s", n*100/1e6/time.Since(start).Seconds(), "MB/s")

	if err := proofSizes(f, report); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	start = time.Now()
	if s, err = feed.Open(small, feed.Options{}); err != nil {
		return err
	}
	if f, err = s.Lookup("small"); err != nil {
		return err
	}
	report("open_1M_feed_ms", float64(time.Since(start).Microseconds())/1000, "ms")
	if f.Len() != n {
		return fmt.Errorf("reopened feed has %d entries", f.Len())
	}
	s.Close()
	return bigEntries(filepath.Join(dir, "big"), report)
}

func makeEntries(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, size)
		for k := range out[i] {
			out[i][k] = byte(i*31 + k*7 + k*k) // not trivially compressible
		}
	}
	return out
}

// concurrentAppend appends n entries from w writers to a fresh feed.
func concurrentAppend(s *feed.Store, w, n int, entries [][]byte) (float64, error) {
	f, err := s.Create("")
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, w)
	start := time.Now()
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / w / len(entries) {
				if _, err := f.Append(entries...); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(f.Len()) / time.Since(start).Seconds(), nil
}

// proofSizes reports the largest range proof for 1,000 entries and the
// largest inclusion proof, over positions spread across the 1M feed.
func proofSizes(f *feed.Feed, report func(string, float64, string)) error {
	size := f.Len()
	worstRange, worstIncl := 0, 0
	for lo := int64(0); lo+1000 <= size; lo += 9973 {
		p, err := f.ProveRange(lo, lo+1000, size)
		if err != nil {
			return err
		}
		worstRange = max(worstRange, 32*(len(p.Left)+len(p.Right)))
		incl, err := f.ProveInclusion(lo, size)
		if err != nil {
			return err
		}
		worstIncl = max(worstIncl, 32*len(incl))
	}
	report("range_proof_bytes_1000_of_1M", float64(worstRange), "bytes")
	report("inclusion_proof_bytes_1_of_1M", float64(worstIncl), "bytes")
	return nil
}

// bigEntries appends 1 GiB in 64 KiB entries and verifies it.
func bigEntries(dir string, report func(string, float64, string)) error {
	s, err := feed.Open(dir, feed.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := s.Create("big")
	if err != nil {
		return err
	}
	entries := makeEntries(16, 64<<10)
	const total = 1 << 30
	start := time.Now()
	for f.Len()*(64<<10) < total {
		if _, err := f.Append(entries...); err != nil {
			return err
		}
	}
	report("append_64KiB_MB_per_s", total/1e6/time.Since(start).Seconds(), "MB/s")
	start = time.Now()
	if err := f.Verify(nil); err != nil {
		return err
	}
	report("verify_MB_per_s", total/1e6/time.Since(start).Seconds(), "MB/s")
	return nil
}
