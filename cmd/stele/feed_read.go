package main

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func newFeedGetCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "get FEED INDEX|LO:HI",
		Short: "Print one entry, or the entries of [LO, HI) one per line",
		Long: `Print entry INDEX exactly as stored (raw bytes, no newline added), or the
entries LO to HI-1 one per line (LO: means to the end). Entries that
contain newlines or binary data are best read with --json, which prints
objects with the index and the data in base64.`,
		Example: `  stele feed get notes 0 > first.txt
  stele feed get notes 10:20
  stele feed get notes 0: --json`,
		Args: exactArgs(2, "FEED and INDEX or LO:HI"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				lo, hi, single, err := parseIndexOrRange(args[1], f.Len())
				if err != nil {
					return err
				}
				if err := checkReadable(f, lo, hi); err != nil {
					return err
				}
				return printEntries(a, f, lo, hi, single, asJSON)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// parseIndexOrRange parses INDEX, LO:HI or LO: (to length).
func parseIndexOrRange(s string, length int64) (lo, hi int64, single bool, err error) {
	if !strings.Contains(s, ":") {
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil || i < 0 {
			return 0, 0, false, usagef("entry index %q: want a number from 0, or LO:HI", s)
		}
		return i, i + 1, true, nil
	}
	if lo, ok := strings.CutSuffix(s, ":"); ok {
		s = lo + ":" + strconv.FormatInt(length, 10)
	}
	rg, err := feed.ParseRange(s)
	if err != nil {
		return 0, 0, false, usageError{err}
	}
	return rg.Lo, rg.Hi, false, nil
}

// checkReadable says why [lo, hi) cannot be read, if it cannot.
func checkReadable(f *feed.Feed, lo, hi int64) error {
	n := f.Len()
	switch {
	case hi > n && hi == lo+1:
		return fmt.Errorf("feed %s has %d entr%s: there is no entry %d", label(f), n, ies(n), lo)
	case hi > n:
		return fmt.Errorf("feed %s has %d entr%s: range %d:%d runs past its end", label(f), n, ies(n), lo, hi)
	case !f.Ranges().Covers(lo, hi):
		return fmt.Errorf("feed %s: entries %s are not held here (held: %s)", label(f), f.Ranges().Missing(lo, hi)[0], formatRanges(f.Ranges()))
	}
	return nil
}

type entryJSON struct {
	Index int64  `json:"index"`
	Data  string `json:"data"` // standard base64
}

// printEntries streams [lo, hi) to stdout, as raw bytes, lines or JSON.
func printEntries(a *app, f *feed.Feed, lo, hi int64, single, asJSON bool) error {
	w := bufio.NewWriterSize(a.stdout, 1<<16)
	var err error
	switch {
	case single && asJSON:
		var data []byte
		if data, err = f.Get(lo); err == nil {
			err = writeJSON(w, entryJSON{lo, base64.StdEncoding.EncodeToString(data)})
		}
	case single:
		var data []byte
		if data, err = f.Get(lo); err == nil {
			_, err = w.Write(data)
		}
	case asJSON:
		err = printEntriesJSON(w, f, lo, hi)
	default:
		err = f.Scan(lo, hi, func(_ int64, data []byte) error {
			w.Write(data)
			return w.WriteByte('\n')
		})
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// printEntriesJSON writes a JSON array of entries without holding them all.
func printEntriesJSON(w *bufio.Writer, f *feed.Feed, lo, hi int64) error {
	w.WriteString("[")
	sep := "\n  "
	err := f.Scan(lo, hi, func(i int64, data []byte) error {
		fmt.Fprintf(w, `%s{"index": %d, "data": "%s"}`, sep, i, base64.StdEncoding.EncodeToString(data))
		sep = ",\n  "
		return nil
	})
	if lo < hi {
		w.WriteString("\n")
	}
	w.WriteString("]\n")
	return err
}

func newFeedLogCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log FEED",
		Short: "List the feed's signed checkpoints: size, time, root",
		Long: `List the signed checkpoints held for a feed, oldest first: the tree size
it covers, when the author signed it (UTC) and the Merkle root.`,
		Example: `  stele feed log notes
  stele feed log notes --json`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				cps := []checkpointJSON{}
				err = f.Checkpoints(func(cp feed.SignedCheckpoint) error {
					cps = append(cps, toCheckpointJSON(cp))
					return nil
				})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, cps)
				}
				t := newTable(a.stdout)
				fmt.Fprintln(t, "SIZE\tTIME\tROOT")
				for _, c := range cps {
					fmt.Fprintf(t, "%d\t%s\t%s\n", c.Size, orDash(c.Time), c.Root)
				}
				return t.Flush()
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newFeedInfoCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info FEED",
		Short: "Show a feed: address, discovery ID, length, ranges, checkpoint, fork status",
		Example: `  stele feed info notes
  stele feed info stele://k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh --json`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				info, err := feedInfo(f)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, info)
				}
				return printInfo(a, info)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type infoJSON struct {
	Address     string          `json:"address"`
	Name        string          `json:"name,omitempty"`
	DiscoveryID string          `json:"discovery_id"`
	Role        string          `json:"role"`
	Length      int64           `json:"length"`
	Ranges      []rangeJSON     `json:"ranges"`
	Held        int64           `json:"held"` // entries held
	Root        string          `json:"root,omitempty"`
	Latest      *checkpointJSON `json:"checkpoint,omitempty"`
	Restored    bool            `json:"restored,omitempty"`
	Forked      bool            `json:"forked"`
	ForkedAt    *int64          `json:"forked_at,omitempty"`
	Evidence    int             `json:"fork_evidence"`
}

