package wire

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

var update = flag.Bool("update", false, "rewrite testdata/messages.golden")

func hashOf(s string) merkle.Hash { return merkle.LeafHash([]byte(s)) }

// samples holds one or more messages of every body type, including the
// corner cases of the canonical encoding (zero fields, empty entries).
func samples() []struct {
	name string
	msg  Message
} {
	pub := crypto.NewKeyFromSeed([32]byte{}).Public()
	return []struct {
		name string
		msg  Message
	}{
		{"hello", &Hello{DiscoveryID: crypto.Discovery(pub), Capability: crypto.ProveCapability(pub, []byte("a"), []byte("b")), Latest: 21}},
		{"hello-empty-feed", &Hello{DiscoveryID: crypto.Discovery(pub)}},
		{"hello-ack", &HelloAck{Capability: crypto.ProveCapability(pub, []byte("b"), []byte("a")), Latest: 1 << 40}},
		{"status", &Status{Checkpoint: []byte("stele/k51...\n21\nroot\n"), Proof: []merkle.Hash{hashOf("p0"), hashOf("p1")}, Ranges: []Range{{0, 10}, {12, 21}}}},
		{"status-empty", &Status{}},
		{"status-zero-range", &Status{Ranges: []Range{{0, 0}}}},
		{"have", &Have{Ranges: []Range{{21, 30}}}},
		{"request", &Request{ID: 7, Lo: 5, Hi: 8, Size: 8}},
		{"request-zero", &Request{}},
		{"data", &Data{ID: 7, Lo: 5, Size: 8, Left: []merkle.Hash{hashOf("l")}, Right: []merkle.Hash{hashOf("r")}, Entries: [][]byte{[]byte("a"), []byte("b"), []byte("c")}}},
		{"data-empty-entry", &Data{ID: 1, Size: 1, Entries: [][]byte{{}}}},
		{"error", &Error{ID: 9, Code: CodeNotHeld, Message: "entries 5:8 not held"}},
		{"checkpoint", &Checkpoint{Checkpoint: []byte("note"), Proof: []merkle.Hash{hashOf("c")}, From: 3}},
		{"fork", &Fork{Evidence: []byte("evidence")}},
		{"cancel", &Cancel{ID: 1<<64 - 1}},
		{"ping", &Ping{}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			b := Marshal(s.msg)
			if len(b) != Size(s.msg) {
				t.Errorf("Size = %d, Marshal wrote %d bytes", Size(s.msg), len(b))
			}
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatalf("Unmarshal(Marshal(%+v)): %v", s.msg, err)
			}
			if !sameMessage(got, s.msg) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, s.msg)
			}
			if again := Marshal(got); !bytes.Equal(again, b) {
				t.Errorf("re-encoding differs:\n got %x\nwant %x", again, b)
			}
		})
	}
}

// sameMessage compares messages as the encoding sees them: nil and empty
// slices are alike (%v prints both as []).
func sameMessage(a, b Message) bool {
	return fmt.Sprintf("%T %v", a, a) == fmt.Sprintf("%T %v", b, b)
}

// TestGolden pins the encoding of every sample (and so the protocol's
// bytes) in testdata/messages.golden: "name hex" lines.
func TestGolden(t *testing.T) {
	var out strings.Builder
	for _, s := range samples() {
		fmt.Fprintf(&out, "%s %x\n", s.name, Marshal(s.msg))
	}
	const path = "testdata/messages.golden"
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("encodings differ from %s (run with -update if the change is intended):\n%s", path, out.String())
	}
}

// TestDataLayout checks the worked example of the package doc byte by byte.
func TestDataLayout(t *testing.T) {
	l, r := hashOf("l"), hashOf("r")
	b := Marshal(&Data{ID: 7, Lo: 5, Size: 8, Left: []merkle.Hash{l}, Right: []merkle.Hash{r}, Entries: [][]byte{[]byte("a"), []byte("b"), []byte("c")}})
	var want []byte
	want = append(want, 0x32, 6+34+34+9, 0x08, 7, 0x10, 5, 0x18, 8, 0x22, 0x20)
	want = append(want, l[:]...)
	want = append(want, 0x2a, 0x20)
	want = append(want, r[:]...)
	want = append(want, 0x32, 1, 'a', 0x32, 1, 'b', 0x32, 1, 'c')
	if !bytes.Equal(b, want) {
		t.Errorf("Data encoding\n got %x\nwant %x", b, want)
	}
}

