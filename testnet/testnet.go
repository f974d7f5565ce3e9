// Package testnet runs real stele daemons on 127.0.0.1 in one private
// swarm, for scenario tests, benchmarks and trying things out by hand
// (scripts/testnet).
//
// Each node is a repo made by "stele init --profile local" (API and swarm
// on 127.0.0.1 with free ports, a private DHT prefix, no outside bootstrap
// peers) whose swarm.bootstrap lists the first node, the bootstrap node.
// Nodes are driven through the stele binary exactly as a user would: every
// command goes through the node's daemon API when the daemon runs.
//
// Nothing here dials anything outside 127.0.0.0/8: the nodes' configs are
// checked before every start.
package testnet

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A Net is a set of nodes in one private swarm.
type Net struct {
	Bin string // the stele binary
	Dir string // holds one repo per node

	mu    sync.Mutex
	nodes []*Node
}

// New prepares a net in dir, driving the stele binary bin.
func New(bin, dir string) *Net { return &Net{Bin: bin, Dir: dir} }

// A Node is one stele repo and, while started, its daemon.
type Node struct {
	Name string
	Repo string // $STELE_PATH
	// Bin, if set, is the stele binary this node runs instead of the
	// net's (a hostile build, say); Env are extra environment variables.
	Bin string
	Env []string
	net *Net

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer // set once; written and read under logMu
	id     Identity
}

// Identity is what "stele id --json" says of a node.
type Identity struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"` // full multiaddrs, with /p2p/
}

// Nodes returns the nodes, in creation order; the first is the bootstrap
// node.
func (n *Net) Nodes() []*Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Node(nil), n.nodes...)
}

// AddNode makes a new node's repo. Its bootstrap peer is the first node,
// which must be running (the first node itself bootstraps from no one).
func (n *Net) AddNode(ctx context.Context, name string) (*Node, error) {
	if err := os.MkdirAll(n.Dir, 0o700); err != nil {
		return nil, err
	}
	nd := &Node{Name: name, Repo: filepath.Join(n.Dir, name), net: n, log: &bytes.Buffer{}}
	if _, err := nd.Run(ctx, "", "init", "--profile", "local"); err != nil {
		return nil, err
	}
	n.mu.Lock()
	var boot *Node
	if len(n.nodes) > 0 {
		boot = n.nodes[0]
	}
	n.nodes = append(n.nodes, nd)
	n.mu.Unlock()
	if boot != nil {
		id := boot.Identity()
		if len(id.Addrs) == 0 {
			return nil, fmt.Errorf("add node %s: bootstrap node %s is not running", name, boot.Name)
		}
		if err := nd.setBootstrap(id.Addrs); err != nil {
			return nil, err
		}
	}
	return nd, nil
}

