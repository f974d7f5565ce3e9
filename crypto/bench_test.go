package crypto

import (
	"fmt"
	"testing"
)

var sink any

func BenchmarkSign(b *testing.B) {
	k := NewKeyFromSeed([32]byte{1})
	for _, size := range []int{64, 1024, 16384} {
		msg := make([]byte, size)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				sink = k.Sign(msg)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	k := NewKeyFromSeed([32]byte{1})
	p := k.Public()
	for _, size := range []int{64, 1024, 16384} {
		msg := make([]byte, size)
		sig := k.Sign(msg)
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if !p.Verify(msg, sig) {
					b.Fatal("bad signature")
				}
			}
		})
	}
}

func BenchmarkFormatAddress(b *testing.B) {
	p := NewKeyFromSeed([32]byte{1}).Public()
	b.ReportAllocs()
	for b.Loop() {
		sink = FormatAddress(p)
	}
}

func BenchmarkParseAddress(b *testing.B) {
	s := FormatAddress(NewKeyFromSeed([32]byte{1}).Public())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAddress(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiscovery(b *testing.B) {
	p := NewKeyFromSeed([32]byte{1}).Public()
	b.ReportAllocs()
	for b.Loop() {
		sink = Discovery(p).String()
	}
}

func BenchmarkProveCapability(b *testing.B) {
	p := NewKeyFromSeed([32]byte{1}).Public()
	prover, verifier := make([]byte, 38), make([]byte, 38) // Ed25519 peer IDs
	b.ReportAllocs()
	for b.Loop() {
		sink = ProveCapability(p, prover, verifier)
	}
}

// BenchmarkParseKeyFileEncrypted measures the production argon2id cost, the
// delay a user waits after typing a passphrase. Run it with -benchtime=1x.
func BenchmarkParseKeyFileEncrypted(b *testing.B) {
	k := NewKeyFromSeed([32]byte{1})
	data := mustFormatKeyFile(b, k, "passphrase")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseKeyFile(data, []byte("passphrase")); err != nil {
			b.Fatal(err)
		}
	}
}
