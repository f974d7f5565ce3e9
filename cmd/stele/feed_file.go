package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func newFeedExportCmd(a *app) *cobra.Command {
	var out string
	var ranges []string
	cmd := &cobra.Command{
		Use:   "export FEED [-o FILE] [--range LO:HI]...",
		Short: "Write a feed file: a verifiable copy of the feed",
		Long: `Write a feed file holding the feed's latest checkpoint, the checkpoints
that prove it consistent, and the held entries (or those of each --range)
with their range proofs. Anyone can check it with "stele verify FILE" and
load it with "stele feed import FILE". The file reveals the feed's
address, which is what lets its holder read the feed: it is written with
mode 0600.`,
		Example: `  stele feed export notes -o notes.stele
  stele feed export notes --range 0:100 --range 500:600 -o part.stele
  stele feed export notes > notes.stele`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			want, err := parseRanges(ranges)
			if err != nil {
				return err
			}
			if out == "" && isTerminal(a.stdout) {
				return usagef("refusing to write a binary feed file to the terminal: use -o FILE or redirect the output")
			}
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				carried, err := exportRanges(a, f, want)
				if err != nil {
					return err
				}
				n, err := writeExport(a, f, want, out)
				if err != nil {
					return err
				}
				summary := a.stdout
				if out == "" {
					summary, out = a.stderr, "standard output"
				}
				fmt.Fprintf(summary, "exported %s: %d entr%s (%s), checkpoint size %d, %d bytes to %s\n",
					label(f), carried.Count(), ies(carried.Count()), formatRanges(carried), f.Len(), n, out)
				return nil
			})
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the feed file to `FILE` (default: standard output)")
	cmd.Flags().StringArrayVar(&ranges, "range", nil, "export only entries `LO:HI` (repeatable; default: all held)")
	return cmd
}

func parseRanges(specs []string) (feed.RangeSet, error) {
	var rs feed.RangeSet
	for _, s := range specs {
		r, err := feed.ParseRange(s)
		if err != nil {
			return nil, usageError{fmt.Errorf("--range: %w", err)}
		}
		rs = rs.Add(r.Lo, r.Hi)
	}
	return rs, nil
}

// exportRanges checks the requested ranges against the feed and returns
// what the file will carry, warning about entries not held.
func exportRanges(a *app, f *feed.Feed, want feed.RangeSet) (feed.RangeSet, error) {
	held := f.Ranges()
	if want == nil {
		return held, nil
	}
	var carried feed.RangeSet
	for _, r := range want {
		if r.Hi > f.Len() {
			return nil, fmt.Errorf("feed %s has %d entr%s: range %s runs past its end", label(f), f.Len(), ies(f.Len()), r)
		}
		for _, m := range held.Missing(r.Lo, r.Hi) {
			a.warnf("warning: entries %s of %s are not held here and are left out", m, label(f))
		}
		for _, h := range held.Intersect(r.Lo, r.Hi) {
			carried = carried.Add(h.Lo, h.Hi)
		}
	}
	return carried, nil
}

// writeExport writes the feed file to path (atomically, through a
// temporary file) or to stdout, and returns its size.
func writeExport(a *app, f *feed.Feed, ranges feed.RangeSet, path string) (int64, error) {
	if path == "" {
		cw := &countingWriter{w: a.stdout}
		err := f.Export(cw, ranges)
		return cw.n, err
	}
	path = a.abs(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	cw := &countingWriter{w: tmp}
	err = f.Export(cw, ranges)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newFeedImportCmd(a *app) *cobra.Command {
	var asJSON bool
	var name string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Verify a feed file, then store it as a replica",
		Long: `Verify a feed file completely (signatures, checkpoint consistency, every
entry against its range proof), then store its checkpoints and entries as
a replica of the feed (or add them to the copy already held, which must
be consistent with them). Nothing is stored from a file that fails.`,
		Example: `  stele feed import notes.stele --name notes
  stele feed import part.stele --json`,
		Args: exactArgs(1, "FILE"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			file, err := os.Open(a.abs(args[0]))
			if err != nil {
				return err
			}
			defer file.Close()
			return a.withRepo(func(r *repo.Repo) error {
				p := a.newProgress("importing")
				f, sum, err := r.Feeds.Import(file, p.update())
				p.finish()
				if err != nil {
					return fmt.Errorf("import %s: %w", args[0], err)
				}
				if name != "" {
					if err := f.SetName(name); err != nil {
						return fmt.Errorf("import %s: %w", args[0], err)
					}
				}
				a.warnIfForked(f)
				if asJSON {
					return writeJSON(a.stdout, importJSON{Address: f.Address(), Role: role(f), fileSummaryJSON: toFileSummaryJSON(sum)})
				}
				fmt.Fprintf(a.stdout, "imported %s as %s: %d entr%s (%s), checkpoint size %d signed %s\n",
					label(f), role(f), sum.Entries, ies(sum.Entries), formatRanges(sum.Ranges), sum.Latest.Size, formatTime(sum.Latest.Time))
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&name, "name", "", "give the imported feed this local name")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// fileSummaryJSON describes a feed file in --json output.
type fileSummaryJSON struct {
	Checkpoint  checkpointJSON `json:"checkpoint"`
	Checkpoints int            `json:"checkpoints"`
	Ranges      []rangeJSON    `json:"ranges"`
	Entries     int64          `json:"entries"`
	Bytes       int64          `json:"bytes"`
}

func toFileSummaryJSON(s feed.FileSummary) fileSummaryJSON {
	return fileSummaryJSON{
		Checkpoint:  toCheckpointJSON(s.Latest),
		Checkpoints: s.Checkpoints,
		Ranges:      toRangesJSON(s.Ranges),
		Entries:     s.Entries,
		Bytes:       s.Bytes,
	}
}

type importJSON struct {
	Address string `json:"address"`
	Role    string `json:"role"`
	fileSummaryJSON
}
