package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// The demo shows what stele is for, in one command on a fresh machine: it
// runs three real daemons on 127.0.0.1 (a private swarm: nothing leaves
// the machine), publishes a feed and a dataset (an archive) from the
// first, has the second volunteer as a replica of both, stops the first,
// and lets the third find and fetch them through the volunteer alone,
// verifying them down to the author's key.

func newDemoCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "demo [DIR]",
		Short: "Run three local daemons: publish, volunteer, fetch through the volunteer, verify",
		Long: `Run a demonstration of peer-to-peer replication in DIR (default: a new
temporary directory): three nodes (alice, bob, carol) with their own repos
and daemons on 127.0.0.1, in a private swarm that talks to nothing outside
this machine. Alice publishes a feed and a dataset (a directory, as an
archive, in two versions); bob volunteers as a replica of both; alice goes
offline; carol, given only the addresses, finds bob through the DHT,
downloads and verifies the feed, and clones the dataset. Every command is
printed with its output.`,
		Example: `  stele demo
  go run ./cmd/stele demo /tmp/stele-demo`,
		Args: rangeArgs(0, 1, "at most one DIR"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			dir, err := newTourDir(a, "demo", args)
			if err != nil {
				return err
			}
			d := &demo{a: a, dir: dir}
			defer d.stopAll()
			return d.run()
		}),
	}
}

type demo struct {
	a       *app
	dir     string
	daemons map[string]*exec.Cmd
}

func (d *demo) repo(name string) string { return filepath.Join(d.dir, name) }

func (d *demo) run() error {
	fmt.Fprintf(d.a.stdout, "A demo of stele in %s: three nodes on this machine, alice, bob and carol,\n", d.dir)
	fmt.Fprintf(d.a.stdout, "in a private swarm on 127.0.0.1. Each command below is real, with its output.\n\n")
	for _, n := range []string{"alice", "bob", "carol"} {
		if err := d.cmd("", n, "", "init", "--profile", "local"); err != nil {
			return err
		}
	}
	if err := d.startDaemon("alice"); err != nil {
		return err
	}
	aliceAddrs, err := d.addrs("alice")
	if err != nil {
		return err
	}
	if err := d.setBootstrap("bob", aliceAddrs); err != nil {
		return err
	}
	if err := d.startDaemon("bob"); err != nil {
		return err
	}
	bobAddrs, err := d.addrs("bob")
	if err != nil {
		return err
	}
	if err := d.setBootstrap("carol", append(aliceAddrs, bobAddrs...)); err != nil {
		return err
	}

	addr, err := d.output("alice", "feed", "new", "notes")
	if err != nil {
		return err
	}
	for _, c := range []struct {
		comment, node, stdin string
		args                 []string
	}{
		{"Alice appends entries: each append is one durable write and one signed checkpoint.", "alice", "hello\nfrom\nalice\n", []string{"feed", "append", "notes"}},
		{"Bob volunteers: his daemon finds alice through the DHT, fetches and verifies the feed, and keeps following it.", "bob", "", []string{"seed", addr}},
		{"", "bob", "", []string{"sync", addr, "--timeout", "60s"}},
		{"Alice appends more; bob's daemon gets the new checkpoint pushed and fetches the entries at once.", "alice", "more\nnotes\n", []string{"feed", "append", "notes"}},
		{"", "bob", "", []string{"sync", addr, "--timeout", "60s"}},
	} {
		if err := d.cmd(c.comment, c.node, c.stdin, c.args...); err != nil {
			return err
		}
	}
	archiveAddr, err := d.publishDataset()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.a.stdout, "# Alice goes offline.\n$ kill -INT <alice's daemon>\n\n")
	if err := d.stopDaemon("alice"); err != nil {
		return err
	}
	if err := d.startDaemon("carol"); err != nil {
		return err
	}
	for _, step := range [][]string{
		{"Carol knows only the address. Her daemon finds bob, the volunteer, through the DHT, and fetches the feed from him alone.", "sync", addr, "--timeout", "60s"},
		{"Carol verifies every entry against alice's signature: bob could not have altered a byte.", "verify", addr},
		{"", "feed", "get", addr, "0:5"},
		{"Replication status: what carol holds, and from which peer it came.", "status", addr},
	} {
		if err := d.cmd(step[0], "carol", "", step[1:]...); err != nil {
			return err
		}
	}
	clone := filepath.Join(d.dir, "carol-weather")
	for _, step := range [][]string{
		{"Carol clones alice's dataset through bob: every chunk is checked against alice's signature, every file against its hash.", "clone", archiveAddr, clone},
		{"Every version stays addressable.", "versions", archiveAddr},
		{"", "diff", archiveAddr, "2", "3"},
		{"", "cat", archiveAddr, "rain.csv", "--at", "2"},
	} {
		if err := d.cmd(step[0], "carol", "", step[1:]...); err != nil {
			return err
		}
	}
	fmt.Fprintf(d.a.stdout, "What happened: alice published the feed %s and the dataset\n", addr)
	fmt.Fprintf(d.a.stdout, "%s; bob seeded both as an untrusted volunteer; with alice\n", archiveAddr)
	fmt.Fprintf(d.a.stdout, "gone, carol found bob through the DHT, fetched both from him and verified them\n")
	fmt.Fprintf(d.a.stdout, "against alice's key. Everything is in %s.\n", d.dir)
	return nil
}

