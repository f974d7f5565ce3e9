package archive

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/node/dbs"
)

// ErrNotArchive is returned (wrapped) by Open for a feed that is not an
// archive's metadata feed.
var ErrNotArchive = errors.New("not an archive")

// A Holder makes sure that entries of a feed are held in the local store
// before they are read: the one place where an archive reader may wait
// for the network. Hold returns nil once every entry of [lo, hi) of f is
// held (verified against f's checkpoints), or an error if they cannot be
// had. It may be called concurrently.
//
// Readers call it with exactly what they are about to read: the whole
// metadata feed when an archive is opened, then the runs of content
// entries holding the chunks of the files (or byte ranges) asked for, so
// a Holder that fetches on demand makes every read sparse.
type Holder interface {
	Hold(ctx context.Context, f *feed.Feed, lo, hi int64) error
}

// LocalHolder is the Holder of a node that reads only what its store
// holds: it fails, wrapping feed.ErrNotHeld, for entries that are not.
type LocalHolder struct{}

// Hold checks that f holds [lo, hi).
func (LocalHolder) Hold(_ context.Context, f *feed.Feed, lo, hi int64) error {
	if lo >= hi || f.Ranges().Covers(lo, hi) {
		return nil
	}
	missing := feed.RangeSet(f.Ranges().Missing(lo, hi))
	return fmt.Errorf("feed %s: entries %s are not held here (fetching from peers is not available yet): %w", f.Address(), missing, feed.ErrNotHeld)
}

// Archives opens and creates the archives of one node.
type Archives struct {
	Feeds  *feed.Store
	DBs    *dbs.Manager
	Holder Holder // nil means LocalHolder
}

func (s *Archives) holder() Holder {
	if s.Holder == nil {
		return LocalHolder{}
	}
	return s.Holder
}

// An Archive is a dataset published under one address: the graph
// database of its metadata feed and the chunks of its content feed.
type Archive struct {
	meta    *dbs.Database
	content *feed.Feed
	holder  Holder
	attrs   schemaAttrs
	format  format

	mu       sync.Mutex
	verified struct{ version, scanned int64 } // see lastScan
}

// Create makes a new archive authored here: a content feed, then the
// metadata feed whose first transaction (version 1) declares the schema
// and names the content feed. A non-empty name names the metadata feed,
// and name+".content" the content feed.
func (s *Archives) Create(name string) (*Archive, error) {
	return s.create(name, FormatVersion)
}

// create makes an archive of the given format (tests make older ones).
func (s *Archives) create(name string, v format) (*Archive, error) {
	contentName := ""
	if name != "" {
		contentName = name + ".content"
	}
	content, err := s.Feeds.Create(contentName)
	if err != nil {
		return nil, fmt.Errorf("create archive content feed: %w", err)
	}
	meta, err := s.Feeds.Create(name)
	if err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}
	d, err := s.DBs.Open(meta)
	if err != nil {
		return nil, err
	}
	ops := append(schemaOps(), graphdb.Entity{":db/id": graphdb.TxEntity,
		attrContent: content.Address(), attrFormat: int64(v), attrMessage: "archive created"})
	if _, err := d.Transact(ops); err != nil {
		return nil, fmt.Errorf("create archive %s: %w", meta.Address(), err)
	}
	return s.open(context.Background(), meta)
}

// Open opens the archive whose metadata feed has the given local name or
// address. It holds the whole metadata feed (through the Holder), but no
// content.
func (s *Archives) Open(ctx context.Context, nameOrAddress string) (*Archive, error) {
	meta, err := s.Feeds.Lookup(nameOrAddress)
	if errors.Is(err, feed.ErrNotFound) {
		// An archive known only by its address: hold a replica, for the
		// Holder to fill.
		if pub, perr := crypto.ParseAddress(nameOrAddress); perr == nil {
			meta, err = s.replica(pub)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", nameOrAddress, err)
	}
	return s.open(ctx, meta)
}

// replica returns the store's copy of the feed at pub, making an empty
// replica if it has none.
func (s *Archives) replica(pub crypto.PublicKey) (*feed.Feed, error) {
	f, err := s.Feeds.Feed(pub)
	if errors.Is(err, feed.ErrNotFound) {
		f, err = s.Feeds.Replicate(pub, "")
	}
	return f, err
}

func (s *Archives) open(ctx context.Context, meta *feed.Feed) (*Archive, error) {
	if err := s.holder().Hold(ctx, meta, 0, meta.Len()); err != nil {
		return nil, fmt.Errorf("archive %s: %w", meta.Address(), err)
	}
	d, err := s.DBs.Open(meta)
	if err != nil {
		return nil, err
	}
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	attrs, pub, err := contentFeed(db)
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w", meta.Address(), err)
	}
	v, err := archiveFormat(db, attrs)
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", meta.Address(), err)
	}
	content, err := s.replica(pub)
	if err != nil {
		return nil, fmt.Errorf("archive %s: content feed %s: %w", meta.Address(), crypto.FormatAddress(pub), err)
	}
	return &Archive{meta: d, content: content, holder: s.holder(), attrs: attrs, format: v}, nil
}

