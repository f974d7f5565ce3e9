package graphdb

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// Log is what the materializer reads from a feed: its verified entries by
// position. *feed.Feed satisfies it.
type Log interface {
	// Len is the number of entries, positions [0, Len()).
	Len() int64
	// Scan calls fn for each entry of [lo, hi) in order, stopping at the
	// first error; entry is valid only during the call.
	Scan(lo, hi int64, fn func(pos int64, entry []byte) error) error
}

// Materializer turns the verified entries of one feed, in order, into
// database versions. It is a state machine without goroutines or I/O: its
// owner feeds it entries (Apply, CatchUp) and locally transacted reports
// (Commit) from one goroutine, while any goroutine may read DB().
//
// An entry that arrives ahead of its predecessors waits until the gap is
// filled (Missing tells which range to fetch). An entry that decodes but
// breaks the database's rules is skipped: its position still counts as a
// version, the database does not change, and the skip is reported (in the
// Report's Invalid field and by DB.Invalid), the same way on every replica.
type Materializer struct {
	db           atomic.Pointer[DB]
	pending      map[int64][]byte
	pendingBytes int
}

// Limits on entries held while waiting for a gap to be filled; entries past
// them are dropped and must be offered again.
const (
	maxPendingEntries = 1 << 16
	maxPendingBytes   = 256 << 20
)

// ErrStale is returned by Commit for a report not built on the current
// database.
var ErrStale = errors.New("graphdb: report is not based on the materializer's current database")

// NewMaterializer starts from db (NewDB for a new feed, or a database read
// from a snapshot), which must not be time-filtered.
func NewMaterializer(db *DB) *Materializer {
	m := &Materializer{pending: map[int64][]byte{}}
	m.db.Store(db.Current())
	return m
}

// DB returns the latest database. It is safe to call from any goroutine.
func (m *Materializer) DB() *DB { return m.db.Load() }

// Next is the position of the next entry to apply: the basis of DB().
func (m *Materializer) Next() int64 { return m.DB().basis }

// Missing returns the range [lo, hi) of entries that the materializer
// waits for before it can apply the ones it holds; ok is false if none.
func (m *Materializer) Missing() (lo, hi int64, ok bool) {
	if len(m.pending) == 0 {
		return 0, 0, false
	}
	next := m.Next()
	hi = -1
	for pos := range m.pending {
		if hi < 0 || pos < hi {
			hi = pos
		}
	}
	return next, hi, true
}

// Apply offers the verified entry at feed position pos. It returns the
// reports of every entry it applied (this one and waiting successors), in
// order; an entry already applied is ignored. entry may be reused after
// the call.
func (m *Materializer) Apply(pos int64, entry []byte) []*Report {
	next := m.Next()
	switch {
	case pos < next:
		return nil
	case pos > next:
		if _, dup := m.pending[pos]; !dup && len(m.pending) < maxPendingEntries && m.pendingBytes+len(entry) <= maxPendingBytes {
			m.pending[pos] = append([]byte(nil), entry...)
			m.pendingBytes += len(entry)
		}
		return nil
	}
	reports := []*Report{m.applyOne(pos, entry)}
	return m.drain(reports)
}

// drain applies the waiting entries that have become contiguous.
func (m *Materializer) drain(reports []*Report) []*Report {
	for {
		next := m.Next()
		entry, ok := m.pending[next]
		if !ok {
			return reports
		}
		delete(m.pending, next)
		m.pendingBytes -= len(entry)
		reports = append(reports, m.applyOne(next, entry))
	}
}

func (m *Materializer) applyOne(pos int64, entry []byte) *Report {
	db := m.DB()
	r, err := db.ApplyTx(pos, entry)
	if err != nil {
		r = &Report{Tx: pos, Before: db, After: db.skip(pos, err), Invalid: err}
	}
	m.db.Store(r.After)
	return r
}

// Commit adopts the report of a transaction built on DB() (DB.Transact)
// whose entry the caller appended to the feed at position r.Tx, without
// applying the entry again.
func (m *Materializer) Commit(r *Report) ([]*Report, error) {
	if r.Before != m.DB() || r.Tx != m.Next() || r.Invalid != nil {
		return nil, ErrStale
	}
	m.db.Store(r.After)
	return m.drain([]*Report{r}), nil
}

// CatchUp applies the entries of log from Next() to its end.
func (m *Materializer) CatchUp(log Log) ([]*Report, error) {
	var reports []*Report
	err := log.Scan(m.Next(), log.Len(), func(pos int64, entry []byte) error {
		reports = append(reports, m.Apply(pos, entry)...)
		return nil
	})
	if err != nil {
		return reports, fmt.Errorf("graphdb: catching up: %w", err)
	}
	return reports, nil
}

// InvalidEntry is an entry that was skipped because it breaks the
// database's rules.
type InvalidEntry struct {
	Pos    int64
	Reason string
}

// Invalid lists the skipped entries, by position.
func (db *DB) Invalid() []InvalidEntry { return db.invalid }

// skip returns the version after an invalid entry at pos: the same state,
// with the position counted.
func (db *DB) skip(pos int64, err error) *DB {
	c := db.Current()
	c.basis = pos + 1
	c.invalid = append(c.invalid[:len(c.invalid):len(c.invalid)], InvalidEntry{Pos: pos, Reason: err.Error()})
	return c
}