// Start starts n nodes (the first as bootstrap) and waits until each
// daemon serves its API.
func (n *Net) Start(ctx context.Context, count int) error {
	for range count {
		nd, err := n.AddNode(ctx, fmt.Sprintf("node%d", len(n.Nodes())))
		if err != nil {
			return err
		}
		if err := nd.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops every node.
func (n *Net) Close() error {
	var errs []error
	for _, nd := range n.Nodes() {
		errs = append(errs, nd.Stop())
	}
	return errors.Join(errs...)
}

// Run runs a stele command as this node's user and returns its standard
// output; a non-zero exit is an error carrying standard error.
func (nd *Node) Run(ctx context.Context, stdin string, args ...string) (string, error) {
	stdout, stderr, code, err := nd.RunFull(ctx, stdin, args...)
	if err != nil {
		return stdout, err
	}
	if code != 0 {
		return stdout, fmt.Errorf("%s: stele %s: exit %d: %s", nd.Name, strings.Join(args, " "), code, strings.TrimSpace(stderr))
	}
	return stdout, nil
}

// RunFull runs a stele command and returns everything it did.
func (nd *Node) RunFull(ctx context.Context, stdin string, args ...string) (stdout, stderr string, code int, err error) {
	cmd := exec.CommandContext(ctx, nd.bin(), args...)
	cmd.Env = nd.env()
	cmd.Dir = nd.net.Dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), errOut.String(), exit.ExitCode(), nil
	}
	if err != nil {
		return out.String(), errOut.String(), -1, fmt.Errorf("%s: stele %s: %w", nd.Name, strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0, nil
}

func (nd *Node) bin() string {
	if nd.Bin != "" {
		return nd.Bin
	}
	return nd.net.Bin
}

func (nd *Node) env() []string {
	env := append([]string{"STELE_PATH=" + nd.Repo, "HOME=" + nd.net.Dir, "PATH=" + os.Getenv("PATH")}, nd.Env...)
	// The log level, and the Go runtime's knobs, for profiling a testnet.
	for _, name := range []string{"STELE_LOG", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS"} {
		if v := os.Getenv(name); v != "" {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// Start runs the node's daemon and waits until it serves its API and its
// swarm addresses are known.
func (nd *Node) Start(ctx context.Context) error {
	if err := nd.checkLoopbackOnly(); err != nil {
		return err
	}
	nd.mu.Lock()
	if nd.cmd != nil {
		nd.mu.Unlock()
		return fmt.Errorf("%s: already running", nd.Name)
	}
	cmd := exec.Command(nd.bin(), "daemon")
	cmd.Env = nd.env()
	cmd.Dir = nd.net.Dir
	cmd.Stderr = &lockedWriter{w: nd.log}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		nd.mu.Unlock()
		return err
	}
	if err := cmd.Start(); err != nil {
		nd.mu.Unlock()
		return fmt.Errorf("%s: start daemon: %w", nd.Name, err)
	}
	nd.cmd, nd.exited = cmd, make(chan struct{})
	nd.mu.Unlock()

	ready := make(chan error, 1)
	go nd.watch(cmd, stdout, ready)
	select {
	case err := <-ready:
		if err != nil {
			nd.Kill()
			return err
		}
	case <-ctx.Done():
		nd.Kill()
		return fmt.Errorf("%s: daemon did not start: %w", nd.Name, ctx.Err())
	}
	out, err := nd.Run(ctx, "", "id", "--json")
	if err != nil {
		return err
	}
	var id Identity
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		return fmt.Errorf("%s: stele id --json: %w", nd.Name, err)
	}
	nd.mu.Lock()
	nd.id = id
	nd.mu.Unlock()
	return nil
}

// watch copies the daemon's output to its log, reports readiness (its
// "daemon running" line) and notes its exit.
func (nd *Node) watch(cmd *exec.Cmd, stdout io.Reader, ready chan<- error) {
	sc := bufio.NewScanner(stdout)
	started := false
	for sc.Scan() {
		line := sc.Text()
		(&lockedWriter{w: nd.log}).Write([]byte(line + "\n"))
		if !started && strings.HasPrefix(line, "daemon running") {
			started = true
			ready <- nil
		}
	}
	err := cmd.Wait()
	if !started {
		ready <- fmt.Errorf("%s: daemon exited before it started (%v): %s", nd.Name, err, nd.Log())
	}
	close(nd.exited)
}

// Identity returns the running node's peer ID and addresses.
func (nd *Node) Identity() Identity {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	return nd.id
}

// PID returns the daemon's process ID (0 if it is not running).
func (nd *Node) PID() int {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	if nd.cmd == nil {
		return 0
	}
	return nd.cmd.Process.Pid
}

// Running reports whether the daemon runs.
func (nd *Node) Running() bool {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	return nd.cmd != nil
}

// Stop interrupts the daemon and waits for it to exit.
func (nd *Node) Stop() error { return nd.stop(syscall.SIGINT) }

// Kill kills the daemon with SIGKILL, as a crash would.
func (nd *Node) Kill() error { return nd.stop(syscall.SIGKILL) }

func (nd *Node) stop(sig syscall.Signal) error {
	nd.mu.Lock()
	cmd, exited := nd.cmd, nd.exited
	nd.cmd = nil
	nd.mu.Unlock()
	if cmd == nil {
		return nil
	}
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s: daemon did not stop within 30 s of %v", nd.Name, sig)
	}
	if sig == syscall.SIGINT && !cmd.ProcessState.Success() {
		return fmt.Errorf("%s: daemon exited with %v: %s", nd.Name, cmd.ProcessState, nd.Log())
	}
	return nil
}

// Log returns what the daemon printed.
func (nd *Node) Log() string {
	logMu.Lock()
	defer logMu.Unlock()
	return nd.log.String()
}

// setBootstrap points the node's config at the bootstrap node's loopback
// addresses.
func (nd *Node) setBootstrap(addrs []string) error {
	var loop []string
	for _, a := range addrs {
		if strings.HasPrefix(a, "/ip4/127.") {
			loop = append(loop, a)
		}
	}
	if len(loop) == 0 {
		return fmt.Errorf("%s: the bootstrap node has no loopback address: %v", nd.Name, addrs)
	}
	return nd.editConfig(func(c map[string]any) {
		swarm, _ := c["swarm"].(map[string]any)
		if swarm == nil {
			swarm = map[string]any{}
			c["swarm"] = swarm
		}
		swarm["bootstrap"] = loop
	})
}

func (nd *Node) editConfig(edit func(map[string]any)) error {
	path := filepath.Join(nd.Repo, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		return fmt.Errorf("%s: config: %w", nd.Name, err)
	}
	edit(c)
	data, err = json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}

// checkLoopbackOnly refuses to start a node whose config could make it
// dial or listen outside 127.0.0.0/8.
func (nd *Node) checkLoopbackOnly() error {
	data, err := os.ReadFile(filepath.Join(nd.Repo, "config.json"))
	if err != nil {
		return err
	}
	var c struct {
		API struct {
			Address string `json:"address"`
		} `json:"api"`
		Swarm struct {
			Listen    []string `json:"listen"`
			Bootstrap []string `json:"bootstrap"`
			Private   bool     `json:"private"`
		} `json:"swarm"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(c.API.Address)
	ok := c.Swarm.Private && net.ParseIP(host).IsLoopback()
	for _, a := range append(c.Swarm.Listen, c.Swarm.Bootstrap...) {
		ok = ok && strings.HasPrefix(a, "/ip4/127.")
	}
	if !ok {
		return fmt.Errorf("%s: refusing to start a node that is not confined to 127.0.0.1 (private swarm, loopback listen and bootstrap addresses): %s", nd.Name, data)
	}
	return nil
}

// logMu guards every node's log buffer.
var logMu sync.Mutex

// lockedWriter writes to a log buffer under logMu.
type lockedWriter struct{ w io.Writer }

func (l *lockedWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return l.w.Write(p)
}
