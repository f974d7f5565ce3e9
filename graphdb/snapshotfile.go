package graphdb

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// SaveSnapshot writes db to the file at path atomically: to a temporary
// file in the same directory, synced, then renamed over path, and the
// directory synced, so a crash leaves either the old or the new snapshot.
func SaveSnapshot(path string, db *DB) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("graphdb: saving snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = WriteSnapshot(f, db); err != nil {
		return fmt.Errorf("graphdb: saving snapshot: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("graphdb: saving snapshot: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("graphdb: saving snapshot: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("graphdb: saving snapshot: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("graphdb: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("graphdb: syncing %s: %w", dir, err)
	}
	return nil
}

// LoadSnapshot reads the snapshot at path, written by SaveSnapshot for the
// feed self. The database resumes at position Basis() of the feed.
func LoadSnapshot(path string, self FeedKey) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("graphdb: loading snapshot: %w", err)
	}
	defer f.Close()
	return ReadSnapshot(bufio.NewReaderSize(f, 1<<20), self)
}
