package edn

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFormat(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{nil, "nil"},
		{true, "true"},
		{"a\"b\\c\nd\te\rf\bg\fh\x01i\x7fj", `"a\"b\\c\nd\te\rf\bg\fh\u0001i\u007Fj"`},
		{"é😀", `"é😀"`},
		{"bad\xffutf8", `"bad\uFFFDutf8"`},
		{Char('a'), `\a`},
		{Char('\n'), `\newline`},
		{Char(' '), `\space`},
		{Char('\t'), `\tab`},
		{Char(0), `\u0000`},
		{Char(0xD800), `\uFFFD`},
		{Char('😀'), `\😀`},
		{int64(-42), "-42"},
		{42, "42"},
		{uint64(math.MaxUint64), "18446744073709551615N"},
		{bigInt("123"), "123N"},
		{1.0, "1.0"},
		{-0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1.5, "1.5"},
		{100.0, "100.0"},
		{1234567.0, "1234567.0"},
		{1e7, "1.0E7"},
		{1.5e300, "1.5E300"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{float32(0.5), "0.5"},
		{math.Inf(1), "##Inf"},
		{math.Inf(-1), "##-Inf"},
		{math.NaN(), "##NaN"},
		{dec("15", 1), "1.5M"},
		{dec("-5", 3), "-0.005M"},
		{dec("1", 0), "1M"},
		{dec("15", -2), "15E2M"},
		{dec("5", 100), "5E-100M"},
		{dec("123", 3), "0.123M"},
		{BigDecimal{}, "0M"},
		{K("a"), ":a"},
		{K("db/id"), ":db/id"},
		{Sym("/"), "/"},
		{Sym("clojure.core/+"), "clojure.core/+"},
		{list(int64(1), Sym("a")), "(1 a)"},
		{vec(), "[]"},
		{mapOf(K("a"), int64(1), "b", vec(nil)), `{:a 1, "b" [nil]}`},
		{setOf(int64(1), int64(2)), "#{1 2}"},
		{Tagged{Tag: Sym("my/tag"), Value: vec(int64(1))}, "#my/tag [1]"},
		{UUID{0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0, 0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6}, `#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`},
		{time.Date(1985, 4, 12, 19, 20, 50, 520000000, time.FixedZone("", -4*3600)), `#inst "1985-04-12T23:20:50.52Z"`},
	}
	for _, tt := range tests {
		if got := string(Format(tt.v)); got != tt.want {
			t.Errorf("Format(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

// TestFormatIdempotent checks Format(Parse(x)) is a fixed point on inputs
// written in every way EDN allows.
func TestFormatIdempotent(t *testing.T) {
	inputs := []string{
		"[1 , 2,3]", "{:a 1 :b 2}", "#{ 3 1 2 }", "1.5e3", "1e-9", "1.50M", "1.5E3M",
		`"\u00e9"`, `\u00e9`, "-0", "+5", "1.", `#inst "1985-04-12T19:20:50.52-04:00"`,
		`#inst "2020"`, "#foo #bar [1 #_2 3]", "(a ; c\n b)", "##NaN", "0.00000001M",
	}
	for _, in := range inputs {
		v := mustParse(t, in)
		once := Format(v)
		v2 := mustParse(t, string(once))
		if !identical(v, v2) {
			t.Errorf("%q: Format %s does not parse back to an identical value", in, once)
		}
		if twice := Format(v2); string(twice) != string(once) {
			t.Errorf("%q: Format not idempotent: %s then %s", in, once, twice)
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	got := Append([]byte("x="), vec(K("a")))
	if string(got) != "x=[:a]" {
		t.Errorf("Append = %s", got)
	}
}

func TestStringers(t *testing.T) {
	tests := []struct{ got, want string }{
		{K("a/b").String(), ":a/b"},
		{Sym("?x").String(), "?x"},
		{Char('\n').String(), `\newline`},
		{dec("15", 1).String(), "1.5M"},
		{UUID{15: 1}.String(), "00000000-0000-0000-0000-000000000001"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	if f := dec("15", 1).Float64(); f != 1.5 {
		t.Errorf("Float64 = %v", f)
	}
	if f := dec("15", -2).Float64(); f != 1500 {
		t.Errorf("Float64 = %v", f)
	}
}
