package feed

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/crypto"
)

// DefaultEntryLimit is the largest entry a feed accepts unless
// Options.EntryLimit says otherwise.
const DefaultEntryLimit = 4 << 20

// Options configure a Store. The zero value is usable.
type Options struct {
	// EntryLimit is the largest entry, in bytes, that Append and ApplyRange
	// accept (default DefaultEntryLimit).
	EntryLimit int
	// Now is the clock for checkpoint timestamps (default time.Now).
	Now func() time.Time
	// Rand is the randomness for new keys (default crypto/rand).
	Rand io.Reader
	// RecentBytes bounds the memory that keeps the segment data written
	// last, for readers that follow the writers (recent.go); 0 is
	// DefaultRecentBytes, a negative value keeps none.
	RecentBytes int64
}

func (o *Options) fill() {
	if o.EntryLimit <= 0 {
		o.EntryLimit = DefaultEntryLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.RecentBytes == 0 {
		o.RecentBytes = DefaultRecentBytes
	}
}

// Errors callers act on.
var (
	ErrNotFound     = errors.New("feed not found")
	ErrExists       = errors.New("feed already exists")
	ErrNotAuthor    = errors.New("not the author of this feed (no private key)")
	ErrForked       = errors.New("feed is forked: its author signed two inconsistent checkpoints")
	ErrNotHeld      = errors.New("entry not held")
	ErrTooLarge     = errors.New("entry too large")
	ErrVerification = errors.New("verification failed")
	ErrRestoredKey  = errors.New("feed key was restored from a backup: fetch the feed's latest checkpoint from peers before appending")
)

// A Store holds any number of feeds, authored or replicated, in one
// embedded Pebble database under dir/db, with authors' private keys in
// dir/keys. Only one process may open a store at a time.
type Store struct {
	db      *pebble.DB
	dir     string
	keysDir string
	opts    Options
	recent  *recentCache // nil if Options.RecentBytes < 0

	mu     sync.Mutex
	feeds  map[crypto.PublicKey]*Feed
	closed bool
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	opts.fill()
	keysDir := filepath.Join(dir, "keys")
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := pebble.Open(filepath.Join(dir, "db"), pebbleOptions())
	if err != nil {
		if strings.Contains(err.Error(), "lock") || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("open store %s: in use by another process (is a daemon running?): %w", dir, err)
		}
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	return &Store{db: db, dir: dir, keysDir: keysDir, opts: opts, recent: newRecentCache(opts.RecentBytes), feeds: make(map[crypto.PublicKey]*Feed)}, nil
}

// Close closes the store; closing it again does nothing. Feeds opened
// from it must not be used afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	for _, f := range s.feeds {
		f.blobs.close()
	}
	// Flushing the memtable now means the next Open has no log to replay,
	// so it stays fast however much was appended.
	ferr := s.db.Flush()
	if err := s.db.Close(); err != nil {
		return err
	}
	return ferr
}

// Create makes a new author feed with a fresh key and an optional local
// name, and signs its first (empty) checkpoint.
func (s *Store) Create(name string) (*Feed, error) {
	key, err := crypto.GenerateKey(s.opts.Rand)
	if err != nil {
		return nil, fmt.Errorf("create feed: %w", err)
	}
	return s.CreateWithKey(name, key)
}

// CreateWithKey makes a new author feed with the given key.
func (s *Store) CreateWithKey(name string, key crypto.PrivateKey) (*Feed, error) {
	pub := key.Public()
	if err := s.checkNew(pub, name); err != nil {
		return nil, err
	}
	if err := writeKeyFile(s.keyPath(pub), key, nil, s.opts.Rand); err != nil {
		return nil, err
	}
	meta := feedMeta{Version: 1, Name: name, Created: s.opts.Now().Unix()}
	f, err := s.initFeed(pub, meta)
	if err != nil {
		return nil, err
	}
	if _, err := f.commitAppend(nil, nil); err != nil {
		return nil, err
	}
	return f, nil
}

// Replicate starts holding a replica of the feed at pub, with an optional
// local name. It holds nothing until checkpoints and ranges are applied.
func (s *Store) Replicate(pub crypto.PublicKey, name string) (*Feed, error) {
	if err := s.checkNew(pub, name); err != nil {
		return nil, err
	}
	meta := feedMeta{Version: 1, Name: name, Created: s.opts.Now().Unix()}
	return s.initFeed(pub, meta)
}

func (s *Store) checkNew(pub crypto.PublicKey, name string) error {
	if _, err := s.readMeta(pub); err == nil {
		return fmt.Errorf("%s: %w", crypto.FormatAddress(pub), ErrExists)
	}
	if name != "" {
		if err := checkName(name); err != nil {
			return err
		}
		if _, err := s.lookupName(name); err == nil {
			return fmt.Errorf("name %q is taken: %w", name, ErrExists)
		}
	}
	return nil
}