// publishDataset has alice publish a directory as an archive, twice, and
// bob seed it; it returns the archive's address.
func (d *demo) publishDataset() (string, error) {
	data := filepath.Join(d.dir, "alice-weather")
	files := map[string]string{
		"README":         "Daily rainfall at two stations, in millimetres.\n",
		"rain.csv":       "day,station,mm\n1,alpha,3\n1,beta,0\n",
		"stations/alpha": "Alpha, 120 m\n",
		"stations/beta":  "Beta, 35 m\n",
	}
	if err := writeFiles(data, files); err != nil {
		return "", err
	}
	out, err := d.exec("Alice publishes a directory as an archive: its files become a graph on one feed, their content-defined chunks another.", "alice", "", "publish", data, "--name", "weather", "-m", "first release")
	fmt.Fprintln(d.a.stdout, out)
	if err != nil {
		return "", err
	}
	addr := addressIn(out)
	if addr == "" {
		return "", fmt.Errorf("demo: publish printed no address: %q", out)
	}
	if err := writeFiles(data, map[string]string{"rain.csv": files["rain.csv"] + "2,alpha,11\n2,beta,4\n"}); err != nil {
		return "", err
	}
	for _, c := range []struct {
		comment, node string
		args          []string
	}{
		{"Alice adds a day of readings and publishes again: only what changed is stored, as version 3.", "alice", []string{"publish", data, "-m", "day 2"}},
		{"Bob seeds the archive: its metadata and its content, every version, verified.", "bob", []string{"seed", addr}},
		{"", "bob", []string{"sync", addr, "--timeout", "60s"}},
	} {
		if err := d.cmd(c.comment, c.node, "", c.args...); err != nil {
			return "", err
		}
	}
	return addr, nil
}

// writeFiles writes files (relative slash paths) under dir.
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// addressIn returns the first feed address in s.
func addressIn(s string) string {
	for _, w := range strings.Fields(s) {
		if strings.HasPrefix(w, "k51") {
			return strings.Trim(w, ",.:;()")
		}
	}
	return ""
}

// cmd prints and runs one stele command as node's user.
func (d *demo) cmd(comment, node, stdin string, args ...string) error {
	out, err := d.exec(comment, node, stdin, args...)
	fmt.Fprint(d.a.stdout, out)
	fmt.Fprintln(d.a.stdout)
	return err
}

