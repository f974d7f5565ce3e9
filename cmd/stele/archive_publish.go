package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

type publishFlags struct {
	name, message, to string
	watch             bool
	interval          time.Duration
	asJSON            bool
}

func newArchivePublishCmd(a *app) *cobra.Command {
	var fl publishFlags
	cmd := &cobra.Command{
		Use:   "publish DIR",
		Short: "Publish a directory as a new version of an archive",
		Long: `Publish the files of DIR as one new version of an archive. The first run in
a directory creates the archive (version 1 declares it; the files are
version 2) and prints its address; the repo remembers the directory, so
later runs publish to the same archive. --to ADDRESS publishes to another
archive you author (and remembers that).

Only what changed since the latest version is read: files whose size,
modification time or mode differ (or whose time is too recent to trust).
Content is cut into content-defined chunks, and a chunk the archive
already holds, from any file or version, is not stored again. Added,
modified, deleted and renamed files (same content under a new path) make
one version; an unchanged directory makes none.

.steleignore files (gitignore syntax) in DIR or below leave paths out.
Sockets, devices and pipes are skipped; a symlink pointing outside DIR is
refused (ignore it). --watch keeps publishing as files change, checking
every --interval, until interrupted.`,
		Example: `  stele publish ./data --name weather -m "first release"
  stele publish ./data -m "March update"
  stele publish ./data --to k51qzi5uqu5dh...
  stele publish ./data --watch --interval 5s`,
		Args: exactArgs(1, "DIR"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if fl.interval <= 0 {
				return usagef("--interval %s: want a positive duration", fl.interval)
			}
			dir, err := a.absDir(args[0])
			if err != nil {
				return err
			}
			if info, err := os.Stat(dir); err != nil || !info.IsDir() {
				return fmt.Errorf("%s is not a directory", args[0])
			}
			return a.withArchives(func(r *repo.Repo, s *archive.Archives) error {
				ar, created, err := a.publishTarget(r, s, dir, fl)
				if err != nil {
					return err
				}
				if created {
					fmt.Fprintf(a.stderr, "created archive %s (content feed %s)\n", ar.Address(), ar.ContentAddress())
				}
				if fl.watch {
					return a.watchPublish(ar, dir, fl)
				}
				return a.publishOnce(a.ctx, ar, dir, fl, created)
			})
		}),
	}
	cmd.Flags().StringVar(&fl.name, "name", "", "a local name for a new archive")
	cmd.Flags().StringVarP(&fl.message, "message", "m", "", "what the version is about")
	cmd.Flags().StringVar(&fl.to, "to", "", "publish to this archive (address or name) instead of the directory's")
	cmd.Flags().BoolVar(&fl.watch, "watch", false, "keep publishing as files change, until interrupted")
	cmd.Flags().DurationVar(&fl.interval, "interval", time.Second, "with --watch: how often to look for changes")
	addJSONFlag(cmd, &fl.asJSON)
	return cmd
}

// publishTarget finds the archive to publish dir to (--to, the one the
// repo remembers, or a new one) and remembers it.
func (a *app) publishTarget(r *repo.Repo, s *archive.Archives, dir string, fl publishFlags) (*archive.Archive, bool, error) {
	reg := archive.DirRegistry{Dir: filepath.Join(r.Path, archivesDir)}
	target := fl.to
	if target == "" {
		addr, ok, err := reg.Lookup(dir)
		if err != nil {
			return nil, false, err
		}
		target = addr
		if ok {
			if _, err := r.Feeds.Lookup(addr); errors.Is(err, feed.ErrNotFound) {
				return nil, false, fmt.Errorf("%s publishes to archive %s, which this repo no longer holds: use --to ADDRESS", dir, addr)
			}
		}
	}
	var ar *archive.Archive
	created := false
	if target == "" {
		var err error
		if ar, err = s.Create(fl.name); err != nil {
			return nil, false, err
		}
		created = true
	} else {
		var err error
		if ar, err = a.openArchive(r, s, target); err != nil {
			return nil, false, err
		}
		if fl.name != "" && ar.Name() != fl.name {
			return nil, false, usagef("%s publishes to archive %s: --name only names a new archive", dir, label(ar.Database().Feed()))
		}
	}
	if !ar.IsAuthor() {
		return nil, false, notAuthor(ar)
	}
	return ar, created, reg.Remember(dir, ar.Address())
}

func (a *app) publishOnce(ctx context.Context, ar *archive.Archive, dir string, fl publishFlags, created bool) error {
	update, finish := a.byteProgress("publishing")
	res, err := ar.Publish(ctx, dir, archive.PublishOptions{Message: fl.message, Progress: update})
	finish()
	if err != nil {
		return explainTooLarge(err)
	}
	for _, p := range res.Skipped {
		a.warnf("skipped %s: not a file, directory or symlink", p)
	}
	return printPublish(a, ar, res, created, fl.asJSON)
}

