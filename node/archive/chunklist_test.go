package archive

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// TestChunkListVector pins the encoding of the package doc's example.
func TestChunkListVector(t *testing.T) {
	refs := []ChunkRef{{Entry: 0, Size: 65536}, {Entry: 1, Size: 40000}, {Entry: 7, Size: 16384}, {Entry: 2, Size: 1}}
	want, _ := hex.DecodeString("01" + "04" + "00808004" + "00c0b802" + "0a808001" + "0b01")
	got := FormatChunks(refs)
	if !bytes.Equal(got, want) {
		t.Fatalf("FormatChunks = %x, want %x", got, want)
	}
	back, err := ParseChunks(got)
	if err != nil || len(back) != len(refs) {
		t.Fatalf("ParseChunks: %v, %v", back, err)
	}
	for i := range refs {
		if back[i] != refs[i] {
			t.Errorf("ref %d: %+v, want %+v", i, back[i], refs[i])
		}
	}
	if got := FormatChunks(nil); !bytes.Equal(got, []byte{1, 0}) {
		t.Errorf("empty list: %x", got)
	}
}

func TestParseChunksRejects(t *testing.T) {
	for _, tt := range []struct{ name, hex string }{
		{"empty", ""},
		{"version", "0200"},
		{"no count", "01"},
		{"count too large", "0105"},
		{"trailing", "010000"},
		{"zero size", "01010000"},
		{"negative entry", "01010101"},
		{"non-minimal count", "01800000"},
		{"non-minimal size", "0101008100"},
		{"non-minimal delta", "010180000100"},
		{"truncated", "01020001"},
	} {
		b, _ := hex.DecodeString(tt.hex)
		if _, err := ParseChunks(b); !errors.Is(err, errChunkList) {
			t.Errorf("%s (%s): %v", tt.name, tt.hex, err)
		}
	}
}

func FuzzParseChunks(f *testing.F) {
	f.Add(FormatChunks([]ChunkRef{{0, 65536}, {1, 40000}, {7, 16384}, {2, 1}}))
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		refs, err := ParseChunks(b)
		if err != nil {
			return
		}
		if again := FormatChunks(refs); !bytes.Equal(again, b) {
			t.Fatalf("parse then format: %x, want %x", again, b)
		}
	})
}
