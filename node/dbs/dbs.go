// Package dbs keeps the graph databases of a node's feeds: for each feed
// whose entries are transactions, a graphdb materializer kept level with
// the feed, its snapshot on disk so that a restart does not replay the
// feed, and, for feeds the node authors, the transactor that turns tx-data
// into appended entries.
//
// Snapshots live in the repo's graphs directory, one file per feed named
// by its address (graphdb.SaveSnapshot writes them atomically). A snapshot
// is only a cache: one that is missing, corrupt, or ahead of its feed is
// ignored and the database rebuilt from the feed.
package dbs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/graphdb"
)

// snapshotEvery is how many entries a database may advance past its last
// snapshot before the next catch-up writes a new one.
const snapshotEvery = 10_000

// A Manager holds the databases of one feed store.
type Manager struct {
	store *feed.Store
	dir   string
	now   func() time.Time

	mu  sync.Mutex
	dbs map[crypto.PublicKey]*Database
}

// New returns a manager keeping snapshots in dir; now stamps transactions
// (:db/txInstant).
func New(store *feed.Store, dir string, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{store: store, dir: dir, now: now, dbs: map[crypto.PublicKey]*Database{}}
}

// A Database is the materialized graph of one feed.
type Database struct {
	m    *Manager
	feed *feed.Feed

	mu       sync.Mutex // serialises catch-up and transactions
	mat      *graphdb.Materializer
	snapshot int64             // basis of the snapshot on disk
	recent   []*graphdb.Report // the latest reports, oldest first, for live queries
}

// keepReports is how many recent transaction reports a database keeps
// for live queries that fall behind.
const keepReports = 1024

func (d *Database) remember(rs ...*graphdb.Report) {
	d.recent = append(d.recent, rs...)
	if over := len(d.recent) - keepReports; over > 0 {
		d.recent = append(d.recent[:0:0], d.recent[over:]...)
	}
}

// ReportsSince catches up with the feed and returns the reports of the
// transactions at positions >= pos that it still keeps, in order (local
// transactions and replicated ones alike). A live query that fell further
// behind gets the later ones only, and re-runs (query.Live sees the gap).
func (d *Database) ReportsSince(pos int64) ([]*graphdb.Report, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.catchUpLocked(); err != nil {
		return nil, err
	}
	var out []*graphdb.Report
	for _, r := range d.recent {
		if r.Tx >= pos {
			out = append(out, r)
		}
	}
	return out, nil
}

// Open returns the database of f, loading its snapshot if it has one and
// catching up with the feed.
func (m *Manager) Open(f *feed.Feed) (*Database, error) {
	m.mu.Lock()
	d, ok := m.dbs[f.PublicKey()]
	if !ok {
		d = &Database{m: m, feed: f, mat: graphdb.NewMaterializer(m.load(f))}
		d.snapshot = d.mat.Next()
		m.dbs[f.PublicKey()] = d
	}
	m.mu.Unlock()
	if _, err := d.CatchUp(); err != nil {
		return nil, err
	}
	return d, nil
}

func (m *Manager) path(f *feed.Feed) string {
	return filepath.Join(m.dir, f.Address()+".snapshot")
}

// load reads f's snapshot, or starts an empty database.
func (m *Manager) load(f *feed.Feed) *graphdb.DB {
	self := graphdb.FeedKey(f.PublicKey())
	db, err := graphdb.LoadSnapshot(m.path(f), self)
	if err != nil || db.Basis() > f.Len() {
		return graphdb.NewDB(self)
	}
	return db
}

// Feed returns the database's feed.
func (d *Database) Feed() *feed.Feed { return d.feed }

// CatchUp applies the feed's entries the database has not seen, and
// returns the latest version with the reports of what was applied.
func (d *Database) CatchUp() ([]*graphdb.Report, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.catchUpLocked()
}