// output runs a command, prints it, and returns its trimmed output.
func (d *demo) output(node string, args ...string) (string, error) {
	out, err := d.exec("", node, "", args...)
	fmt.Fprint(d.a.stdout, out)
	fmt.Fprintln(d.a.stdout)
	return strings.TrimSpace(out), err
}

func (d *demo) exec(comment, node, stdin string, args ...string) (string, error) {
	if comment != "" {
		fmt.Fprintf(d.a.stdout, "# %s\n", comment)
	}
	line := fmt.Sprintf("%s$ stele %s", node, strings.Join(args, " "))
	if stdin != "" {
		line = fmt.Sprintf("%s$ printf %q | stele %s", node, stdin, strings.Join(args, " "))
	}
	fmt.Fprintln(d.a.stdout, line)
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, io.MultiWriter(&out, &errOut), d.env(node))
	if code != exitOK {
		return out.String(), fmt.Errorf("demo: %q failed (exit %d): %s", line, code, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

func (d *demo) env(node string) func(string) string {
	return func(k string) string {
		switch k {
		case "STELE_PATH":
			return d.repo(node)
		case "STELE_PASSPHRASE":
			return ""
		}
		return d.a.env(k)
	}
}

// startDaemon runs a node's daemon (this same binary) in the background
// and waits until it serves its API.
func (d *demo) startDaemon(node string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.a.stdout, "%s$ stele daemon &\n", node)
	cmd := exec.Command(self, "daemon")
	cmd.Env = append(os.Environ(), "STELE_PATH="+d.repo(node), "STELE_LOG=warn")
	logFile, err := os.Create(filepath.Join(d.dir, node+".log"))
	if err != nil {
		return err
	}
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	if d.daemons == nil {
		d.daemons = map[string]*exec.Cmd{}
	}
	d.daemons[node] = cmd
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintf(logFile, "%s\n", line)
		if strings.HasPrefix(line, "daemon running") {
			fmt.Fprintf(d.a.stdout, "%s\n\n", line)
			go io.Copy(logFile, stdout) // the rest of its output, until it exits
			return nil
		}
	}
	cmd.Wait()
	return fmt.Errorf("demo: %s's daemon did not start (see %s)", node, logFile.Name())
}

func (d *demo) stopDaemon(node string) error {
	cmd := d.daemons[node]
	if cmd == nil {
		return nil
	}
	delete(d.daemons, node)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return fmt.Errorf("demo: %s's daemon did not stop", node)
	}
}

func (d *demo) stopAll() {
	for node := range d.daemons {
		d.stopDaemon(node)
	}
}

// addrs returns a running node's loopback TCP multiaddrs.
func (d *demo) addrs(node string) ([]string, error) {
	var out bytes.Buffer
	if code := run([]string{"id", "--json"}, nil, &out, io.Discard, d.env(node)); code != exitOK {
		return nil, fmt.Errorf("demo: stele id failed for %s", node)
	}
	var id struct {
		Addrs []string `json:"addrs"`
	}
	if err := json.Unmarshal(out.Bytes(), &id); err != nil {
		return nil, err
	}
	var tcp []string
	for _, a := range id.Addrs {
		if strings.HasPrefix(a, "/ip4/127.0.0.1/tcp/") {
			tcp = append(tcp, a)
		}
	}
	return tcp, nil
}

// setBootstrap points a node's config at other nodes.
func (d *demo) setBootstrap(node string, addrs []string) error {
	path := filepath.Join(d.repo(node), "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		return err
	}
	c["swarm"].(map[string]any)["bootstrap"] = addrs
	if data, err = json.MarshalIndent(c, "", "  "); err != nil {
		return err
	}
	fmt.Fprintf(d.a.stdout, "# %s bootstraps from %s (swarm.bootstrap in config.json).\n\n", node, strings.Join(addrs, ", "))
	return os.WriteFile(path, append(data, '\n'), 0o600)
}
