package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func newFeedCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feed",
		Short: "Create, append to, read, export and import feeds",
		Example: `  stele feed new notes
  echo "hello" | stele feed append notes
  stele feed get notes 0:10`,
		Args: groupArgs,
		RunE: runE(groupHelp),
	}
	cmd.AddCommand(newFeedNewCmd(a), newFeedListCmd(a), newFeedAppendCmd(a),
		newFeedGetCmd(a), newFeedLogCmd(a), newFeedInfoCmd(a),
		newFeedExportCmd(a), newFeedImportCmd(a))
	return cmd
}

func newFeedNewCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "new [NAME]",
		Short: "Create a feed with a fresh key and print its address",
		Long: `Create a feed authored by this node, with a fresh Ed25519 key kept in
the repo, and print its address. NAME is an optional local name: at most
128 characters, no spaces, '/' or ':'. Back the key up with "stele key export".`,
		Example: `  stele feed new notes
  addr=$(stele feed new)`,
		Args: rangeArgs(0, 1, "at most one NAME"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return a.withRepo(func(r *repo.Repo) error {
				f, err := r.Feeds.Create(name)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, feedNewJSON{Address: f.Address(), Name: name, DiscoveryID: crypto.Discovery(f.PublicKey()).String()})
				}
				fmt.Fprintln(a.stdout, f.Address())
				return nil
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type feedNewJSON struct {
	Address     string `json:"address"`
	Name        string `json:"name,omitempty"`
	DiscoveryID string `json:"discovery_id"`
}

func newFeedListCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the feeds in the repo: name, address, length, role",
		Example: `  stele feed list
  stele feed list --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				feeds, err := r.Feeds.List()
				if err != nil {
					return err
				}
				for _, f := range feeds {
					a.warnIfForked(f)
				}
				if asJSON {
					return writeJSON(a.stdout, listJSON(feeds))
				}
				return printFeedList(a, feeds)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// role says whether this node authors a feed or replicates it.
func role(f *feed.Feed) string {
	if f.IsAuthor() {
		return "author"
	}
	return "replica"
}

type feedListJSON struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
	Length  int64  `json:"length"`
	Role    string `json:"role"`
	Forked  bool   `json:"forked"`
}

func listJSON(feeds []*feed.Feed) []feedListJSON {
	out := make([]feedListJSON, 0, len(feeds))
	for _, f := range feeds {
		_, forked := f.Forked()
		out = append(out, feedListJSON{Name: f.Name(), Address: f.Address(), Length: f.Len(), Role: role(f), Forked: forked})
	}
	return out
}

func printFeedList(a *app, feeds []*feed.Feed) error {
	if len(feeds) == 0 {
		fmt.Fprintln(a.stderr, "no feeds yet: create one with \"stele feed new NAME\"")
		return nil
	}
	t := newTable(a.stdout)
	fmt.Fprintln(t, "NAME\tADDRESS\tLENGTH\tROLE")
	for _, f := range feeds {
		name := f.Name()
		if name == "" {
			name = "-"
		}
		r := role(f)
		if _, forked := f.Forked(); forked {
			r += " FORKED"
		}
		fmt.Fprintf(t, "%s\t%s\t%d\t%s\n", name, f.Address(), f.Len(), r)
	}
	return t.Flush()
}