// explainTooLarge adds what to do when a version's metadata exceeds the
// feed entry limit.
func explainTooLarge(err error) error {
	if errors.Is(err, feed.ErrTooLarge) {
		return fmt.Errorf("%w: the version's metadata (or a chunk) exceeds the feed entry limit: raise feeds.entry_limit in config.json, or publish the directory in parts", err)
	}
	return err
}

// watchPublish publishes whenever the directory changes, until
// interrupted; failed attempts are reported and retried.
func (a *app) watchPublish(ar *archive.Archive, dir string, fl publishFlags) error {
	ctx, stop := a.interruptible()
	defer stop()
	ticker := time.NewTicker(fl.interval)
	defer ticker.Stop()
	fmt.Fprintf(a.stderr, "watching %s (every %s; interrupt to stop)\n", dir, fl.interval)
	first := true
	for {
		res, err := ar.Publish(ctx, dir, archive.PublishOptions{Message: fl.message})
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(a.stderr, "stopped watching")
			return nil
		case err != nil:
			a.warnf("publish %s: %v", dir, explainTooLarge(err))
		case res.Changed || first:
			if err := printPublish(a, ar, res, false, fl.asJSON); err != nil {
				return err
			}
		}
		first = false
		select {
		case <-ctx.Done():
			fmt.Fprintln(a.stderr, "stopped watching")
			return nil
		case <-ticker.C:
		}
	}
}

// publishJSON is publish's --json output.
type publishJSON struct {
	Archive    string   `json:"archive"`
	Content    string   `json:"content"`
	Version    int64    `json:"version"`
	Created    bool     `json:"created"`
	Changed    bool     `json:"changed"`
	Added      int      `json:"added"`
	Modified   int      `json:"modified"`
	Deleted    int      `json:"deleted"`
	Renamed    int      `json:"renamed"`
	BytesRead  int64    `json:"bytes_read"`
	BytesAdded int64    `json:"bytes_added"`
	Skipped    []string `json:"skipped"`
}

func printPublish(a *app, ar *archive.Archive, res archive.PublishResult, created, asJSON bool) error {
	if asJSON {
		skipped := res.Skipped
		if skipped == nil {
			skipped = []string{}
		}
		return writeJSON(a.stdout, publishJSON{ar.Address(), ar.ContentAddress(), res.Version, created, res.Changed,
			res.Added, res.Modified, res.Deleted, res.Renamed, res.BytesRead, res.BytesAdded, skipped})
	}
	fmt.Fprintf(a.stdout, "archive %s\n", ar.Address())
	if !res.Changed {
		fmt.Fprintf(a.stdout, "version %d: nothing changed\n", res.Version)
		return nil
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{res.Added, "added"}, {res.Modified, "modified"}, {res.Deleted, "deleted"}, {res.Renamed, "renamed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	fmt.Fprintf(a.stdout, "version %d: %s (%s new content)\n", res.Version, strings.Join(parts, ", "), formatBytes(res.BytesAdded))
	return nil
}

func newArchiveVersionsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "versions ARCHIVE",
		Short: "List an archive's versions: time, message, files changed, bytes added",
		Long: `List every version of an archive, oldest first: its number (the metadata
feed's length once it was made), when it was made, its message, how many
paths and records it changed, and how many bytes of new content it stored.
ARCHIVE is an archive's address or local name.`,
		Example: `  stele versions weather
  stele versions k51qzi5uqu5dh... --json`,
		Args: exactArgs(1, "ARCHIVE"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withArchive(args[0], func(_ *repo.Repo, _ *archive.Archives, ar *archive.Archive) error {
				vs, err := ar.Versions()
				if err != nil {
					return err
				}
				return printVersions(a, vs, asJSON)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type versionJSON struct {
	Version        int64  `json:"version"`
	Time           string `json:"time,omitempty"`
	Message        string `json:"message"`
	FilesChanged   int    `json:"files_changed"`
	RecordsChanged int    `json:"records_changed"`
	BytesAdded     int64  `json:"bytes_added"`
}

func printVersions(a *app, vs []archive.VersionInfo, asJSON bool) error {
	if asJSON {
		out := make([]versionJSON, len(vs))
		for i, v := range vs {
			out[i] = versionJSON{v.Version, formatInstant(v.Time), v.Message, v.FilesChanged, v.RecordsChanged, v.BytesAdded}
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout)
	fmt.Fprintln(t, "VERSION\tTIME\tFILES\tRECORDS\tBYTES ADDED\tMESSAGE")
	for _, v := range vs {
		fmt.Fprintf(t, "%d\t%s\t%d\t%d\t%s\t%s\n", v.Version, orDash(formatInstant(v.Time)), v.FilesChanged, v.RecordsChanged,
			formatBytes(v.BytesAdded), orDash(v.Message))
	}
	return t.Flush()
}

// formatInstant prints a time in UTC, "" for the zero time.
func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
