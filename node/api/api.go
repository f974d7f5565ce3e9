// Package api is the daemon's local HTTP API. Like Kubo's, it mirrors the
// command line: a client sends a command's arguments, working directory
// and standard input, and the daemon runs the command against its open
// repo and node, streaming back standard output, standard error and the
// exit code. So every stele command works the same way whether a daemon
// runs (the command goes through the API, since the daemon holds the
// repo's lock) or not (the command opens the repo itself).
//
// # Endpoints
//
//	POST /api/v1/run        run a command (below)
//	POST /api/v1/interrupt  interrupt a running command: ?id=ID (204; 404 if none runs)
//	GET  /api/v1/ping       204 if the daemon is up and the token is right
//
// The daemon may serve more (Prometheus /metrics, archives over HTTP):
// Server.Handle adds routes. Every /api/ route requires the header
//
//	Authorization: Bearer <token>
//
// where the token is the content of the repo's api.token file (mode 0600,
// made at daemon start), so only users who can read the repo can drive the
// daemon. The API listens on 127.0.0.1 only; its address is written to the
// repo's api file while the daemon runs.
//
// # Running a command
//
// The request's query carries the arguments (repeated "arg"), the
// client's working directory ("cwd"), against which the daemon resolves
// relative paths, and the few client environment variables a command reads
// (repeated "env", KEY=VALUE, such as STELE_PASSPHRASE); the request body is the command's standard input,
// streamed. The response body is a stream of frames until the exit frame:
//
//	frame = kind(1 byte) uvarint(len) data
//	kind  = 1 standard output | 2 standard error | 3 exit code (data = decimal)
//
// Output is flushed as it is written, so long-running commands (watch,
// sync with progress) stream live; closing the connection cancels the
// command.
//
// # Interrupts
//
// A client may name its run with a random "id" in the query. Interrupting
// that id ends the command's context while the connection stays open, as
// SIGINT does to a command run in its own process: a command that runs
// until interrupted (watch, clone --live, publish --watch) stops cleanly
// and its last output and exit code still reach the client. The client
// forwards its first SIGINT this way and closes the connection on the
// second.
package api

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Frame kinds of a run response.
const (
	frameStdout = 1
	frameStderr = 2
	frameExit   = 3
)

// maxFrame bounds one frame a client accepts.
const maxFrame = 16 << 20

// A Request is a command line to run in the daemon.
type Request struct {
	Args []string
	Cwd  string   // the client's working directory
	Env  []string // KEY=VALUE: the client's environment variables the command may read
	// ID, if set, names the run for Client.Interrupt: a random string
	// (NewToken makes one), unique among the runs under way.
	ID string
}

// A Command runs one command line in the daemon. It must honour ctx: it is
// cancelled when the client goes away or interrupts the run.
type Command func(ctx context.Context, req Request, stdin io.Reader, stdout, stderr io.Writer) int

// Files in the repo that tell clients where the API is.
const (
	AddrFile  = "api"
	TokenFile = "api.token"
)

// A Server serves the API.
type Server struct {
	mux   *http.ServeMux
	token string
	run   Command

	mu   sync.Mutex
	runs map[string]context.CancelFunc // by Request.ID, the runs that can be interrupted
}

// NewServer returns a server that runs commands with run and accepts only
// requests bearing token.
func NewServer(token string, run Command) *Server {
	s := &Server{mux: http.NewServeMux(), token: token, run: run, runs: make(map[string]context.CancelFunc)}
	s.mux.HandleFunc("POST /api/v1/run", s.auth(s.handleRun))
	s.mux.HandleFunc("POST /api/v1/interrupt", s.auth(s.handleInterrupt))
	s.mux.HandleFunc("GET /api/v1/ping", s.auth(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	return s
}

// Handle adds a route (for example /metrics); routes under /api/ require
// the token too.
func (s *Server) Handle(pattern string, h http.Handler) {
	if strings.Contains(pattern, "/api/") {
		h = s.auth(h.ServeHTTP)
	}
	s.mux.Handle(pattern, h)
}

// Protected wraps h so that it requires the token.
func (s *Server) Protected(h http.Handler) http.Handler { return s.auth(h.ServeHTTP) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	want := []byte("Bearer " + s.token)
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			http.Error(w, "missing or wrong API token", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := Request{Args: q["arg"], Cwd: q.Get("cwd"), Env: q["env"], ID: q.Get("id")}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if req.ID != "" {
		if !s.register(req.ID, cancel) {
			http.Error(w, fmt.Sprintf("a run with id %q is already under way", req.ID), http.StatusConflict)
			return
		}
		defer s.unregister(req.ID)
	}
	// Reading the body (stdin) while writing output needs full duplex.
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()
	w.Header().Set("Content-Type", "application/vnd.stele.frames")
	w.WriteHeader(http.StatusOK)
	fw := &frameWriter{w: w, flush: func() { _ = rc.Flush() }}
	code := s.run(ctx, req, r.Body, fw.stream(frameStdout), fw.stream(frameStderr))
	fw.write(frameExit, []byte(strconv.Itoa(code)))
}

func (s *Server) register(id string, cancel context.CancelFunc) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.runs[id]; dup {
		return false
	}
	s.runs[id] = cancel
	return true
}

func (s *Server) unregister(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runs, id)
}

func (s *Server) handleInterrupt(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	s.mu.Lock()
	cancel, ok := s.runs[id]
	s.mu.Unlock()
	if !ok {
		http.Error(w, fmt.Sprintf("no run with id %q is under way", id), http.StatusNotFound)
		return
	}
	cancel()
	w.WriteHeader(http.StatusNoContent)
}

// A frameWriter multiplexes output streams into frames.
type frameWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush func()
	err   error
}

