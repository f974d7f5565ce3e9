package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// The quickstart is a new user's first command: it runs the real commands
// in a fresh directory and prints each one with its output, as a
// transcript the user can repeat by hand. Later issues extend it with
// daemons that replicate over the network.

func newQuickstartCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "quickstart [DIR]",
		Short: "Take a tour: create a repo and a feed, append, export, verify, import",
		Long: `Run a short tour of stele in DIR (default: a new temporary directory),
printing each command and its output: create a repo, create a feed, append
entries, read them back, export a feed file, verify the stored feed and
the file, and import the file into a second repo as a replica. Nothing
outside DIR is touched, and DIR is left in place to explore further.`,
		Example: `  stele quickstart
  go run ./cmd/stele quickstart /tmp/tour`,
		Args: rangeArgs(0, 1, "at most one DIR"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			dir, err := newTourDir(a, "quickstart", args)
			if err != nil {
				return err
			}
			return (&tour{a: a, dir: dir}).run()
		}),
	}
}

// newTourDir returns the directory the command (quickstart or demo) works
// in: DIR, which must be absent or empty, or a new temporary directory
// named after the command.
func newTourDir(a *app, command string, args []string) (string, error) {
	if len(args) == 0 {
		tmp := a.env("TMPDIR")
		if tmp == "" {
			tmp = os.TempDir()
		}
		return os.MkdirTemp(tmp, "stele-"+command+"-")
	}
	dir, err := filepath.Abs(args[0])
	if err != nil {
		return "", err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return "", fmt.Errorf("%s: %s is not empty: give a new or empty directory", command, dir)
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// A tour runs commands as the user would type them.
type tour struct {
	a   *app
	dir string
}

func (t *tour) run() error {
	repo, other, file := filepath.Join(t.dir, "repo"), filepath.Join(t.dir, "other"), filepath.Join(t.dir, "notes.stele")
	fmt.Fprintf(t.a.stdout, "A tour of stele in %s: each command below is real, followed by its output.\n\n", t.dir)
	fmt.Fprintf(t.a.stdout, "$ export STELE_PATH=%s\n\n", repo)
	steps := []struct {
		comment, stdin, path string
		args                 []string
	}{
		{comment: "Create the repo: config, the node's identity and the feed store.", args: []string{"init"}},
		{comment: "Create a feed. It gets a fresh key; its address is what lets others read it.", args: []string{"feed", "new", "notes"}},
		{comment: "Append entries, one per line: one durable write, one signed checkpoint.", stdin: "hello\nverifiable\nworld\n", args: []string{"feed", "append", "notes"}},
		{comment: "Append again: every append signs a new checkpoint over the whole feed.", stdin: "one more\n", args: []string{"feed", "append", "notes"}},
		{comment: "Read entries back.", args: []string{"feed", "get", "notes", "0:4"}},
		{comment: "The signed checkpoints: tree size, time, Merkle root.", args: []string{"feed", "log", "notes"}},
		{args: []string{"feed", "info", "notes"}},
		{comment: "Export a feed file: a verifiable copy that travels by any means.", args: []string{"feed", "export", "notes", "-o", file}},
		{comment: "Verify the stored feed, then the file: offline, down to the author's key.", args: []string{"verify", "notes"}},
		{args: []string{"verify", file}},
		{comment: "A second node: a new repo imports the file, verifying it first, as a replica.", path: other, args: []string{"init"}},
		{path: other, args: []string{"feed", "import", file}},
		{path: other, args: []string{"feed", "list"}},
	}
	for _, s := range steps {
		if err := t.step(s.comment, s.stdin, s.path, repo, s.args); err != nil {
			return err
		}
	}
	fmt.Fprintf(t.a.stdout, "Done. Everything is in %s. To explore further:\n\n", t.dir)
	fmt.Fprintf(t.a.stdout, "  export STELE_PATH=%s\n  stele feed --help\n", repo)
	return nil
}

// step prints one command, runs it with stele's own entry point and
// prints its output.
func (t *tour) step(comment, stdin, path, defaultPath string, args []string) error {
	if comment != "" {
		fmt.Fprintf(t.a.stdout, "# %s\n", comment)
	}
	cmdline := "stele " + strings.Join(args, " ")
	if path != "" {
		cmdline = "STELE_PATH=" + path + " " + cmdline
	} else {
		path = defaultPath
	}
	if stdin != "" {
		cmdline = fmt.Sprintf("printf %q | %s", stdin, cmdline)
	}
	fmt.Fprintf(t.a.stdout, "$ %s\n", cmdline)
	env := func(k string) string {
		switch k {
		case "STELE_PATH":
			return path
		case "STELE_PASSPHRASE":
			return ""
		}
		return t.a.env(k)
	}
	var stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), t.a.stdout, io.MultiWriter(t.a.stdout, &stderr), env)
	fmt.Fprintln(t.a.stdout)
	if code != exitOK {
		return fmt.Errorf("quickstart: %q failed (exit %d): %s", cmdline, code, strings.TrimSpace(stderr.String()))
	}
	return nil
}
