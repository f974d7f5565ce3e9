package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/steledb/stele/crypto"
)

func TestInitPrintsRepo(t *testing.T) {
	s := newSandbox(t)
	out := s.ok("", "init")
	if !strings.Contains(out, "initialized stele repo at "+s.repo) || !regexp.MustCompile(`peer ID: 12D3KooW\w+`).MatchString(out) {
		t.Errorf("init printed:\n%s", out)
	}
	var js struct {
		Path   string `json:"path"`
		PeerID string `json:"peer_id"`
		Config struct {
			Version int `json:"version"`
		} `json:"config"`
	}
	s2 := newSandbox(t)
	s2.jsonOf(&js, "init")
	if js.Path != s2.repo || !strings.HasPrefix(js.PeerID, "12D3KooW") || js.Config.Version != 1 {
		t.Errorf("init --json: %+v", js)
	}
}

func TestFeedLifecycle(t *testing.T) {
	s := initSandbox(t)
	addr := s.newFeed("notes")
	if _, err := crypto.ParseAddress(addr); err != nil {
		t.Fatalf("feed new printed %q: %v", addr, err)
	}
	if out := s.ok("hello\n\nworld", "feed", "append", "notes"); out != "appended 3 entries (0:3): checkpoint size 3\n" {
		t.Errorf("append printed %q", out)
	}
	binary := s.writeFile("blob", "two\nlines\x00\xff", 0o644)
	if out := s.ok("", "feed", "append", "stele://"+addr, binary); out != "appended 1 entry (3:4): checkpoint size 4\n" {
		t.Errorf("append FILE printed %q", out)
	}

	gets := []struct {
		args []string
		want string
	}{
		{[]string{"0"}, "hello"},
		{[]string{"1"}, ""},
		{[]string{"3"}, "two\nlines\x00\xff"},
		{[]string{"0:3"}, "hello\n\nworld\n"},
		{[]string{"2:"}, "world\ntwo\nlines\x00\xff\n"},
		{[]string{"4:4"}, ""},
		{[]string{"3", "--json"}, `{"index":3,"data":"` + base64.StdEncoding.EncodeToString([]byte("two\nlines\x00\xff")) + `"}`},
		{[]string{"0:2", "--json"}, `[{"index":0,"data":"aGVsbG8="},{"index":1,"data":""}]`},
		{[]string{"1:1", "--json"}, `[]`},
	}
	for _, g := range gets {
		out := s.ok("", append([]string{"feed", "get", "notes"}, g.args...)...)
		if strings.Contains(strings.Join(g.args, " "), "--json") {
			out = strings.Join(strings.Fields(out), "")
			g.want = strings.ReplaceAll(g.want, " ", "")
		}
		if out != g.want {
			t.Errorf("feed get notes %v = %q, want %q", g.args, out, g.want)
		}
	}

	list := s.ok("", "feed", "list")
	if !regexp.MustCompile(`notes\s+` + addr + `\s+4\s+author`).MatchString(list) {
		t.Errorf("feed list:\n%s", list)
	}
	var listed []map[string]any
	s.jsonOf(&listed, "feed", "list")
	if len(listed) != 1 || listed[0]["address"] != addr || listed[0]["length"] != 4.0 || listed[0]["role"] != "author" || listed[0]["forked"] != false {
		t.Errorf("feed list --json: %v", listed)
	}

	var log []map[string]any
	s.jsonOf(&log, "feed", "log", "notes")
	if len(log) != 3 || log[0]["size"] != 0.0 || log[1]["size"] != 3.0 || log[2]["size"] != 4.0 {
		t.Errorf("feed log --json: %v", log)
	}
	if out := s.ok("", "feed", "log", "notes"); !regexp.MustCompile(`(?m)^4\s+\d{4}-\d\d-\d\dT\S+Z\s+\S{43}=$`).MatchString(out) {
		t.Errorf("feed log:\n%s", out)
	}

	var info map[string]any
	s.jsonOf(&info, "feed", "info", addr)
	for k, want := range map[string]any{"address": addr, "length": 4.0, "forked": false, "role": "author", "name": "notes",
		"discovery_id": crypto.Discovery(mustParse(t, addr)).String(), "root": log[2]["root"]} {
		if info[k] != want {
			t.Errorf("feed info --json: %s = %v, want %v", k, info[k], want)
		}
	}
	if fmt.Sprint(info["ranges"]) != "[map[hi:4 lo:0]]" {
		t.Errorf("feed info --json: ranges = %v", info["ranges"])
	}
	if cp, _ := info["checkpoint"].(map[string]any); cp["size"] != 4.0 || cp["time"] == nil {
		t.Errorf("feed info --json: checkpoint = %v", info["checkpoint"])
	}
	if out := s.ok("", "feed", "info", "notes"); !strings.Contains(out, "ranges held:   0:4 (4 entries)") || !strings.Contains(out, "forked:        no") {
		t.Errorf("feed info:\n%s", out)
	}
}

