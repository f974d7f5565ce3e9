package graphdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleEntry() *TxEntry {
	var other FeedKey
	for i := range other {
		other[i] = byte(i)
	}
	person := MakeEID(0, PartUser, 1)
	return &TxEntry{
		Feeds: []FeedKey{other},
		Datoms: []Datom{
			{E: 0, A: attrEID(attrTxInstant), V: Instant(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)), Added: true},
			{E: person, A: attrEID(firstUserIdent), V: String("Ann"), Added: true},
			{E: person, A: attrEID(firstUserIdent + 1), V: Long(-42), Added: true},
			{E: person, A: attrEID(firstUserIdent + 2), V: Double(2.5), Added: false},
			{E: person, A: attrEID(firstUserIdent + 3), V: Bool(true), Added: true},
			{E: person, A: attrEID(firstUserIdent + 4), V: UUID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), Added: true},
			{E: person, A: attrEID(firstUserIdent + 5), V: Keyword(":status/active"), Added: true},
			{E: person, A: attrEID(firstUserIdent + 6), V: Bytes([]byte{0, 255}), Added: true},
			{E: person, A: attrEID(firstUserIdent + 7), V: Ref(MakeEID(1, PartUser, 7)), Added: true},
			{E: person, A: attrEID(firstUserIdent + 8), V: Ref(0), Added: true},
		},
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	e := sampleEntry()
	e.Migration = true
	b := EncodeTx(e)
	got, err := DecodeTx(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Migration != e.Migration || len(got.Feeds) != 1 || got.Feeds[0] != e.Feeds[0] {
		t.Fatalf("header mismatch: %+v", got)
	}
	if len(got.Datoms) != len(e.Datoms) {
		t.Fatalf("got %d datoms, want %d", len(got.Datoms), len(e.Datoms))
	}
	for i := range e.Datoms {
		if got.Datoms[i] != e.Datoms[i] {
			t.Errorf("datom %d: got %v, want %v", i, got.Datoms[i], e.Datoms[i])
		}
	}
	if again := EncodeTx(got); !bytes.Equal(again, b) {
		t.Fatalf("re-encoding differs:\n%x\n%x", again, b)
	}
}

// TestEncodeVector checks the encoding against testdata/tx_v1.hex, the
// worked example of the package documentation.
func TestEncodeVector(t *testing.T) {
	e := &TxEntry{Datoms: []Datom{
		{E: 0, A: attrEID(attrTxInstant), V: InstantMillis(1714564800000), Added: true},
		{E: 1, A: attrEID(firstUserIdent), V: String("Ann"), Added: true},
		{E: 1, A: attrEID(firstUserIdent + 1), V: Ref(MakeEID(1, PartUser, 5)), Added: true},
		{E: 2, A: attrEID(firstUserIdent), V: String("Bob"), Added: false},
	}, Feeds: []FeedKey{{0xaa, 0xbb}}}
	got := hex.EncodeToString(EncodeTx(e))
	want, err := os.ReadFile(filepath.Join("testdata", "tx_v1.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(strings.Fields(string(want)), ""); got != w {
		t.Fatalf("encoding changed:\n got %s\nwant %s", got, w)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := EncodeTx(sampleEntry())
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("xtx"), good[3:]...)},
		{"bad version", append([]byte("stx\x02"), good[4:]...)},
		{"unknown flag", append([]byte("stx\x01\x02"), good[5:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(append([]byte{}, good...), 0)},
		{"non-minimal varint", []byte("stx\x01\x00\x80\x00\x00")},
		{"huge count", []byte("stx\x01\x00\x00\xff\xff\xff\xff\x0f")},
		{"bad op", []byte("stx\x01\x00\x00\x01\x40\x01\x01")},
		{"kind zero", []byte("stx\x01\x00\x00\x01\x80\x01\x01")},
		{"attr zero", []byte("stx\x01\x00\x00\x01\x82\x01\x00\x02")},
		{"bad bool", []byte("stx\x01\x00\x00\x01\x84\x01\x01\x02")},
		{"slot out of range", []byte("stx\x01\x00\x00\x01\x82\x80\x80\x80\x80\x80\x80\x40\x01\x02")},
		{"partition out of range", []byte("stx\x01\x00\x00\x01\x82\x80\x80\x80\x80\x80\x80\x0c\x01\x02")},
		{"keyword without colon", []byte("stx\x01\x00\x00\x01\x87\x01\x01\x01a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTx(tt.b)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("DecodeTx(%x) = %v, want ErrMalformed", tt.b, err)
			}
		})
	}
}

func TestCompareValues(t *testing.T) {
	ordered := []Value{
		String(""), String("a"), String("b"),
		Long(math.MinInt64), Long(-1), Long(0), Long(5),
		Double(math.Inf(-1)), Double(-1.5), Double(math.Copysign(0, -1)), Double(0), Double(2), Double(math.Inf(1)),
		Bool(false), Bool(true),
		InstantMillis(-5), InstantMillis(0),
		UUID([16]byte{}), UUID([16]byte{1}),
		Keyword(":a"), Keyword(":a/b"),
		Bytes(nil), Bytes([]byte{0}),
		Ref(1), Ref(2),
	}
	for i := range ordered {
		for j := range ordered {
			got := CompareValues(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("CompareValues(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestKeywordColon(t *testing.T) {
	if Keyword("a/b") != Keyword(":a/b") {
		t.Fatal("Keyword does not add the leading colon")
	}
}

func FuzzDecodeTx(f *testing.F) {
	f.Add(EncodeTx(sampleEntry()))
	f.Add(EncodeTx(&TxEntry{}))
	f.Add([]byte("stx\x01\x01\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeTx(b)
		if err != nil {
			return
		}
		if again := EncodeTx(e); !bytes.Equal(again, b) {
			t.Fatalf("decode then encode differs:\n in %x\nout %x", b, again)
		}
		var aliased TxEntry
		if err := decodeTx(b, &aliased, true); err != nil {
			t.Fatalf("aliased decode failed where copying decode passed: %v", err)
		}
	})
}
