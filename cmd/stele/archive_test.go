package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkTree writes files (path -> content) under the sandbox's directory.
func (s *sandbox) mkTree(root string, files map[string]string) {
	s.t.Helper()
	for p, data := range files {
		full := filepath.Join(s.dir, root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			s.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

var publishedRE = regexp.MustCompile(`(?m)^archive (k51\w+)\nversion (\d+): `)

// publishDir runs stele publish and returns the archive's address.
func (s *sandbox) publishDir(args ...string) (addr, out string) {
	s.t.Helper()
	out = s.ok("", append([]string{"publish"}, args...)...)
	m := publishedRE.FindStringSubmatch(out)
	if m == nil {
		s.t.Fatalf("publish printed %q", out)
	}
	return m[1], out
}

func TestArchiveCommands(t *testing.T) {
	s := initSandbox(t)
	s.mkTree("data", map[string]string{"a.txt": "alpha\n", "sub/b.txt": "beta\n", "données/ü.txt": "unicode\n", "empty": ""})
	os.Symlink("a.txt", s.path("data/link"))
	addr, out := s.publishDir("data", "--name", "ds", "-m", "first")
	if !strings.Contains(out, "version 2: 7 added") {
		t.Errorf("first publish: %q", out)
	}
	if again, _ := s.publishDir("data"); again != addr {
		t.Errorf("second run published to %s, not %s", again, addr)
	}
	s.mkTree("data", map[string]string{"a.txt": "alpha two\n", "new.txt": "new\n"})
	os.Remove(s.path("data/sub/b.txt"))
	var pub map[string]any
	s.jsonOf(&pub, "publish", "data", "-m", "second")
	if pub["version"] != 3.0 || pub["added"] != 1.0 || pub["modified"] != 1.0 || pub["deleted"] != 1.0 || pub["archive"] != addr {
		t.Errorf("publish --json: %v", pub)
	}

	versions := s.ok("", "versions", "ds")
	for _, want := range []string{"archive created", "first", "second"} {
		if !strings.Contains(versions, want) {
			t.Errorf("versions lacks %q:\n%s", want, versions)
		}
	}
	var vs []map[string]any
	s.jsonOf(&vs, "versions", addr)
	if len(vs) != 3 || vs[1]["files_changed"] != 7.0 || vs[2]["message"] != "second" {
		t.Errorf("versions --json: %v", vs)
	}

	if ls := s.ok("", "ls", "ds"); !regexp.MustCompile(`(?m)^lrwxrwxrwx .* link -> a.txt$`).MatchString(ls) || !strings.Contains(ls, "sub/") {
		t.Errorf("ls:\n%s", ls)
	}
	var files []map[string]any
	s.jsonOf(&files, "ls", "ds", "--at", "2", "-r")
	if len(files) != 7 {
		t.Errorf("ls -r --at 2 --json: %v", files)
	}
	if out := s.ok("", "cat", "ds", "a.txt", "--at", "2"); out != "alpha\n" {
		t.Errorf("cat --at 2: %q", out)
	}
	if out := s.ok("", "cat", "ds", "link"); out != "alpha two\n" {
		t.Errorf("cat through a symlink: %q", out)
	}
	if out := s.ok("", "diff", "ds", "2", "3"); out != "M a.txt (content,time)\n+ new.txt\n- sub/b.txt\n" {
		t.Errorf("diff:\n%s", out)
	}
	if out := s.ok("", "diff", "ds", "2", "3", "--datoms"); !strings.Contains(out, ":stele.file/hash") {
		t.Errorf("diff --datoms:\n%s", out)
	}
	var changes []map[string]any
	s.jsonOf(&changes, "diff", "ds", "3", "2")
	if len(changes) != 3 {
		t.Errorf("diff --json: %v", changes)
	}

	s.ok("", "clone", "ds", "copy", "--at", "2")
	if got, _ := os.ReadFile(s.path("copy/a.txt")); string(got) != "alpha\n" {
		t.Errorf("clone --at 2: a.txt = %q", got)
	}
	if out := s.ok("", "pull", "copy"); !strings.Contains(out, "version 2 -> 3: 2 written, 1 removed") {
		t.Errorf("pull: %q", out)
	}
	if got, _ := os.ReadFile(s.path("copy/a.txt")); string(got) != "alpha two\n" {
		t.Errorf("after pull: a.txt = %q", got)
	}
	s.publishDir("data", "-m", "third") // nothing changed: no version
	os.WriteFile(s.path("data/a.txt"), []byte("alpha three\n"), 0o644)
	s.publishDir("data", "-m", "third")
	os.WriteFile(s.path("copy/a.txt"), []byte("mine\n"), 0o644)
	s.fail(1, "not updated: a.txt (changed locally)", "", "pull", "copy")
	if got, _ := os.ReadFile(s.path("copy/a.txt")); string(got) != "mine\n" {
		t.Errorf("pull overwrote a local change: %q", got)
	}
	s.ok("", "pull", "copy", "--force")
	if got, _ := os.ReadFile(s.path("copy/a.txt")); string(got) != "alpha three\n" {
		t.Errorf("pull --force: %q", got)
	}

	// Bad input: one "stele: " line, exit 1 (2 for a wrong command line).
	s.ok("", "feed", "new", "plain")
	for _, tt := range []struct {
		code int
		want string
		args []string
	}{
		{1, "is not a directory", []string{"publish", "nope"}},
		{1, "is not a directory", []string{"publish", "data/a.txt"}},
		{2, "--name only names a new archive", []string{"publish", "data", "--name", "other"}},
		{1, "is not an archive", []string{"ls", "plain"}},
		{1, "neither a local feed name nor an address", []string{"ls", "nope"}},
		{1, "has versions 1 to 4, not 9", []string{"ls", "ds", "--at", "9"}},
		{2, "versions start at 1", []string{"cat", "ds", "a.txt", "--at", "-1"}},
		{1, `no "missing"`, []string{"cat", "ds", "missing"}},
		{1, `"sub" is a directory`, []string{"cat", "ds", "sub"}},
		{1, "not empty", []string{"clone", "ds", "data"}},
		{1, "not a clone", []string{"pull", "data"}},
		{2, "archive versions are numbers from 1", []string{"diff", "ds", "0", "2"}},
		{2, "--live follows the latest version", []string{"clone", "ds", "x", "--live", "--at", "2"}},
		{2, "takes ARCHIVE [DIR]", []string{"clone"}},
	} {
		s.fail(tt.code, tt.want, "", tt.args...)
	}
	checkVerifyArchive(s, addr)
}

func TestImportCommand(t *testing.T) {
	s := initSandbox(t)
	s.mkTree("data", map[string]string{"readme": "stations\n"})
	s.publishDir("data", "--name", "ds")
	s.writeFile("stations.csv", "id,name,height\n1,Alpha,120\n2,Beta,35\n", 0o644)
	if out := s.ok("", "import", "ds", "stations.csv", "--key", "id"); !strings.Contains(out, "2 records: version 3: 2 added, 0 updated, 0 removed") ||
		!strings.Contains(out, "declared :stations/height") {
		t.Errorf("import: %q", out)
	}
	if out := s.ok("", "import", "ds", "stations.csv", "--key", "id"); !strings.Contains(out, "nothing changed (version 3)") {
		t.Errorf("re-import: %q", out)
	}
	s.writeFile("stations.csv", "id,name,height\n1,Alpha,121\n3,Gamma,7\n", 0o644)
	var res map[string]any
	s.jsonOf(&res, "import", "ds", "stations.csv", "--key", "id")
	if res["version"] != 4.0 || res["added"] != 1.0 || res["updated"] != 1.0 || res["removed"] != 1.0 {
		t.Errorf("import --json: %v", res)
	}
	hist := s.ok("", "history", "ds", `[:stations/id 1]`)
	if !regexp.MustCompile(`:stations/height\s+120\s+121`).MatchString(hist) {
		t.Errorf("history of a record:\n%s", hist)
	}
	if out := s.ok("", "versions", "ds"); !regexp.MustCompile(`4\s+\S+\s+0\s+3\s+0 B\s+import stations.csv`).MatchString(out) {
		t.Errorf("versions after imports:\n%s", out)
	}
	s.writeFile("people.jsonl", `{"id": "ann", "age": 41}`+"\n", 0o644)
	s.ok("", "feed", "new", "people")
	s.ok("", "import", "people", "people.jsonl", "--key", "id") // any feed you author
	s.writeFile("bad.jsonl", `{"id": "ann", "age": "old"}`+"\n", 0o644)
	s.fail(1, `line 1, field "age": "old" is not a long`, "", "import", "people", "bad.jsonl", "--key", "id", "--dataset", "people")
	s.fail(2, "--key FIELD is required", "", "import", "people", "people.jsonl")
	s.fail(2, "want a .csv, .jsonl or .ndjson file", "", "import", "people", "people.txt", "--key", "id")
	s.fail(1, "no such file", "", "import", "people", "nope.csv", "--key", "id")
}

// TestHostileArchiveCLI makes an archive hold a path climbing out (with
// stele transact, as a hostile author could) and checks that clone
// refuses it and writes nothing.
func TestHostileArchiveCLI(t *testing.T) {
	s := initSandbox(t)
	s.mkTree("data", map[string]string{"ok": "ok"})
	s.publishDir("data", "--name", "evil")
	s.ok(`[{:stele.file/path "../escaped" :stele.file/kind :stele.kind/symlink :stele.file/target "x"}]`, "transact", "evil")
	s.fail(1, `unsafe path "../escaped" in archive: climbs out with ..`, "", "clone", "evil", "out/clone")
	if _, err := os.Stat(s.path("out")); !os.IsNotExist(err) {
		t.Errorf("a refused clone wrote something: %v", err)
	}
	s.ok(`[[:db/retractEntity [:stele.file/path "../escaped"]] {:stele.file/path "up" :stele.file/kind :stele.kind/symlink :stele.file/target "../../etc"}]`, "transact", "evil")
	s.fail(1, `unsafe path "up" in archive: symlink to "../../etc" points outside the archive`, "", "clone", "evil", "out/clone")
	s.ok("", "clone", "evil", "out/clone", "--at", "2")
}

// A proc is a stele command that runs until interrupted, whose output is
// read line by line.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
}

func (s *sandbox) start(args ...string) *proc {
	s.t.Helper()
	cmd := exec.Command(steleBin, args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	p := &proc{t: s.t, cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	s.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

// waitFor reads output lines until one matches re.
func (p *proc) waitFor(re string) string {
	p.t.Helper()
	match := regexp.MustCompile(re)
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.cmd.Wait()
				p.t.Fatalf("stele exited before printing %q; stderr:\n%s", re, p.stderr)
			}
			if match.MatchString(line) {
				return line
			}
		case <-deadline:
			p.t.Fatalf("no line matching %q within a minute; stderr:\n%s", re, p.stderr)
		}
	}
}

// interrupt sends SIGINT and checks the command stops cleanly (exit 0),
// whether it runs here or, forwarded, in the daemon.
func (p *proc) interrupt() {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGINT)
	for range p.lines {
	}
	if err := p.cmd.Wait(); err != nil {
		p.t.Errorf("exit after SIGINT: %v; stderr:\n%s", err, p.stderr)
	}
}

func TestPublishWatch(t *testing.T) {
	s := initSandbox(t)
	s.mkTree("data", map[string]string{"a": "1"})
	p := s.start("publish", "data", "--watch", "--interval", "20ms", "--json")
	addr := regexp.MustCompile(`k51\w+`).FindString(p.waitFor(`"archive": "k51`))
	p.waitFor(`"version": 2,`)
	s.mkTree("data", map[string]string{"a": "two", "b": "new"})
	p.waitFor(`"version": 3,`)
	p.interrupt()
	if !strings.Contains(p.stderr.String(), "stopped watching") {
		t.Errorf("stderr: %s", p.stderr)
	}
	if out := s.ok("", "cat", addr, "b"); out != "new" {
		t.Errorf("cat after watching: %q", out)
	}
}

// TestCloneLiveThroughDaemon follows an archive live: versions published
// through the daemon (publish --watch) reach the clone; both commands run
// in the daemon and stop cleanly on SIGINT.
func TestCloneLiveThroughDaemon(t *testing.T) {
	s := newSandbox(t)
	s.ok("", "init", "--profile", "local")
	s.startDaemon()
	s.mkTree("data", map[string]string{"f.txt": "one"})
	s.publishDir("data", "--name", "live")
	p := s.start("clone", "live", "mirror", "--live")
	p.waitFor(`^cloned k51\w+ version 2 into `)
	w := s.start("publish", "data", "--watch", "--interval", "20ms")
	s.mkTree("data", map[string]string{"f.txt": "two", "g.txt": "new"})
	p.waitFor(`version 2 -> 3: 2 written, 0 removed`)
	w.interrupt()
	if !strings.Contains(w.stderr.String(), "stopped watching") {
		t.Errorf("the daemon did not stop publish --watch cleanly; stderr: %s", w.stderr)
	}
	p.interrupt()
	if !strings.Contains(p.stderr.String(), "stopped following") {
		t.Errorf("the daemon did not stop the clone cleanly; stderr: %s", p.stderr)
	}
	if got, _ := os.ReadFile(s.path("mirror/f.txt")); string(got) != "two" {
		t.Errorf("live clone holds %q", got)
	}
	var state map[string]any
	data, _ := os.ReadFile(s.path("mirror/.stele-clone"))
	if json.Unmarshal(data, &state); state["version"] != 3.0 {
		t.Errorf("clone state: %s", data)
	}
}

// TestReadmeArchiveCommands runs the commands of the README's section on
// archives, in order, in a sandbox: they must all succeed.
func TestReadmeArchiveCommands(t *testing.T) {
	readme := readFile(t, readmePath)
	_, section, ok := strings.Cut(readme, "## Archives")
	if !ok {
		t.Fatal("README.md has no section on archives")
	}
	_, block, _ := strings.Cut(section, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	s := initSandbox(t)
	s.mkTree("data", map[string]string{"readings.csv": "day,mm\n1,3\n"})
	s.writeFile("stations.csv", "id,name\n1,Alpha\n", 0o644)
	env := append(append([]string(nil), s.env...), "PATH="+filepath.Dir(steleBin)+":"+os.Getenv("PATH"))
	n := 0
	for line := range strings.Lines(block) {
		command, _, _ := strings.Cut(line, "#")
		if command = strings.TrimSpace(command); command == "" {
			continue
		}
		if n == 1 {
			s.mkTree("data", map[string]string{"readings.csv": "day,mm\n1,3\n2,0\n"})
		}
		n++
		cmd := exec.Command("bash", "-c", command)
		cmd.Dir, cmd.Env = s.dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("$ %s: %v\n%s", command, err, out)
		}
	}
	if n < 8 {
		t.Errorf("the README shows %d archive commands", n)
	}
}

// checkVerifyArchive verifies the archive ds (at addr, versions 1 to 4,
// which held 7 distinct file contents), then gives a file a hash its
// content does not have: verify fails, naming the version and the file.
func checkVerifyArchive(s *sandbox, addr string) {
	s.t.Helper()
	out := s.ok("", "verify", "ds")
	if !strings.HasPrefix(out, "ok: feed ds ("+addr+")\n") || !strings.Contains(out, "\nok: feed ds.content (") ||
		!strings.HasSuffix(out, "\nok: archive versions 1 to 4: 7 distinct files checked against their hashes\n") {
		s.t.Errorf("verify an archive:\n%s", out)
	}
	var v struct {
		OK      bool
		Archive struct {
			Content      struct{ OK bool }
			Version      int64
			FilesChecked int `json:"files_checked"`
		}
	}
	s.jsonOf(&v, "verify", addr)
	if !v.OK || !v.Archive.Content.OK || v.Archive.Version != 4 || v.Archive.FilesChecked != 7 {
		s.t.Errorf("verify --json of an archive: %+v", v)
	}
	bad := `[{:stele.file/path "new.txt" :stele.file/hash #stele/bytes "` + base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}]`
	s.ok(bad, "transact", "ds", "-")
	s.fail(1, "verify archive ds ("+addr+"): version 5: read new.txt: the content does not hash to the file's hash", "", "verify", "ds")
}
