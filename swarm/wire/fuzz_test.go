package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// FuzzUnmarshal: decoding never panics, and whatever decodes re-encodes to
// bytes that decode to the same message and re-encode to themselves.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range samples() {
		f.Add(Marshal(s.msg))
	}
	f.Add([]byte{0x5a, 0x00, 0x60, 0x01}) // ping and an unknown field
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Unmarshal(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		enc := Marshal(m)
		m2, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("re-encoding %x of %x does not decode: %v", enc, b, err)
		}
		if enc2 := Marshal(m2); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not canonical:\n%x\n%x", enc, enc2)
		}
		if len(enc) > len(b) {
			t.Fatalf("canonical re-encoding (%d bytes) longer than the input (%d)", len(enc), len(b))
		}
	})
}

// FuzzReadMsg: framing never panics, never returns a message from a frame
// over the limit, and reads frames written by WriteMsg back.
func FuzzReadMsg(f *testing.F) {
	for _, s := range samples() {
		f.Add(AppendFrame(nil, s.msg), 64)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 1<<20)
	f.Fuzz(func(t *testing.T, b []byte, max int) {
		if max < 0 || max > 1<<20 {
			return
		}
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			m, err := ReadMsg(r, max)
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.Is(err, ErrMalformed) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if Size(m) > max { // a canonical encoding is never longer than its input
				t.Fatalf("ReadMsg returned a message of %d bytes with limit %d", Size(m), max)
			}
		}
	})
}

// FuzzRoundTrip builds messages of every kind from fuzzed field values:
// Marshal's output (canonical input) decodes to the same message and
// encodes back to the same bytes.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(5), uint64(7), uint64(5), uint64(8), []byte("abc"), uint8(3))
	f.Add(uint8(0), uint64(0), uint64(0), uint64(0), []byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, kind uint8, a, b, c uint64, blob []byte, n uint8) {
		m := buildMessage(kind, a, b, c, blob, int(n))
		enc := Marshal(m)
		got, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(%#v)): %v", m, err)
		}
		if !sameMessage(got, m) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, m)
		}
		if again := Marshal(got); !bytes.Equal(again, enc) {
			t.Fatalf("canonical input %x re-encoded as %x", enc, again)
		}
	})
}

func buildMessage(kind uint8, a, b, c uint64, blob []byte, n int) Message {
	idx := func(v uint64) int64 { return int64(v % (merkle.MaxTreeSize + 1)) }
	hashes := func() []merkle.Hash {
		hs := make([]merkle.Hash, n%(MaxHashes+1))
		for i := range hs {
			hs[i] = merkle.LeafHash(append(blob, byte(i)))
		}
		return hs
	}
	ranges := func() []Range {
		rs := make([]Range, n)
		for i := range rs {
			rs[i] = Range{idx(a + uint64(i)), idx(b * uint64(i))}
		}
		return rs
	}
	var h32 [32]byte
	copy(h32[:], blob)
	switch kind % 11 {
	case 0:
		return &Hello{DiscoveryID: h32, Capability: crypto.Capability(merkle.LeafHash(blob)), Latest: idx(a)}
	case 1:
		return &HelloAck{Capability: h32, Latest: idx(b)}
	case 2:
		return &Status{Checkpoint: blob, Proof: hashes(), Ranges: ranges()}
	case 3:
		return &Have{Ranges: ranges()}
	case 4:
		return &Request{ID: a, Lo: idx(b), Hi: idx(c), Size: idx(a ^ c)}
	case 5:
		entries := make([][]byte, n)
		for i := range entries {
			entries[i] = blob[:min(i, len(blob))]
		}
		return &Data{ID: a, Lo: idx(b), Size: idx(c), Left: hashes(), Right: hashes()[:n%(MaxHashes+1)/2], Entries: entries}
	case 6:
		return &Error{ID: a, Code: ErrorCode(b), Message: strings.ToValidUTF8(string(blob), "?")}
	case 7:
		return &Checkpoint{Checkpoint: blob, Proof: hashes(), From: idx(c)}
	case 8:
		return &Fork{Evidence: blob}
	case 9:
		return &Cancel{ID: a}
	}
	return &Ping{}
}
