package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commands returns every command of the tree, root first.
func commands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		if sub.Name() != "help" {
			out = append(out, commands(sub)...)
		}
	}
	return out
}

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	s := newSandbox(t)
	root := newRootCmd(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, env: func(string) string { return "" }})
	for _, c := range commands(root) {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		out := s.ok("", args...)
		if !strings.Contains(out, "Examples:\n") || !strings.Contains(out, "Usage:\n") {
			t.Errorf("stele %s: no usage with examples:\n%s", strings.Join(args, " "), out)
		}
	}
}

// TestExactlyTheIssueCommands pins the command set and which commands
// read (and so take --json).
func TestExactlyTheIssueCommands(t *testing.T) {
	reads := map[string]bool{
		"stele init": true, "stele feed new": true, "stele feed list": true, "stele feed append": true,
		"stele feed get": true, "stele feed log": true, "stele feed info": true, "stele feed import": true,
		"stele verify": true, "stele key import": true,
		"stele feed export": false, "stele key export": false, "stele quickstart": false,
		"stele daemon":   false,
		"stele transact": true, "stele history": true, "stele diff": true,
		"stele publish": true, "stele versions": true, "stele ls": true, "stele cat": false,
		"stele clone": false, "stele pull": true, "stele query": true, "stele watch": true, "stele import": true,
		"stele id": true, "stele peers": true, "stele status": true,
		"stele demo": false, "stele swarm connect": false, "stele seed": false, "stele unseed": false, "stele sync": false,
	}
	root := newRootCmd(&app{env: func(string) string { return "" }})
	seen := map[string]bool{}
	for _, c := range commands(root) {
		if c.HasSubCommands() {
			continue
		}
		path := c.CommandPath()
		seen[path] = true
		wantJSON, known := reads[path]
		if !known {
			t.Errorf("unexpected command %q", path)
			continue
		}
		if hasJSON := c.Flags().Lookup("json") != nil; hasJSON != wantJSON {
			t.Errorf("%s: --json flag %v, want %v", path, hasJSON, wantJSON)
		}
	}
	for path := range reads {
		if !seen[path] {
			t.Errorf("missing command %q", path)
		}
	}
}
