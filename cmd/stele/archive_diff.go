package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

// newArchiveDiffCmd is "stele diff" for every feed: an archive's address
// gets the files added, removed, modified and renamed between two
// versions; any other feed (or an archive with --datoms) gets the graph
// diff of newDiffCmd. One command, because an archive is a feed whose
// graph holds files: the file view is what its users ask for, and the
// datoms stay one flag away.
func newArchiveDiffCmd(a *app) *cobra.Command {
	cmd := newDiffCmd(a)
	graphDiff := cmd.RunE
	var datoms bool
	cmd.Short = "What changed between two versions: an archive's files, or a feed's datoms"
	cmd.Long += `

For an archive, diff lists the paths added, removed, modified (saying
what: content, mode, time, kind, target) and renamed between versions V1
and V2 (in either order); --datoms shows the archive's datoms instead.`
	cmd.Example += `
  stele diff weather 2 5
  stele diff weather 2 5 --datoms`
	cmd.Flags().BoolVar(&datoms, "datoms", false, "for an archive: show the datoms, not the files")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) != 3 || datoms {
			return graphDiff(c, args)
		}
		isArchive := false
		err := a.withArchives(func(r *repo.Repo, s *archive.Archives) error {
			ar, err := a.openArchive(r, s, args[0])
			if err != nil {
				return nil // not an archive (or no such feed): the graph diff says why
			}
			isArchive = true
			v1, err1 := strconv.ParseInt(args[1], 10, 64)
			v2, err2 := strconv.ParseInt(args[2], 10, 64)
			if err1 != nil || err2 != nil || v1 < 1 || v2 < 1 {
				return usagef("versions %q %q: archive versions are numbers from 1", args[1], args[2])
			}
			changes, err := ar.Diff(v1, v2)
			if err != nil {
				return err
			}
			asJSON, _ := c.Flags().GetBool("json")
			return printArchiveChanges(a, changes, asJSON)
		})
		if !isArchive && err == nil {
			return graphDiff(c, args)
		}
		if err != nil {
			return runError{err}
		}
		return nil
	}
	return cmd
}

type changeJSON struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	From string `json:"from,omitempty"`
	Kind string `json:"kind"`
	What string `json:"what,omitempty"`
}

// printArchiveChanges prints an archive diff, one path per line:
//
//   - added/path
//   - removed/path
//     M modified/path (content,time)
//     R old/path -> new/path
func printArchiveChanges(a *app, changes []archive.Change, asJSON bool) error {
	if asJSON {
		out := make([]changeJSON, len(changes))
		for i, c := range changes {
			out[i] = changeJSON{string(c.Op), c.Path, c.From, c.Kind.String(), c.What}
		}
		return writeJSON(a.stdout, out)
	}
	for _, c := range changes {
		switch c.Op {
		case archive.Added:
			fmt.Fprintf(a.stdout, "+ %s\n", c.Path)
		case archive.Removed:
			fmt.Fprintf(a.stdout, "- %s\n", c.Path)
		case archive.Modified:
			fmt.Fprintf(a.stdout, "M %s (%s)\n", c.Path, c.What)
		case archive.Renamed:
			if c.What != "" {
				fmt.Fprintf(a.stdout, "R %s -> %s (%s)\n", c.From, c.Path, c.What)
			} else {
				fmt.Fprintf(a.stdout, "R %s -> %s\n", c.From, c.Path)
			}
		}
	}
	return nil
}
