package feed

import (
	"fmt"
	"sync"
	"testing"

	"github.com/steledb/stele/merkle"
)

func benchEntries(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, size)
		copy(out[i], fmt.Sprintf("entry %d", i))
	}
	return out
}

// BenchmarkAppend measures durable appends: each op is one Append of a
// batch, synced to disk.
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		size, batch int
	}{{100, 1}, {100, 1000}, {4096, 64}, {64 << 10, 16}} {
		b.Run(fmt.Sprintf("entry=%dB/batch=%d", bc.size, bc.batch), func(b *testing.B) {
			s := openTestStore(b, b.TempDir(), 1)
			f, err := s.Create("")
			if err != nil {
				b.Fatal(err)
			}
			batch := benchEntries(bc.batch, bc.size)
			b.SetBytes(int64(bc.size * bc.batch))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := f.Append(batch...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*bc.batch)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

func BenchmarkScan(b *testing.B) {
	s := openTestStore(b, b.TempDir(), 1)
	f, _ := s.Create("")
	batch := benchEntries(1000, 100)
	for range 100 {
		f.Append(batch...)
	}
	b.SetBytes(100 * 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		f.Scan(0, f.Len(), func(int64, []byte) error { n++; return nil })
		if n != 100_000 {
			b.Fatalf("scanned %d", n)
		}
	}
	b.ReportMetric(float64(b.N*100_000)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkGet(b *testing.B) {
	s := openTestStore(b, b.TempDir(), 1)
	f, _ := s.Create("")
	batch := benchEntries(1000, 100)
	for range 100 {
		f.Append(batch...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := f.Get(int64(i*7919) % 100_000); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, size := range []int{100, 64 << 10} {
		b.Run(fmt.Sprintf("entry=%dB", size), func(b *testing.B) {
			s := openTestStore(b, b.TempDir(), 1)
			f, _ := s.Create("")
			n := (64 << 20) / size
			batch := benchEntries(min(n, 1000), size)
			for f.Len() < int64(n) {
				f.Append(batch...)
			}
			b.SetBytes(f.Len() * int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := f.Verify(nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkApplyRange measures a replica verifying and storing one
// range against a checkpoint: small entries (stored in the index) and a
// swarm answer's 4 MiB of 64 KiB entries (stored in blob segments).
func BenchmarkApplyRange(b *testing.B) {
	for _, bc := range []struct {
		name        string
		count, size int
	}{
		{"4096x100B", 4096, 100},
		{"64x64KiB", 64, 64 << 10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			author := newAuthor(b, openTestStore(b, b.TempDir(), 1), "")
			author.Append(benchEntries(bc.count, bc.size)...)
			cp, _ := author.Latest()
			data, _ := author.GetRange(0, int64(bc.count))
			proof, _ := author.ProveRange(0, int64(bc.count), cp.Size)
			b.SetBytes(int64(bc.count * bc.size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s, r := freshReplica(b, author, cp)
				b.StartTimer()
				if err := r.ApplyRange(0, data, cp.Size, proof); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// freshReplica opens a new store holding a replica of author that knows
// its checkpoint cp and no entries.
func freshReplica(b *testing.B, author *Feed, cp SignedCheckpoint) (*Store, *Feed) {
	s := openTestStore(b, b.TempDir(), 2)
	r, err := s.Replicate(author.PublicKey(), "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.ApplyCheckpoint(cp.Note, nil); err != nil {
		b.Fatal(err)
	}
	return s, r
}

// BenchmarkApplyStream measures a replica storing a stream of ranges as
// a clone does: 4 MiB answers of 64 KiB entries, two applied at once
// (swarm/repl's appliers), the second hashing and checking its proof
// while the first is written and synced.
func BenchmarkApplyStream(b *testing.B) {
	const entrySize, perRange = 64 << 10, 64
	for _, ranges := range []int{16, 64} {
		b.Run(fmt.Sprintf("%dx4MiB", ranges), func(b *testing.B) {
			n := ranges * perRange
			author := newAuthor(b, openTestStore(b, b.TempDir(), 1), "")
			if _, err := author.Append(benchEntries(n, entrySize)...); err != nil {
				b.Fatal(err)
			}
			cp, _ := author.Latest()
			type answer struct {
				lo      int64
				entries [][]byte
				proof   merkle.RangeProof
			}
			answers := make([]answer, ranges)
			for i := range answers {
				lo, hi := int64(i*perRange), int64((i+1)*perRange)
				data, err := author.GetRange(lo, hi)
				if err != nil {
					b.Fatal(err)
				}
				proof, err := author.ProveRange(lo, hi, cp.Size)
				if err != nil {
					b.Fatal(err)
				}
				answers[i] = answer{lo, data, proof}
			}
			b.SetBytes(int64(n * entrySize))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s, r := freshReplica(b, author, cp)
				queue := make(chan answer, len(answers))
				for _, a := range answers {
					queue <- a
				}
				close(queue)
				b.StartTimer()
				var wg sync.WaitGroup
				errs := make(chan error, 2)
				for range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for a := range queue {
							if err := r.ApplyRange(a.lo, a.entries, cp.Size, a.proof); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
				if !r.Ranges().Covers(0, int64(n)) {
					b.Fatalf("replica holds %v, want 0:%d", r.Ranges(), n)
				}
				s.Close()
				b.StartTimer()
			}
		})
	}
}
