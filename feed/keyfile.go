package feed

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/steledb/stele/crypto"
)

var errNoKeyFile = errors.New("no key file")

func (s *Store) keyPath(pub crypto.PublicKey) string {
	return filepath.Join(s.keysDir, crypto.FormatAddress(pub)+".key")
}

// ReadKeyFile reads a private key file, refusing (as ssh does) one that
// group or others may read.
func ReadKeyFile(path string, passphrase []byte) (crypto.PrivateKey, error) {
	key, err := readKeyFile(path, passphrase)
	if errors.Is(err, errNoKeyFile) {
		return key, fmt.Errorf("key file %s: %w", path, fs.ErrNotExist)
	}
	return key, err
}

func readKeyFile(path string, passphrase []byte) (crypto.PrivateKey, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return crypto.PrivateKey{}, errNoKeyFile
	}
	if err != nil {
		return crypto.PrivateKey{}, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return crypto.PrivateKey{}, fmt.Errorf("key file %s is accessible by group or others (mode %04o): refusing to use it; run: chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return crypto.PrivateKey{}, err
	}
	key, err := crypto.ParseKeyFile(data, passphrase)
	if err != nil {
		return key, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// WriteKeyFile writes key to path with mode 0600, encrypted under
// passphrase if it is not empty, atomically: a crash leaves either no file
// or the whole file. It refuses to overwrite an existing file.
func WriteKeyFile(path string, key crypto.PrivateKey, passphrase []byte, rand io.Reader) error {
	return writeKeyFile(path, key, passphrase, rand)
}

func writeKeyFile(path string, key crypto.PrivateKey, passphrase []byte, rand io.Reader) error {
	data, err := crypto.FormatKeyFile(key, passphrase, rand)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("key file %s already exists: %w", path, fs.ErrExist)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil { // fails if path exists, unlike rename
		return fmt.Errorf("write key file %s: %w", path, err)
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

// ExportKey returns the author's key of the feed at pub as a key file,
// encrypted under passphrase if it is not empty.
func (s *Store) ExportKey(pub crypto.PublicKey, passphrase []byte) ([]byte, error) {
	key, err := readKeyFile(s.keyPath(pub), nil)
	if errors.Is(err, errNoKeyFile) {
		return nil, fmt.Errorf("export key of %s: %w", crypto.FormatAddress(pub), ErrNotAuthor)
	}
	if err != nil {
		return nil, err
	}
	return crypto.FormatKeyFile(key, passphrase, s.opts.Rand)
}

// ImportKey makes this store the author of the key's feed, from a key
// file (as written by ExportKey). If the store already holds the feed it
// becomes its author; otherwise a new feed is created. Either way the feed
// is marked restored: it will not append until ConfirmLatest says that its
// latest checkpoint has been fetched from peers, because appending on a
// stale copy would sign a fork.
func (s *Store) ImportKey(data, passphrase []byte, name string) (*Feed, error) {
	key, err := crypto.ParseKeyFile(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("import key: %w", err)
	}
	pub := key.Public()
	if _, err := readKeyFile(s.keyPath(pub), nil); err == nil {
		return nil, fmt.Errorf("import key: already the author of %s: %w", crypto.FormatAddress(pub), ErrExists)
	}
	meta, err := s.readMeta(pub)
	if errors.Is(err, ErrNotFound) {
		if err := s.checkNew(pub, name); err != nil {
			return nil, err
		}
		meta = feedMeta{Version: 1, Name: name, Created: s.opts.Now().Unix()}
	} else if err != nil {
		return nil, err
	}
	meta.Restored = true
	if err := writeKeyFile(s.keyPath(pub), key, nil, s.opts.Rand); err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.feeds, pub) // reopen with the key
	s.mu.Unlock()
	return s.initFeed(pub, meta)
}
