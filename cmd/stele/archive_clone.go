package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

func newArchiveCloneCmd(a *app) *cobra.Command {
	var at int64
	var live bool
	cmd := &cobra.Command{
		Use:   "clone ARCHIVE [DIR]",
		Short: "Write an archive version's files into a new directory",
		Long: `Write the files of an archive (the latest version, or version N with --at)
into DIR, which must not exist or be empty (default: the archive's local
name, or its address). Files get their published bytes, mode and
modification time; every chunk is checked against the author's signature
as it arrives, and every file against its hash. DIR/.stele-clone
remembers the archive and version, for "stele pull".

The version is checked before anything is written: an archive holding a
path that could escape DIR (.., an absolute path, a path through a
symlink, a symlink pointing outside) is refused, naming the path.

--live keeps DIR at the latest version, pulling each new version as it
arrives, until interrupted. With the daemon running ("stele daemon"), an
archive this repo does not hold is found through the swarm and only the
chunks of the version's files are fetched from its peers; without it,
only archives in this repo's store (published here, replicated, or
imported with "stele feed import") can be cloned.`,
		Example: `  stele clone weather ./weather-copy
  stele clone k51qzi5uqu5dh... ./old --at 3
  stele clone weather ./mirror --live`,
		Args: rangeArgs(1, 2, "ARCHIVE [DIR]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkAt(at); err != nil {
				return err
			}
			if live && at != 0 {
				return usagef("--live follows the latest version: it does not go with --at")
			}
			return a.withArchive(args[0], func(_ *repo.Repo, _ *archive.Archives, ar *archive.Archive) error {
				name := ar.Address()
				if ar.Name() != "" {
					name = ar.Name()
				}
				if len(args) == 2 {
					name = args[1]
				}
				dir, err := a.absDir(name)
				if err != nil {
					return err
				}
				update, finish := a.byteProgress("cloning")
				snap, err := ar.Clone(a.ctx, dir, at, archive.CloneOptions{Progress: update})
				finish()
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "cloned %s version %d into %s: %s\n", ar.Address(), snap.Version, dir, describeSnapshot(snap))
				if live {
					return a.followClone(ar, dir)
				}
				return nil
			})
		}),
	}
	addAtFlag(cmd, &at)
	cmd.Flags().BoolVar(&live, "live", false, "keep pulling new versions until interrupted")
	return cmd
}

func describeSnapshot(s *archive.Snapshot) string {
	files, bytes := 0, int64(0)
	for _, f := range s.Files() {
		if f.Kind == archive.KindFile {
			files++
			bytes += f.Size
		}
	}
	return fmt.Sprintf("%d file%s, %s", files, plural(files), formatBytes(bytes))
}

// followClone pulls every new version until interrupted.
func (a *app) followClone(ar *archive.Archive, dir string) error {
	ctx, stop := a.interruptible()
	defer stop()
	fmt.Fprintf(a.stderr, "following %s (interrupt to stop)\n", ar.Address())
	err := ar.Follow(ctx, dir, archive.CloneOptions{}, func(res archive.PullResult) {
		printPull(a, dir, res)
		for _, c := range res.Conflicts {
			a.warnf("not updated: %s (%s)", c.Path, c.Reason)
		}
	})
	fmt.Fprintln(a.stderr, "stopped following")
	return err
}

func newArchivePullCmd(a *app) *cobra.Command {
	var force bool
	var at int64
	cmd := &cobra.Command{
		Use:   "pull [DIR]",
		Short: "Bring a clone up to date with its archive",
		Long: `Bring the clone in DIR (default: the current directory) to the archive's
latest version (or version N with --at): write the files that changed,
remove those the archive deleted. A file changed locally since the clone
or the last pull is left alone and reported (pull then fails), unless
--force, which makes every path of the version match it. Files the
archive never held are never touched.`,
		Example: `  stele pull
  stele pull ./weather-copy --force
  stele pull ./weather-copy --at 4`,
		Args: rangeArgs(0, 1, "[DIR]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkAt(at); err != nil {
				return err
			}
			arg := "."
			if len(args) == 1 {
				arg = args[0]
			}
			dir, err := a.absDir(arg)
			if err != nil {
				return err
			}
			state, err := archive.ReadCloneState(dir)
			if err != nil {
				return err
			}
			return a.withArchive(state.Archive, func(_ *repo.Repo, _ *archive.Archives, ar *archive.Archive) error {
				update, finish := a.byteProgress("pulling")
				res, err := ar.Pull(a.ctx, dir, at, archive.CloneOptions{Force: force, Progress: update})
				finish()
				if err != nil {
					return err
				}
				printPull(a, dir, res)
				if len(res.Conflicts) == 0 {
					return nil
				}
				var paths []string
				for _, c := range res.Conflicts {
					a.warnf("not updated: %s (%s)", c.Path, c.Reason)
					paths = append(paths, c.Path)
				}
				return fmt.Errorf("%d path%s changed locally not updated: %s (pull --force overwrites them)",
					len(paths), plural(len(paths)), strings.Join(paths, ", "))
			})
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files changed locally")
	addAtFlag(cmd, &at)
	return cmd
}

func printPull(a *app, dir string, res archive.PullResult) {
	if res.From == res.To && len(res.Written)+len(res.Removed) == 0 {
		fmt.Fprintf(a.stdout, "%s is at version %d\n", dir, res.To)
		return
	}
	fmt.Fprintf(a.stdout, "%s: version %d -> %d: %d written, %d removed\n", dir, res.From, res.To, len(res.Written), len(res.Removed))
}