func (d *Database) catchUpLocked() ([]*graphdb.Report, error) {
	held := d.feed.Ranges()
	next := d.mat.Next()
	// Only the contiguous prefix held from the database's position on can
	// be applied; a sparse replica waits for the gap.
	end := next
	for _, r := range held {
		if r.Lo <= next && r.Hi > next {
			end = r.Hi
		}
	}
	var reports []*graphdb.Report
	err := d.feed.Scan(next, end, func(pos int64, entry []byte) error {
		reports = append(reports, d.mat.Apply(pos, entry)...)
		return nil
	})
	d.remember(reports...)
	if err != nil {
		return reports, fmt.Errorf("database of %s: %w", d.feed.Address(), err)
	}
	if d.mat.Next()-d.snapshot >= snapshotEvery {
		d.saveLocked()
	}
	return reports, nil
}

// DB returns the latest database (after catching up with the feed).
func (d *Database) DB() (*graphdb.DB, error) {
	if _, err := d.CatchUp(); err != nil {
		return nil, err
	}
	return d.mat.DB(), nil
}

// Transact appends a transaction to an authored feed: it resolves ops
// against the latest database, adds :db/txInstant unless ops set it,
// appends the encoded entry (durably, signed) and returns the report.
func (d *Database) Transact(ops []graphdb.Op) (*graphdb.Report, error) {
	return d.transact(ops, false)
}

// Migrate is Transact for a transaction that changes declared attributes
// (value type, cardinality, uniqueness): the change is checked against the
// existing data (graphdb.DB.Migrate) and marked as a migration.
func (d *Database) Migrate(ops []graphdb.Op) (*graphdb.Report, error) {
	return d.transact(ops, true)
}

func (d *Database) transact(ops []graphdb.Op, migration bool) (*graphdb.Report, error) {
	if !d.feed.IsAuthor() {
		return nil, fmt.Errorf("transact on %s: %w", d.feed.Address(), feed.ErrNotAuthor)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.catchUpLocked(); err != nil {
		return nil, err
	}
	db := d.mat.DB()
	if db.Basis() != d.feed.Len() {
		return nil, fmt.Errorf("transact on %s: the database is at version %d but the feed has %d entries", d.feed.Address(), db.Basis(), d.feed.Len())
	}
	if !setsTxInstant(ops) {
		ops = append(ops, graphdb.Add{E: graphdb.TxEntity, A: ":db/txInstant", V: d.m.now().UTC()})
	}
	transact := db.Transact
	if migration {
		transact = db.Migrate
	}
	r, err := transact(ops)
	if err != nil {
		return nil, err
	}
	appended, err := d.feed.Append(r.Entry)
	if err != nil {
		return nil, fmt.Errorf("transact on %s: %w", d.feed.Address(), err)
	}
	if appended.Lo != r.Tx {
		// Someone appended to the feed behind the transactor's back.
		return nil, fmt.Errorf("transact on %s: the entry landed at %d, not %d: another writer appended to the feed", d.feed.Address(), appended.Lo, r.Tx)
	}
	drained, err := d.mat.Commit(r)
	if err != nil {
		return nil, err
	}
	d.remember(drained...)
	return r, nil
}

func setsTxInstant(ops []graphdb.Op) bool {
	for _, op := range ops {
		switch op := op.(type) {
		case graphdb.Add:
			if op.E == graphdb.TxEntity && op.A == ":db/txInstant" {
				return true
			}
		case graphdb.Entity:
			if _, ok := op[":db/txInstant"]; ok && op[":db/id"] == graphdb.TxEntity {
				return true
			}
		}
	}
	return false
}

// saveLocked writes the snapshot; failures only cost a longer catch-up
// next time, so they are not errors.
func (d *Database) saveLocked() {
	db := d.mat.DB()
	if db.Basis() == d.snapshot {
		return
	}
	if err := os.MkdirAll(d.m.dir, 0o700); err != nil {
		return
	}
	if err := graphdb.SaveSnapshot(d.m.path(d.feed), db); err == nil {
		d.snapshot = db.Basis()
	}
}

// Close writes the snapshots of every database that advanced since its
// last one.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.dbs {
		d.mu.Lock()
		d.saveLocked()
		d.mu.Unlock()
	}
	return nil
}
