package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// steleBin is the stele binary, built once for all tests: they run it as
// a user would, on real files in temporary repos.
var steleBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "stele-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	steleBin = filepath.Join(dir, "stele")
	if out, err := exec.Command("go", "build", "-o", steleBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// A sandbox is a user's world: a home, a repo path and a working
// directory, all temporary.
type sandbox struct {
	t    *testing.T
	dir  string // working directory
	repo string // $STELE_PATH
	env  []string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	dir := t.TempDir()
	s := &sandbox{t: t, dir: dir, repo: filepath.Join(dir, "repo")}
	s.env = []string{"HOME=" + dir, "TMPDIR=" + dir, "PATH=" + os.Getenv("PATH"), "STELE_PATH=" + s.repo}
	return s
}

// initSandbox returns a sandbox with an initialized repo.
func initSandbox(t *testing.T) *sandbox {
	s := newSandbox(t)
	s.ok("", "init")
	return s
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs stele with args and stdin, extra environment variables after.
func (s *sandbox) run(stdin string, args []string, env ...string) result {
	s.t.Helper()
	cmd := exec.Command(steleBin, args...)
	cmd.Dir = s.dir
	cmd.Env = append(append([]string(nil), s.env...), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		s.t.Fatalf("run stele %v: %v", args, err)
	}
	r := result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
	s.checkSane(args, r)
	return r
}

// checkSane fails the test on what stele must never print.
func (s *sandbox) checkSane(args []string, r result) {
	s.t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", "internal error", "runtime error"} {
		if strings.Contains(r.stderr, bad) {
			s.t.Fatalf("stele %v printed %q:\n%s", args, bad, r)
		}
	}
	if r.code != 0 {
		first, _, _ := strings.Cut(r.stderr, "\n")
		if !strings.HasPrefix(first, "stele: ") {
			s.t.Errorf("stele %v failed without a \"stele: \" error line:\n%s", args, r)
		}
	}
}

// ok runs stele and fails the test unless it exits 0.
func (s *sandbox) ok(stdin string, args ...string) string {
	s.t.Helper()
	r := s.run(stdin, args)
	if r.code != 0 {
		s.t.Fatalf("stele %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// fail runs stele and fails the test unless it exits with code and says
// want on stderr.
func (s *sandbox) fail(code int, want, stdin string, args ...string) result {
	s.t.Helper()
	r := s.run(stdin, args)
	if r.code != code || !strings.Contains(r.stderr, want) {
		s.t.Fatalf("stele %s: want exit %d and %q on stderr, got %s", strings.Join(args, " "), code, want, r)
	}
	return r
}

// jsonOf runs stele with --json and decodes its output into v.
func (s *sandbox) jsonOf(v any, args ...string) {
	s.t.Helper()
	out := s.ok("", append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		s.t.Fatalf("stele %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (s *sandbox) path(name string) string { return filepath.Join(s.dir, name) }

func (s *sandbox) writeFile(name, data string, mode os.FileMode) string {
	s.t.Helper()
	p := s.path(name)
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// newFeed creates a feed named name holding the given lines.
func (s *sandbox) newFeed(name string, lines ...string) string {
	s.t.Helper()
	addr := strings.TrimSpace(s.ok("", "feed", "new", name))
	if len(lines) > 0 {
		s.ok(strings.Join(lines, "\n")+"\n", "feed", "append", name)
	}
	return addr
}
