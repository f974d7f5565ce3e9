package repo

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
)

// countingReader is deterministic randomness: bytes 0, 1, 2, ...
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

var testTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func testOptions() Options {
	return Options{Now: func() time.Time { return testTime }, Rand: &countingReader{}}
}

func mustInit(t *testing.T, path string) {
	t.Helper()
	r, err := Init(path, testOptions())
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestInitCreatesLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "repo")
	r, err := Init(path, testOptions())
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	defer r.Close()
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(i)
	}
	if want := crypto.NewKeyFromSeed(seed).Public(); r.Identity.Public() != want {
		t.Errorf("identity %s, want the key of the injected randomness %s", r.Identity.Public(), want)
	}
	for _, c := range []struct {
		name string
		mode fs.FileMode
	}{
		{"", fs.ModeDir | 0o700},
		{ConfigFile, 0o600},
		{IdentityFile, 0o600},
		{FeedsDir, fs.ModeDir | 0o700},
	} {
		fi, err := os.Stat(filepath.Join(path, c.name))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := fi.Mode() & (fs.ModeDir | fs.ModePerm); got != c.mode {
			t.Errorf("%s: mode %v, want %v", c.name, got, c.mode)
		}
	}
	data, err := os.ReadFile(filepath.Join(path, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(FormatConfig(DefaultConfig())) {
		t.Errorf("config.json:\n%s\nwant the defaults:\n%s", data, FormatConfig(DefaultConfig()))
	}
}

func TestOpenAfterInit(t *testing.T) {
	path := t.TempDir()
	r, err := Init(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	id := r.Identity.Public()
	f, err := r.Feeds.Create("notes")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Append([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	addr := f.Address()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	r, err = Open(path, testOptions())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if r.Identity.Public() != id {
		t.Errorf("identity changed across Open")
	}
	if r.Feeds == nil || !reflect.DeepEqual(r.Config, DefaultConfig()) {
		t.Errorf("Open: config %+v", r.Config)
	}
	f, err = r.Feeds.Lookup("notes")
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := f.Latest()
	if f.Address() != addr || f.Len() != 1 || cp.Time != testTime.Unix() {
		t.Errorf("reopened feed %s len %d time %d, want %s len 1 time %d", f.Address(), f.Len(), cp.Time, addr, testTime.Unix())
	}
}

func TestInitRefuses(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string)
		wantErr string
		is      error
	}{
		{"existing repo", func(t *testing.T, path string) { mustInit(t, path) }, "already exists", ErrExists},
		{"non-empty directory", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, "notes.txt"), "mine", 0o644)
		}, "not empty", nil},
		{"regular file", func(t *testing.T, path string) {
			os.Remove(path)
			writeFile(t, path, "mine", 0o644)
		}, "not a directory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir()
			tt.setup(t, path)
			before := snapshot(t, path)
			_, err := Init(path, testOptions())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Init: %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Init: %v, want it to wrap %v", err, tt.is)
			}
			if after := snapshot(t, path); after != before {
				t.Errorf("Init changed what was there:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestInitRefusesBadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "repo")
	_, err := Init(path, Options{Config: &Config{Version: 1, Feeds: FeedsConfig{EntryLimit: -1}}})
	if err == nil || !strings.Contains(err.Error(), "entry_limit") {
		t.Fatalf("Init: %v, want an entry_limit error", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Init with a bad config created %s", path)
	}
}

// snapshot lists the names and sizes under path, to see that nothing changed.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d\n", p, fi.Mode(), fi.Size())
		return nil
	})
	return b.String()
}

func writeFile(t *testing.T, path, data string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestOpenNoRepo(t *testing.T) {
	for _, path := range []string{filepath.Join(t.TempDir(), "absent"), t.TempDir()} {
		_, err := Open(path, Options{})
		if !errors.Is(err, ErrNoRepo) {
			t.Fatalf("Open(%s): %v, want ErrNoRepo", path, err)
		}
		want := "no stele repo at " + path + `: run "stele init"`
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open: %q, want it to contain %q", err, want)
		}
	}
}

func TestOpenBadRepo(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, path string)
		wantErr string
	}{
		{"config not JSON", setConfig("version = 1"), "bad config"},
		{"config unknown field", setConfig(`{"version": 1, "feeds": {"entry_limt": 10}}`), `unknown field "entry_limt"`},
		{"config without version", setConfig(`{"feeds": {}}`), "no version"},
		{"config from the future", setConfig(`{"version": 2}`), "version 2"},
		{"config negative entry limit", setConfig(`{"version": 1, "feeds": {"entry_limit": -5}}`), "feeds.entry_limit -5"},
		{"config huge entry limit", setConfig(`{"version": 1, "feeds": {"entry_limit": 1099511627776}}`), "feeds.entry_limit"},
		{"config trailing data", setConfig(`{"version": 1} {}`), "after the JSON object"},
		{"identity readable by others", func(t *testing.T, path string) {
			if err := os.Chmod(filepath.Join(path, IdentityFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "accessible by group or others"},
		{"identity missing", func(t *testing.T, path string) {
			if err := os.Remove(filepath.Join(path, IdentityFile)); err != nil {
				t.Fatal(err)
			}
		}, "node identity"},
		{"identity garbage", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, IdentityFile), "not a key\n", 0o600)
		}, "node identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir()
			mustInit(t, path)
			tt.damage(t, path)
			_, err := Open(path, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Open: %v, want an error containing %q", err, tt.wantErr)
			}
			// A failed Open must release the lock.
			lock, err := lockRepo(path)
			if err != nil {
				t.Fatalf("after a failed Open: %v", err)
			}
			lock.Close()
		})
	}
}

