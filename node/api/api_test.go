package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// serve starts a server for run on 127.0.0.1 and writes the repo's api
// files as the daemon does.
func serve(t *testing.T, run Command) (repoPath string) {
	t.Helper()
	repoPath = t.TempDir()
	token, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: NewServer(token, run)}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-done
	})
	os.WriteFile(filepath.Join(repoPath, AddrFile), []byte(ln.Addr().String()+"\n"), 0o600)
	os.WriteFile(filepath.Join(repoPath, TokenFile), []byte(token+"\n"), 0o600)
	return repoPath
}

func echo(ctx context.Context, req Request, stdin io.Reader, stdout, stderr io.Writer) int {
	in, _ := io.ReadAll(stdin)
	fmt.Fprintf(stdout, "args=%q cwd=%s env=%q stdin=%q", req.Args, req.Cwd, req.Env, in)
	fmt.Fprint(stderr, "a warning")
	return 3
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	repo := serve(t, echo)
	c, err := Dial(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code, err := c.Run(context.Background(), Request{Args: []string{"feed", "get", "x y", "0:2"}, Cwd: "/some/dir", Env: []string{"STELE_PASSPHRASE=a b"}}, strings.NewReader("line\n"), &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if code != 3 || out.String() != `args=["feed" "get" "x y" "0:2"] cwd=/some/dir env=["STELE_PASSPHRASE=a b"] stdin="line\n"` || errOut.String() != "a warning" {
		t.Fatalf("code %d stdout %q stderr %q", code, out.String(), errOut.String())
	}
}

// TestStreaming: output reaches the client while the command still runs,
// and stdin is read while output is written (full duplex).
func TestStreaming(t *testing.T) {
	repo := serve(t, func(ctx context.Context, _ Request, stdin io.Reader, stdout, _ io.Writer) int {
		buf := make([]byte, 64)
		for {
			n, err := stdin.Read(buf)
			if n > 0 {
				fmt.Fprintf(stdout, "got %s;", buf[:n])
			}
			if err != nil {
				return 0
			}
		}
	})
	c, err := Dial(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int)
	go func() {
		code, _ := c.Run(context.Background(), Request{}, inR, outW, io.Discard)
		outW.Close()
		done <- code
	}()
	buf := make([]byte, 64)
	for _, word := range []string{"one", "two"} {
		inW.Write([]byte(word))
		n, err := outR.Read(buf)
		if err != nil || string(buf[:n]) != "got "+word+";" {
			t.Fatalf("read %q, %v while the command runs", buf[:n], err)
		}
	}
	inW.Close()
	io.Copy(io.Discard, outR)
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestCancelOnDisconnect(t *testing.T) {
	cancelled := make(chan struct{})
	repo := serve(t, func(ctx context.Context, _ Request, _ io.Reader, stdout, _ io.Writer) int {
		fmt.Fprint(stdout, "started")
		<-ctx.Done()
		close(cancelled)
		return 1
	})
	c, err := Dial(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	w := writerFunc(func(p []byte) (int, error) { close(started); return len(p), nil })
	go c.Run(ctx, Request{}, nil, w, io.Discard)
	<-started
	cancel()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the command was not cancelled when the client went away")
	}
}

// TestInterrupt: an interrupted run's context ends while the connection
// stays open, so its last words and exit code reach the client; unknown
// and duplicate ids are refused.
func TestInterrupt(t *testing.T) {
	repo := serve(t, func(ctx context.Context, _ Request, _ io.Reader, stdout, _ io.Writer) int {
		fmt.Fprint(stdout, "started;")
		<-ctx.Done()
		fmt.Fprint(stdout, "stopped cleanly")
		return 0
	})
	c, err := Dial(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := NewToken()
	started := make(chan struct{})
	var out bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		if out.Len() == 0 {
			close(started)
		}
		return out.Write(p)
	})
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := c.Run(context.Background(), Request{ID: id}, nil, w, io.Discard)
		done <- result{code, err}
	}()
	<-started
	if code, err := c.Run(context.Background(), Request{ID: id}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "already under way") {
		t.Errorf("a second run with the same id: code %d, %v", code, err)
	}
	if err := c.Interrupt(context.Background(), "no-such-run"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("interrupting an unknown run: %v", err)
	}
	if err := c.Interrupt(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil || r.code != 0 || out.String() != "started;stopped cleanly" {
			t.Fatalf("interrupted run: code %d, err %v, output %q", r.code, r.err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the interrupted command did not stop")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestDialErrors(t *testing.T) {
	if _, err := Dial(context.Background(), t.TempDir()); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("no api file: %v, want ErrNoDaemon", err)
	}
	stale := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	os.WriteFile(filepath.Join(stale, AddrFile), []byte(addr), 0o600)
	os.WriteFile(filepath.Join(stale, TokenFile), []byte("x"), 0o600)
	if _, err := Dial(context.Background(), stale); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("stale api file: %v, want ErrNoDaemon", err)
	}
	remote := t.TempDir()
	os.WriteFile(filepath.Join(remote, AddrFile), []byte("192.0.2.1:5001"), 0o600)
	os.WriteFile(filepath.Join(remote, TokenFile), []byte("x"), 0o600)
	if _, err := Dial(context.Background(), remote); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("non-loopback api address: %v, want a refusal before any dial", err)
	}
	repo := serve(t, echo)
	os.WriteFile(filepath.Join(repo, TokenFile), []byte("wrong"), 0o600)
	if _, err := Dial(context.Background(), repo); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: %v, want 401", err)
	}
}
