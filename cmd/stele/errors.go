package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
	// exitInterrupted: a second interrupt left a command run by the
	// daemon before it finished (128 + SIGINT, as shells report it).
	exitInterrupted = 130
)

// A usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// A runError is an error returned by a command's RunE. Cobra returns
// errors of its own (unknown commands, bad flags, wrong argument counts)
// unwrapped: those are usage errors.
type runError struct{ err error }

func (e runError) Error() string { return e.err.Error() }
func (e runError) Unwrap() error { return e.err }

// runE marks the errors of fn as the command's own.
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			return runError{err}
		}
		return nil
	}
}

// exitCode reports err on stderr as one line and returns the exit code.
// A usage error points to the command's help.
func exitCode(stderr io.Writer, cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	if errors.Is(err, context.Canceled) {
		// Only an interrupt cancels a command's context.
		msg = strings.ReplaceAll(msg, context.Canceled.Error(), "interrupted")
	}
	var re runError
	if errors.As(err, &re) && !errors.As(err, new(usageError)) {
		fmt.Fprintf(stderr, "stele: %s\n", msg)
		return exitError
	}
	path := "stele"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "stele: %s (see \"%s --help\")\n", msg, path)
	return exitUsage
}

// Argument validators that report usage errors.

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %s, got %d argument%s", cmd.CommandPath(), names, len(args), plural(len(args)))
		}
		return nil
	}
}

func rangeArgs(lo, hi int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return usagef("%s takes %s, got %d argument%s", cmd.CommandPath(), names, len(args), plural(len(args)))
		}
		return nil
	}
}

func minArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("%s takes %s, got %d argument%s", cmd.CommandPath(), names, len(args), plural(len(args)))
		}
		return nil
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
