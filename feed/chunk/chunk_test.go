package chunk

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

func chunks(t testing.TB, r io.Reader, s Sizes) [][]byte {
	t.Helper()
	c, err := NewReader(r, s)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		b, err := c.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, bytes.Clone(b))
	}
}

// naiveCut recomputes the gear hash from the minimum size on, one byte at
// a time, exactly as the package doc describes.
func naiveCut(s Sizes, data []byte) int {
	if len(data) <= s.Min {
		return len(data)
	}
	strict, loose := masks(s.Avg)
	var h uint64
	for i := s.Min; i < len(data) && i < s.Max; i++ {
		h = h<<1 + gear[data[i]]
		mask := loose
		if i < s.Avg {
			mask = strict
		}
		if h&mask == 0 {
			return i + 1
		}
	}
	return min(len(data), s.Max)
}

func TestCutMatchesReference(t *testing.T) {
	small := Sizes{Min: 64, Avg: 256, Max: 1024}
	for seed := range uint64(200) {
		data := randomBytes(int(seed*37%3000), seed)
		for _, s := range []Sizes{small, Default} {
			if got, want := s.Cut(data), naiveCut(s, data); got != want {
				t.Fatalf("seed %d, %d bytes, sizes %+v: Cut = %d, reference = %d", seed, len(data), s, got, want)
			}
		}
	}
}

func TestChunksReassembleWithinBounds(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{7}},
		{"below minimum", randomBytes(Default.Min-1, 1)},
		{"random 5 MiB", randomBytes(5<<20, 2)},
		{"zeros 1 MiB", make([]byte, 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := chunks(t, bytes.NewReader(tt.data), Default)
			if got := bytes.Join(cs, nil); !bytes.Equal(got, tt.data) {
				t.Fatalf("reassembled %d bytes, want %d", len(got), len(tt.data))
			}
			for i, c := range cs {
				if len(c) > Default.Max || (i < len(cs)-1 && len(c) < Default.Min) {
					t.Fatalf("chunk %d of %d is %d bytes", i, len(cs), len(c))
				}
			}
			// Reading one byte at a time must not change the chunks.
			slow := chunks(t, iotest.OneByteReader(bytes.NewReader(tt.data)), Default)
			if len(slow) != len(cs) {
				t.Fatalf("one-byte reads gave %d chunks, want %d", len(slow), len(cs))
			}
		})
	}
}

func TestAverageChunkSize(t *testing.T) {
	data := randomBytes(32<<20, 3)
	cs := chunks(t, bytes.NewReader(data), Default)
	avg := len(data) / len(cs)
	t.Logf("%d chunks, average %d bytes", len(cs), avg)
	if avg < Default.Avg/2 || avg > Default.Avg*2 {
		t.Fatalf("average chunk size %d, want near %d", avg, Default.Avg)
	}
}

// TestEditLocality: editing, inserting or deleting bytes in the middle of
// a large file leaves all but a few chunks unchanged.
func TestEditLocality(t *testing.T) {
	orig := randomBytes(16<<20, 4)
	mid := len(orig) / 2
	edits := map[string][]byte{
		"flip one byte":  func() []byte { b := bytes.Clone(orig); b[mid] ^= 1; return b }(),
		"insert 7 bytes": append(append(bytes.Clone(orig[:mid]), "inserts"...), orig[mid:]...),
		"delete 1 KiB":   append(bytes.Clone(orig[:mid]), orig[mid+1024:]...),
	}
	have := map[[32]byte]bool{}
	for _, c := range chunks(t, bytes.NewReader(orig), Default) {
		have[sha256.Sum256(c)] = true
	}
	for name, edited := range edits {
		t.Run(name, func(t *testing.T) {
			newBytes, newChunks := 0, 0
			for _, c := range chunks(t, bytes.NewReader(edited), Default) {
				if !have[sha256.Sum256(c)] {
					newBytes += len(c)
					newChunks++
				}
			}
			t.Logf("%d new chunks, %d new bytes", newChunks, newBytes)
			if newChunks > 3 || newBytes > 3*Default.Max {
				t.Fatalf("edit produced %d new chunks (%d bytes)", newChunks, newBytes)
			}
		})
	}
}

func TestBadSizes(t *testing.T) {
	for _, s := range []Sizes{{}, {Min: 10, Avg: 100, Max: 1000}, {Min: 64, Avg: 64, Max: 128}, {Min: 64, Avg: 128, Max: 128}} {
		if _, err := NewReader(bytes.NewReader(nil), s); err == nil {
			t.Errorf("sizes %+v accepted", s)
		}
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	c, _ := NewReader(io.MultiReader(bytes.NewReader(randomBytes(1000, 5)), iotest.ErrReader(boom)), Default)
	if _, err := c.Next(); !errors.Is(err, boom) {
		t.Fatalf("Next = %v, want the reader's error", err)
	}
}

func FuzzChunks(f *testing.F) {
	f.Add([]byte("hello"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, shift uint8) {
		s := Sizes{Min: 8 + int(shift%8), Avg: 32, Max: 64}
		cs := chunks(t, bytes.NewReader(data), s)
		if !bytes.Equal(bytes.Join(cs, nil), data) {
			t.Fatal("chunks do not reassemble the input")
		}
		for i, c := range cs {
			if len(c) == 0 || len(c) > s.Max || (i < len(cs)-1 && len(c) < s.Min) {
				t.Fatalf("chunk %d is %d bytes", i, len(c))
			}
		}
	})
}

func BenchmarkReader(b *testing.B) {
	data := randomBytes(64<<20, 6)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for range b.N {
		c, _ := NewReader(bytes.NewReader(data), Default)
		for {
			if _, err := c.Next(); err != nil {
				break
			}
		}
	}
}
