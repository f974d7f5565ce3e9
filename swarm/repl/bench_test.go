package repl

import (
	"fmt"
	"testing"
)

// BenchmarkReplicate measures a full download with verification between
// two engines over an in-memory pipe: a fresh reader's store each time,
// from Follow to caught up.
func BenchmarkReplicate(b *testing.B) {
	for _, bc := range []struct {
		name        string
		count, size int
	}{
		{"100000x100B", 100_000, 100},
		{"4096x64KiB", 4096, 64 << 10}, // 256 MiB
	} {
		b.Run(bc.name, func(b *testing.B) {
			n := newMemNet(b)
			author := newNode(b, n, "author", Config{})
			f := authorFeed(b, author.store, bc.count, bc.size)
			pub := f.PublicKey()
			b.SetBytes(int64(bc.count * bc.size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				reader := newNode(b, n, PeerID(fmt.Sprintf("reader%d", i)), Config{})
				ctx := testCtx(b)
				b.StartTimer()
				if err := reader.e.Follow(pub, nil, false); err != nil {
					b.Fatal(err)
				}
				if err := reader.e.Connect(ctx, pub, "author"); err != nil {
					b.Fatal(err)
				}
				if err := reader.e.WaitCaughtUp(ctx, pub); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if r := replicaOf(b, reader, pub); !r.Ranges().Covers(0, int64(bc.count)) {
					b.Fatalf("reader holds %s", r.Ranges())
				}
				reader.stop()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*bc.count)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
