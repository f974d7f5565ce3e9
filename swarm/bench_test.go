package swarm

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// benchPair starts two local hosts with a sync handler on B that discards
// everything and answers one byte at EOF.
func benchPair(b *testing.B, listen string) (a, bh *Host) {
	b.Helper()
	edit := func(c *Config) { c.ListenAddrs = mustAddrs(listen) }
	a, bh = newLocalHost(b, edit), newLocalHost(b, edit)
	bh.SetStreamHandler(SyncProtocol, func(s network.Stream) {
		defer s.Close()
		if _, err := io.Copy(io.Discard, s); err != nil {
			_ = s.Reset()
			return
		}
		_, _ = s.Write([]byte{1})
	})
	if err := a.Connect(b.Context(), bh.AddrInfo()); err != nil {
		b.Fatal(err)
	}
	return a, bh
}

// BenchmarkSyncStream measures one sync stream's throughput between two
// hosts on loopback, per transport and write size.
func BenchmarkSyncStream(b *testing.B) {
	for _, tr := range []struct{ name, listen string }{
		{"tcp", "/ip4/127.0.0.1/tcp/0"},
		{"quic", "/ip4/127.0.0.1/udp/0/quic-v1"},
	} {
		for _, size := range []int{4 << 10, 64 << 10, 1 << 20} {
			b.Run(fmt.Sprintf("%s/%dKiB", tr.name, size>>10), func(b *testing.B) {
				a, bh := benchPair(b, tr.listen)
				s, err := a.OpenStream(b.Context(), bh.ID(), SyncProtocol)
				if err != nil {
					b.Fatal(err)
				}
				buf := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, err := s.Write(buf); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.CloseWrite(); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(s, make([]byte, 1)); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = s.Close()
			})
		}
	}
}

// BenchmarkOpenSyncStream measures opening a sync stream on an existing
// connection, through the service scope, up to the first byte back.
func BenchmarkOpenSyncStream(b *testing.B) {
	a, bh := benchPair(b, "/ip4/127.0.0.1/tcp/0")
	b.ReportAllocs()
	for b.Loop() {
		s, err := a.OpenStream(b.Context(), bh.ID(), SyncProtocol)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CloseWrite(); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(s, make([]byte, 1)); err != nil {
			b.Fatal(err)
		}
		_ = s.Close()
	}
}

func BenchmarkAllowUpload(b *testing.B) {
	u := newUploadLimiter(FixedUploadLimit(1<<30, 1<<30))
	peers := make([]peer.ID, 1000)
	for i := range peers {
		peers[i] = peer.ID(fmt.Sprint(i))
	}
	now := time.Unix(0, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u.allow(peers[i%len(peers)], 1024, now)
		i++
	}
}
