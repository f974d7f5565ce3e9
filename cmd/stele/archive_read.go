package main

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

func newArchiveLsCmd(a *app) *cobra.Command {
	var asJSON, recursive bool
	var at int64
	cmd := &cobra.Command{
		Use:   "ls ARCHIVE [PATH]",
		Short: "List the files of an archive version",
		Long: `List the paths of an archive (the latest version, or version N with --at)
directly inside directory PATH (default: the top), or everything below it
with -r: mode, size, modification time and path, symlinks with their
targets. A PATH naming a file lists that file. Reading the list needs the
archive's metadata only, no content.`,
		Example: `  stele ls weather
  stele ls weather 2024/march --at 3
  stele ls weather -r --json`,
		Args: rangeArgs(1, 2, "ARCHIVE [PATH]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkAt(at); err != nil {
				return err
			}
			return a.withArchive(args[0], func(_ *repo.Repo, _ *archive.Archives, ar *archive.Archive) error {
				snap, err := ar.Snapshot(at)
				if err != nil {
					return err
				}
				p := ""
				if len(args) == 2 {
					p = args[1]
				}
				files, err := listPath(snap, p, recursive)
				if err != nil {
					return err
				}
				return printFiles(a, files, asJSON)
			})
		}),
	}
	addAtFlag(cmd, &at)
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "list everything below PATH")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// listPath returns what ls shows for p.
func listPath(snap *archive.Snapshot, p string, recursive bool) ([]*archive.File, error) {
	p = strings.Trim(p, "/")
	if f, ok := snap.File(p); ok && f.Kind != archive.KindDir {
		return []*archive.File{f}, nil
	}
	f, ok := snap.Resolve(p)
	if !ok {
		return nil, fmt.Errorf("no %q in version %d", p, snap.Version)
	}
	if f != nil && f.Kind != archive.KindDir {
		return []*archive.File{f}, nil
	}
	dir := ""
	if f != nil {
		dir = f.Path
	}
	if !recursive {
		return snap.List(dir), nil
	}
	var out []*archive.File
	for _, f := range snap.Files() {
		if dir == "" || strings.HasPrefix(f.Path, dir+"/") {
			out = append(out, f)
		}
	}
	return out, nil
}

// fileJSON is a path in --json output.
type fileJSON struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Size   int64  `json:"size"`
	Mode   string `json:"mode,omitempty"`
	Mtime  string `json:"mtime,omitempty"`
	Hash   string `json:"hash,omitempty"`
	Target string `json:"target,omitempty"`
}

func printFiles(a *app, files []*archive.File, asJSON bool) error {
	if asJSON {
		out := make([]fileJSON, len(files))
		for i, f := range files {
			out[i] = fileJSON{Path: f.Path, Kind: f.Kind.String(), Size: f.Size, Target: f.Target}
			if f.Kind != archive.KindSymlink {
				out[i].Mode = fmt.Sprintf("%04o", uint32(f.Mode))
			}
			if f.Kind == archive.KindFile {
				out[i].Mtime, out[i].Hash = f.Mtime.UTC().Format(time.RFC3339Nano), f.Hash.String()
			}
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout)
	for _, f := range files {
		mode, size, mtime, name := fileMode(f), "-", "-", f.Path
		switch f.Kind {
		case archive.KindFile:
			size, mtime = strconv.FormatInt(f.Size, 10), f.Mtime.UTC().Format(time.RFC3339)
		case archive.KindDir:
			name += "/"
		case archive.KindSymlink:
			name += " -> " + f.Target
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", mode, size, mtime, name)
	}
	return t.Flush()
}

// fileMode formats a path's kind and permissions as ls -l does.
func fileMode(f *archive.File) string {
	switch f.Kind {
	case archive.KindDir:
		return (f.Mode | fs.ModeDir).String()
	case archive.KindSymlink:
		return "l" + fs.FileMode(0o777).String()[1:] // fs.FileMode says "L"
	}
	return f.Mode.String()
}

func newArchiveCatCmd(a *app) *cobra.Command {
	var at int64
	cmd := &cobra.Command{
		Use:   "cat ARCHIVE PATH",
		Short: "Print a file of an archive version",
		Long: `Write the content of the file at PATH (in the latest version, or version N
with --at) to standard output, exactly as published, and check it
against the file's hash. Only that file's chunks are read. Symlinks
are followed inside the archive.`,
		Example: `  stele cat weather 2024/march.csv
  stele cat weather README.md --at 2 > old-readme.md`,
		Args: exactArgs(2, "ARCHIVE PATH"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkAt(at); err != nil {
				return err
			}
			return a.withArchive(args[0], func(_ *repo.Repo, _ *archive.Archives, ar *archive.Archive) error {
				snap, err := ar.Snapshot(at)
				if err != nil {
					return err
				}
				f, ok := snap.Resolve(args[1])
				switch {
				case !ok:
					return fmt.Errorf("no %q in version %d of %s", args[1], snap.Version, ar.Address())
				case f == nil || f.Kind == archive.KindDir:
					return fmt.Errorf("%q is a directory (\"stele ls\" lists it)", args[1])
				}
				r, err := ar.Open(a.ctx, f)
				if err != nil {
					return err
				}
				_, err = r.WriteTo(a.stdout)
				return err
			})
		}),
	}
	addAtFlag(cmd, &at)
	return cmd
}
