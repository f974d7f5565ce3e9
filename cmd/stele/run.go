package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// run is main without the process: it runs the command line args and
// returns the exit code, so that tests (and quickstart) can call it.
// When a daemon runs for the repo, the command runs in it, through its
// API; otherwise here.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env, ctx: context.Background()}
	if code, forwarded := a.forward(args); forwarded {
		return code
	}
	return a.execute(args)
}

// execute runs a command line in this process.
func (a *app) execute(args []string) (code int) {
	stderr := a.stderr
	defer func() {
		// A panic is a bug in stele, never the user's fault: say so in one
		// line, with the stack only on request.
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "stele: internal error: %v (a bug in stele: please report it with the command you ran)\n", p)
			if a.env("STELE_TRACE") != "" {
				stderr.Write(debug.Stack())
			}
			code = exitError
		}
	}()
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteC()
	return exitCode(stderr, cmd, err)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "stele",
		Short: "stele: verifiable, replicated append-only feeds",
		Long: `stele keeps append-only feeds: logs that only their author can extend,
that anyone holding the address can verify down to the author's key, and
that travel between nodes as verifiable copies.

The repo (config, node identity and feeds) is at $STELE_PATH, or ~/.stele.
FEED is a local feed name or a feed address (k51..., with or without stele://).`,
		Example: `  stele quickstart                  # a guided tour in a temporary repo
  stele init
  stele feed new notes
  echo "hello" | stele feed append notes
  stele feed get notes 0`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          groupArgs,
		RunE:          runE(groupHelp),
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newInitCmd(a), newDaemonCmd(a), newFeedCmd(a), newVerifyCmd(a), newKeyCmd(a), newQuickstartCmd(a),
		newTransactCmd(a), newHistoryCmd(a), newArchiveDiffCmd(a), newQueryCmd(a), newWatchCmd(a),
		newArchivePublishCmd(a), newArchiveVersionsCmd(a), newArchiveLsCmd(a), newArchiveCatCmd(a), newArchiveCloneCmd(a), newPullCmd(a), newArchiveImportCmd(a),
		newIDCmd(a), newPeersCmd(a), newSwarmCmd(a), newSeedCmd(a), newUnseedCmd(a), newSyncCmd(a), newStatusCmd(a), newDemoCmd(a))
	return root
}

// groupArgs refuses arguments to a command that only groups subcommands.
func groupArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		cmd.SuggestionsMinimumDistance = 2
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf(" (did you mean %q?)", s[0])
		}
		return usagef("%s", msg)
	}
	return nil
}

// groupHelp shows the help of a command that only groups subcommands.
func groupHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }
