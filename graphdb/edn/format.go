package edn

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Format returns the EDN text of v. See Append.
func Format(v Value) []byte { return Append(nil, v) }

// Append appends the EDN text of v to buf and returns the extended buffer.
// The output is canonical for the value as parsed: Format(Parse(Format(v)))
// equals Format(v). Collections are written on one line, elements separated
// by one space, map entries by ", " as Clojure prints them; maps and sets
// keep their insertion order. Strings escape '"', '\\' and control
// characters and replace invalid UTF-8 with U+FFFD. Floats always show a
// '.' or an exponent (1.0, 1.0E21), and infinities and NaN are ##Inf,
// ##-Inf and ##NaN. Instants are written in UTC with as many fraction
// digits as needed. Keywords and symbols are written as they are, so one
// built by hand with characters EDN does not allow does not read back.
func Append(buf []byte, v Value) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "nil"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case string:
		return appendString(buf, x)
	case Keyword:
		return appendName(append(buf, ':'), x.Namespace, x.Name)
	case Symbol:
		return appendName(buf, x.Namespace, x.Name)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		return appendFloat(buf, x)
	case Char:
		return appendChar(buf, x)
	case List:
		return append(appendElements(append(buf, '('), x), ')')
	case Vector:
		return append(appendElements(append(buf, '['), x), ']')
	case *Map:
		return appendMap(buf, x)
	case *Set:
		return append(appendElements(append(buf, "#{"...), x.elems), '}')
	case Tagged:
		buf = appendName(append(buf, '#'), x.Tag.Namespace, x.Tag.Name)
		return Append(append(buf, ' '), x.Value)
	case UUID:
		return append(appendUUIDText(append(buf, `#uuid "`...), x), '"')
	case time.Time:
		return appendInst(buf, x)
	case *big.Int:
		if x == nil {
			return append(buf, "0N"...)
		}
		return append(x.Append(buf, 10), 'N')
	case BigDecimal:
		return appendBigDecimal(buf, x)
	}
	return Append(buf, canonical(v))
}

func appendName(buf []byte, ns, name string) []byte {
	if ns != "" {
		buf = append(append(buf, ns...), '/')
	}
	return append(buf, name...)
}

func appendElements(buf []byte, elems []Value) []byte {
	for i, e := range elems {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = Append(buf, e)
	}
	return buf
}

func appendMap(buf []byte, m *Map) []byte {
	buf = append(buf, '{')
	for i, e := range m.entries {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = append(Append(buf, e.Key), ' ')
		buf = Append(buf, e.Value)
	}
	return append(buf, '}')
}

func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			if r, size = utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		buf = appendEscape(append(buf, s[start:i]...), r, size)
		i += size
		start = i
	}
	return append(append(buf, s[start:]...), '"')
}

// appendEscape writes the escape for the byte or rune r (RuneError stands
// for an invalid UTF-8 byte).
func appendEscape(buf []byte, r rune, size int) []byte {
	switch r {
	case '"':
		return append(buf, `\"`...)
	case '\\':
		return append(buf, `\\`...)
	case '\n':
		return append(buf, `\n`...)
	case '\t':
		return append(buf, `\t`...)
	case '\r':
		return append(buf, `\r`...)
	case '\b':
		return append(buf, `\b`...)
	case '\f':
		return append(buf, `\f`...)
	}
	return appendU4(buf, r)
}

func appendU4(buf []byte, r rune) []byte {
	const hex = "0123456789ABCDEF"
	return append(buf, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}

// appendFloat writes floats as Clojure does: plain notation from 1e-3 to
// 1e7, scientific notation with a mantissa that has a '.' otherwise.
func appendFloat(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "##NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "##Inf"...)
	case math.IsInf(f, -1):
		return append(buf, "##-Inf"...)
	}
	if abs := math.Abs(f); abs == 0 || abs >= 1e-3 && abs < 1e7 {
		start := len(buf)
		buf = strconv.AppendFloat(buf, f, 'f', -1, 64)
		if !strings.Contains(string(buf[start:]), ".") {
			buf = append(buf, ".0"...)
		}
		return buf
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // like 1.5e+08 or 1e-05
	mantissa, exp, _ := strings.Cut(s, "e")
	buf = append(buf, mantissa...)
	if !strings.Contains(mantissa, ".") {
		buf = append(buf, ".0"...)
	}
	e, _ := strconv.Atoi(exp)
	return strconv.AppendInt(append(buf, 'E'), int64(e), 10)
}

// appendBigDecimal writes plain notation when the scale is small and
// unscaled-digits-E-exponent otherwise, so that a huge scale never turns
// into a huge run of zeros. Both forms read back to the same unscaled
// value and scale.
func appendBigDecimal(buf []byte, d BigDecimal) []byte {
	u := d.unscaled()
	if u.Sign() < 0 {
		buf = append(buf, '-')
	}
	digits := new(big.Int).Abs(u).Append(nil, 10)
	scale := int(d.Scale)
	switch {
	case scale == 0:
		buf = append(buf, digits...)
	case scale > 0 && scale <= len(digits)+6:
		if pad := scale + 1 - len(digits); pad > 0 {
			digits = append([]byte(strings.Repeat("0", pad)), digits...)
		}
		point := len(digits) - scale
		buf = append(append(append(buf, digits[:point]...), '.'), digits[point:]...)
	default:
		buf = strconv.AppendInt(append(append(buf, digits...), 'E'), -int64(d.Scale), 10)
	}
	return append(buf, 'M')
}

var charNames = map[Char]string{
	'\n': "newline", ' ': "space", '\t': "tab", '\r': "return",
	'\b': "backspace", '\f': "formfeed",
}

// appendChar writes a character by name, as itself when printable, and as
// \uXXXX otherwise; an invalid rune becomes \uFFFD.
func appendChar(buf []byte, c Char) []byte {
	if name, ok := charNames[c]; ok {
		return append(append(buf, '\\'), name...)
	}
	r := rune(c)
	switch {
	case !utf8.ValidRune(r):
		return appendU4(buf, utf8.RuneError)
	case unicode.IsPrint(r) && r != ' ':
		return utf8.AppendRune(append(buf, '\\'), r)
	case r <= 0xFFFF:
		return appendU4(buf, r)
	}
	return utf8.AppendRune(append(buf, '\\'), r) // no \u form above the BMP
}

func appendUUIDText(buf []byte, u UUID) []byte {
	const hex = "0123456789abcdef"
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			buf = append(buf, '-')
		}
		buf = append(buf, hex[b>>4], hex[b&15])
	}
	return buf
}

func appendInst(buf []byte, t time.Time) []byte {
	buf = append(buf, `#inst "`...)
	buf = t.UTC().AppendFormat(buf, time.RFC3339Nano)
	return append(buf, '"')
}
