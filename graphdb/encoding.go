package graphdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// TxEntry is the content of one transaction entry of a feed: the resolved
// datoms of the transaction, ready to be materialized. See the package
// documentation for the byte layout.
type TxEntry struct {
	// Migration marks an entry allowed to change declared schema
	// (value type, cardinality, uniqueness) of attributes.
	Migration bool
	// Feeds lists the other feeds whose entities the datoms reference: slot
	// k of an EID in Datoms means Feeds[k-1].
	Feeds []FeedKey
	// Datoms are applied in order. Their Tx is ignored: it is the position
	// of the entry in the feed. E (or a ref V) 0 means the transaction's own
	// entity.
	Datoms []Datom
}

const (
	entryMagic     = "stx"
	entryVersion   = 1
	flagMigration  = 1
	opAdded        = 0x80
	opKindMask     = 0x0f
	maxEntryFeeds  = maxSlot
	minDatomLength = 3 // op, eid, attr; the value may be empty
)

// ErrMalformed is wrapped by every decoding error caused by the bytes
// themselves (as opposed to a semantically invalid but well-formed entry).
var ErrMalformed = errors.New("malformed")

// EncodeTx returns the canonical encoding of e. It panics if e holds a value
// of an invalid kind or an EID whose slot is not in e.Feeds, which only
// programs that build entries by hand can do.
func EncodeTx(e *TxEntry) []byte {
	return AppendTx(make([]byte, 0, 16+32*len(e.Feeds)+16*len(e.Datoms)), e)
}

// AppendTx appends the encoding of e to dst.
func AppendTx(dst []byte, e *TxEntry) []byte {
	dst = append(dst, entryMagic...)
	dst = append(dst, entryVersion)
	var flags byte
	if e.Migration {
		flags |= flagMigration
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(e.Feeds)))
	for _, k := range e.Feeds {
		dst = append(dst, k[:]...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.Datoms)))
	for _, d := range e.Datoms {
		dst = appendEntryDatom(dst, d, len(e.Feeds))
	}
	return dst
}

func appendEntryDatom(dst []byte, d Datom, nfeeds int) []byte {
	op := byte(d.V.kind)
	if d.V.kind == KindInvalid || d.V.kind >= numKinds {
		panic(fmt.Sprintf("graphdb: encoding datom %v with invalid value", d))
	}
	if d.Added {
		op |= opAdded
	}
	a, ok := attrNum(d.A)
	if !ok {
		panic(fmt.Sprintf("graphdb: encoding datom %v: attribute is not in the db partition", d))
	}
	dst = append(dst, op)
	dst = appendEntryEID(dst, d.E, nfeeds)
	dst = binary.AppendUvarint(dst, uint64(a))
	return appendValue(dst, d.V, nfeeds)
}

func appendEntryEID(dst []byte, e EID, nfeeds int) []byte {
	if e != 0 && (e.Slot() > nfeeds || e.Part() > PartTx) {
		panic(fmt.Sprintf("graphdb: encoding EID %#x: slot or partition out of range", uint64(e)))
	}
	return binary.AppendUvarint(dst, uint64(e))
}

// appendValue appends the kind-specific encoding of v (without its kind).
func appendValue(dst []byte, v Value, nfeeds int) []byte {
	switch v.kind {
	case KindString, KindKeyword, KindBytes:
		dst = binary.AppendUvarint(dst, uint64(len(v.s)))
		return append(dst, v.s...)
	case KindUUID:
		return append(dst, v.s...)
	case KindLong, KindInstant:
		return binary.AppendVarint(dst, int64(v.n))
	case KindDouble:
		return binary.LittleEndian.AppendUint64(dst, v.n)
	case KindBool:
		return append(dst, byte(v.n))
	case KindRef:
		return appendEntryEID(dst, EID(v.n), nfeeds)
	}
	panic("graphdb: appendValue of invalid kind")
}

// DecodeTx decodes an entry produced by EncodeTx. It never panics; any
// input that EncodeTx would not produce is rejected with an error wrapping
// ErrMalformed, so DecodeTx then EncodeTx gives back the input bytes.
func DecodeTx(b []byte) (*TxEntry, error) {
	e := new(TxEntry)
	if err := decodeTx(b, e, false); err != nil {
		return nil, err
	}
	return e, nil
}

