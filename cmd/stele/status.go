package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node"
	"github.com/steledb/stele/node/repo"
)

// logger returns the daemon's logger: slog to stderr, level from
// $STELE_LOG (debug, info, warn, error; default info), JSON when
// $STELE_LOG_FORMAT is json.
func (a *app) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.env("STELE_LOG"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.env("STELE_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(a.stderr, opts))
}

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [FEED]",
		Short: "Replication status: per feed what is held, the latest checkpoint, peers and their progress",
		Long: `For every feed (or FEED): the entries held, the latest checkpoint, whether
the node seeds it, fork status, and, while the daemon runs, every peer
replicating it: how far it is (its latest checkpoint and ranges), requests
in flight, and bytes each way.`,
		Example: `  stele status
  stele status notes --json`,
		Args: rangeArgs(0, 1, "[FEED]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				feeds, err := a.statusFeeds(r, args)
				if err != nil {
					return err
				}
				var n *node.Node
				if a.daemon != nil {
					n = a.daemon.node
				}
				out := make([]feedStatusJSON, 0, len(feeds))
				for _, f := range feeds {
					out = append(out, feedStatus(n, f))
				}
				if asJSON {
					return writeJSON(a.stdout, out)
				}
				if n == nil {
					fmt.Fprintln(a.stdout, "daemon: not running (peers are shown while it runs)")
				}
				for _, st := range out {
					printFeedStatus(a, st)
				}
				return nil
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func (a *app) statusFeeds(r *repo.Repo, args []string) ([]*feed.Feed, error) {
	if len(args) == 0 {
		return r.Feeds.List()
	}
	f, err := a.lookupFeed(r, args[0])
	if err != nil {
		return nil, err
	}
	return []*feed.Feed{f}, nil
}

type feedStatusJSON struct {
	Address  string           `json:"address"`
	Name     string           `json:"name,omitempty"`
	Role     string           `json:"role"`
	Length   int64            `json:"length"`
	Held     int64            `json:"held"`
	Ranges   []rangeJSON      `json:"ranges"`
	Latest   *checkpointJSON  `json:"checkpoint,omitempty"`
	Seeding  bool             `json:"seeding"`
	CaughtUp bool             `json:"caught_up"`
	Forked   bool             `json:"forked"`
	BytesUp  int64            `json:"bytes_up"`
	BytesDn  int64            `json:"bytes_down"`
	Peers    []peerStatusJSON `json:"peers"`
}

type peerStatusJSON struct {
	ID        string      `json:"id"`
	Latest    int64       `json:"latest"`
	Ranges    []rangeJSON `json:"ranges"`
	InFlight  int         `json:"in_flight"`
	BytesUp   int64       `json:"bytes_up"`
	BytesDown int64       `json:"bytes_down"`
	RTTMillis float64     `json:"rtt_ms"`
	Blocked   string      `json:"blocked,omitempty"`
}

func feedStatus(n *node.Node, f *feed.Feed) feedStatusJSON {
	st := feedStatusJSON{Address: f.Address(), Name: f.Name(), Role: role(f), Length: f.Len(),
		Held: f.Ranges().Count(), Ranges: toRangesJSON(f.Ranges()), Peers: []peerStatusJSON{}}
	if cp, ok := f.Latest(); ok {
		c := toCheckpointJSON(cp)
		st.Latest = &c
	}
	_, st.Forked = f.Forked()
	if n == nil {
		return st
	}
	st.Seeding = n.Seeding(f.PublicKey())
	es, ok := n.Engine.Status(f.PublicKey())
	if !ok {
		return st
	}
	st.CaughtUp, st.BytesUp, st.BytesDn = es.CaughtUp, es.BytesUp, es.BytesDown
	for _, p := range es.Peers {
		ps := peerStatusJSON{ID: node.PeerString(p.ID), Latest: p.Latest, Ranges: toRangesJSON(p.Ranges), InFlight: p.InFlight,
			BytesUp: p.BytesUp, BytesDown: p.BytesDown, RTTMillis: float64(p.RTT) / float64(time.Millisecond)}
		if reason, blocked := n.Engine.Blocked(p.ID); blocked {
			ps.Blocked = reason
		}
		st.Peers = append(st.Peers, ps)
	}
	return st
}

func printFeedStatus(a *app, st feedStatusJSON) {
	name := st.Address
	if st.Name != "" {
		name = st.Name + " (" + st.Address + ")"
	}
	t := newTable(a.stdout)
	fmt.Fprintf(t, "feed:\t%s\n", name)
	seeding := ""
	if st.Seeding {
		seeding = ", seeding"
	}
	fmt.Fprintf(t, "role:\t%s%s\n", st.Role, seeding)
	fmt.Fprintf(t, "held:\t%d of %d entries (%s)\n", st.Held, st.Length, formatRangesJSON(st.Ranges))
	if st.Latest != nil {
		fmt.Fprintf(t, "checkpoint:\tsize %d, signed %s\n", st.Latest.Size, orDash(st.Latest.Time))
	}
	if st.Forked {
		fmt.Fprintf(t, "forked:\tYES\n")
	}
	if len(st.Peers) > 0 {
		fmt.Fprintf(t, "transfer:\t%s up, %s down\n", byteSize(st.BytesUp), byteSize(st.BytesDn))
	}
	t.Flush()
	if len(st.Peers) > 0 {
		pt := newTable(a.stdout)
		fmt.Fprintln(pt, "  PEER\tLATEST\tHOLDS\tIN FLIGHT\tUP\tDOWN\tRTT")
		for _, p := range st.Peers {
			id := p.ID
			if p.Blocked != "" {
				id += " (BLOCKED: " + p.Blocked + ")"
			}
			fmt.Fprintf(pt, "  %s\t%d\t%s\t%d\t%s\t%s\t%.1fms\n", id, p.Latest, orDash(formatRangesJSON(p.Ranges)), p.InFlight, byteSize(p.BytesUp), byteSize(p.BytesDown), p.RTTMillis)
		}
		pt.Flush()
	}
	fmt.Fprintln(a.stdout)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