func TestMalformed(t *testing.T) {
	h32 := strings.Repeat("00", 32)
	hello := "0a20" + h32 + "1220" + h32
	tests := []struct {
		name, hex, want string
	}{
		{"empty", "", "no body"},
		{"only unknown field", "6001", "no body"},
		{"two bodies", "5a00" + "5a00", "more than one body"},
		{"body as varint", "5801", "wire type 0, want 2"},
		{"truncated tag", "80", "bad field tag"},
		{"field zero", "0000", "bad field tag"},
		{"truncated length", "5a", "field 11"},
		{"length past end", "5a05", "field 11"},
		{"hello without capability", "0a22" + "0a20" + h32, "required field 2 missing"},
		{"hello without discovery id", "0a22" + "1220" + h32, "required field 1 missing"},
		{"hello short hash", "0a21" + "0a1f" + h32[2:] + "1200", "hash of 31 bytes"},
		{"hello latest as bytes", fmt.Sprintf("0a%02x", len(hello)/2+2) + hello + "1a00", "wire type 2, want 0"},
		{"hello-ack no capability", "1200", "required field 1 missing"},
		{"status proof 33 bytes", "1a23" + "1221" + h32 + "00", "hash of 33 bytes"},
		{"status range lo as bytes", "1a04" + "1a02" + "0a00", "wire type 2, want 0"},
		{"status range too large", "1a0c" + "1a0a" + "08ffffffffffffffff7f", "exceeds the largest tree size"},
		{"request size above 2^62", "2a0b" + "20" + "80808080808080808001", "exceeds the largest tree size"},
		{"request id as fixed64", "2a09" + "09" + "0000000000000000", "wire type 1, want 0"},
		{"data entry as varint", "3202" + "3001", "wire type 0, want 2"},
		{"data left 0 bytes", "3202" + "2200", "hash of 0 bytes"},
		{"error code above uint32", "3a06" + "108080808010", "does not fit in uint32"},
		{"error message not utf8", "3a03" + "1a01ff", "not UTF-8"},
		{"checkpoint from as bytes", "4202" + "1a00", "wire type 2, want 0"},
		{"fork evidence as varint", "4a02" + "0801", "wire type 0, want 2"},
		{"cancel id truncated varint", "5202" + "0880", "field 1"},
		{"group in ping", "5a02" + "0b0c", ""}, // a well-formed group is an unknown field: accepted
		{"bad group in ping", "5a01" + "0b", "field 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Unmarshal(b)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Unmarshal(%s): %v, want success", tc.hex, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %+v, want error containing %q", tc.hex, m, tc.want)
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Unmarshal(%s): %v, want ErrMalformed containing %q", tc.hex, err, tc.want)
			}
		})
	}
}

func TestTooManyHashesAndRanges(t *testing.T) {
	var hs []merkle.Hash
	for range MaxHashes + 1 {
		hs = append(hs, merkle.Hash{})
	}
	if _, err := Unmarshal(Marshal(&Checkpoint{Proof: hs})); err == nil || !strings.Contains(err.Error(), "more than 128 hashes") {
		t.Errorf("%d proof hashes: %v", len(hs), err)
	}
	if _, err := Unmarshal(Marshal(&Checkpoint{Proof: hs[:MaxHashes]})); err != nil {
		t.Errorf("%d proof hashes: %v", MaxHashes, err)
	}
	rs := make([]Range, MaxRanges+1)
	if _, err := Unmarshal(Marshal(&Have{Ranges: rs})); err == nil || !strings.Contains(err.Error(), "ranges") {
		t.Errorf("%d ranges: %v", len(rs), err)
	}
}

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	for _, s := range samples() {
		if err := WriteMsg(&buf, s.msg); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(&buf)
	for _, s := range samples() {
		m, err := ReadMsg(r, 1<<20)
		if err != nil {
			t.Fatalf("ReadMsg (%s): %v", s.name, err)
		}
		if !bytes.Equal(Marshal(m), Marshal(s.msg)) {
			t.Errorf("ReadMsg (%s) = %+v", s.name, m)
		}
	}
	if _, err := ReadMsg(r, 1<<20); err != io.EOF {
		t.Errorf("ReadMsg at end: %v, want io.EOF", err)
	}
	// Unbuffered readers work too.
	frame := AppendFrame(nil, &Ping{})
	if m, err := ReadMsg(struct{ io.Reader }{bytes.NewReader(frame)}, 10); err != nil || Name(m) != "ping" {
		t.Errorf("ReadMsg(unbuffered) = %v, %v", m, err)
	}
}

