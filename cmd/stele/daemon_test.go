package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// startDaemon runs "stele daemon" in the sandbox and returns once it
// serves its API. stop interrupts it and checks it shut down cleanly.
func (s *sandbox) startDaemon() (cmd *exec.Cmd, stop func()) {
	s.t.Helper()
	cmd = exec.Command(steleBin, "daemon")
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "daemon running: ") {
		cmd.Process.Kill()
		cmd.Wait()
		s.t.Fatalf("daemon did not start: %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	stopped := false
	stop = func() {
		if stopped || cmd.ProcessState != nil {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			s.t.Errorf("daemon exited with %v after SIGINT", err)
		}
		if _, err := os.Stat(filepath.Join(s.repo, "api")); err == nil {
			s.t.Error("daemon left its api file behind")
		}
	}
	s.t.Cleanup(stop)
	return cmd, stop
}

func TestCommandsThroughDaemon(t *testing.T) {
	s := newSandbox(t)
	s.ok("", "init", "--profile", "local")
	_, stop := s.startDaemon()

	addr := strings.TrimSpace(s.ok("", "feed", "new", "notes"))
	if out := s.ok("one\ntwo\nthree\n", "feed", "append", "notes"); !strings.Contains(out, "appended 3 entries (0:3)") {
		t.Fatalf("append through the daemon: %q", out)
	}
	os.WriteFile(filepath.Join(s.dir, "entry.bin"), []byte("from a file"), 0o644)
	s.ok("", "feed", "append", "notes", "entry.bin") // a path relative to the client's directory
	if out := s.ok("", "feed", "get", "notes", "3"); out != "from a file" {
		t.Fatalf("entry appended from a relative path = %q", out)
	}
	if out := s.ok("", "feed", "info", "notes", "--json"); !strings.Contains(out, `"length": 4`) || !strings.Contains(out, addr) {
		t.Fatalf("info through the daemon: %s", out)
	}
	s.ok("", "feed", "export", "notes", "-o", "notes.stele")
	if _, err := os.Stat(filepath.Join(s.dir, "notes.stele")); err != nil {
		t.Fatalf("export -o with a relative path did not land in the client's directory: %v", err)
	}
	if out := s.ok("", "verify", "notes.stele"); !strings.HasPrefix(out, "ok: feed file notes.stele") {
		t.Fatalf("verify through the daemon: %s", out)
	}
	r := s.run("", []string{"key", "export", "notes", "-o", "notes.key"}, "STELE_PASSPHRASE=a passphrase")
	if r.code != 0 {
		t.Fatalf("key export with the client's STELE_PASSPHRASE: %s", r)
	}
	s.fail(1, "neither a local feed name nor an address", "", "feed", "get", "nope", "0")
	s.fail(2, "", "", "feed", "get", "notes")

	// Once the daemon is gone, the same commands open the repo directly.
	stop()
	if out := s.ok("", "feed", "get", "notes", "0"); out != "one" {
		t.Fatalf("direct read after the daemon stopped = %q", out)
	}
}

// TestKilledDaemon: a daemon killed without cleanup leaves a stale api
// file; commands notice nothing answers there and open the repo directly.
func TestKilledDaemon(t *testing.T) {
	s := newSandbox(t)
	s.ok("", "init", "--profile", "local")
	s.ok("", "feed", "new", "notes")
	cmd, _ := s.startDaemon()
	s.ok("x\n", "feed", "append", "notes")
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(s.repo, "api")); err != nil {
		t.Fatalf("expected a stale api file after SIGKILL: %v", err)
	}
	if out := s.ok("", "feed", "get", "notes", "0"); out != "x" {
		t.Fatalf("read after the daemon was killed = %q", out)
	}
	// And a new daemon starts over the stale files.
	_, stop := s.startDaemon()
	s.ok("y\n", "feed", "append", "notes")
	stop()
}

func TestInitProfiles(t *testing.T) {
	s := newSandbox(t)
	s.fail(2, `unknown profile "nope"`, "", "init", "--profile", "nope")
	out := s.ok("", "init", "--profile", "local", "--json")
	for _, want := range []string{`"address": "127.0.0.1:0"`, `"/ip4/127.0.0.1/tcp/0"`, `"private": true`} {
		if !strings.Contains(out, want) {
			t.Errorf("local profile config lacks %s:\n%s", want, out)
		}
	}
}

// The daemon serves Go's profiler on its API, to holders of the token only.
func TestDaemonProfilerNeedsToken(t *testing.T) {
	s := newSandbox(t)
	s.ok("", "init", "--profile", "local")
	s.startDaemon()
	addr, err := os.ReadFile(filepath.Join(s.repo, "api"))
	if err != nil {
		t.Fatal(err)
	}
	token, err := os.ReadFile(filepath.Join(s.repo, "api.token"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/profile?seconds=1"} {
		url := "http://" + strings.TrimSpace(string(addr)) + path
		for _, tc := range []struct {
			auth string
			want int
		}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusUnauthorized}, {"Bearer " + strings.TrimSpace(string(token)), http.StatusOK}} {
			req, _ := http.NewRequest("GET", url, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s with %q: %s, want %d", path, tc.auth, resp.Status, tc.want)
			}
			if tc.want == http.StatusOK && len(body) == 0 {
				t.Errorf("GET %s: empty body", path)
			}
		}
	}
}
