package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node/repo"
)

func newInitCmd(a *app) *cobra.Command {
	var asJSON bool
	var profile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the repo: config, node identity and feed store",
		Long: `Create a stele repo at $STELE_PATH (default ~/.stele): config.json,
identity.key (the node's own key, never a feed key) and the feed store.
It refuses to touch a directory that already holds a repo or anything else.

Profiles: "default" joins the public network (the IPFS Amino DHT, listening
on all interfaces); "local" makes a node for tests and demos that listens
on 127.0.0.1 only, takes free ports, and talks to no one outside this
machine (a private swarm), so several can run side by side.`,
		Example: `  stele init
  STELE_PATH=/tmp/node1 stele init --profile local
  STELE_PATH=/srv/stele stele init --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			path, err := a.repoPath()
			if err != nil {
				return err
			}
			cfg, err := repo.ProfileConfig(profile)
			if err != nil {
				return usagef("%v", err)
			}
			r, err := repo.Init(path, repo.Options{Config: &cfg})
			if err != nil {
				return err
			}
			defer r.Close()
			if asJSON {
				return writeJSON(a.stdout, initJSON{Path: r.Path, PeerID: r.PeerID(), Config: r.Config})
			}
			fmt.Fprintf(a.stdout, "initialized stele repo at %s\npeer ID: %s\n", r.Path, r.PeerID())
			fmt.Fprintf(a.stdout, "next: stele feed new NAME\n")
			return nil
		}),
	}
	cmd.Flags().StringVar(&profile, "profile", repo.ProfileDefault, `"default" (the public network) or "local" (a private swarm on 127.0.0.1)`)
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type initJSON struct {
	Path   string      `json:"path"`
	PeerID string      `json:"peer_id"`
	Config repo.Config `json:"config"`
}