func mustParse(t *testing.T, addr string) crypto.PublicKey {
	t.Helper()
	pub, err := crypto.ParseAddress(addr)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestAppendStreamsInBatches(t *testing.T) {
	s := initSandbox(t)
	s.newFeed("big")
	var in strings.Builder
	for i := range 2500 {
		fmt.Fprintf(&in, "line %d\n", i)
	}
	if out := s.ok(in.String(), "feed", "append", "big"); out != "appended 2500 entries (0:2500): checkpoint size 2500\n" {
		t.Errorf("append printed %q", out)
	}
	var log []struct{ Size int64 }
	s.jsonOf(&log, "feed", "log", "big")
	if fmt.Sprint(log) != "[{0} {1000} {2000} {2500}]" {
		t.Errorf("checkpoints %v, want one per batch of 1,000 lines", log)
	}
	if out := s.ok("", "feed", "get", "big", "1234"); out != "line 1234" {
		t.Errorf("entry 1234 = %q", out)
	}
}

func TestAppendFailsMidStream(t *testing.T) {
	s := initSandbox(t)
	s.writeFile("repo/config.json", `{"version": 1, "feeds": {"entry_limit": 16}}`, 0o600)
	s.newFeed("small")
	lines := make([]string, 1500)
	for i := range lines {
		lines[i] = fmt.Sprint(i)
	}
	lines[1199] = strings.Repeat("x", 17)
	s.fail(1, "line 1200: longer than the entry limit of 16 bytes", strings.Join(lines, "\n"), "feed", "append", "small")
	r := s.run(strings.Join(lines, "\n"), []string{"feed", "append", "small"})
	if !strings.Contains(r.stderr, "the 1000 entries before it were appended: 1000:2000, checkpoint size 2000") {
		t.Errorf("a failed append must say what it appended before failing:\n%s", r)
	}
	if out := s.ok("", "feed", "get", "small", "1999"); out != "999" {
		t.Errorf("entry 1999 = %q", out)
	}
	if out := s.ok(strings.Repeat("y", 16), "feed", "append", "small"); out != "appended 1 entry (2000:2001): checkpoint size 2001\n" {
		t.Errorf("an entry of exactly the limit: %q", out)
	}
}

func TestAppendNothing(t *testing.T) {
	s := initSandbox(t)
	s.newFeed("empty")
	r := s.run("", []string{"feed", "append", "empty"})
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "nothing to append") {
		t.Errorf("append of empty input: %s", r)
	}
}

