package repo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/multiformats/go-multihash"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
)

// The files and directories of a repo (see the package doc).
const (
	ConfigFile   = "config.json"
	IdentityFile = "identity.key"
	LockFile     = "repo.lock"
	FeedsDir     = "feeds"
)

// Errors callers act on.
var (
	ErrNoRepo = errors.New("no stele repo")
	ErrExists = errors.New("stele repo already exists")
	ErrLocked = errors.New("in use by another process")
)

// Options are the injectable parts of a repo. The zero value is usable.
type Options struct {
	// Config is what Init writes (default DefaultConfig()); Open ignores
	// it and reads config.json.
	Config *Config
	// Now is the clock for checkpoint timestamps (default time.Now).
	Now func() time.Time
	// Rand is the randomness for new keys (default crypto/rand).
	Rand io.Reader
}

func (o Options) rand() io.Reader {
	if o.Rand == nil {
		return rand.Reader
	}
	return o.Rand
}

// A Repo is an open repo. Close it to release the lock.
type Repo struct {
	Path     string
	Config   Config
	Identity crypto.PrivateKey // the node's own key, never a feed key
	Feeds    *feed.Store

	lock io.Closer
}

// DefaultPath returns $STELE_PATH, or ~/.stele if it is unset, reading
// the environment through getenv (os.Getenv in the binary).
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("STELE_PATH"); p != "" {
		return p, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither STELE_PATH nor HOME is set: set STELE_PATH to the repo directory")
	}
	return filepath.Join(home, ".stele"), nil
}

// Init creates a repo at path, which must not exist or be an empty
// directory, and returns it open. It never overwrites anything: a path
// holding a repo gives an error wrapping ErrExists.
func Init(path string, opts Options) (*Repo, error) {
	cfg := DefaultConfig()
	if opts.Config != nil {
		cfg = opts.Config.withDefaults()
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("init %s: bad config: %w", path, err)
	}
	if err := checkInitPath(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	lock, err := lockRepo(path)
	if err != nil {
		return nil, err
	}
	r, err := initLocked(path, cfg, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	r.lock = lock
	return r, nil
}

// checkInitPath refuses a path that holds a repo or anything else.
func checkInitPath(path string) error {
	if _, err := os.Stat(filepath.Join(path, ConfigFile)); err == nil {
		return fmt.Errorf("%w at %s", ErrExists, path)
	}
	entries, err := os.ReadDir(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("init %s: %w", path, err)
	case len(entries) > 0:
		return fmt.Errorf("init %s: the directory is not empty (and holds no stele repo): refusing to create a repo there", path)
	}
	return nil
}

// initLocked writes the identity, creates the store and writes the
// config, which marks the repo complete.
func initLocked(path string, cfg Config, opts Options) (*Repo, error) {
	id, err := crypto.GenerateKey(opts.rand())
	if err != nil {
		return nil, fmt.Errorf("init %s: node identity: %w", path, err)
	}
	if err := feed.WriteKeyFile(filepath.Join(path, IdentityFile), id, nil, opts.rand()); err != nil {
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	store, err := openStore(path, cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	if err := WriteFileAtomic(filepath.Join(path, ConfigFile), FormatConfig(cfg), 0o600); err != nil {
		store.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	return &Repo{Path: path, Config: cfg, Identity: id, Feeds: store}, nil
}

// Open opens the repo at path: it takes the repo's lock, reads the
// config and the node identity, and opens the feed store. Without a repo
// at path the error wraps ErrNoRepo; if another process has it open,
// ErrLocked.
func Open(path string, opts Options) (*Repo, error) {
	if _, err := os.Stat(filepath.Join(path, ConfigFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s: run \"stele init\" to create one", ErrNoRepo, path)
	} else if err != nil {
		return nil, fmt.Errorf("open repo: %w", err)
	}
	lock, err := lockRepo(path)
	if err != nil {
		return nil, err
	}
	r, err := openLocked(path, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	r.lock = lock
	return r, nil
}

func openLocked(path string, opts Options) (*Repo, error) {
	cfgPath := filepath.Join(path, ConfigFile)
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("open repo: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	id, err := feed.ReadKeyFile(filepath.Join(path, IdentityFile), nil)
	if err != nil {
		return nil, fmt.Errorf("open repo %s: node identity: %w", path, err)
	}
	store, err := openStore(path, cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("open repo %s: %w", path, err)
	}
	return &Repo{Path: path, Config: cfg, Identity: id, Feeds: store}, nil
}

func openStore(path string, cfg Config, opts Options) (*feed.Store, error) {
	return feed.Open(filepath.Join(path, FeedsDir), feed.Options{
		EntryLimit: cfg.Feeds.EntryLimit,
		Now:        opts.Now,
		Rand:       opts.Rand,
	})
}

// lockRepo takes the repo's exclusive lock. Pebble's lock (an fcntl lock,
// plus a table of the locks this process holds) refuses other processes
// and a second Open in this one alike.
func lockRepo(path string) (io.Closer, error) {
	lock, err := vfs.Default.Lock(filepath.Join(path, LockFile))
	if err != nil {
		return nil, fmt.Errorf("stele repo at %s is %w (a running daemon or another stele command): %v", path, ErrLocked, err)
	}
	return lock, nil
}

// Close closes the feed store and releases the lock.
func (r *Repo) Close() error {
	err := r.Feeds.Close()
	if lerr := r.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// PeerID returns the node's libp2p peer ID: the base58btc identity
// multihash of its protobuf-encoded Ed25519 public key ("12D3KooW...").
func (r *Repo) PeerID() string { return PeerID(r.Identity.Public()) }

// PeerID returns the libp2p peer ID of an Ed25519 public key. The
// multihash is the one inside the key's IPNS-name CID (the feed address
// format), so it is AddressBytes without the CID's two header bytes.
func PeerID(pub crypto.PublicKey) string {
	return multihash.Multihash(crypto.AddressBytes(pub)[2:]).B58String()
}

// WriteFileAtomic writes data to path through a synced temporary file
// and a rename, so a crash leaves the old file or the new one whole.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
