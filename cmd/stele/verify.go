package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func newVerifyCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify FEED|FILE",
		Short: "Verify a stored feed or a feed file, offline",
		Long: `Verify everything about a stored feed (by name or address) or a feed
file (by path), without the network: every checkpoint's signature by the
feed's key, the consistency of the checkpoints, and every entry against
the signed Merkle root. Exit status 0 means everything verified; otherwise
the first failing entry index or checkpoint is named, with the reason.

For an archive (its address or name) the content feed is verified too,
as far as it is held, and the files of every version whose chunks are
held are checked against their hashes, each distinct content once; the
first version and file that fail are named.

A path containing "/" is always a file; a bare word is a local feed name
or an address if the repo knows it, else a file. A forked feed fails.
On a terminal, long runs show a progress bar on standard error.`,
		Example: `  stele verify notes
  stele verify ./notes.stele
  stele verify k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh --json`,
		Args: exactArgs(1, "FEED or FILE"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			res, err := a.verify(args[0])
			if asJSON && res != nil {
				if jerr := writeJSON(a.stdout, res); jerr != nil && err == nil {
					err = jerr
				}
			} else if err == nil {
				printVerified(a, res)
				if res.Archive != nil {
					printArchiveChecked(a, res.Archive)
				}
			}
			return err
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// verifyJSON is the result of verify, also in --json output. Index,
// FailedCheckpoint and Offset locate a failure where they are known.
type verifyJSON struct {
	OK               bool            `json:"ok"`
	Kind             string          `json:"kind"` // "feed" or "file"
	Target           string          `json:"target"`
	Address          string          `json:"address,omitempty"`
	Label            string          `json:"-"`
	Entries          int64           `json:"entries"`
	Ranges           []rangeJSON     `json:"ranges"`
	Checkpoints      int             `json:"checkpoints"`
	Checkpoint       *checkpointJSON `json:"checkpoint,omitempty"`
	Forked           bool            `json:"forked"`
	Error            string          `json:"error,omitempty"`
	Index            *int64          `json:"index,omitempty"`
	FailedCheckpoint *int64          `json:"failed_checkpoint,omitempty"`
	Offset           *int64          `json:"offset,omitempty"`
	// Archive is set when the feed is an archive's metadata feed.
	Archive *archiveCheckJSON `json:"archive,omitempty"`
}

// verify decides whether target is a stored feed or a file and verifies
// it. The result is nil when target could not be found at all.
func (a *app) verify(target string) (*verifyJSON, error) {
	if strings.ContainsRune(target, os.PathSeparator) || strings.ContainsRune(target, '/') {
		return a.verifyFile(target)
	}
	r, closeRepo, err := a.openRepo()
	switch {
	case err == nil:
		defer closeRepo()
		f, lerr := r.Feeds.Lookup(target)
		if lerr == nil {
			a.warnIfForked(f)
			res, err := a.verifyFeed(target, f)
			if err != nil {
				return res, err
			}
			if err := a.verifyArchive(r, f, res); err != nil {
				res.OK = false
				return res.done("verify archive "+label(f), err)
			}
			return res, nil
		}
		if !isFile(a.abs(target)) {
			_, lerr = a.lookupFeed(r, target)
			return nil, lerr
		}
	case errors.Is(err, repo.ErrNoRepo) && !isFile(a.abs(target)):
		return nil, fmt.Errorf("%q is not a feed file, and there is no repo to look up a feed in: %w", target, err)
	case !isFile(a.abs(target)):
		return nil, err
	}
	return a.verifyFile(target)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func (a *app) verifyFeed(target string, f *feed.Feed) (*verifyJSON, error) {
	res := &verifyJSON{Kind: "feed", Target: target, Address: f.Address(), Label: "feed " + label(f),
		Entries: f.Ranges().Count(), Ranges: toRangesJSON(f.Ranges())}
	if cp, ok := f.Latest(); ok {
		c := toCheckpointJSON(cp)
		res.Checkpoint = &c
	}
	_, res.Forked = f.Forked()
	p := a.newProgress("verifying")
	err := f.Verify(p.update())
	p.finish()
	if err == nil {
		err = f.Checkpoints(func(feed.SignedCheckpoint) error { res.Checkpoints++; return nil })
	}
	var ve *feed.VerifyError
	if errors.As(err, &ve) {
		res.Index, res.FailedCheckpoint = located(ve.Index), located(ve.Checkpoint)
	}
	if err == nil && res.Forked {
		at, _ := f.Forked()
		err = fmt.Errorf("the stored data verifies, but the feed is forked at size %d: its author signed two inconsistent checkpoints", at)
	}
	return res.done(fmt.Sprintf("verify %s", label(f)), err)
}

func (a *app) verifyFile(path string) (*verifyJSON, error) {
	file, err := os.Open(a.abs(path))
	if err != nil {
		return nil, err
	}
	defer file.Close()
	res := &verifyJSON{Kind: "file", Target: path, Label: "feed file " + path, Ranges: []rangeJSON{}}
	p := a.newProgress("verifying")
	sum, err := feed.VerifyFile(file, p.update())
	p.finish()
	var fe *feed.FileError
	if errors.As(err, &fe) {
		res.Index, res.FailedCheckpoint, res.Offset = located(fe.Index), located(fe.Checkpoint), &fe.Offset
	}
	if err == nil {
		s := toFileSummaryJSON(sum)
		res.Address, res.Entries, res.Ranges, res.Checkpoints, res.Checkpoint = crypto.FormatAddress(sum.Address), s.Entries, s.Ranges, s.Checkpoints, &s.Checkpoint
		res.Label += " of feed " + res.Address
	}
	return res.done("verify "+path, err)
}

func (r *verifyJSON) done(what string, err error) (*verifyJSON, error) {
	if err != nil {
		r.Error = err.Error()
		return r, fmt.Errorf("%s: %w", what, err)
	}
	r.OK = true
	return r, nil
}

// located returns a pointer to a location, or nil for -1 (not known).
func located(i int64) *int64 {
	if i < 0 {
		return nil
	}
	return &i
}

func printVerified(a *app, r *verifyJSON) {
	fmt.Fprintf(a.stdout, "ok: %s\n", r.Label)
	fmt.Fprintf(a.stdout, "  verified: %d entr%s (%s), %d checkpoint%s\n",
		r.Entries, ies(r.Entries), formatRangesJSON(r.Ranges), r.Checkpoints, plural(r.Checkpoints))
	if c := r.Checkpoint; c != nil {
		fmt.Fprintf(a.stdout, "  latest checkpoint: size %d, signed %s, root %s\n", c.Size, orDash(c.Time), c.Root)
	}
}

func formatRangesJSON(rs []rangeJSON) string {
	var set feed.RangeSet
	for _, r := range rs {
		set = append(set, feed.Range{Lo: r.Lo, Hi: r.Hi})
	}
	return formatRanges(set)
}
