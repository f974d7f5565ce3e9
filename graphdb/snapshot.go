package graphdb

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Snapshot file format, version 1. A snapshot holds the EAVT index with its
// history (every entity's current and past datoms); the other indices are
// derived from it when the snapshot is read, which costs a fraction of
// replaying the transactions. Integers are minimal varints as in the entry
// encoding; values are encoded as in entries (refs as raw EIDs).
//
//	snapshot = "stelegdb" version:0x01 header entities trailer
//	header   = self:32 basis nextUser nextIdent
//	           nfeeds feed:32*  ninvalid (pos reasonLen reason)*
//	entities = nentities (eid ncells cell* nspans span*)*  by increasing eid
//	cell     = attr kind:byte tx value            tx: stored (position + 1)
//	span     = attr kind:byte from to value      asserted at from, retracted at to
//	trailer  = SHA-256 of everything before it
//
// Cells are in EAVT order (attribute, then value), spans in the order the
// database keeps them (attribute, retraction, value); the bootstrap schema
// (stored tx 0) is not written.

const (
	snapshotMagic   = "stelegdb"
	snapshotVersion = 1
)

// ErrCorrupt wraps errors of snapshots that do not check out.
var ErrCorrupt = errors.New("corrupt snapshot")

// WriteSnapshot writes the current state of db (with history) to w.
func WriteSnapshot(w io.Writer, db *DB) error {
	db = db.Current()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<16)
	var buf []byte
	flush := func() error {
		_, err := bw.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendUvarint(buf, snapshotVersion)
	buf = append(buf, db.self[:]...)
	for _, n := range []uint64{uint64(db.basis), db.nextUser, db.nextIdent, uint64(len(db.feeds))} {
		buf = binary.AppendUvarint(buf, n)
	}
	for _, k := range db.feeds {
		buf = append(buf, k[:]...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(db.invalid)))
	for _, inv := range db.invalid {
		buf = binary.AppendUvarint(buf, uint64(inv.Pos))
		buf = binary.AppendUvarint(buf, uint64(len(inv.Reason)))
		buf = append(buf, inv.Reason...)
	}
	var ents []EID
	db.ents.ascend(0, func(k uint64, en *entity) bool {
		if !en.bootstrapOnly() {
			ents = append(ents, EID(k))
		}
		return true
	})
	buf = binary.AppendUvarint(buf, uint64(len(ents)))
	o := db.ops()
	for _, e := range ents {
		buf = appendSnapshotEntity(buf, o, e, db.entity(e))
		if len(buf) > 1<<15 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
	return err
}

// bootstrapOnly reports whether the entity holds only bootstrap datoms.
func (en *entity) bootstrapOnly() bool {
	if en.hist != nil && en.hist.spans.len() > 0 {
		return false
	}
	only := true
	en.cells.each(func(c cell) bool {
		only = c.t == 0
		return only
	})
	return only
}

func appendSnapshotEntity(buf []byte, o valueOps, e EID, en *entity) []byte {
	buf = binary.AppendUvarint(buf, uint64(e))
	n := 0
	en.cells.each(func(c cell) bool {
		if c.t != 0 {
			n++
		}
		return true
	})
	buf = binary.AppendUvarint(buf, uint64(n))
	en.cells.each(func(c cell) bool {
		if c.t != 0 {
			buf = binary.AppendUvarint(buf, uint64(c.attr()))
			buf = append(buf, byte(c.kind()))
			buf = binary.AppendUvarint(buf, uint64(c.t))
			buf = appendValue(buf, o.cellValue(en, c), maxSlot)
		}
		return true
	})
	var spans pseq[span]
	if en.hist != nil {
		spans = en.hist.spans
	}
	buf = binary.AppendUvarint(buf, uint64(spans.len()))
	spans.each(func(s span) bool {
		buf = binary.AppendUvarint(buf, uint64(s.attr()))
		buf = append(buf, byte(s.kind()))
		buf = binary.AppendUvarint(buf, uint64(s.from))
		buf = binary.AppendUvarint(buf, uint64(s.to))
		buf = appendValue(buf, o.value(s.kind(), s.v), maxSlot)
		return true
	})
	return buf
}

// ReadSnapshot reads a snapshot written by WriteSnapshot for the feed self.
// It fails with an error wrapping ErrCorrupt for damaged input; the caller
// then rebuilds the database from the feed.
func ReadSnapshot(r io.Reader, self FeedKey) (*DB, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("graphdb: reading snapshot: %w", err)
	}
	if len(b) < sha256.Size {
		return nil, fmt.Errorf("graphdb: snapshot too short: %w", ErrCorrupt)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("graphdb: snapshot checksum mismatch: %w", ErrCorrupt)
	}
	db, err := parseSnapshot(body)
	if err != nil {
		return nil, err
	}
	if db.self != self {
		return nil, fmt.Errorf("graphdb: snapshot is of feed %s, not %s", db.self, self)
	}
	return db, nil
}

// parseSnapshot decodes a snapshot body (without its trailer).
func parseSnapshot(b []byte) (*DB, error) {
	r := reader{b: b, alias: true}
	if !bytes.HasPrefix(b, []byte(snapshotMagic)) {
		return nil, fmt.Errorf("graphdb: not a snapshot: %w", ErrCorrupt)
	}
	r.off = len(snapshotMagic)
	if v := r.uvarint(); v != snapshotVersion {
		return nil, fmt.Errorf("graphdb: snapshot version %d not supported: %w", v, ErrCorrupt)
	}
	var self FeedKey
	copy(self[:], r.bytes(32))
	db := NewDB(self)
	basis, nextUser, nextIdent := r.uvarint(), r.uvarint(), r.uvarint()
	if r.err == nil && (basis >= 1<<32-1 || nextUser > localMask+1 || nextIdent > maxAttr+1) {
		r.fail("header out of range")
	}
	db.basis, db.nextUser, db.nextIdent = int64(basis), nextUser, nextIdent
	nfeeds := r.count(32)
	if nfeeds > maxSlot {
		r.fail("too many feeds")
	}
	for range nfeeds {
		var k FeedKey
		copy(k[:], r.bytes(32))
		db.feeds = append(db.feeds, k)
	}
	ninvalid := r.count(2)
	for range ninvalid {
		pos := r.uvarint()
		db.invalid = append(db.invalid, InvalidEntry{Pos: int64(pos), Reason: string(r.bytes(r.count(1)))})
	}
	if r.err != nil {
		return nil, fmt.Errorf("graphdb: snapshot header: %w", errors.Join(r.err, ErrCorrupt))
	}
	l := newLoader(db)
	if err := l.entities(&r); err != nil {
		return nil, fmt.Errorf("graphdb: snapshot at byte %d: %w", r.off, errors.Join(err, ErrCorrupt))
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("graphdb: snapshot has %d trailing bytes: %w", len(b)-r.off, ErrCorrupt)
	}
	return l.finish()
}