func TestExportVerifyImport(t *testing.T) {
	a := initSandbox(t)
	addr := a.newFeed("notes", "alpha", "beta", "gamma")
	a.ok("delta\n", "feed", "append", "notes")
	out := a.ok("", "feed", "export", "notes", "-o", "notes.stele")
	if !strings.Contains(out, "4 entries (0:4), checkpoint size 4") {
		t.Errorf("export printed %q", out)
	}
	if fi, err := os.Stat(a.path("notes.stele")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("feed file: %v %v, want mode 0600", fi, err)
	}
	if out := a.ok("", "verify", "notes"); !strings.HasPrefix(out, "ok: feed notes ("+addr+")\n  verified: 4 entries (0:4), 3 checkpoints\n") {
		t.Errorf("verify notes:\n%s", out)
	}
	if out := a.ok("", "verify", "notes.stele"); !strings.HasPrefix(out, "ok: feed file notes.stele of feed "+addr+"\n  verified: 4 entries (0:4), 3 checkpoints\n") {
		t.Errorf("verify notes.stele:\n%s", out)
	}
	var v map[string]any
	a.jsonOf(&v, "verify", "./notes.stele")
	if v["ok"] != true || v["kind"] != "file" || v["address"] != addr || v["entries"] != 4.0 {
		t.Errorf("verify --json: %v", v)
	}

	a.ok("", "feed", "export", "notes", "--range", "1:3", "-o", "part.stele")
	stdoutFile := a.ok("", "feed", "export", addr)
	a.writeFile("piped.stele", stdoutFile, 0o600)

	b := newSandbox(t)
	b.dir = a.dir
	b.repo = a.path("other")
	b.env = append(b.env, "STELE_PATH="+b.repo)
	b.ok("", "init")
	if out := b.ok("", "feed", "import", "part.stele"); !strings.Contains(out, "imported "+addr+" as replica: 2 entries (1:3), checkpoint size 4") {
		t.Errorf("import printed %q", out)
	}
	b.fail(1, "entries 0:1 are not held here (held: 1:3)", "", "feed", "get", addr, "0:2")
	if out := b.ok("", "feed", "get", addr, "1:3"); out != "beta\ngamma\n" {
		t.Errorf("replica entries 1:3 = %q", out)
	}
	b.ok("", "feed", "import", "piped.stele")
	if out := b.ok("", "feed", "get", addr, "0:"); out != "alpha\nbeta\ngamma\ndelta\n" {
		t.Errorf("replica entries = %q", out)
	}
	b.ok("", "verify", addr)
	b.fail(1, "not the author", "more\n", "feed", "append", addr)
	if out := b.ok("", "feed", "list"); !regexp.MustCompile(`-\s+` + addr + `\s+4\s+replica`).MatchString(out) {
		t.Errorf("replica's feed list:\n%s", out)
	}
}

func TestExportWarnsAboutMissingRanges(t *testing.T) {
	a := initSandbox(t)
	addr := a.newFeed("notes", "a", "b", "c", "d")
	a.ok("", "feed", "export", "notes", "--range", "1:2", "-o", "one.stele")
	b := initSandbox(t)
	b.ok("", "feed", "import", a.path("one.stele"), "--name", "copy")
	if out := b.ok("", "feed", "info", "copy", "--json"); !strings.Contains(out, `"address": "`+addr+`"`) {
		t.Errorf("feed imported with --name is not found by its name: %s", out)
	}
	r := b.run("", []string{"feed", "export", addr, "--range", "0:3", "-o", "x.stele"})
	if r.code != 0 || !strings.Contains(r.stderr, "entries 0:1 of copy ("+addr+") are not held here and are left out") ||
		!strings.Contains(r.stdout, "1 entry (1:2)") {
		t.Errorf("export of a partly held range: %s", r)
	}
	b.fail(1, "range 0:9 runs past its end", "", "feed", "export", addr, "--range", "0:9", "-o", "y.stele")
}

