package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node"
	"github.com/steledb/stele/node/api"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
)

// daemonState is what commands run inside the daemon share: the repo it
// holds open.
type daemonState struct {
	repo *repo.Repo
	node *node.Node
	dbs  *dbs.Manager
}

func newDaemonCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "daemon",
		Short: "Run the node: hold the repo open and serve the local API",
		Long: `Run the stele node until interrupted (SIGINT or SIGTERM). The daemon holds
the repo open and serves a local HTTP API on the address of api.address in
config.json (127.0.0.1 only), guarded by a token in the repo's api.token
file; it writes the address it took to the repo's api file. While it runs,
every other stele command goes through it, so they work as usual.`,
		Example: `  stele daemon &
  stele feed list`,
		Args: exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.runDaemon()
		}),
	}
}

func (a *app) runDaemon() error {
	if a.daemon != nil {
		return errors.New("the daemon is already running")
	}
	r, closeRepo, err := a.openRepo()
	if err != nil {
		return err
	}
	defer closeRepo()
	ctx, stop := signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := node.Start(r, node.Options{Logger: a.logger()})
	if err != nil {
		return err
	}
	defer n.Close()
	d := &daemonState{repo: r, node: n, dbs: n.DBs}

	token, err := api.NewToken()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", r.Config.API.Address)
	if err != nil {
		return fmt.Errorf("daemon API on %s: %w", r.Config.API.Address, err)
	}
	handler := api.NewServer(token, a.daemonCommand(d))
	handler.Handle("GET /metrics", n.MetricsHandler())
	// Go's profiler, as Kubo serves it: behind the token, since a profile
	// shows what the daemon holds.
	handler.Handle("/debug/pprof/", handler.Protected(http.HandlerFunc(pprof.Index)))
	handler.Handle("/debug/pprof/profile", handler.Protected(http.HandlerFunc(pprof.Profile)))
	handler.Handle("/debug/pprof/trace", handler.Protected(http.HandlerFunc(pprof.Trace)))
	handler.Handle("/archive/", archive.Handler(func(ctx context.Context, addr string) (*archive.Archive, error) {
		return (&archive.Archives{Feeds: r.Feeds, DBs: n.DBs, Holder: n}).Open(ctx, addr)
	}))
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	cleanup, err := writeAPIFiles(r.Path, ln.Addr().String(), token)
	if err != nil {
		srv.Close()
		return err
	}
	defer cleanup()
	fmt.Fprintf(a.stdout, "daemon running: repo %s, API http://%s, peer ID %s\n", r.Path, ln.Addr(), r.PeerID())
	for _, addr := range n.Host.Addrs() {
		fmt.Fprintf(a.stdout, "swarm listening on %s\n", addr)
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("daemon API: %w", err)
	}
	fmt.Fprintln(a.stdout, "daemon stopping")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	<-served
	return nil
}

// writeAPIFiles writes the token (first, so a client that finds the
// address always finds the token) and the address, and returns a function
// that removes both.
func writeAPIFiles(repoPath, addr, token string) (func(), error) {
	tokenPath, addrPath := filepath.Join(repoPath, api.TokenFile), filepath.Join(repoPath, api.AddrFile)
	if err := os.WriteFile(tokenPath, []byte(token+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write API token: %w", err)
	}
	if err := os.WriteFile(addrPath, []byte(addr+"\n"), 0o600); err != nil {
		os.Remove(tokenPath)
		return nil, fmt.Errorf("write API address: %w", err)
	}
	return func() {
		os.Remove(addrPath)
		os.Remove(tokenPath)
	}, nil
}

// daemonCommand runs a client's command line inside the daemon.
func (a *app) daemonCommand(d *daemonState) api.Command {
	return func(ctx context.Context, req api.Request, stdin io.Reader, stdout, stderr io.Writer) int {
		env := make(map[string]string)
		for _, kv := range req.Env {
			if k, v, ok := strings.Cut(kv, "="); ok && forwardedEnv[k] {
				env[k] = v
			}
		}
		client := &app{stdin: stdin, stdout: stdout, stderr: stderr, ctx: ctx, cwd: req.Cwd, daemon: d,
			env: func(k string) string { return env[k] }}
		return client.execute(req.Args)
	}
}

// forwardedEnv are the client environment variables a command run by the
// daemon sees (it never sees the daemon's own environment).
var forwardedEnv = map[string]bool{"STELE_PASSPHRASE": true, "STELE_TRACE": true}

// localOnly are the commands that never go through a daemon.
var localOnly = map[string]bool{"init": true, "daemon": true, "quickstart": true, "demo": true, "help": true, "completion": true}

// forward runs the command line through the repo's daemon when one runs.
// It reports false when there is none, and the command must run here.
func (a *app) forward(args []string) (code int, forwarded bool) {
	if len(args) == 0 || localOnly[args[0]] || a.daemon != nil {
		return 0, false
	}
	for _, arg := range args {
		if arg == "--help" || arg == "-h" {
			return 0, false
		}
	}
	path, err := a.repoPath()
	if err != nil {
		return 0, false
	}
	c, err := api.Dial(a.ctx, path)
	if errors.Is(err, api.ErrNoDaemon) {
		return 0, false
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "stele: %v\n", err)
		return exitError, true
	}
	cwd, _ := os.Getwd()
	req := api.Request{Args: args, Cwd: cwd}
	for k := range forwardedEnv {
		if v := a.env(k); v != "" {
			req.Env = append(req.Env, k+"="+v)
		}
	}
	var stdin io.Reader
	if a.stdin != nil {
		stdin = io.NopCloser(a.stdin) // the HTTP client closes bodies
	}
	code, err = a.runInterruptible(c, req, stdin)
	if err != nil {
		fmt.Fprintf(a.stderr, "stele: %v\n", err)
	}
	return code, true
}

// runInterruptible runs req in the daemon, passing on interrupts as a
// command run here would feel them: the first SIGINT or SIGTERM
// interrupts the daemon's run (a command that runs until interrupted then
// stops cleanly and its exit code comes back), the second drops the
// connection, which cancels the run outright.
func (a *app) runInterruptible(c *api.Client, req api.Request, stdin io.Reader) (int, error) {
	id, err := api.NewToken()
	if err != nil {
		return exitError, err
	}
	req.ID = id
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	dropped := make(chan bool, 1)
	go func() { dropped <- a.relayInterrupts(ctx, c, id, signals, cancel) }()
	code, err := c.Run(ctx, req, stdin, a.stdout, a.stderr)
	cancel()
	if <-dropped && err != nil {
		return exitInterrupted, errors.New("interrupted")
	}
	return code, err
}

// relayInterrupts forwards the first signal to the daemon as an interrupt
// and cancels the run on the second (or when the interrupt cannot be
// delivered); it returns when ctx ends, reporting whether it cancelled.
func (a *app) relayInterrupts(ctx context.Context, c *api.Client, id string, signals <-chan os.Signal, cancel func()) (dropped bool) {
	interrupted := false
	for {
		select {
		case <-ctx.Done():
			return false
		case <-signals:
			if interrupted {
				cancel()
				return true
			}
			interrupted = true
			if err := c.Interrupt(ctx, id); err != nil {
				cancel()
				return true
			}
		}
	}
}