func setConfig(data string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		writeFile(t, filepath.Join(path, ConfigFile), data, 0o600)
	}
}

func TestOpenLockedInProcess(t *testing.T) {
	path := t.TempDir()
	mustInit(t, path)
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	r.Close()
}

// holdRepoEnv makes the test binary, run as a child, open the repo it
// names, say "open" and hold the repo until its stdin closes.
const holdRepoEnv = "STELE_REPO_TEST_HOLD"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdRepoEnv); path != "" {
		os.Exit(holdRepo(path))
	}
	os.Exit(m.Run())
}

func holdRepo(path string) int {
	r, err := Open(path, Options{})
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return 1
	}
	os.Stdout.WriteString("open\n")
	io.Copy(io.Discard, os.Stdin)
	r.Close()
	return 0
}

func TestOpenLockedByAnotherProcess(t *testing.T) {
	path := t.TempDir()
	mustInit(t, path)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), holdRepoEnv+"="+path)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "open\n" {
		stdin.Close()
		child.Wait()
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = Open(path, Options{})
	stdin.Close()
	if werr := child.Wait(); werr != nil {
		t.Errorf("child: %v", werr)
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while another process holds the repo: %v, want ErrLocked", err)
	}
	if want := "stele repo at " + path + " is in use by another process"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
}

func TestConfigEntryLimitApplies(t *testing.T) {
	path := t.TempDir()
	mustInit(t, path)
	writeFile(t, filepath.Join(path, ConfigFile), `{"version": 1, "feeds": {"entry_limit": 10}}`, 0o600)
	r, err := Open(path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Config.Feeds.EntryLimit != 10 {
		t.Fatalf("entry limit %d, want 10", r.Config.Feeds.EntryLimit)
	}
	f, err := r.Feeds.Create("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Append([]byte("0123456789")); err != nil {
		t.Errorf("append of 10 bytes: %v", err)
	}
	if _, err := f.Append([]byte("0123456789a")); !errors.Is(err, feed.ErrTooLarge) {
		t.Errorf("append of 11 bytes: %v, want ErrTooLarge", err)
	}
}

func TestParseConfigDefaults(t *testing.T) {
	tests := []struct {
		in   string
		want Config
	}{
		{`{"version": 1}`, DefaultConfig()},
		{`{"version": 1, "feeds": {}}`, DefaultConfig()},
		{`{"version": 1, "feeds": {"entry_limit": 1024}}`, func() Config { c := DefaultConfig(); c.Feeds.EntryLimit = 1024; return c }()},
		{string(FormatConfig(DefaultConfig())), DefaultConfig()},
	}
	for _, tt := range tests {
		got, err := ParseConfig([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseConfig(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// TestDocShowsDefaultConfig keeps the package doc's config example true.
func TestDocShowsDefaultConfig(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var example strings.Builder
	for line := range strings.Lines(string(FormatConfig(DefaultConfig()))) {
		example.WriteString("//\t" + line)
	}
	if !strings.Contains(string(doc), example.String()) {
		t.Errorf("doc.go does not show the default config.json:\n%s", example.String())
	}
}

func TestPeerID(t *testing.T) {
	var zero [32]byte
	pub := crypto.NewKeyFromSeed(zero).Public()
	// The address is a CID whose multihash is the peer ID: decode it with
	// go-cid, independently of how PeerID builds it.
	c, err := cid.Decode(crypto.FormatAddress(pub))
	if err != nil {
		t.Fatal(err)
	}
	want := c.Hash().B58String()
	if got := PeerID(pub); got != want || !strings.HasPrefix(got, "12D3KooW") {
		t.Errorf("PeerID = %s, want %s (12D3KooW...)", got, want)
	}
}

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{map[string]string{"STELE_PATH": "/srv/stele", "HOME": "/home/a"}, "/srv/stele", false},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.stele", false},
		{map[string]string{}, "", true},
	}
	for _, tt := range tests {
		got, err := DefaultPath(func(k string) string { return tt.env[k] })
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("DefaultPath(%v) = %q, %v; want %q (error %v)", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}
