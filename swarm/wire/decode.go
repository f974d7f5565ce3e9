package wire

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/steledb/stele/merkle"
)

// ErrMalformed is wrapped by every error Unmarshal and ReadMsg return for
// bytes that are not a valid message (as opposed to I/O errors).
var ErrMalformed = errors.New("malformed message")

// Unmarshal decodes one message. Its bytes fields alias b.
func Unmarshal(b []byte) (Message, error) {
	var body Message
	err := walk(b, "message", func(f field) error {
		if f.num < fieldHello || f.num > fieldPing {
			return nil // unknown field: skipped, as protobuf does
		}
		if err := f.want(protowire.BytesType); err != nil {
			return err
		}
		if body != nil {
			return malformed("message: more than one body (%s and field %d)", Name(body), f.num)
		}
		m, err := unmarshalBody(int(f.num), f.val)
		body = m
		return err
	})
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, malformed("message: no body")
	}
	return body, nil
}

func unmarshalBody(num int, b []byte) (Message, error) {
	var m interface {
		Message
		unmarshal(field) error
	}
	switch num {
	case fieldHello:
		m = new(Hello)
	case fieldHelloAck:
		m = new(HelloAck)
	case fieldStatus:
		m = new(Status)
	case fieldHave:
		m = new(Have)
	case fieldRequest:
		m = new(Request)
	case fieldData:
		m = new(Data)
	case fieldError:
		m = new(Error)
	case fieldCheckpoint:
		m = new(Checkpoint)
	case fieldFork:
		m = new(Fork)
	case fieldCancel:
		m = new(Cancel)
	default:
		m = new(Ping)
	}
	name := bodyNames[num]
	if err := walk(b, name, m.unmarshal); err != nil {
		return nil, err
	}
	if err := requireFields(b, name, requiredFields[num]...); err != nil {
		return nil, err
	}
	return m, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// A field is one decoded protobuf field: its number and wire type, and its
// value (v for varints, val for length-delimited fields).
type field struct {
	msg string
	num protowire.Number
	typ protowire.Type
	v   uint64
	val []byte
}

func (f field) want(typ protowire.Type) error {
	if f.typ != typ {
		return malformed("%s: field %d has wire type %d, want %d", f.msg, f.num, f.typ, typ)
	}
	return nil
}

// walk calls fn for every field of the encoded message b, in order.
func walk(b []byte, msg string, fn func(field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return malformed("%s: bad field tag: %v", msg, protowire.ParseError(n))
		}
		b = b[n:]
		f := field{msg: msg, num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			f.v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			f.val, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return malformed("%s: field %d: %v", msg, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// Typed field readers: each checks the wire type and the value's range.

func (f field) uint() (uint64, error) {
	return f.v, f.want(protowire.VarintType)
}

// index reads a size or entry index: at most merkle.MaxTreeSize.
func (f field) index() (int64, error) {
	if err := f.want(protowire.VarintType); err != nil {
		return 0, err
	}
	if f.v > merkle.MaxTreeSize {
		return 0, malformed("%s: field %d: %d exceeds the largest tree size", f.msg, f.num, f.v)
	}
	return int64(f.v), nil
}

func (f field) bytes() ([]byte, error) {
	return f.val, f.want(protowire.BytesType)
}

func (f field) hash(dst []byte) error {
	if err := f.want(protowire.BytesType); err != nil {
		return err
	}
	if len(f.val) != merkle.HashSize {
		return malformed("%s: field %d: hash of %d bytes, want 32", f.msg, f.num, len(f.val))
	}
	copy(dst, f.val)
	return nil
}

func (f field) appendHash(hs []merkle.Hash) ([]merkle.Hash, error) {
	if len(hs) == MaxHashes {
		return hs, malformed("%s: field %d: more than %d hashes", f.msg, f.num, MaxHashes)
	}
	var h merkle.Hash
	err := f.hash(h[:])
	return append(hs, h), err
}

func (f field) appendRange(rs []Range) ([]Range, error) {
	if err := f.want(protowire.BytesType); err != nil {
		return rs, err
	}
	if len(rs) == MaxRanges {
		return rs, malformed("%s: more than %d ranges", f.msg, MaxRanges)
	}
	var r Range
	err := walk(f.val, f.msg+".range", func(g field) error {
		var err error
		switch g.num {
		case 1:
			r.Lo, err = g.index()
		case 2:
			r.Hi, err = g.index()
		}
		return err
	})
	return append(rs, r), err
}

// Per-body decoders: called once per field of the body.

func (m *Hello) unmarshal(f field) error {
	switch f.num {
	case 1:
		return f.hash(m.DiscoveryID[:])
	case 2:
		return f.hash(m.Capability[:])
	case 3:
		var err error
		m.Latest, err = f.index()
		return err
	}
	return nil
}

func (m *HelloAck) unmarshal(f field) error {
	switch f.num {
	case 1:
		return f.hash(m.Capability[:])
	case 2:
		var err error
		m.Latest, err = f.index()
		return err
	}
	return nil
}

func (m *Status) unmarshal(f field) (err error) {
	switch f.num {
	case 1:
		m.Checkpoint, err = f.bytes()
	case 2:
		m.Proof, err = f.appendHash(m.Proof)
	case 3:
		m.Ranges, err = f.appendRange(m.Ranges)
	}
	return err
}

func (m *Have) unmarshal(f field) (err error) {
	if f.num == 1 {
		m.Ranges, err = f.appendRange(m.Ranges)
	}
	return err
}

func (m *Request) unmarshal(f field) (err error) {
	switch f.num {
	case 1:
		m.ID, err = f.uint()
	case 2:
		m.Lo, err = f.index()
	case 3:
		m.Hi, err = f.index()
	case 4:
		m.Size, err = f.index()
	}
	return err
}

func (m *Data) unmarshal(f field) (err error) {
	switch f.num {
	case 1:
		m.ID, err = f.uint()
	case 2:
		m.Lo, err = f.index()
	case 3:
		m.Size, err = f.index()
	case 4:
		m.Left, err = f.appendHash(m.Left)
	case 5:
		m.Right, err = f.appendHash(m.Right)
	case 6:
		var e []byte
		e, err = f.bytes()
		m.Entries = append(m.Entries, e)
	}
	return err
}

func (m *Error) unmarshal(f field) (err error) {
	switch f.num {
	case 1:
		m.ID, err = f.uint()
	case 2:
		var c uint64
		c, err = f.uint()
		if err == nil && c > math.MaxUint32 {
			return malformed("error: code %d does not fit in uint32", c)
		}
		m.Code = ErrorCode(c)
	case 3:
		var s []byte
		if s, err = f.bytes(); err == nil && !utf8.Valid(s) {
			return malformed("error: message is not UTF-8")
		}
		m.Message = string(s)
	}
	return err
}

func (m *Checkpoint) unmarshal(f field) (err error) {
	switch f.num {
	case 1:
		m.Checkpoint, err = f.bytes()
	case 2:
		m.Proof, err = f.appendHash(m.Proof)
	case 3:
		m.From, err = f.index()
	}
	return err
}

func (m *Fork) unmarshal(f field) (err error) {
	if f.num == 1 {
		m.Evidence, err = f.bytes()
	}
	return err
}

func (m *Cancel) unmarshal(f field) (err error) {
	if f.num == 1 {
		m.ID, err = f.uint()
	}
	return err
}

func (*Ping) unmarshal(field) error { return nil }

// requiredFields lists, per body, the fields that must be present: a Hello
// without its discovery ID or capability is malformed, not zero.
var requiredFields = map[int][]protowire.Number{
	fieldHello:    {1, 2},
	fieldHelloAck: {1},
}

func requireFields(b []byte, msg string, nums ...protowire.Number) error {
	for _, num := range nums {
		seen := false
		walk(b, msg, func(f field) error {
			seen = seen || f.num == num
			return nil
		})
		if !seen {
			return malformed("%s: required field %d missing", msg, num)
		}
	}
	return nil
}
