package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/steledb/stele/node/repo"
)

// zeroAddress is the address of the zero-seed key: valid, held by no repo.
const zeroAddress = "k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh"

var (
	fixtureOnce sync.Once
	fixtureDir  string
)

// fixture returns a fresh copy of a prepared world: a repo with the feed
// "notes" (3 entries), a good feed file of it and broken variants, key
// files and a replica-only repo. Built once, copied per test.
func fixture(t *testing.T) *sandbox {
	t.Helper()
	fixtureOnce.Do(func() { fixtureDir = buildFixture(t) })
	if fixtureDir == "" {
		t.Fatal("the fixture failed to build (see the first test that used it)")
	}
	s := newSandbox(t)
	copyDir(t, fixtureDir, s.dir)
	return s
}

func buildFixture(t *testing.T) string {
	dir, err := os.MkdirTemp(filepath.Dir(steleBin), "fixture-")
	if err != nil {
		t.Fatal(err)
	}
	s := &sandbox{t: t, dir: dir, repo: filepath.Join(dir, "repo")}
	s.env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "STELE_PATH=" + s.repo}
	s.ok("", "init")
	s.newFeed("notes", "one", "two", "three")
	s.ok("", "feed", "export", "notes", "-o", "good.stele")
	good, err := os.ReadFile(s.path("good.stele"))
	if err != nil {
		t.Fatal(err)
	}
	s.writeFile("trunc.stele", string(good[:len(good)-40]), 0o600)
	s.writeFile("garbage.stele", "this is not a feed file\n", 0o600)
	s.writeFile("empty.stele", "", 0o600)
	s.writeFile("pass.txt", "correct horse\n", 0o600)
	s.writeFile("emptypass.txt", "\n", 0o600)
	s.ok("", "key", "export", "notes", "--passphrase-file", "pass.txt", "-o", "notes.key")
	s.ok("", "key", "export", "notes", "--no-passphrase", "-o", "clear.key")
	s.writeFile("open.key", readFile(t, s.path("clear.key")), 0o644)
	s.writeFile("garbage.key", "stele-key v1\naddress nope\n", 0o600)
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyDir copies a tree, keeping file modes.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chmod(dst, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBadInput runs stele on every kind of bad input: each must give one
// "stele: ..." line saying what is wrong, exit 1 (2 for usage errors), and
// never a panic.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *sandbox) // optional, before the command
		env   []string
		stdin string
		args  []string
		code  int
		want  string
	}{
		// Usage errors.
		{name: "unknown command", args: []string{"fedd"}, code: 2, want: `unknown command "fedd" for "stele" (did you mean "feed"?)`},
		{name: "unknown subcommand", args: []string{"feed", "lst"}, code: 2, want: `unknown command "lst" for "stele feed"`},
		{name: "unknown flag", args: []string{"feed", "list", "--bogus"}, code: 2, want: `unknown flag: --bogus (see "stele feed list --help")`},
		{name: "missing argument", args: []string{"feed", "get", "notes"}, code: 2, want: "takes FEED and INDEX or LO:HI, got 1 argument"},
		{name: "too many arguments", args: []string{"feed", "new", "a", "b"}, code: 2, want: "takes at most one NAME, got 2 arguments"},
		{name: "bad index", args: []string{"feed", "get", "notes", "x"}, code: 2, want: `entry index "x": want a number from 0`},
		{name: "negative index", args: []string{"feed", "get", "notes", "--", "-1"}, code: 2, want: `entry index "-1"`},
		{name: "reversed range", args: []string{"feed", "get", "notes", "3:1"}, code: 2, want: `range "3:1": want LO:HI with 0 <= LO <= HI`},
		{name: "bad --range", args: []string{"feed", "export", "notes", "--range", "1-2", "-o", "x.stele"}, code: 2, want: `--range: range "1-2"`},
		{name: "key export without passphrase", args: []string{"key", "export", "notes"}, code: 2, want: "no passphrase: give --passphrase-file FILE"},
		{name: "contradictory key flags", args: []string{"key", "export", "notes", "--no-passphrase", "--passphrase-file", "pass.txt"}, code: 2, want: "contradict"},

		// Repo.
		{name: "no repo", env: []string{"STELE_PATH=/nonexistent/stele"}, args: []string{"feed", "list"}, code: 1, want: `no stele repo at /nonexistent/stele: run "stele init"`},
		{name: "no STELE_PATH nor HOME", env: []string{"STELE_PATH=", "HOME="}, args: []string{"feed", "list"}, code: 1, want: "neither STELE_PATH nor HOME is set"},
		{name: "init twice", args: []string{"init"}, code: 1, want: "stele repo already exists at"},
		{name: "bad config", setup: func(s *sandbox) { s.writeFile("repo/config.json", `{"version": 1, "feed": {}}`, 0o600) },
			args: []string{"feed", "list"}, code: 1, want: `config.json: bad config: json: unknown field "feed"`},
		{name: "identity readable by others", setup: func(s *sandbox) { os.Chmod(s.path("repo/identity.key"), 0o644) },
			args: []string{"feed", "list"}, code: 1, want: "identity.key is accessible by group or others (mode 0644)"},

		// Feed names and addresses.
		{name: "malformed address", args: []string{"feed", "info", "k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wm-"}, code: 1, want: "bad feed address: bad base36 character '-'"},
		{name: "malformed stele:// address", args: []string{"feed", "log", "stele://zQm"}, code: 1, want: "bad feed address"},
		{name: "unknown feed address", args: []string{"feed", "get", zeroAddress, "0"}, code: 1, want: `no feed "` + zeroAddress + `" in the repo at`},
		{name: "unknown feed name", args: []string{"feed", "info", "nosuch"}, code: 1, want: `"nosuch" is neither a local feed name nor an address`},
		{name: "bad feed name", args: []string{"feed", "new", "a/b"}, code: 1, want: `feed name "a/b": use at most 128 characters, no spaces, '/' or ':'`},
		{name: "name taken", args: []string{"feed", "new", "notes"}, code: 1, want: `name "notes" is taken`},

		// Reading.
		{name: "index past the end", args: []string{"feed", "get", "notes", "3"}, code: 1, want: "has 3 entries: there is no entry 3"},
		{name: "range past the end", args: []string{"feed", "get", "notes", "1:9"}, code: 1, want: "range 1:9 runs past its end"},

		// Appending.
		{name: "append missing file", args: []string{"feed", "append", "notes", "nope.txt"}, code: 1, want: "nope.txt: no such file"},
		{name: "append directory", args: []string{"feed", "append", "notes", "repo"}, code: 1, want: "repo is not a regular file"},
		{name: "entry file too large", setup: smallLimit, args: []string{"feed", "append", "notes", "good.stele"}, code: 1, want: "more than the entry limit of 16 bytes"},
		{name: "entry line too large", setup: smallLimit, stdin: "ok\n" + strings.Repeat("x", 17) + "\n", args: []string{"feed", "append", "notes"}, code: 1, want: "line 2: longer than the entry limit of 16 bytes"},

		// Feed files.
		{name: "verify missing file", args: []string{"verify", "./nope.stele"}, code: 1, want: "nope.stele: no such file"},
		{name: "verify not a feed file", args: []string{"verify", "garbage.stele"}, code: 1, want: "not a stele feed file"},
		{name: "verify empty file", args: []string{"verify", "empty.stele"}, code: 1, want: "not a stele feed file"},
		{name: "verify truncated file", args: []string{"verify", "trunc.stele"}, code: 1, want: "truncated"},
		{name: "verify without repo or file", env: []string{"STELE_PATH=/nonexistent"}, args: []string{"verify", "nope"}, code: 1, want: `"nope" is not a feed file, and there is no repo`},
		{name: "import truncated file", args: []string{"feed", "import", "trunc.stele"}, code: 1, want: "import trunc.stele: feed file, byte"},
		{name: "import missing file", args: []string{"feed", "import", "nope.stele"}, code: 1, want: "no such file"},
		{name: "export to an impossible path", args: []string{"feed", "export", "notes", "-o", "nodir/x.stele"}, code: 1, want: "export"},

		// Keys.
		{name: "key readable by others", args: []string{"key", "import", "open.key"}, code: 1, want: "key file open.key is accessible by group or others (mode 0644): refusing to use it; run: chmod 600 open.key"},
		{name: "wrong passphrase", env: []string{"STELE_PASSPHRASE=wrong horse"}, args: []string{"key", "import", "notes.key"}, code: 1, want: "wrong passphrase"},
		{name: "missing passphrase", args: []string{"key", "import", "notes.key"}, code: 1, want: "key file notes.key is encrypted: no passphrase"},
		{name: "empty passphrase file", args: []string{"key", "import", "notes.key", "--passphrase-file", "emptypass.txt"}, code: 1, want: "the first line is empty"},
		{name: "garbage key file", args: []string{"key", "import", "garbage.key"}, code: 1, want: "key import garbage.key"},
		{name: "key already held", args: []string{"key", "import", "clear.key"}, code: 1, want: "already the author"},
		{name: "key export of a replica", setup: func(s *sandbox) {
			s.env = append(s.env, "STELE_PATH="+s.path("other"))
			s.ok("", "init")
			s.ok("", "feed", "import", "good.stele")
		}, args: []string{"key", "export", "@notes", "--no-passphrase"}, code: 1, want: "not the author"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			args := tt.args
			for i, a := range args {
				if a == "@notes" { // the feed's address, for repos without the name
					args[i] = addressOf(t, s.path("good.stele"))
				}
			}
			r := s.run(tt.stdin, args, tt.env...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("stele %s: want exit %d and %q on stderr, got %s", strings.Join(args, " "), tt.code, tt.want, r)
			}
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 {
				t.Errorf("want one error line, got %d:\n%s", lines, r.stderr)
			}
		})
	}
}

