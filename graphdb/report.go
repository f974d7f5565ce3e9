package graphdb

import (
	"fmt"
	"slices"
)

// Report is the outcome of one transaction: what it changed, and the
// database before and after.
type Report struct {
	Tx      int64 // feed position of the transaction
	Before  *DB
	After   *DB
	TempIDs map[TempID]EID // the caller's tempids; nil for entries from a feed
	// Datoms are the datoms of the transaction in entry order (retractions
	// of an entity and attribute before its assertions). Their strings
	// share the database's memory.
	Datoms []Datom
	// Attrs is the sorted set of attributes the transaction touched, so a
	// live query can tell cheaply whether the transaction can affect it.
	Attrs []EID
	// Entry is the encoded transaction, for the transactor to append to the
	// feed at position Tx; nil for reports of entries read from a feed.
	Entry []byte
	// Invalid is set when the entry at Tx was skipped: it does not decode or
	// breaks the database's rules. The report then has no datoms and After
	// is Before with the position counted.
	Invalid error
}

// ApplyTx materializes the transaction entry at feed position pos (which
// must be db.Basis()). It fails for an entry that does not decode, or that
// breaks the database's rules (see the package documentation); the
// materializer then skips it. entry may be reused after the call.
func (db *DB) ApplyTx(pos int64, entry []byte) (*Report, error) {
	var e TxEntry
	if err := decodeTx(entry, &e, true); err != nil {
		return nil, fmt.Errorf("graphdb: entry %d: %w", pos, err)
	}
	r, err := db.applyEntry(pos, &e)
	if err != nil {
		return nil, fmt.Errorf("graphdb: entry %d: %w", pos, err)
	}
	return r, nil
}

// applyEntry maps the entry's feed list to database slots and applies it.
// It consumes e: its datoms become the report's.
func (db *DB) applyEntry(pos int64, e *TxEntry) (*Report, error) {
	slotOf := make([]int, len(e.Feeds)+1)
	var newFeeds []FeedKey
	for i, k := range e.Feeds {
		s, ok := db.FeedSlot(k)
		if !ok {
			if j := slices.Index(newFeeds, k); j >= 0 {
				s = len(db.feeds) + j + 1
			} else {
				newFeeds = append(newFeeds, k)
				s = len(db.feeds) + len(newFeeds)
			}
		}
		if s > maxSlot {
			return nil, fmt.Errorf("graphdb: transaction references more than %d feeds", maxSlot)
		}
		slotOf[i+1] = s
	}
	tx := TxEID(pos)
	local := func(x EID) EID {
		if x == 0 {
			return tx
		}
		return x.withSlot(slotOf[x.Slot()])
	}
	// The datoms are renumbered in place: the entry is the caller's own
	// decoded or freshly resolved (and already encoded) copy.
	datoms := e.Datoms
	for i := range datoms {
		d := &datoms[i]
		d.E, d.Tx = local(d.E), pos
		if d.V.kind == KindRef {
			d.V.n = uint64(local(d.V.Ref()))
		}
	}
	after, applied, err := db.applyDatoms(pos, datoms, newFeeds, e.Migration)
	if err != nil {
		return nil, err
	}
	return &Report{Tx: pos, Before: db, After: after, Datoms: applied, Attrs: touchedAttrs(applied)}, nil
}

func touchedAttrs(ds []Datom) []EID {
	attrs := make([]EID, 0, 16)
	last := EID(0)
	for _, d := range ds {
		if d.A == last {
			continue
		}
		last = d.A
		if i, found := slices.BinarySearch(attrs, d.A); !found {
			attrs = slices.Insert(attrs, i, d.A)
		}
	}
	return attrs
}
