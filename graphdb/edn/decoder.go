package edn

import (
	"errors"
	"io"
)

// Decoder reads a stream of EDN values from an io.Reader, such as a file
// of many transactions. It buffers only the value being read, and returns
// each value as soon as its text is complete, without waiting for more
// input, so it serves interactive streams too. A value cut off at the end
// of the buffer is parsed again from its start once more input holds a
// byte that can end it (see boundary), so slow readers delivering a large
// value a few bytes at a time do not make decoding quadratic. Limit the
// size of hostile input with io.LimitReader.
type Decoder struct {
	r      io.Reader
	buf    []byte
	start  int  // offset in buf of the first unread byte
	eof    bool // r has returned io.EOF
	p      parser
	bound  boundary
	offset int64 // input offset of buf[start]
	line   int   // line and column of buf[start]
	column int
}

const decoderBufSize = 32 << 10

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, line: 1, column: 1}
}

// Decode returns the next value of the stream, or io.EOF when only
// whitespace, comments and discards remain. A syntax error is a
// *SyntaxError with its place in the whole stream; errors of the reader
// are returned as they are. After an error the Decoder is not usable.
func (d *Decoder) Decode() (Value, error) {
	for {
		d.p.data, d.p.pos, d.p.final = d.buf[d.start:], 0, d.eof
		v, err := d.p.readTop()
		switch {
		case err == nil:
			d.consume(d.p.pos)
			return v, nil
		case err == errNeedMore:
			if err := d.fillUntilEnd(); err != nil {
				return nil, err
			}
		case err == io.EOF:
			return nil, io.EOF
		default:
			return nil, d.locate(err)
		}
	}
}

// InputOffset returns the input offset just past the last value read.
func (d *Decoder) InputOffset() int64 { return d.offset }

// fillUntilEnd reads until the input ends or the bytes read may end the
// value the parser could not finish.
func (d *Decoder) fillUntilEnd() error {
	d.bound.scan(d.buf[d.start:])
	d.bound.mayEnd = false // what was there did not suffice
	for !d.eof && !d.bound.mayEnd {
		if err := d.fill(); err != nil {
			return err
		}
		d.bound.scan(d.buf[d.start:])
	}
	return nil
}

func (d *Decoder) consume(n int) {
	d.bound = boundary{}
	consumed := d.buf[d.start : d.start+n]
	d.line, d.column = position(consumed, d.line, d.column)
	d.offset += int64(n)
	d.start += n
}

// fill reads more input, first moving the unread bytes to the front of the
// buffer and doubling it if they fill it.
func (d *Decoder) fill() error {
	if d.eof {
		return errors.New("edn: internal error: parser wants more after EOF")
	}
	unread := len(d.buf) - d.start
	if d.start > 0 {
		copy(d.buf, d.buf[d.start:])
		d.buf, d.start = d.buf[:unread], 0
	}
	if unread == cap(d.buf) {
		grown := make([]byte, unread, max(2*cap(d.buf), decoderBufSize))
		copy(grown, d.buf)
		d.buf = grown
	}
	n, err := d.r.Read(d.buf[unread:cap(d.buf)])
	d.buf = d.buf[:unread+n]
	switch {
	case err == io.EOF:
		d.eof = true
	case err != nil:
		return err
	}
	return nil
}

// locate places a SyntaxError in the whole stream.
func (d *Decoder) locate(err error) error {
	var se *SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	se.Line, se.Column = position(d.buf[d.start:d.start+int(se.Offset)], d.line, d.column)
	se.Offset += d.offset
	return err
}

// boundary follows the nesting of brackets, strings, comments and
// character literals of the input after the last value read, to tell when
// a byte arrives that may complete the next value: a closing bracket back
// at depth 0, the closing quote of a top-level string, or a delimiter
// after a top-level token. A value whose text ends can only end on such a
// byte, so parsing before one arrives would be in vain.
type boundary struct {
	scanned   int // bytes scanned, from the start of the unread input
	depth     int
	inString  bool
	escape    bool // in a string, after a backslash
	inComment bool
	charNext  bool // after the backslash of a character literal
	mayEnd    bool
}

func (b *boundary) scan(data []byte) {
	for _, c := range data[b.scanned:] {
		b.step(c)
	}
	b.scanned = len(data)
}

func (b *boundary) step(c byte) {
	switch {
	case b.inString:
		switch {
		case b.escape:
			b.escape = false
		case c == '\\':
			b.escape = true
		case c == '"':
			b.inString = false
			b.mark()
		}
	case b.inComment:
		if c == '\n' {
			b.inComment = false
			b.mark()
		}
	case b.charNext:
		b.charNext = false
		b.mark()
	default:
		b.stepCode(c)
	}
}

func (b *boundary) stepCode(c byte) {
	switch c {
	case '"':
		b.inString = true
	case ';':
		b.inComment = true
	case '\\':
		b.charNext = true
	case '(', '[', '{':
		b.mark()
		b.depth++
		return
	case ')', ']', '}':
		b.depth--
	default:
		if !isSpace(c) {
			return
		}
	}
	b.mark()
}

func (b *boundary) mark() {
	if b.depth <= 0 {
		b.mayEnd = true
	}
}