func TestFrameErrors(t *testing.T) {
	frame := AppendFrame(nil, &Data{ID: 1, Size: 1, Entries: [][]byte{make([]byte, 100)}})
	tests := []struct {
		name  string
		input []byte
		max   int
		want  error
	}{
		{"over the limit", frame, len(frame) - 2, ErrFrameTooLarge},
		{"huge prefix", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 16 << 20, ErrFrameTooLarge},
		{"prefix overflows uint64", bytes.Repeat([]byte{0xff}, 11), 16 << 20, ErrMalformed},
		{"truncated prefix", []byte{0x80}, 100, io.ErrUnexpectedEOF},
		{"truncated body", frame[:len(frame)-1], 1 << 20, io.ErrUnexpectedEOF},
		{"bad body", []byte{2, 0x58, 0x01}, 100, ErrMalformed},
		{"ten-byte prefix over 64 bits", append(bytes.Repeat([]byte{0xff}, 9), 0x02), 16 << 20, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMsg(bufio.NewReader(bytes.NewReader(tc.input)), tc.max)
			if !errors.Is(err, tc.want) {
				t.Errorf("ReadMsg: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestFrameLimitBeforeAllocation checks that an oversized frame is refused
// from its prefix alone: the reader fails if anything past it is read.
// TestFrameIOErrors: a stream failing mid-prefix is an I/O error, not a
// malformed message (which would get the peer blocked).
func TestFrameIOErrors(t *testing.T) {
	broken := errors.New("stream reset")
	for _, prefix := range [][]byte{nil, {0x80}, {0x80, 0x80}} {
		r := io.MultiReader(bytes.NewReader(prefix), iotestErrReader{broken})
		if _, err := ReadMsg(bufio.NewReader(r), 100); !errors.Is(err, broken) || errors.Is(err, ErrMalformed) {
			t.Errorf("prefix %x then an error: %v, want the I/O error", prefix, err)
		}
	}
	if n, err := readLength(bufio.NewReader(bytes.NewReader(append(bytes.Repeat([]byte{0xff}, 9), 0x01)))); err != nil || n != 1<<64-1 {
		t.Errorf("largest prefix: %d, %v", n, err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestFrameLimitBeforeAllocation(t *testing.T) {
	prefix := []byte{0x80, 0x80, 0x80, 0x80, 0x08} // 2 GiB
	r := io.MultiReader(bytes.NewReader(prefix), failReader{t})
	allocs := testing.AllocsPerRun(10, func() {
		r = io.MultiReader(bytes.NewReader(prefix), failReader{t})
		if _, err := ReadMsg(bufio.NewReaderSize(r, 16), 16<<20); !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("ReadMsg: %v", err)
		}
	})
	if allocs > 20 {
		t.Errorf("refusing an oversized frame made %.0f allocations", allocs)
	}
}

type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("ReadMsg read past the length prefix of an oversized frame")
	return 0, io.EOF
}

// TestDataHead checks that a frame built from AppendDataHead and
// AppendDataEntry is AppendFrame's, byte for byte, across proof sizes and
// entry counts and sizes that move the length prefixes across varint
// boundaries, and that DataHeadMax bounds the head.
func TestDataHead(t *testing.T) {
	for _, proof := range []int{0, 1, 5, MaxHashes} {
		for _, shape := range []struct{ count, size int }{{0, 0}, {1, 0}, {1, 1}, {3, 127}, {2, 128}, {1, 16383}, {1, 16384}, {40, 3000}, {1, 1 << 21}} {
			m := &Data{ID: 1 << 40, Lo: 1 << 50, Size: 1<<50 + 9}
			for i := range proof {
				m.Left = append(m.Left, hashOf(fmt.Sprint("l", i)))
				m.Right = append(m.Right, hashOf(fmt.Sprint("r", i)))
			}
			var body []byte
			for i := range shape.count {
				e := bytes.Repeat([]byte{byte(i)}, shape.size)
				m.Entries = append(m.Entries, e)
				body = AppendDataEntry(body, e)
			}
			want := AppendFrame(nil, m)
			entries := m.Entries
			m.Entries = nil
			head := AppendDataHead([]byte("x"), m, len(body))
			if len(head)-1 > DataHeadMax {
				t.Errorf("proof %d, %v: head of %d bytes, DataHeadMax %d", proof, shape, len(head)-1, DataHeadMax)
			}
			if got := append(head, body...); !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Errorf("proof %d, %v: head and entries differ from AppendFrame", proof, shape)
			}
			m.Entries = entries
		}
	}
}

// ReadMsgInto reads each frame into the buffer its alloc gives, asked for
// the frame's length; the Data decoded from it points into that buffer,
// and an oversized frame is refused before alloc is called.
func TestReadMsgInto(t *testing.T) {
	d := &Data{ID: 3, Lo: 1, Size: 9, Left: []merkle.Hash{hashOf("l")}, Entries: [][]byte{[]byte("abc"), bytes.Repeat([]byte("z"), 5000)}}
	stream := AppendFrame(AppendFrame(nil, &Ping{}), d)
	var bufs [][]byte
	alloc := func(n int) []byte {
		b := make([]byte, n, n+10)
		bufs = append(bufs, b)
		return b
	}
	r := bufio.NewReader(bytes.NewReader(stream))
	var last Message
	for _, want := range []Message{&Ping{}, d} {
		got, err := ReadMsgInto(r, 1<<20, alloc)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ReadMsgInto = %#v, %v; want %#v", got, err, want)
		}
		last = got
	}
	if len(bufs) != 2 || len(bufs[1]) != Size(d) {
		t.Fatalf("alloc asked for %d buffers, the last of %d bytes; want 2, of %d", len(bufs), len(bufs[len(bufs)-1]), Size(d))
	}
	bufs[1][len(bufs[1])-1] = 'y' // the Data's last entry ends the frame
	if e := last.(*Data).Entries[1]; e[len(e)-1] != 'y' {
		t.Error("the Data's entries do not point into the buffer alloc gave")
	}
	if _, err := ReadMsgInto(bufio.NewReader(bytes.NewReader(AppendFrame(nil, d))), 10, func(int) []byte {
		t.Fatal("alloc called for an oversized frame")
		return nil
	}); !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("oversized frame: %v", err)
	}
}
