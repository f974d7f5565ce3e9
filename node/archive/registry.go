package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A DirRegistry remembers which directory publishes to which archive, so
// that publishing the same directory again makes a new version of the
// same archive. It keeps one small file per directory under Dir (a
// repo's "archives" directory):
//
//	<Dir>/<first 32 hex digits of SHA-256(absolute directory path)>.json
//	    {"dir": "/home/ann/data", "archive": "k51..."}
//
// One file per directory means no read-modify-write of a shared file, so
// concurrent publishes of different directories never race.
type DirRegistry struct {
	Dir string
}

type dirEntry struct {
	Dir     string `json:"dir"`
	Archive string `json:"archive"`
}

func (r DirRegistry) file(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(r.Dir, hex.EncodeToString(sum[:16])+".json")
}

// Lookup returns the archive that dir (an absolute path) publishes to.
func (r DirRegistry) Lookup(dir string) (address string, ok bool, err error) {
	data, err := os.ReadFile(r.file(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var e dirEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return "", false, fmt.Errorf("%s: %w", r.file(dir), err)
	}
	if e.Dir != dir {
		return "", false, nil
	}
	return e.Archive, true, nil
}

// Remember records that dir (an absolute path) publishes to address,
// atomically.
func (r DirRegistry) Remember(dir, address string) error {
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(dirEntry{Dir: dir, Archive: address})
	if err != nil {
		return err
	}
	path := r.file(dir)
	tmp, err := os.CreateTemp(r.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("remember the archive of %s: %w", dir, err)
	}
	return nil
}