func (fw *frameWriter) write(kind byte, p []byte) (int, error) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.err != nil {
		return 0, fw.err
	}
	for len(p) > 0 || kind == frameExit {
		n := min(len(p), maxFrame)
		hdr := binary.AppendUvarint([]byte{kind}, uint64(n))
		if _, fw.err = fw.w.Write(hdr); fw.err == nil {
			_, fw.err = fw.w.Write(p[:n])
		}
		if fw.err != nil {
			return 0, fw.err
		}
		p = p[n:]
		if kind == frameExit {
			break
		}
	}
	fw.flush()
	return len(p), nil
}

type streamWriter struct {
	fw   *frameWriter
	kind byte
}

func (s streamWriter) Write(p []byte) (int, error) {
	if _, err := s.fw.write(s.kind, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (fw *frameWriter) stream(kind byte) io.Writer { return streamWriter{fw, kind} }

// NewToken returns a fresh random API token.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// A Client talks to a running daemon.
type Client struct {
	base  string // http://127.0.0.1:port
	token string
	http  *http.Client
}

// ErrNoDaemon means no daemon is running for the repo.
var ErrNoDaemon = errors.New("no daemon running")

// Dial finds the daemon of the repo at repoPath from its api and
// api.token files and checks that it answers. It returns ErrNoDaemon
// (wrapped) when none runs.
func Dial(ctx context.Context, repoPath string) (*Client, error) {
	addr, err := os.ReadFile(filepath.Join(repoPath, AddrFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoDaemon
	}
	if err != nil {
		return nil, err
	}
	token, err := os.ReadFile(filepath.Join(repoPath, TokenFile))
	if err != nil {
		return nil, fmt.Errorf("daemon API token: %w", err)
	}
	host := strings.TrimSpace(string(addr))
	if h, _, err := net.SplitHostPort(host); err != nil || !net.ParseIP(h).IsLoopback() {
		return nil, fmt.Errorf("daemon API address %q in %s is not a loopback address", host, filepath.Join(repoPath, AddrFile))
	}
	// No keep-alive: a CLI run makes one or two requests, and idle
	// connections would outlive it.
	c := &Client{base: "http://" + host, token: strings.TrimSpace(string(token)),
		http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(pingCtx, "GET", c.base+"/api/v1/ping", nil)
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		// A stale api file from a daemon that was killed.
		return nil, fmt.Errorf("%w (stale %s file: %v)", ErrNoDaemon, AddrFile, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return nil, fmt.Errorf("daemon at %s: %s", host, resp.Status)
	}
	return c, nil
}

func (c *Client) authorize(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.token) }

// Run runs a command in the daemon, copying its output to stdout and
// stderr as it arrives, and returns its exit code.
func (c *Client) Run(ctx context.Context, req Request, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	q := url.Values{"arg": req.Args, "cwd": {req.Cwd}, "env": req.Env}
	if req.ID != "" {
		q.Set("id", req.ID)
	}
	if stdin == nil {
		stdin = http.NoBody
	}
	hreq, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/run?"+q.Encode(), stdin)
	if err != nil {
		return 1, err
	}
	c.authorize(hreq)
	resp, err := c.http.Do(hreq)
	if err != nil {
		return 1, fmt.Errorf("daemon API: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return 1, fmt.Errorf("daemon API: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return readFrames(bufio.NewReader(resp.Body), stdout, stderr)
}

// Interrupt interrupts the run named id (Request.ID): its command's
// context ends, and Run still returns its last output and exit code.
func (c *Client) Interrupt(ctx context.Context, id string) error {
	hreq, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/v1/interrupt?"+url.Values{"id": {id}}.Encode(), http.NoBody)
	if err != nil {
		return err
	}
	c.authorize(hreq)
	resp, err := c.http.Do(hreq)
	if err != nil {
		return fmt.Errorf("daemon API: interrupt: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("daemon API: interrupt: %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

func readFrames(r *bufio.Reader, stdout, stderr io.Writer) (int, error) {
	for {
		kind, err := r.ReadByte()
		if err != nil {
			return 1, fmt.Errorf("daemon API: the daemon closed the connection before the command finished: %w", err)
		}
		n, err := binary.ReadUvarint(r)
		if err != nil || n > maxFrame {
			return 1, fmt.Errorf("daemon API: malformed response frame")
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return 1, fmt.Errorf("daemon API: truncated response frame: %w", err)
		}
		switch kind {
		case frameStdout:
			stdout.Write(data)
		case frameStderr:
			stderr.Write(data)
		case frameExit:
			code, err := strconv.Atoi(string(data))
			if err != nil {
				return 1, fmt.Errorf("daemon API: bad exit code %q", data)
			}
			return code, nil
		default:
			return 1, fmt.Errorf("daemon API: unknown frame kind %d", kind)
		}
	}
}