func smallLimit(s *sandbox) {
	s.writeFile("repo/config.json", `{"version": 1, "feeds": {"entry_limit": 16}}`, 0o600)
}

// addressOf reads the address of a feed file with "stele verify --json".
func addressOf(t *testing.T, file string) string {
	s := newSandbox(t)
	var v struct{ Address string }
	s.jsonOf(&v, "verify", file)
	return v.Address
}

// TestBadInputChangesNothing checks that failed commands store nothing.
func TestBadInputChangesNothing(t *testing.T) {
	s := fixture(t)
	s.env = append(s.env, "STELE_PATH="+s.path("other"))
	s.ok("", "init")
	for _, file := range []string{"trunc.stele", "garbage.stele", "empty.stele"} {
		s.run("", []string{"feed", "import", file})
	}
	r := s.run("", []string{"feed", "list", "--json"})
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("after failed imports: %s", r)
	}
}

// TestVerifyFileWithoutRepo checks that a feed file verifies anywhere.
func TestVerifyFileWithoutRepo(t *testing.T) {
	s := fixture(t)
	r := s.run("", []string{"verify", "good.stele"}, "STELE_PATH=/nonexistent")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ok: feed file good.stele") {
		t.Errorf("verify without a repo: %s", r)
	}
}

// TestRepoInUse holds the repo open in this process while the binary, in
// another, tries to use it.
func TestRepoInUse(t *testing.T) {
	s := initSandbox(t)
	r, err := repo.Open(s.repo, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s.fail(1, "stele repo at "+s.repo+" is in use by another process", "", "feed", "list")
}

// TestVerifyJSONFailure checks that --json reports a failure on stdout
// as well as on stderr.
func TestVerifyJSONFailure(t *testing.T) {
	s := fixture(t)
	r := s.run("", []string{"verify", "./trunc.stele", "--json"})
	var v struct {
		OK     bool
		Kind   string
		Error  string
		Offset *int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || r.code != 1 {
		t.Fatalf("verify --json of a truncated file: %v\n%s", err, r)
	}
	if v.OK || v.Kind != "file" || !strings.Contains(v.Error, "truncated") || v.Offset == nil {
		t.Errorf("verify --json of a truncated file: %+v", v)
	}
}