// decodeTx decodes b into e, reusing e's slices. With alias, string values
// point into b (valid only as long as b is unchanged).
func decodeTx(b []byte, e *TxEntry, alias bool) error {
	r := reader{b: b, alias: alias}
	if len(b) < len(entryMagic)+2 || string(b[:len(entryMagic)]) != entryMagic {
		return fmt.Errorf("graphdb: decoding transaction: missing %q header: %w", entryMagic, ErrMalformed)
	}
	r.off = len(entryMagic)
	if v := r.byte(); v != entryVersion {
		return fmt.Errorf("graphdb: decoding transaction: unknown version %d: %w", v, ErrMalformed)
	}
	flags := r.byte()
	if flags&^flagMigration != 0 {
		return fmt.Errorf("graphdb: decoding transaction: unknown flags %#x: %w", flags, ErrMalformed)
	}
	e.Migration = flags&flagMigration != 0
	nfeeds := r.count(32)
	e.Feeds = e.Feeds[:0]
	for range nfeeds {
		var k FeedKey
		copy(k[:], r.bytes(32))
		e.Feeds = append(e.Feeds, k)
	}
	n := r.count(minDatomLength)
	e.Datoms = e.Datoms[:0]
	for i := 0; i < n && r.err == nil; i++ {
		e.Datoms = append(e.Datoms, r.datom(nfeeds))
	}
	if r.err == nil && r.off != len(b) {
		r.fail("%d trailing bytes", len(b)-r.off)
	}
	if r.err != nil {
		return fmt.Errorf("graphdb: decoding transaction at byte %d: %w", r.off, r.err)
	}
	return nil
}

// reader decodes canonical varints and fixed fields; the first error sticks.
type reader struct {
	b     []byte
	off   int
	alias bool
	err   error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format+": %w", append(args, ErrMalformed)...)
	}
}

func (r *reader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.off < n {
		r.fail("unexpected end")
		return nil
	}
	r.off += n
	return r.b[r.off-n : r.off]
}

// uvarint reads a minimally encoded unsigned varint.
func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	if n > 1 && r.b[r.off+n-1] == 0 {
		r.fail("non-minimal varint")
		return 0
	}
	r.off += n
	return v
}

// count reads a length and checks that the rest of the input can hold that
// many items of at least size bytes each, so a forged count cannot make the
// decoder allocate more than the input justifies.
func (r *reader) count(size int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64((len(r.b)-r.off)/size) {
		r.fail("count %d exceeds the input", n)
		return 0
	}
	return int(n)
}

func (r *reader) string(n int) string {
	b := r.bytes(n)
	if r.alias && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

func (r *reader) eid(nfeeds int) EID {
	e := EID(r.uvarint())
	if e != 0 && (e.Slot() > nfeeds || e.Part() > PartTx) {
		r.fail("entity %#x: slot or partition out of range", uint64(e))
	}
	return e
}

func (r *reader) datom(nfeeds int) Datom {
	op := r.byte()
	kind := Kind(op & opKindMask)
	if op&^(opAdded|opKindMask) != 0 || kind == KindInvalid || kind >= numKinds {
		r.fail("bad datom op %#x", op)
		return Datom{}
	}
	d := Datom{Added: op&opAdded != 0}
	d.E = r.eid(nfeeds)
	a := r.uvarint()
	if r.err == nil && (a == 0 || a > maxAttr) {
		r.fail("attribute %d out of range", a)
	}
	d.A = attrEID(uint32(a))
	d.V = r.value(kind, nfeeds)
	return d
}

func (r *reader) value(kind Kind, nfeeds int) Value {
	v := Value{kind: kind}
	switch kind {
	case KindString, KindBytes:
		v.s = r.string(r.count(1))
	case KindKeyword:
		v.s = r.string(r.count(1))
		if r.err == nil && !validKeyword(v.s) {
			r.fail("bad keyword %q", v.s)
		}
	case KindUUID:
		v.s = r.string(16)
	case KindLong, KindInstant:
		v.n = r.varint()
	case KindDouble:
		if b := r.bytes(8); b != nil {
			v.n = binary.LittleEndian.Uint64(b)
		}
	case KindBool:
		v.n = uint64(r.byte())
		if v.n > 1 {
			r.fail("bad boolean %d", v.n)
		}
	case KindRef:
		v.n = uint64(r.eid(nfeeds))
	}
	return v
}

// varint reads a zigzag varint in its minimal form.
func (r *reader) varint() uint64 {
	u := r.uvarint()
	return uint64(int64(u>>1) ^ -int64(u&1))
}

// validKeyword reports whether s is a keyword text: a colon and a name.
func validKeyword(s string) bool { return len(s) >= 2 && s[0] == ':' }