func TestKeyBackupAndRestore(t *testing.T) {
	a := initSandbox(t)
	addr := a.newFeed("notes", "one", "two")
	a.writeFile("pass.txt", "correct horse\n", 0o600)
	out := a.ok("", "key", "export", "notes", "--passphrase-file", "pass.txt", "-o", "notes.key")
	if !strings.Contains(out, "encrypted with the passphrase") {
		t.Errorf("key export printed %q", out)
	}
	data, err := os.ReadFile(a.path("notes.key"))
	if err != nil || !strings.Contains(string(data), "kdf argon2id") || strings.Contains(out, string(data)) {
		t.Fatalf("key file: %v\n%s", err, data)
	}
	a.fail(1, "already exists", "", "key", "export", "notes", "--passphrase-file", "pass.txt", "-o", "notes.key")
	a.ok("", "feed", "export", "notes", "-o", "notes.stele")

	// A new node restores the feed from the feed file and the key.
	b := initSandbox(t)
	b.ok("", "feed", "import", a.path("notes.stele"))
	b.fail(1, "wrong passphrase", "", "key", "import", a.path("notes.key"), "--passphrase-file", b.writeFile("bad.txt", "wrong horse", 0o600))
	r := b.run("", []string{"key", "import", a.path("notes.key"), "--name", "restored"}, "STELE_PASSPHRASE=correct horse")
	if r.code != 0 || !strings.Contains(r.stdout, "this node is now its author") {
		t.Fatalf("key import: %s", r)
	}
	b.fail(1, "--force-restored", "three\n", "feed", "append", addr)
	r = b.run("three\n", []string{"feed", "append", addr, "--force-restored"})
	if r.code != 0 || r.stdout != "appended 1 entry (2:3): checkpoint size 3\n" || !strings.Contains(r.stderr, "this append forks the feed") {
		t.Errorf("append --force-restored: %s", r)
	}
	if out := b.ok("", "feed", "get", addr, "0:"); out != "one\ntwo\nthree\n" {
		t.Errorf("restored feed = %q", out)
	}
	b.ok("", "verify", addr)

	// Unencrypted, to standard output.
	r = a.run("", []string{"key", "export", "notes", "--no-passphrase"})
	if r.code != 0 || !strings.Contains(r.stdout, "kdf none") || !strings.Contains(r.stderr, "UNENCRYPTED") {
		t.Errorf("key export --no-passphrase: %s", r)
	}
}

func TestForkedFeedSaysSoEverywhere(t *testing.T) {
	a := initSandbox(t)
	addr := a.newFeed("notes", "a", "b")
	a.ok("", "key", "export", "notes", "--no-passphrase", "-o", "notes.key")

	// Another node with the same key appends other entries: two signed,
	// inconsistent checkpoints of size 2.
	b := initSandbox(t)
	b.ok("", "key", "import", a.path("notes.key"))
	b.ok("x\ny\n", "feed", "append", addr, "--force-restored")
	b.ok("", "feed", "export", addr, "-o", "fork.stele")
	a.fail(1, "forked", "", "feed", "import", b.path("fork.stele"))

	const warning = "is FORKED at size 2"
	for _, args := range [][]string{
		{"feed", "info", "notes"},
		{"feed", "list"},
		{"feed", "log", "notes"},
		{"feed", "get", "notes", "0"},
		{"feed", "export", "notes", "-o", "f.stele"},
	} {
		if r := a.run("", args); r.code != 0 || !strings.Contains(r.stderr, warning) {
			t.Errorf("stele %v on a forked feed: want a warning %q: %s", args, warning, r)
		}
	}
	a.fail(1, "forked", "c\n", "feed", "append", "notes")
	a.fail(1, "the feed is forked at size 2", "", "verify", "notes")
	var info map[string]any
	a.jsonOf(&info, "feed", "info", "notes")
	if info["forked"] != true || info["forked_at"] != 2.0 || info["fork_evidence"] != 1.0 {
		t.Errorf("feed info --json of a forked feed: %v", info)
	}
	if out := a.ok("", "feed", "list"); !strings.Contains(out, "author FORKED") {
		t.Errorf("feed list:\n%s", out)
	}
}

func TestQuickstart(t *testing.T) {
	s := newSandbox(t)
	out := s.ok("", "quickstart", "tour")
	for _, want := range []string{
		"$ stele init\ninitialized stele repo at " + s.path("tour/repo"),
		"appended 3 entries (0:3): checkpoint size 3",
		"$ stele feed get notes 0:4\nhello\nverifiable\nworld\none more\n",
		"ok: feed notes (",
		"ok: feed file " + s.path("tour/notes.stele"),
		"as replica: 4 entries (0:4)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("quickstart output lacks %q:\n%s", want, out)
		}
	}
	s.fail(1, "is not empty", "", "quickstart", "tour")

	// Without DIR it works in a new directory under $TMPDIR.
	out = s.ok("", "quickstart")
	m := regexp.MustCompile(`A tour of stele in (\S+):`).FindStringSubmatch(out)
	if m == nil || !strings.HasPrefix(m[1], s.dir+"/stele-quickstart-") {
		t.Errorf("quickstart without DIR:\n%s", out)
	}
}