// contentFeed returns the archive attributes of an archive's graph and
// the content feed its first transaction names (later ones cannot move an
// archive's content elsewhere).
func contentFeed(db *graphdb.DB) (schemaAttrs, crypto.PublicKey, error) {
	attrs, ok := resolveAttrs(db)
	if !ok || db.Basis() < 1 {
		return attrs, crypto.PublicKey{}, fmt.Errorf("%w (its first transaction declares no archive schema)", ErrNotArchive)
	}
	addr, ok := db.AsOf(1).Value(graphdb.TxEID(0), attrs.content)
	if !ok {
		return attrs, crypto.PublicKey{}, fmt.Errorf("%w (its first transaction names no content feed)", ErrNotArchive)
	}
	pub, err := crypto.ParseAddress(addr.Str())
	if err != nil {
		return attrs, crypto.PublicKey{}, fmt.Errorf("content feed %q: %w", addr.Str(), err)
	}
	return attrs, pub, nil
}

// archiveFormat reads the format of an archive from its first
// transaction.
func archiveFormat(db *graphdb.DB, attrs schemaAttrs) (format, error) {
	v, ok := db.AsOf(1).Value(graphdb.TxEID(0), attrs.format)
	if !ok {
		return 0, fmt.Errorf("%w (its first transaction gives no format)", ErrNotArchive)
	}
	return parseFormat(v.Long())
}

// IsArchive reports whether the feed's graph is an archive's.
func IsArchive(db *graphdb.DB) bool {
	_, _, err := contentFeed(db)
	return err == nil
}

// ContentOf returns the content feed of the archive whose metadata feed
// is meta, from its first entry alone (which must be held): ok is false
// if meta is not an archive's.
func ContentOf(meta *feed.Feed) (content crypto.PublicKey, ok bool) {
	first, err := meta.Get(0)
	if err != nil {
		return content, false
	}
	m := graphdb.NewMaterializer(graphdb.NewDB(graphdb.FeedKey(meta.PublicKey())))
	m.Apply(0, first)
	_, content, err = contentFeed(m.DB())
	return content, err == nil
}

// Address is the archive's address: its metadata feed's.
func (a *Archive) Address() string { return a.meta.Feed().Address() }

// Name is the metadata feed's local name, if any.
func (a *Archive) Name() string { return a.meta.Feed().Name() }

// ContentAddress is the address of the archive's content feed.
func (a *Archive) ContentAddress() string { return a.content.Address() }

// Content is the archive's content feed.
func (a *Archive) Content() *feed.Feed { return a.content }

// Database is the archive's metadata database.
func (a *Archive) Database() *dbs.Database { return a.meta }

// IsAuthor reports whether this node can publish to the archive.
func (a *Archive) IsAuthor() bool { return a.meta.Feed().IsAuthor() && a.content.IsAuthor() }

// Version returns the latest version: the metadata feed's length.
func (a *Archive) Version() (int64, error) {
	db, err := a.meta.DB()
	if err != nil {
		return 0, err
	}
	return db.Basis(), nil
}

// Snapshot returns the files of version at (1 <= at <= the latest
// version; 0 means the latest). It fails, with an *UnsafePathError for
// paths that could escape, if the version is not well formed.
func (a *Archive) Snapshot(at int64) (*Snapshot, error) {
	db, err := a.meta.DB()
	if err != nil {
		return nil, err
	}
	if at == 0 {
		at = db.Basis()
	}
	if at < 1 || at > db.Basis() {
		return nil, fmt.Errorf("archive %s has versions 1 to %d, not %d", a.Address(), db.Basis(), at)
	}
	s, err := loadSnapshot(db.AsOf(at), a.attrs, at)
	if err != nil {
		return nil, fmt.Errorf("archive %s version %d: %w", a.Address(), at, err)
	}
	return s, nil
}

// A VersionInfo describes one version of an archive.
type VersionInfo struct {
	Version        int64
	Time           time.Time // zero if the transaction has none
	Message        string
	FilesChanged   int   // paths added, changed or removed
	RecordsChanged int   // record entities added, changed or removed (Import)
	BytesAdded     int64 // content bytes appended
}

// Versions describes every version, oldest first.
func (a *Archive) Versions() ([]VersionInfo, error) {
	db, err := a.meta.DB()
	if err != nil {
		return nil, err
	}
	out := make([]VersionInfo, 0, db.Basis())
	for pos := int64(0); pos < db.Basis(); pos++ {
		out = append(out, a.versionInfo(db, pos))
	}
	return out, nil
}

func (a *Archive) versionInfo(db *graphdb.DB, pos int64) VersionInfo {
	tx := graphdb.TxEID(pos)
	v := VersionInfo{Version: pos + 1}
	if t, ok := db.Value(tx, a.attrs.txInstant); ok {
		v.Time = t.Time()
	}
	if m, ok := db.Value(tx, a.attrs.message); ok {
		v.Message = m.Str()
	}
	if b, ok := db.Value(tx, a.attrs.bytesAdded); ok {
		v.BytesAdded = b.Long()
	}
	files, records := map[graphdb.EID]bool{}, map[graphdb.EID]bool{}
	for _, d := range db.TxDatoms(pos) {
		switch {
		case d.E == tx || d.E.Part() != graphdb.PartUser:
		case a.isFileAttr(d.A):
			files[d.E] = true
		case d.A != a.attrs.chunkHash && d.A != a.attrs.chunkEntry:
			records[d.E] = true
		}
	}
	v.FilesChanged = len(files)
	for e := range files {
		delete(records, e)
	}
	v.RecordsChanged = len(records)
	return v
}

func (a *Archive) isFileAttr(attr graphdb.EID) bool {
	switch attr {
	case a.attrs.path, a.attrs.kind, a.attrs.size, a.attrs.mode, a.attrs.mtime, a.attrs.hash, a.attrs.chunks, a.attrs.target:
		return true
	}
	return false
}
