package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

// errNoDaemon says that a command needs the running daemon.
var errNoDaemon = errors.New(`no daemon is running for this repo: start one with "stele daemon"`)

// withNode runs fn with the daemon's node; without a daemon it fails,
// unless ephemeral, when it starts a node in this process for the
// duration of the command.
func (a *app) withNode(ephemeral bool, fn func(n *node.Node) error) error {
	if a.daemon != nil {
		return fn(a.daemon.node)
	}
	if !ephemeral {
		return errNoDaemon
	}
	return a.withRepo(func(r *repo.Repo) error {
		n, err := node.Start(r, node.Options{Logger: a.logger()})
		if err != nil {
			return err
		}
		err = fn(n)
		if cerr := n.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

func newIDCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "id",
		Short: "The node's peer ID and addresses",
		Long: `Print the node's libp2p peer ID and, while the daemon runs, the full
multiaddrs (with /p2p/) other nodes can reach it at.`,
		Example: `  stele id
  stele id --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			out := struct {
				ID    string   `json:"id"`
				Addrs []string `json:"addrs"`
			}{Addrs: []string{}}
			if a.daemon != nil {
				n := a.daemon.node
				out.ID = n.Host.ID().String()
				for _, addr := range n.Host.Addrs() {
					out.Addrs = append(out.Addrs, addr.String())
				}
			} else if err := a.withRepo(func(r *repo.Repo) error { out.ID = r.PeerID(); return nil }); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, out)
			}
			fmt.Fprintf(a.stdout, "peer ID: %s\n", out.ID)
			if a.daemon == nil {
				fmt.Fprintln(a.stdout, "addresses: none (the daemon is not running)")
			}
			for _, addr := range out.Addrs {
				fmt.Fprintf(a.stdout, "  %s\n", addr)
			}
			return nil
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newPeersCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "peers",
		Short:   "The peers the daemon is connected to",
		Example: "  stele peers --json",
		Args:    exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withNode(false, func(n *node.Node) error {
				type peerJSON struct {
					ID      string   `json:"id"`
					Addrs   []string `json:"addrs"`
					Blocked string   `json:"blocked,omitempty"`
				}
				peers := []peerJSON{}
				for _, p := range n.Host.Peers() {
					pj := peerJSON{ID: p.String(), Addrs: []string{}}
					for _, c := range n.Host.PeerAddrs(p) {
						pj.Addrs = append(pj.Addrs, c.String())
					}
					peers = append(peers, pj)
				}
				for _, b := range n.Host.Blocked() {
					peers = append(peers, peerJSON{ID: b.Peer.String(), Addrs: []string{}, Blocked: b.Reason})
				}
				if asJSON {
					return writeJSON(a.stdout, peers)
				}
				t := newTable(a.stdout)
				fmt.Fprintln(t, "PEER\tADDRESS\tBLOCKED")
				for _, p := range peers {
					fmt.Fprintf(t, "%s\t%s\t%s\n", p.ID, orDash(strings.Join(p.Addrs, " ")), orDash(p.Blocked))
				}
				return t.Flush()
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newSwarmCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "swarm",
		Short:   "Manage the daemon's connections",
		Example: "  stele swarm connect /ip4/127.0.0.1/tcp/4017/p2p/12D3KooW...",
		Args:    groupArgs,
		RunE:    runE(groupHelp),
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "connect MULTIADDR",
		Short: "Connect the daemon to a peer",
		Long: `Connect the daemon to a peer by its full multiaddr (ending in
/p2p/<peer ID>), and replicate with it every feed both follow.`,
		Example: "  stele swarm connect /ip4/127.0.0.1/tcp/4017/p2p/12D3KooW...",
		Args:    exactArgs(1, "MULTIADDR"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withNode(false, func(n *node.Node) error {
				id, err := n.Connect(a.ctx, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "connected to %s\n", id)
				return nil
			})
		}),
	})
	return cmd
}

func newSeedCmd(a *app) *cobra.Command {
	var rangeArg, maxStorage string
	cmd := &cobra.Command{
		Use:   "seed FEED",
		Short: "Volunteer as a replica of a feed: fetch, verify, follow live and serve it",
		Long: `Join the swarm as a volunteer replica of the feed at FEED (an address): the
daemon finds its peers through the DHT, downloads and verifies its entries
(or those of --range), keeps following it as its author appends, and
serves it to others, now and after restarts, until "stele unseed".
For an archive's address, its content feed is seeded too, so the files are
served along with their metadata. --max-storage stops fetching once a feed
takes that much disk.`,
		Example: `  stele seed k51qzi5uqu5d...
  stele seed k51qzi5uqu5d... --range 0:10000 --max-storage 1GiB`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			want, err := parseOptionalRange(rangeArg)
			if err != nil {
				return err
			}
			limit, err := parseSize(maxStorage)
			if err != nil {
				return usagef("--max-storage %q: %v", maxStorage, err)
			}
			return a.withNode(false, func(n *node.Node) error {
				pub, err := n.Repo.Feeds.Resolve(args[0])
				if err != nil {
					return err
				}
				if err := n.Seed(pub, want, limit); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "seeding %s: looking for its peers; \"stele status %s\" shows progress\n", crypto.FormatAddress(pub), crypto.FormatAddress(pub))
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&rangeArg, "range", "", "seed only entries LO:HI")
	cmd.Flags().StringVar(&maxStorage, "max-storage", "", "stop fetching beyond this size (e.g. 500MiB, 2GB)")
	return cmd
}

func newUnseedCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "unseed FEED",
		Short:   "Stop seeding a feed (what is held stays held and served)",
		Example: `  stele unseed k51qzi5uqu5d...`,
		Args:    exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withNode(false, func(n *node.Node) error {
				pub, err := n.Repo.Feeds.Resolve(args[0])
				if err != nil {
					return err
				}
				removed, err := n.Unseed(pub)
				if err != nil {
					return err
				}
				if !removed {
					return fmt.Errorf("not seeding %s", crypto.FormatAddress(pub))
				}
				fmt.Fprintf(a.stdout, "no longer seeding %s\n", crypto.FormatAddress(pub))
				return nil
			})
		}),
	}
}

func newSyncCmd(a *app) *cobra.Command {
	var rangeArg string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "sync FEED",
		Short: "Fetch a feed's latest state once, and exit when caught up",
		Long: `Find the feed's peers through the DHT, fetch and verify every entry up to
the newest checkpoint they know (or those of --range), and exit once caught
up. For an archive's address, its content feed is synced too (unless
--range). Without a running daemon, a node runs in this process for the
duration.`,
		Example: `  stele sync k51qzi5uqu5d...
  stele sync notes --range 0:100 --timeout 2m`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			want, err := parseOptionalRange(rangeArg)
			if err != nil {
				return err
			}
			return a.withNode(true, func(n *node.Node) error {
				pub, err := n.Repo.Feeds.Resolve(args[0])
				if err != nil {
					return err
				}
				ctx := a.ctx
				if timeout > 0 {
					var cancel func()
					ctx, cancel = context.WithTimeout(ctx, timeout)
					defer cancel()
				}
				f, err := a.syncFeed(ctx, n, pub, want, "")
				if err != nil || want != nil {
					return err
				}
				// An archive is two feeds: its content comes along.
				if content, ok := archive.ContentOf(f); ok {
					_, err = a.syncFeed(ctx, n, content, nil, "content of ")
				}
				return err
			})
		}),
	}
	cmd.Flags().StringVar(&rangeArg, "range", "", "fetch only entries LO:HI")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up after this long (default: never)")
	return cmd
}

// syncFeed syncs one feed and says what is held; what (a prefix for the
// feed's label) tells which feed it is.
func (a *app) syncFeed(ctx context.Context, n *node.Node, pub crypto.PublicKey, want *feed.Range, what string) (*feed.Feed, error) {
	p := a.newProgress(strings.TrimSpace("syncing " + what))
	err := n.Sync(ctx, pub, want, p.update())
	p.finish()
	if err != nil {
		return nil, fmt.Errorf("sync %s%s: %w", what, crypto.FormatAddress(pub), err)
	}
	f, err := n.Repo.Feeds.Feed(pub)
	if err != nil {
		return nil, err
	}
	a.warnIfForked(f)
	fmt.Fprintf(a.stdout, "synced %s%s: %d entries held (%s) of %d\n", what, label(f), f.Ranges().Count(), formatRanges(f.Ranges()), f.Len())
	return f, nil
}

func parseOptionalRange(s string) (*feed.Range, error) {
	if s == "" {
		return nil, nil
	}
	r, err := feed.ParseRange(s)
	if err != nil {
		return nil, usagef("--range: %v", err)
	}
	return &r, nil
}

// parseSize reads sizes such as 1048576, 500MiB, 2GB or 1.5GiB.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}, {"", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || v < 0 {
				return 0, errors.New("want a size such as 500MiB or 2GB")
			}
			return int64(v * u.mult), nil
		}
	}
	return 0, errors.New("want a size such as 500MiB or 2GB")
}
