package feed

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/crypto"
)

// alterStored closes the store, applies change to one raw key of the
// feed's key space, and reopens the store.
func alterStored(t *testing.T, s *Store, pub [32]byte, kind byte, n uint64, change func([]byte) []byte) *Store {
	t.Helper()
	dir := s.dir
	s.Close()
	db, err := pebble.Open(filepath.Join(dir, "db"), pebbleOptions())
	if err != nil {
		t.Fatal(err)
	}
	key := feedKey(pub, kind, n)
	val, closer, err := db.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	changed := change(bytes.Clone(val))
	closer.Close()
	if err := db.Set(key, changed, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return openTestStore(t, dir, 1)
}

func TestVerifyFindsAlteredEntry(t *testing.T) {
	tests := []struct {
		name  string
		chunk uint64 // key of the chunk to alter
		at    func(val []byte) int
		want  int64
	}{
		// Chunks of 64 entries "entry N": change the last byte of the chunk,
		// which is the digit ending entry 127.
		{"last entry of a chunk", 64, func(v []byte) int { return len(v) - 1 }, 127},
		{"first entry of a chunk", 128, func(v []byte) int { return bytes.Index(v, []byte("entry 128")) + 8 }, 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t, t.TempDir(), 1)
			f := newAuthor(t, s, "", 300)
			pub := f.PublicKey()
			s = alterStored(t, s, pub, kindEntries, tt.chunk, func(v []byte) []byte {
				v[tt.at(v)] ^= 0x01
				return v
			})
			f, _ = s.Feed(pub)
			err := f.Verify(nil)
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Index != tt.want || !errors.Is(err, ErrVerification) {
				t.Fatalf("Verify = %v, want a VerifyError for entry %d", err, tt.want)
			}
		})
	}
}

func TestVerifyFindsAlteredTree(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f := newAuthor(t, s, "", 1000)
	pub := f.PublicKey()
	// Tile 1 holds stored hashes 256..511: alter one internal node.
	s = alterStored(t, s, pub, kindHashes, 1, func(v []byte) []byte {
		v[len(v)-7] ^= 0x80
		return v
	})
	f, _ = s.Feed(pub)
	if err := f.Verify(nil); !errors.Is(err, ErrVerification) {
		t.Fatalf("Verify with an altered tree hash = %v, want ErrVerification", err)
	}
}

func TestVerifyFindsAlteredCheckpoint(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f := newAuthor(t, s, "", 10, 10)
	pub := f.PublicKey()
	s.Close()
	s = openTestStore(t, s.dir, 1)
	s = alterStored(t, s, pub, kindCheckpoint, 10, func(v []byte) []byte {
		i := bytes.Index(v, []byte("\n10\n"))
		v[i+2] = '1' // claims size 11 under the old signature
		return v
	})
	f, err := s.Feed(pub)
	if err == nil {
		err = f.Verify(nil)
	}
	if err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Fatalf("Verify with an altered checkpoint = %v", err)
	}
}

func TestKeyFilePermissions(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f := newAuthor(t, s, "", 1)
	path := s.keyPath(f.PublicKey())
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadKeyFile(path, nil)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("group-readable key file: %v, want a refusal", err)
	}
	if _, err := s.ExportKey(f.PublicKey(), nil); err == nil {
		t.Fatal("export of a group-readable key succeeded")
	}
	if err := WriteKeyFile(path, newTestKey(t), nil, nil); err == nil {
		t.Fatal("WriteKeyFile overwrote an existing key file")
	}
}

func FuzzDecodeChunk(f *testing.F) {
	f.Add(encodeChunk([][]byte{[]byte("a"), nil, []byte("hello")}))
	f.Add(encodeChunk(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got [][]byte
		if _, err := decodeChunk(data, func(_ int, e []byte) error { got = append(got, e); return nil }); err != nil {
			return
		}
		var again [][]byte
		if _, err := decodeChunk(encodeChunk(got), func(_ int, e []byte) error { again = append(again, e); return nil }); err != nil {
			t.Fatalf("re-encoded chunk does not decode: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("round trip: %d entries, want %d", len(again), len(got))
		}
		for i := range got {
			if !bytes.Equal(got[i], again[i]) {
				t.Fatalf("round trip: entry %d differs", i)
			}
		}
	})
}

func FuzzDecodeTile(f *testing.F) {
	var t0 hashTile
	t0.set(3, [32]byte{1})
	t0.set(200, [32]byte{2})
	f.Add(t0.encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		var tile hashTile
		if decodeTile(data, &tile) != nil {
			return
		}
		if !bytes.Equal(tile.encode(), data) {
			t.Fatalf("tile round trip differs")
		}
	})
}

func newTestKey(t *testing.T) crypto.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey(rand.NewChaCha8([32]byte{42}))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