// checkName refuses names that could be mistaken for addresses or ranges.
func checkName(name string) error {
	if len(name) > 128 || strings.ContainsAny(name, " \t\n/:") {
		return fmt.Errorf("feed name %q: use at most 128 characters, no spaces, '/' or ':'", name)
	}
	if _, err := crypto.ParseAddress(name); err == nil {
		return fmt.Errorf("feed name %q: looks like an address", name)
	}
	return nil
}

func (s *Store) initFeed(pub crypto.PublicKey, meta feedMeta) (*Feed, error) {
	b := s.db.NewBatch()
	defer b.Close()
	if err := b.Set(metaKey(pub), meta.encode(), nil); err != nil {
		return nil, err
	}
	if meta.Name != "" {
		if err := b.Set(nameKey(meta.Name), pub[:], nil); err != nil {
			return nil, err
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return nil, fmt.Errorf("create feed: %w", err)
	}
	return s.Feed(pub)
}

// Feed opens the feed at pub. Opening costs O(log n) reads whatever the
// feed's length: nothing is rescanned.
func (s *Store) Feed(pub crypto.PublicKey) (*Feed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.feeds[pub]; ok {
		return f, nil
	}
	f, err := openFeed(s, pub)
	if err != nil {
		return nil, err
	}
	s.feeds[pub] = f
	return f, nil
}

// Resolve turns a feed address (with or without "stele://") or a local
// name into the feed's public key.
func (s *Store) Resolve(nameOrAddress string) (crypto.PublicKey, error) {
	if pub, err := s.lookupName(nameOrAddress); err == nil {
		return pub, nil
	}
	pub, err := crypto.ParseAddress(nameOrAddress)
	if err != nil {
		return crypto.PublicKey{}, fmt.Errorf("%q is neither a local feed name nor an address: %w", nameOrAddress, err)
	}
	return pub, nil
}

// Lookup resolves nameOrAddress and opens the feed.
func (s *Store) Lookup(nameOrAddress string) (*Feed, error) {
	pub, err := s.Resolve(nameOrAddress)
	if err != nil {
		return nil, err
	}
	return s.Feed(pub)
}

func (s *Store) lookupName(name string) (crypto.PublicKey, error) {
	val, closer, err := s.db.Get(nameKey(name))
	if err != nil {
		return crypto.PublicKey{}, err
	}
	defer closer.Close()
	var pub crypto.PublicKey
	if len(val) != len(pub) {
		return pub, fmt.Errorf("name %q: corrupt name record", name)
	}
	copy(pub[:], val)
	return pub, nil
}

// List returns every feed in the store, in address byte order.
func (s *Store) List() ([]*Feed, error) {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixFeed}, UpperBound: []byte{prefixFeed + 1}})
	if err != nil {
		return nil, err
	}
	var pubs []crypto.PublicKey
	for ok := it.First(); ok; {
		var pub crypto.PublicKey
		copy(pub[:], it.Key()[1:33])
		pubs = append(pubs, pub)
		_, next := feedBounds(pub)
		ok = it.SeekGE(next)
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	feeds := make([]*Feed, 0, len(pubs))
	for _, pub := range pubs {
		f, err := s.Feed(pub)
		if err != nil {
			return nil, err
		}
		feeds = append(feeds, f)
	}
	return feeds, nil
}

// FeedDiskUsage returns an estimate of the bytes the feed at pub takes
// on disk (entries, tree hashes, checkpoints), from the store's file
// metadata and the feed's segment files: it reads no data.
func (s *Store) FeedDiskUsage(pub crypto.PublicKey) uint64 {
	lo, hi := feedBounds(pub)
	n, err := s.db.EstimateDiskUsage(lo, hi)
	if err != nil {
		n = 0
	}
	return n + uint64(dirAllocated(s.blobDir(pub)))
}

// DiskUsage returns the bytes the store's files take on disk, including
// files made obsolete by compactions that are still being deleted.
func (s *Store) DiskUsage() uint64 {
	return s.db.Metrics().DiskSpaceUsage() + uint64(dirAllocated(filepath.Join(s.dir, "blobs")))
}

// pebbleOptions tunes Pebble for a log store: a larger memtable absorbs
// bulk appends. (Value separation would write large entries once, but its
// blob files give space back only after a delayed rewrite, which Drop
// cannot wait for.)
func pebbleOptions() *pebble.Options {
	o := &pebble.Options{
		Logger:             quietLogger{},
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       64 << 20,
	}
	return o
}

// quietLogger drops Pebble's informational messages, which would clutter
// CLI output, and keeps errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "stele: storage: "+format+"\n", args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "stele: storage: "+format+"\n", args...)
	os.Exit(1)
}
