package edn

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

// FuzzParse checks that Parse never panics, that every error is a located
// SyntaxError, that Format(Parse(x)) parses back to an Equal value with the
// same hash whose Format gives the same bytes again, that FormatPretty reads
// back too, and that the streaming Decoder agrees with ParseAll.
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoderAgrees(t, data)
		v, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 || se.Offset < 0 || se.Offset > int64(len(data)) {
				t.Fatalf("Parse(%q): error %v is not a located SyntaxError", data, err)
			}
			return
		}
		once := Format(v)
		v2, err := Parse(once)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", data, once, err)
		}
		if !Equal(v, v2) || Compare(v, v2) != 0 || Hash(v) != Hash(v2) {
			t.Fatalf("Parse(%q) = %s, which parses back to the different %s", data, once, Format(v2))
		}
		if twice := Format(v2); !bytes.Equal(once, twice) {
			t.Fatalf("Format not idempotent on %q: %s then %s", data, once, twice)
		}
		if pretty, err := Parse(FormatPretty(v, 20)); err != nil || !Equal(v, pretty) {
			t.Fatalf("FormatPretty of %q does not read back: %v", data, err)
		}
	})
}

func checkDecoderAgrees(t *testing.T, data []byte) {
	want, wantErr := ParseAll(data)
	got, err := decodeAll(iotest.OneByteReader(bytes.NewReader(data)))
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("Decoder of %q: %v; ParseAll: %v", data, err, wantErr)
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("Decoder of %q read %d values, ParseAll %d", data, len(got), len(want))
	}
	for i := range want {
		if !Equal(got[i], want[i]) {
			t.Fatalf("Decoder of %q: value %d is %s, ParseAll's %s", data, i, Format(got[i]), Format(want[i]))
		}
	}
}

func fuzzSeeds() []string {
	return []string{
		"nil", "true", `"a\tb\u00e9\uD83D\uDE00"`, `\a`, `\newline`, `\u00e9`, "42", "-0", "1N",
		"99999999999999999999", "1.5", "1e400", "##NaN", "1.50M", "1e-5M", ":a/b", "a/b", "/",
		"(1 [2 {3 #{4}}])", "{:a 1, [1] 2}", "#{1 1.0 1M}", "[1 #_ 2]", "; c\n1",
		`#inst "1985-04-12T23:20:50.52Z"`, `#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`,
		"#a #b [c]", "{:a}", `"unterminated`, "[[[", "#_", `\uD800`,
		`[{:db/id -1 :person/name "Ann" :person/friend {:person/name "Bob"}}]`,
	}
}
