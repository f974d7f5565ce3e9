package edn

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestDecoderMatchesParseAll feeds inputs one byte at a time, so every
// value is cut at every possible place, and compares with ParseAll.
func TestDecoderMatchesParseAll(t *testing.T) {
	inputs := []string{
		string(readTestdata(t, "spec.edn")),
		"1 2 3",
		"abc",
		`"\uD83D\uDE00" \u00e9 \a \newline é`,
		"#_ 1 #foo #_ 2 3 ; c",
		"##-Inf 1.5e3M :a/b 12345678901234567890",
		"# _",
	}
	for _, in := range inputs {
		want, wantErr := ParseAll([]byte(in))
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in)), iotest.DataErrReader(strings.NewReader(in))} {
			got, err := decodeAll(r)
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Errorf("%q: Decoder error %v, ParseAll error %v", in, err, wantErr)
				continue
			}
			if len(got) != len(want) {
				t.Errorf("%q: Decoder read %d values, ParseAll %d", in, len(got), len(want))
				continue
			}
			for i := range want {
				if !identical(got[i], want[i]) {
					t.Errorf("%q: value %d = %s, want %s", in, i, Format(got[i]), Format(want[i]))
				}
			}
		}
	}
}

func decodeAll(r io.Reader) ([]Value, error) {
	d := NewDecoder(r)
	var vs []Value
	for {
		v, err := d.Decode()
		if err == io.EOF {
			return vs, nil
		}
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
}

func TestDecoderErrorPositionAcrossBuffers(t *testing.T) {
	var in bytes.Buffer
	for range 5000 {
		in.WriteString("{:a \"0123456789\" :b [1 2 3]}\n")
	}
	in.WriteString("  [1 2 }")
	d := NewDecoder(iotest.HalfReader(&in))
	n := 0
	for {
		_, err := d.Decode()
		if err == nil {
			n++
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not a SyntaxError", err)
		}
		if n != 5000 || se.Line != 5001 || se.Column != 8 || !strings.Contains(se.Msg, "unmatched delimiter }") {
			t.Errorf("after %d values: %v (offset %d)", n, err, se.Offset)
		}
		if want := int64(5000*29 + 7); se.Offset != want {
			t.Errorf("offset %d, want %d", se.Offset, want)
		}
		return
	}
}

func TestDecoderLargeValue(t *testing.T) {
	big := "[" + strings.Repeat(`"abcdefghij" `, 20000) + "]"
	d := NewDecoder(strings.NewReader(big + " :next"))
	v, err := d.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.(Vector)) != 20000 {
		t.Errorf("vector of %d elements, want 20000", len(v.(Vector)))
	}
	if d.InputOffset() != int64(len(big)) {
		t.Errorf("InputOffset %d, want %d", d.InputOffset(), len(big))
	}
	if v, err := d.Decode(); err != nil || v != K("next") {
		t.Errorf("second value %v, %v", v, err)
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Errorf("at end: %v, want io.EOF", err)
	}
}

func TestDecoderReaderError(t *testing.T) {
	boom := errors.New("boom")
	d := NewDecoder(io.MultiReader(strings.NewReader("1 [2"), iotest.ErrReader(boom)))
	if v, err := d.Decode(); err != nil || v != int64(1) {
		t.Fatalf("first value %v, %v", v, err)
	}
	if _, err := d.Decode(); err != boom {
		t.Errorf("error %v, want the reader's", err)
	}
}

// TestDecoderSlowReaderLargeValue reads a large value one byte per Read: a
// Decoder that parsed again after every byte would take minutes.
func TestDecoderSlowReaderLargeValue(t *testing.T) {
	in := "[" + strings.Repeat(`{:a "x;y\"]" :b [\] \" 1.5]} `, 20000) + "] 2"
	vs, err := decodeAll(iotest.OneByteReader(strings.NewReader(in)))
	if err != nil || len(vs) != 2 || len(vs[0].(Vector)) != 20000 || vs[1] != int64(2) {
		t.Fatalf("got %d values, %v", len(vs), err)
	}
}

// TestDecoderInteractive checks a value is returned as soon as its text is
// complete, before the reader has more.
func TestDecoderInteractive(t *testing.T) {
	tests := []struct {
		in   string
		want Value
	}{
		{"[1 2]", vec(int64(1), int64(2))},
		{`"s"`, "s"},
		{"abc ", Sym("abc")},
		{"#{1}", setOf(int64(1))},
		{"(a) (b", list(Sym("a"))},
		{"#_ [x] #t [y]", Tagged{Sym("t"), vec(Sym("y"))}},
	}
	for _, tt := range tests {
		d := NewDecoder(&stallingReader{data: []byte(tt.in)})
		v, err := d.Decode()
		if err != nil || !identical(v, tt.want) {
			t.Errorf("%q: got %v, %v; want %s", tt.in, v, err, Format(tt.want))
		}
	}
}

// stallingReader returns its data one byte per Read, then fails the test
// by returning an error, as a terminal would block.
type stallingReader struct{ data []byte }

func (r *stallingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("read past the available input")
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}
