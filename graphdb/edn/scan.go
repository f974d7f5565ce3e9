package edn

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// tokenEnd returns the end of the token starting at from: the first
// delimiter or the end of the data.
func (p *parser) tokenEnd(from int) (int, error) {
	end := from
	for end < len(p.data) && !isDelimiter(p.data[end]) {
		end++
	}
	if end == len(p.data) && !p.final {
		return 0, errNeedMore
	}
	return end, nil
}

// readAtom reads nil, true, false, a number or a symbol.
func (p *parser) readAtom() (Value, error) {
	start := p.pos
	end, err := p.tokenEnd(start)
	if err != nil {
		return nil, err
	}
	tok := p.data[start:end]
	p.pos = end
	switch string(tok) {
	case "nil":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if startsNumber(tok) {
		v, err := parseNumber(tok)
		if err != nil {
			return nil, p.errorAt(start, err.Error())
		}
		return v, nil
	}
	if v, ok := p.names[string(tok)]; ok {
		return v, nil
	}
	ns, name, ok := splitSymbol(tok)
	if !ok {
		return nil, p.errorAt(start, "invalid symbol "+clip(tok))
	}
	return p.intern(tok, Symbol{Namespace: ns, Name: name}), nil
}

func (p *parser) readKeyword() (Value, error) {
	start := p.pos
	end, err := p.tokenEnd(start + 1)
	if err != nil {
		return nil, err
	}
	tok := p.data[start:end]
	p.pos = end
	if v, ok := p.names[string(tok)]; ok {
		return v, nil
	}
	if bytes.HasPrefix(tok, []byte("::")) {
		return nil, p.errorAt(start, "auto-resolved keyword "+clip(tok)+" is not EDN")
	}
	ns, name, ok := splitKeyword(tok[1:])
	if !ok {
		return nil, p.errorAt(start, "invalid keyword "+clip(tok))
	}
	return p.intern(tok, Keyword{Namespace: ns, Name: name}), nil
}

// intern caches keywords and symbols by their text: a document repeats
// them, and a cached interface value costs no allocation.
func (p *parser) intern(tok []byte, v Value) Value {
	if p.names == nil {
		p.names = make(map[string]Value)
	}
	if len(p.names) < maxInterned {
		p.names[string(tok)] = v
	}
	return v
}

// splitSymbol splits a symbol token into namespace and name, validating
// both as the EDN spec says: constituent characters only, no leading
// digit, no '+', '-' or '.' followed by a digit, '/' only once (or alone).
func splitSymbol(tok []byte) (ns, name string, ok bool) {
	if len(tok) == 1 && tok[0] == '/' {
		return "", "/", true
	}
	return splitName(tok, false)
}

// splitKeyword is splitSymbol for the text after ':'. Keyword parts may
// start with a digit (:1, :a/2), which Clojure reads and people write.
func splitKeyword(tok []byte) (ns, name string, ok bool) {
	return splitName(tok, true)
}

func splitName(tok []byte, keyword bool) (ns, name string, ok bool) {
	i := bytes.IndexByte(tok, '/')
	if i < 0 {
		return "", string(tok), validNamePart(tok, keyword)
	}
	nsPart, namePart := tok[:i], tok[i+1:]
	if bytes.IndexByte(namePart, '/') >= 0 {
		return "", "", false
	}
	if !validNamePart(nsPart, keyword) || !validNamePart(namePart, keyword) {
		return "", "", false
	}
	return string(nsPart), string(namePart), true
}

func validNamePart(s []byte, keyword bool) bool {
	if len(s) == 0 || s[0] == ':' || s[0] == '#' || s[0] == '\'' {
		return false
	}
	if !keyword {
		if isDigit(s[0]) {
			return false
		}
		if (s[0] == '+' || s[0] == '-' || s[0] == '.') && len(s) > 1 && isDigit(s[1]) {
			return false
		}
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !isConstituent(c) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

func isConstituent(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', isDigit(c):
		return true
	}
	switch c {
	case '.', '*', '+', '!', '-', '_', '?', '$', '%', '&', '=', '<', '>', ':', '#', '\'':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func startsNumber(tok []byte) bool {
	if isDigit(tok[0]) {
		return true
	}
	return (tok[0] == '+' || tok[0] == '-') && len(tok) > 1 && isDigit(tok[1])
}

// readString reads a string literal. Strings without escapes, the common
// case, are a single allocation.
func (p *parser) readString() (Value, error) {
	start := p.pos
	for i := start + 1; i < len(p.data); i++ {
		switch p.data[i] {
		case '"':
			raw := p.data[start+1 : i]
			if !utf8.Valid(raw) {
				return nil, p.errorAt(start+1+invalidUTF8At(raw), "invalid UTF-8 in string")
			}
			p.pos = i + 1
			return string(raw), nil
		case '\\':
			return p.readEscapedString(start, i)
		}
	}
	return nil, p.eofError(start, "unterminated string")
}

// readEscapedString continues readString at the first backslash, at i.
func (p *parser) readEscapedString(start, i int) (Value, error) {
	buf := append([]byte(nil), p.data[start+1:i]...)
	for i < len(p.data) {
		c := p.data[i]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return nil, p.errorAt(start, "invalid UTF-8 in string")
			}
			p.pos = i + 1
			return string(buf), nil
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		r, next, err := p.readEscape(i)
		if err != nil {
			return nil, err
		}
		buf = utf8.AppendRune(buf, r)
		i = next
	}
	return nil, p.eofError(start, "unterminated string")
}

// readEscape decodes the escape sequence at the backslash at i and returns
// the rune and the offset after the sequence. A \u escape of a UTF-16 high
// surrogate must be followed by one of a low surrogate; the pair is one rune.
func (p *parser) readEscape(i int) (rune, int, error) {
	if i+1 >= len(p.data) {
		return 0, 0, p.eofError(i, "unterminated string")
	}
	switch c := p.data[i+1]; c {
	case 't':
		return '\t', i + 2, nil
	case 'n':
		return '\n', i + 2, nil
	case 'r':
		return '\r', i + 2, nil
	case 'b':
		return '\b', i + 2, nil
	case 'f':
		return '\f', i + 2, nil
	case '"', '\\':
		return rune(c), i + 2, nil
	case 'u':
		return p.readUnicodeEscape(i)
	}
	return 0, 0, p.errorAt(i, "invalid escape \\"+quoteRuneAt(p.data, i+1)+" in string")
}

func (p *parser) readUnicodeEscape(i int) (rune, int, error) {
	r, err := p.hex4(i)
	if err != nil {
		return 0, 0, err
	}
	if !utf16IsSurrogate(r) {
		return r, i + 6, nil
	}
	switch {
	case r >= 0xDC00:
		return 0, 0, p.errorAt(i, fmt.Sprintf("unpaired surrogate \\u%04X in string", r))
	case i+8 > len(p.data) && !p.final:
		return 0, 0, errNeedMore
	case i+8 > len(p.data) || string(p.data[i+6:i+8]) != `\u`:
		return 0, 0, p.errorAt(i, fmt.Sprintf("unpaired surrogate \\u%04X in string", r))
	}
	low, err := p.hex4(i + 6)
	if err != nil {
		return 0, 0, err
	}
	if low < 0xDC00 || low > 0xDFFF {
		return 0, 0, p.errorAt(i, fmt.Sprintf("unpaired surrogate \\u%04X in string", r))
	}
	return 0x10000 + (r-0xD800)<<10 + (low - 0xDC00), i + 12, nil
}

// hex4 decodes the four hex digits after the \u at i.
func (p *parser) hex4(i int) (rune, error) {
	var r rune
	for k := i + 2; k < i+6; k++ {
		if k >= len(p.data) {
			return 0, p.eofError(i, "unterminated \\u escape")
		}
		d := hexDigit(p.data[k])
		if d < 0 {
			return 0, p.errorAt(i, "invalid \\u escape "+clip(p.data[i:k+1]))
		}
		r = r<<4 | rune(d)
	}
	return r, nil
}

func hexDigit(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r <= 0xDFFF }

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return 0
}

// namedChars are the character names of EDN and Clojure.
var namedChars = map[string]Char{
	"newline": '\n', "space": ' ', "tab": '\t', "return": '\r',
	"backspace": '\b', "formfeed": '\f',
}

// readChar reads \c, \newline and the like, or \uXXXX.
func (p *parser) readChar() (Value, error) {
	start := p.pos
	if start+1 >= len(p.data) {
		return nil, p.eofError(start, "\\ at end of input")
	}
	if !utf8.FullRune(p.data[start+1:]) && !p.final {
		return nil, errNeedMore
	}
	r, size := utf8.DecodeRune(p.data[start+1:])
	if r == utf8.RuneError && size == 1 {
		return nil, p.errorAt(start, "invalid UTF-8 in character")
	}
	end := start + 1 + size
	if r >= utf8.RuneSelf || !isDelimiter(byte(r)) {
		var err error
		if end, err = p.tokenEnd(start + 1); err != nil {
			return nil, err
		}
	} else if end == len(p.data) && !p.final {
		return nil, errNeedMore // what follows must be a delimiter
	}
	p.pos = end
	name := p.data[start+1 : end]
	if len(name) == size {
		return Char(r), nil
	}
	if c, ok := namedChars[string(name)]; ok {
		return c, nil
	}
	if len(name) == 5 && name[0] == 'u' {
		if c, ok := parseHexChar(name[1:]); ok {
			return c, nil
		}
	}
	return nil, p.errorAt(start, "invalid character \\"+clip(name))
}

func parseHexChar(h []byte) (Char, bool) {
	var r rune
	for _, c := range h {
		d := hexDigit(c)
		if d < 0 {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return Char(r), !utf16IsSurrogate(r)
}

// quoteRuneAt names the character at data[i] for an error message.
func quoteRuneAt(data []byte, i int) string {
	if i >= len(data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(data[i:])
	return string(r)
}

// clip returns tok for an error message, shortened if long.
func clip(tok []byte) string {
	const max = 40
	if len(tok) > max {
		return string(bytes.ToValidUTF8(tok[:max], nil)) + "..."
	}
	return string(bytes.ToValidUTF8(tok, []byte("\uFFFD")))
}

var errInvalidUUID = errors.New("invalid #uuid: want 8-4-4-4-12 hex digits")

// ParseUUID parses the 8-4-4-4-12 hex form of a UUID, either case.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 {
		return u, errInvalidUUID
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return u, errInvalidUUID
			}
			i++
			continue
		}
		hi, lo := hexDigit(s[i]), hexDigit(s[i+1])
		if hi < 0 || lo < 0 {
			return u, errInvalidUUID
		}
		u[j] = byte(hi<<4 | lo)
		i, j = i+2, j+1
	}
	return u, nil
}
