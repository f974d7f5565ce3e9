package repl

import (
	"fmt"
	"testing"

	"github.com/steledb/stele/feed"
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

// BenchmarkLiveAppend measures live following: the time from an author's
// Append (one synced 100-byte entry) until a connected follower holds it.
func BenchmarkLiveAppend(b *testing.B) {
	n := newMemNet(b)
	author := newNode(b, n, "author", Config{})
	f := authorFeed(b, author.store, 1, 100)
	pub := f.PublicKey()
	follower := newNode(b, n, "follower", Config{})
	ctx := testCtx(b)
	follower.e.Follow(pub, nil, true)
	if err := follower.e.Connect(ctx, pub, "author"); err != nil {
		b.Fatal(err)
	}
	r := replicaOf(b, follower, pub)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		size := int64(i + 2)
		if _, err := f.Append(entryData(i+1, 100)); err != nil {
			b.Fatal(err)
		}
		if err := waitFeed(ctx, r, "entry", func(r *feed.Feed) bool { return r.Ranges().Covers(0, size) }); err != nil {
			b.Fatal(err)
		}
	}
}