func feedInfo(f *feed.Feed) (infoJSON, error) {
	info := infoJSON{
		Address:     f.Address(),
		Name:        f.Name(),
		DiscoveryID: crypto.Discovery(f.PublicKey()).String(),
		Role:        role(f),
		Length:      f.Len(),
		Ranges:      toRangesJSON(f.Ranges()),
		Held:        f.Ranges().Count(),
	}
	if cp, ok := f.Latest(); ok {
		c := toCheckpointJSON(cp)
		info.Latest, info.Root = &c, c.Root
	}
	info.Restored = f.Restored()
	if at, forked := f.Forked(); forked {
		info.Forked, info.ForkedAt = true, &at
	}
	ev, err := f.ForkEvidence()
	if err != nil && !errors.Is(err, feed.ErrVerification) {
		return info, err
	}
	info.Evidence = len(ev)
	return info, nil
}

func printInfo(a *app, info infoJSON) error {
	t := newTable(a.stdout)
	fmt.Fprintf(t, "address:\t%s\n", info.Address)
	if info.Name != "" {
		fmt.Fprintf(t, "name:\t%s\n", info.Name)
	}
	fmt.Fprintf(t, "discovery ID:\t%s\n", info.DiscoveryID)
	fmt.Fprintf(t, "role:\t%s\n", info.Role)
	fmt.Fprintf(t, "length:\t%d\n", info.Length)
	fmt.Fprintf(t, "ranges held:\t%s (%d entr%s)\n", formatRangesJSON(info.Ranges), info.Held, ies(info.Held))
	if c := info.Latest; c != nil {
		fmt.Fprintf(t, "checkpoint:\tsize %d, signed %s\n", c.Size, orDash(c.Time))
		fmt.Fprintf(t, "root:\t%s\n", c.Root)
	} else {
		fmt.Fprintf(t, "checkpoint:\tnone held\n")
	}
	if info.Restored {
		fmt.Fprintf(t, "restored:\tyes: the key came from a backup; append after fetching the latest checkpoint (or with --force-restored)\n")
	}
	if info.Forked {
		fmt.Fprintf(t, "forked:\tYES, at size %d (%d piece%s of evidence held)\n", *info.ForkedAt, info.Evidence, plural(info.Evidence))
	} else {
		fmt.Fprintf(t, "forked:\tno\n")
	}
	return t.Flush()
}
