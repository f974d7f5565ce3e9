package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

// An app is one run of the command line: its streams and environment.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string
	ctx            context.Context
	// cwd, when set, is the directory relative paths are resolved
	// against: the client's, when the daemon runs a command for it.
	cwd string
	// daemon is set when the command runs inside the daemon, which holds
	// the repo open.
	daemon *daemonState
}

// abs resolves a path given on the command line.
func (a *app) abs(p string) string {
	if a.cwd == "" || p == "" || p == "-" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.cwd, p)
}

// openRepo opens the repo, or returns the daemon's when the command runs
// inside it; call closeRepo when done.
func (a *app) openRepo() (r *repo.Repo, closeRepo func() error, err error) {
	if a.daemon != nil {
		return a.daemon.repo, func() error { return nil }, nil
	}
	path, err := a.repoPath()
	if err != nil {
		return nil, nil, err
	}
	if r, err = repo.Open(path, repo.Options{}); err != nil {
		return nil, nil, err
	}
	return r, func() error {
		if err := r.Close(); err != nil {
			return fmt.Errorf("close repo %s: %w", path, err)
		}
		return nil
	}, nil
}

// repoPath returns $STELE_PATH or ~/.stele.
func (a *app) repoPath() (string, error) { return repo.DefaultPath(a.env) }

// withRepo opens the repo, runs fn and closes the repo again.
func (a *app) withRepo(fn func(r *repo.Repo) error) error {
	r, closeRepo, err := a.openRepo()
	if err != nil {
		return err
	}
	err = fn(r)
	if cerr := closeRepo(); err == nil {
		err = cerr
	}
	return err
}

// lookupFeed resolves a feed name or address in the repo and opens the
// feed, warning loudly if it is forked.
func (a *app) lookupFeed(r *repo.Repo, nameOrAddress string) (*feed.Feed, error) {
	f, err := r.Feeds.Lookup(nameOrAddress)
	if errors.Is(err, feed.ErrNotFound) {
		return nil, fmt.Errorf("no feed %q in the repo at %s (\"stele feed list\" shows the feeds it holds)", nameOrAddress, r.Path)
	}
	if err != nil {
		return nil, err
	}
	a.warnIfForked(f)
	return f, nil
}

// warnIfForked tells the user, on stderr, that a feed is forked.
func (a *app) warnIfForked(f *feed.Feed) {
	if at, forked := f.Forked(); forked {
		a.warnf("WARNING: feed %s is FORKED at size %d: its author signed two inconsistent checkpoints. Entries past %d are refused; do not trust this feed's author key any more.", label(f), at, at)
	}
}

// warnf writes one warning line to stderr.
func (a *app) warnf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "stele: "+format+"\n", args...)
}

// label names a feed for humans: "name (address)", or the address.
func label(f *feed.Feed) string {
	if n := f.Name(); n != "" {
		return n + " (" + f.Address() + ")"
	}
	return f.Address()
}

// isTerminal reports whether a stream is a terminal (and not a pipe, a
// file or a test's buffer).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
