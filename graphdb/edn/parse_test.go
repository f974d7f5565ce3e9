package edn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Value
	}{
		// nil and booleans
		{"nil", nil},
		{"true", true},
		{"false", false},
		{"  \t\n, nil ,", nil},
		// strings
		{`""`, ""},
		{`"hello world"`, "hello world"},
		{`"tab\tnl\ncr\rbs\\q\"b\bf\f"`, "tab\tnl\ncr\rbs\\q\"b\bf\f"},
		{`"\u00e9\u00E9"`, "éé"},
		{`"\uD83D\uDE00"`, "😀"},
		{`"raw é 😀"`, "raw é 😀"},
		{"\"two\nlines\"", "two\nlines"},
		{`"a;b"`, "a;b"},
		// characters
		{`\a`, Char('a')},
		{`\newline`, Char('\n')},
		{`\space`, Char(' ')},
		{`\tab`, Char('\t')},
		{`\return`, Char('\r')},
		{`\backspace`, Char('\b')},
		{`\formfeed`, Char('\f')},
		{`\u00e9`, Char('é')},
		{`\u`, Char('u')},
		{`\é`, Char('é')},
		{`\(`, Char('(')},
		{`\"`, Char('"')},
		{`\\`, Char('\\')},
		{`\,`, Char(',')},
		{`[\a\b]`, vec(Char('a'), Char('b'))},
		{`[\a]`, vec(Char('a'))},
		// integers
		{"0", int64(0)},
		{"-0", int64(0)},
		{"+5", int64(5)},
		{"42", int64(42)},
		{"-42", int64(-42)},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775808", bigInt("9223372036854775808")},
		{"-99999999999999999999", bigInt("-99999999999999999999")},
		{"1N", bigInt("1")},
		{"-7N", bigInt("-7")},
		// floats
		{"1.0", 1.0},
		{"-1.5", -1.5},
		{"+1.5", 1.5},
		{"1.", 1.0},
		{"1e10", 1e10},
		{"1.5E-3", 1.5e-3},
		{"2e+2", 200.0},
		{"0.0", 0.0},
		{"1e400", math.Inf(1)},
		{"##Inf", math.Inf(1)},
		{"##-Inf", math.Inf(-1)},
		{"##NaN", math.NaN()},
		// exact decimals
		{"1.5M", dec("15", 1)},
		{"1M", dec("1", 0)},
		{"-0.005M", dec("-5", 3)},
		{"1e3M", dec("1", -3)},
		{"1.25E-2M", dec("125", 4)},
		// keywords
		{":a", K("a")},
		{":ns/a", K("ns/a")},
		{":db.type/string", K("db.type/string")},
		{":a-b_c?!*+<>=$%&", K("a-b_c?!*+<>=$%&")},
		{":1", K("1")},
		{":a/1", K("a/1")},
		{":a:b", K("a:b")},
		{":a#", K("a#")},
		{":é", K("é")},
		// symbols
		{"a", Sym("a")},
		{"ns/a", Sym("ns/a")},
		{"/", Sym("/")},
		{"+", Sym("+")},
		{"-", Sym("-")},
		{".", Sym(".")},
		{"?x", Sym("?x")},
		{"$", Sym("$")},
		{"%", Sym("%")},
		{"...", Sym("...")},
		{"->", Sym("->")},
		{"<=", Sym("<=")},
		{"-a", Sym("-a")},
		{"a'", Sym("a'")},
		{"foo.bar/baz", Sym("foo.bar/baz")},
		{"nil?", Sym("nil?")},
		{"truex", Sym("truex")},
		{"nil/a", Symbol{Namespace: "nil", Name: "a"}},
		// collections
		{"()", list()},
		{"[]", vec()},
		{"{}", mapOf()},
		{"#{}", setOf()},
		{"(a b 42)", list(Sym("a"), Sym("b"), int64(42))},
		{"[a b 42]", vec(Sym("a"), Sym("b"), int64(42))},
		{"[1,2,,3]", vec(int64(1), int64(2), int64(3))},
		{"[[] ([]) {}]", vec(vec(), list(vec()), mapOf())},
		{`{:a 1, "foo" :bar, [1 2 3] four}`, mapOf(K("a"), int64(1), "foo", K("bar"), vec(int64(1), int64(2), int64(3)), Sym("four"))},
		{"{{:a 1} #{2}}", mapOf(mapOf(K("a"), int64(1)), setOf(int64(2)))},
		{"{nil nil}", mapOf(nil, nil)},
		{"#{a b [1 2 3]}", setOf(Sym("a"), Sym("b"), vec(int64(1), int64(2), int64(3)))},
		{"#{1 1.0 1M}", setOf(int64(1), 1.0, dec("1", 0))},
		// discard and comments
		{"[a b #_foo 42]", vec(Sym("a"), Sym("b"), int64(42))},
		{"[#_ #_ 1 2 3]", vec(int64(3))},
		{"[1 #_[2 [3]] 4]", vec(int64(1), int64(4))},
		{"{:a #_ :b 1}", mapOf(K("a"), int64(1))},
		{"#_ 1 2", int64(2)},
		{"2 #_ 1", int64(2)},
		{"; comment\n[1 ; one\n 2] ; two", vec(int64(1), int64(2))},
		{"[1;c\n2]", vec(int64(1), int64(2))},
		{"[a;c\n]", vec(Sym("a"))},
		// delimiters end tokens
		{`[a"s"]`, vec(Sym("a"), "s")},
		{"(a(b))", list(Sym("a"), list(Sym("b")))},
		{"[:a:b]", vec(K("a:b"))},
		// tagged elements
		{"#foo 1", Tagged{Tag: Sym("foo"), Value: int64(1)}},
		{"#myapp/Person {:first \"Fred\"}", Tagged{Tag: Sym("myapp/Person"), Value: mapOf(K("first"), "Fred")}},
		{"#a #b 1", Tagged{Tag: Sym("a"), Value: Tagged{Tag: Sym("b"), Value: int64(1)}}},
		{"#foo #_ 1 2", Tagged{Tag: Sym("foo"), Value: int64(2)}},
		{"#foo[1]", Tagged{Tag: Sym("foo"), Value: vec(int64(1))}},
		{"#ns/inst \"x\"", Tagged{Tag: Sym("ns/inst"), Value: "x"}},
		{`#inst "1985-04-12T23:20:50.52Z"`, mustTime("1985-04-12T23:20:50.52Z")},
		{`#inst "1985-04-12T19:20:50.52-04:00"`, mustTime("1985-04-12T23:20:50.52Z")},
		{`#inst "1985-04-12T23:20:50Z"`, mustTime("1985-04-12T23:20:50Z")},
		{`#inst "1985-04-12"`, mustTime("1985-04-12T00:00:00Z")},
		{`#inst "1985"`, mustTime("1985-01-01T00:00:00Z")},
		{`#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"`, UUID{0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0, 0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6}},
		{`#uuid "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"`, UUID{0xf8, 0x1d, 0x4f, 0xae, 0x7d, 0xec, 0x11, 0xd0, 0xa7, 0x65, 0x00, 0xa0, 0xc9, 0x1e, 0x6b, 0xf6}},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !identical(got, tt.want) {
			t.Errorf("Parse(%q) = %s (%T), want %s (%T)", tt.in, Format(got), got, Format(tt.want), tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in        string
		msg       string
		line, col int
	}{
		{"", "no value in input", 1, 1},
		{" ; only a comment", "no value in input", 1, 18},
		{"#_ 1", "no value in input", 1, 5},
		{"1 2", "more than one value in input", 1, 3},
		{`"abc`, "unterminated string", 1, 1},
		{"[1\n  2\n   \"abc", "unterminated string", 3, 4},
		{`"a\`, "unterminated string", 1, 3},
		{`"\q"`, `invalid escape \q in string`, 1, 2},
		{`"\u12"`, `invalid \u escape \u12"`, 1, 2},
		{`"\u12`, `unterminated \u escape`, 1, 2},
		{`"\uD800"`, `unpaired surrogate \uD800 in string`, 1, 2},
		{`"\uD800\u0041"`, `unpaired surrogate \uD800 in string`, 1, 2},
		{`"\uDC00"`, `unpaired surrogate \uDC00 in string`, 1, 2},
		{"\"a\xffb\"", "invalid UTF-8 in string", 1, 3},
		{"\"\\n\xff\"", "invalid UTF-8 in string", 1, 1},
		{"[1 2", "unterminated vector", 1, 1},
		{"(1 2", "unterminated list", 1, 1},
		{"{:a 1", "unterminated map", 1, 1},
		{"#{1", "unterminated set", 1, 2},
		{"]", "unmatched delimiter ]", 1, 1},
		{")", "unmatched delimiter )", 1, 1},
		{"[1 2)", "unmatched delimiter ) in vector", 1, 5},
		{"{:a)", "unmatched delimiter ) in map", 1, 4},
		{"{:a}", "map literal has a key without a value", 1, 1},
		{"{:a 1 :a 2}", "duplicate map key :a", 1, 7},
		{"{[1] 1 (1) 2}", "duplicate map key (1)", 1, 8},
		{"#{1 1}", "duplicate set element 1", 1, 5},
		{"#{1 1N}", "duplicate set element 1N", 1, 5},
		{`\abc`, `invalid character \abc`, 1, 1},
		{`\uD800`, `invalid character \uD800`, 1, 1},
		{`\u12`, `invalid character \u12`, 1, 1},
		{`\`, `\ at end of input`, 1, 1},
		{"::a", "auto-resolved keyword ::a is not EDN", 1, 1},
		{":", "invalid keyword :", 1, 1},
		{":/", "invalid keyword :/", 1, 1},
		{":a/", "invalid keyword :a/", 1, 1},
		{":a/b/c", "invalid keyword :a/b/c", 1, 1},
		{"a/b/c", "invalid symbol a/b/c", 1, 1},
		{"a/", "invalid symbol a/", 1, 1},
		{"/a", "invalid symbol /a", 1, 1},
		{".5", "invalid symbol .5", 1, 1},
		{"a/1", "invalid symbol a/1", 1, 1},
		{"'a", "invalid symbol 'a", 1, 1},
		{"@a", "invalid symbol @a", 1, 1},
		{"^a", "invalid symbol ^a", 1, 1},
		{"a\x01", "invalid symbol a\x01", 1, 1},
		{"01", "invalid number 01", 1, 1},
		{"-01", "invalid number -01", 1, 1},
		{"1.5N", "invalid number 1.5N", 1, 1},
		{"1e", "invalid number 1e", 1, 1},
		{"1x", "invalid number 1x", 1, 1},
		{"1/2", "invalid number 1/2", 1, 1},
		{"0x10", "invalid number 0x10", 1, 1},
		{"1NM", "invalid number 1NM", 1, 1},
		{"1e99999999999M", "decimal exponent out of range", 1, 1},
		{"[ 1.5.5]", "invalid number 1.5.5", 1, 3},
		{`#inst "nope"`, `invalid #inst "nope": want RFC 3339`, 1, 7},
		{`#inst "0000-01-01T00:00:00+01:00"`, "out of range in UTC", 1, 7},
		{`#inst 1`, "#inst needs a string", 1, 7},
		{`#uuid "x"`, "invalid #uuid", 1, 7},
		{`#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bfg"`, "invalid #uuid", 1, 7},
		{`#uuid "f81d4fae+7dec-11d0-a765-00a0c91e6bf6"`, "invalid #uuid", 1, 7},
		{`#"re"`, `invalid dispatch #"`, 1, 1},
		{"#:a{}", "invalid dispatch #:", 1, 1},
		{"#(x)", "invalid dispatch #(", 1, 1},
		{"#1 x", "invalid dispatch #1", 1, 1},
		{"#", "# at end of input", 1, 1},
		{"##Foo", "invalid symbolic value ##Foo", 1, 1},
		{"#_", "#_ without a value to discard", 1, 1},
		{"[#_]", "#_ without a value to discard", 1, 2},
		{"[1 #_ ]", "#_ without a value to discard", 1, 4},
		{"#foo", "tag #foo without a value", 1, 1},
		{"[#foo]", "tag #foo without a value", 1, 2},
		{"#a/b/c 1", "invalid tag #a/b/c", 1, 1},
		{strings.Repeat("[", MaxDepth+1), "nesting deeper than 1000", 1, 1001},
		{strings.Repeat("#_", MaxDepth+1) + "1 1", "nesting deeper than 1000", 1, 2001},
		{strings.Repeat("#a ", MaxDepth+1) + "1", "nesting deeper than 1000", 1, 3001},
		{"[é é \"x", "unterminated string", 1, 6},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want a SyntaxError", tt.in, err)
			continue
		}
		if !strings.Contains(se.Msg, tt.msg) || se.Line != tt.line || se.Column != tt.col {
			t.Errorf("Parse(%q) error = %q at %d:%d, want %q at %d:%d", tt.in, se.Msg, se.Line, se.Column, tt.msg, tt.line, tt.col)
		}
		want := "edn: line "
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Parse(%q) error text %q does not start with %q", tt.in, err, want)
		}
	}
}

func TestMaxDepthAllowed(t *testing.T) {
	in := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	v := mustParse(t, in)
	depth := 0
	for x, ok := v.(Vector); ok; x, ok = v.(Vector) {
		depth++
		if len(x) == 0 {
			break
		}
		v = x[0]
	}
	if depth != MaxDepth {
		t.Errorf("depth %d, want %d", depth, MaxDepth)
	}
}

func TestParseAll(t *testing.T) {
	vs, err := ParseAll([]byte("1 [2] ; three\n #_ 4 :five"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{int64(1), vec(int64(2)), K("five")}
	if len(vs) != len(want) {
		t.Fatalf("ParseAll got %d values, want %d", len(vs), len(want))
	}
	for i := range want {
		if !identical(vs[i], want[i]) {
			t.Errorf("value %d = %s, want %s", i, Format(vs[i]), Format(want[i]))
		}
	}
	if vs, err := ParseAll([]byte(" ; nothing ")); err != nil || len(vs) != 0 {
		t.Errorf("ParseAll(comment) = %v, %v; want no values", vs, err)
	}
	if _, err := ParseAll([]byte("1 [2")); err == nil || !strings.Contains(err.Error(), "line 1, column 3: unterminated vector") {
		t.Errorf("ParseAll(1 [2) error = %v", err)
	}
}

func TestSpecExamples(t *testing.T) {
	data := readTestdata(t, "spec.edn")
	vs, err := ParseAll(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 41 {
		t.Errorf("spec.edn holds %d values, want 41", len(vs))
	}
	for _, v := range vs {
		text := Format(v)
		back, err := Parse(text)
		if err != nil || !identical(back, v) {
			t.Errorf("round trip of %s: got %v, %v", text, back, err)
		}
	}
}
