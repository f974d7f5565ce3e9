package edn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// MaxDepth is how deeply collections, tagged elements and discards may
// nest. Deeper input is an error rather than a stack overflow.
const MaxDepth = 1000

// SyntaxError is a malformed input, with the place of the fault: the start
// of the offending token or of the unterminated form. It is a typed error
// because a CLI or editor points at the place.
type SyntaxError struct {
	Offset int64 // byte offset in the input, from 0
	Line   int   // from 1
	Column int   // in characters, from 1
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("edn: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// errNeedMore reports that the input ended inside a value while more may
// follow: the Decoder reads on and parses again.
var errNeedMore = errors.New("edn: need more input")

// Parse parses data holding exactly one value, optionally surrounded by
// whitespace, comments and discarded (#_) values.
func Parse(data []byte) (Value, error) {
	p := newParser(data)
	v, err := p.readTop()
	if err == io.EOF {
		return nil, p.located(p.errorAt(len(data), "no value in input"))
	}
	if err != nil {
		return nil, p.located(err)
	}
	if _, err := p.skipToValue(); err != nil {
		return nil, p.located(err)
	}
	if p.pos < len(data) {
		return nil, p.located(p.errorAt(p.pos, "more than one value in input"))
	}
	return v, nil
}

// ParseAll parses every value of data in order.
func ParseAll(data []byte) ([]Value, error) {
	p := newParser(data)
	var vs []Value
	for {
		v, err := p.readTop()
		if err == io.EOF {
			return vs, nil
		}
		if err != nil {
			return nil, p.located(err)
		}
		vs = append(vs, v)
	}
}

// parser reads values from data[pos:]. When final is false, data is a
// prefix of the input, and any read that would need the bytes past its
// end returns errNeedMore instead of deciding.
type parser struct {
	data  []byte
	pos   int
	final bool
	depth int
	stack []Value // elements of the collections being read
	where []int   // offsets of the map keys and set elements on stack
	names map[string]Value
}

// maxInterned caps the keyword and symbol cache of a long-running Decoder.
const maxInterned = 4096

func newParser(data []byte) *parser {
	return &parser{data: data, final: true}
}

// readTop reads the next top-level value, or returns io.EOF when only
// whitespace, comments and discards remain.
func (p *parser) readTop() (Value, error) {
	p.depth = 0
	atEnd, err := p.skipToValue()
	if err != nil {
		return nil, err
	}
	if atEnd {
		if !p.final {
			return nil, errNeedMore
		}
		return nil, io.EOF
	}
	return p.readValue()
}

// skipToValue skips whitespace, commas, comments and discarded values and
// reports whether the data ended.
func (p *parser) skipToValue() (atEnd bool, err error) {
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return true, nil
		}
		if p.data[p.pos] != '#' {
			return false, nil
		}
		if p.pos+1 >= len(p.data) {
			if !p.final {
				return false, errNeedMore
			}
			return false, nil
		}
		if p.data[p.pos+1] != '_' {
			return false, nil
		}
		if err := p.discard(); err != nil {
			return false, err
		}
	}
}

func (p *parser) discard() error {
	start := p.pos
	p.pos += 2
	if err := p.enter(start); err != nil {
		return err
	}
	defer p.leave()
	atEnd, err := p.skipToValue()
	switch {
	case err != nil:
		return err
	case atEnd:
		return p.eofError(start, "#_ without a value to discard")
	case isCloser(p.data[p.pos]):
		return p.errorAt(start, "#_ without a value to discard")
	}
	_, err = p.readValue()
	return err
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == ';':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' {
				p.pos++
			}
		case isSpace(c):
			p.pos++
		default:
			return
		}
	}
}

// readValue reads the value starting at p.pos, which is not whitespace.
func (p *parser) readValue() (Value, error) {
	switch c := p.data[p.pos]; c {
	case '(':
		return p.readList()
	case '[':
		return p.readVector()
	case '{':
		return p.readMap()
	case ')', ']', '}':
		return nil, p.errorAt(p.pos, fmt.Sprintf("unmatched delimiter %c", c))
	case '"':
		return p.readString()
	case '\\':
		return p.readChar()
	case ':':
		return p.readKeyword()
	case '#':
		return p.readDispatch()
	}
	return p.readAtom()
}

func (p *parser) enter(at int) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorAt(at, fmt.Sprintf("nesting deeper than %d", MaxDepth))
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// errorAt returns a SyntaxError at offset at; located fills in its line
// and column.
func (p *parser) errorAt(at int, msg string) error {
	return &SyntaxError{Offset: int64(at), Msg: msg}
}

// eofError is the error for input that ends inside the form started at
// offset at: more input may complete it unless the input is final.
func (p *parser) eofError(at int, msg string) error {
	if !p.final {
		return errNeedMore
	}
	return p.errorAt(at, msg)
}

// located fills in Line and Column of a SyntaxError from its offset.
func (p *parser) located(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) && se.Line == 0 {
		se.Line, se.Column = position(p.data[:se.Offset], 1, 1)
	}
	return err
}

// position returns the line and column just after prefix, given those of
// its start.
func position(prefix []byte, line, col int) (int, int) {
	if i := bytes.LastIndexByte(prefix, '\n'); i >= 0 {
		line += bytes.Count(prefix, []byte{'\n'})
		col, prefix = 1, prefix[i+1:]
	}
	return line, col + utf8.RuneCount(prefix)
}

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', ',':
		return true
	}
	return false
}

func isCloser(c byte) bool { return c == ')' || c == ']' || c == '}' }

// isDelimiter reports whether c ends a token (number, symbol, keyword,
// character name).
func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '[', ']', '{', '}', '"', ';', '\\':
		return true
	}
	return isSpace(c)
}
