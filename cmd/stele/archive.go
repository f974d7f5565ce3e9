package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

// archivesDir is where the repo remembers which directory publishes to
// which archive (archive.DirRegistry).
const archivesDir = "archives"

// withArchives opens the repo and the node's archives.
func (a *app) withArchives(fn func(r *repo.Repo, s *archive.Archives) error) error {
	return a.withRepo(func(r *repo.Repo) error {
		m := a.dbManager(r)
		s := &archive.Archives{Feeds: r.Feeds, DBs: m}
		if a.daemon != nil {
			s.Holder = a.daemon.node // fetch what is missing through the swarm
		}
		err := fn(r, s)
		if a.daemon == nil {
			m.Close() // keep the snapshots for next time
		}
		return err
	})
}

// withArchive opens the repo and the archive named by arg.
func (a *app) withArchive(arg string, fn func(r *repo.Repo, s *archive.Archives, ar *archive.Archive) error) error {
	return a.withArchives(func(r *repo.Repo, s *archive.Archives) error {
		ar, err := a.openArchive(r, s, arg)
		if err != nil {
			return err
		}
		return fn(r, s, ar)
	})
}

func (a *app) openArchive(r *repo.Repo, s *archive.Archives, arg string) (*archive.Archive, error) {
	addr := arg
	if f, err := a.lookupFeed(r, arg); err == nil {
		addr = f.Address()
	} else if a.daemon == nil {
		return nil, fmt.Errorf("%w (to fetch an archive from the swarm, start \"stele daemon\")", err)
	} else if _, rerr := r.Feeds.Resolve(arg); rerr != nil {
		return nil, err
	}
	ar, err := s.Open(a.ctx, addr)
	if errors.Is(err, archive.ErrNotArchive) {
		return nil, fmt.Errorf("feed %s is not an archive (\"stele publish DIR\" makes one)", addr)
	}
	return ar, err
}

// addAtFlag gives a command --at N (0: the latest version).
func addAtFlag(cmd *cobra.Command, at *int64) {
	cmd.Flags().Int64Var(at, "at", 0, "the version to read (default: the latest)")
}

func checkAt(at int64) error {
	if at < 0 {
		return usagef("--at %d: versions start at 1", at)
	}
	return nil
}

// interruptible returns a context that ends on SIGINT or SIGTERM, for
// commands that run until interrupted. Inside the daemon the client's
// request context already ends when the client goes away.
func (a *app) interruptible() (context.Context, func()) {
	if a.daemon != nil {
		return context.WithCancel(a.ctx)
	}
	return signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
}

// byteProgress draws a progress bar in bytes on stderr for long runs on
// a terminal; update is nil otherwise.
func (a *app) byteProgress(desc string) (update func(done, total int64), finish func()) {
	if !isTerminal(a.stderr) {
		return nil, func() {}
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	update = func(done, total int64) {
		if bar == nil {
			if time.Since(start) < progressDelay {
				return
			}
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionSetDescription(desc),
				progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		bar.ChangeMax64(total)
		bar.Set64(done)
	}
	return update, func() {
		if bar != nil {
			bar.Finish()
		}
	}
}

// formatBytes prints a byte count for humans.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// absDir resolves a directory argument to an absolute path.
func (a *app) absDir(arg string) (string, error) {
	dir, err := filepath.Abs(a.abs(arg))
	if err != nil {
		return "", err
	}
	return filepath.Clean(dir), nil
}

// notAuthor explains that only the author publishes.
func notAuthor(ar *archive.Archive) error {
	return fmt.Errorf("archive %s was made elsewhere: only its author can publish to it (%w)", ar.Address(), feed.ErrNotAuthor)
}
