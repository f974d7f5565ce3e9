package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

func newKeyCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Back up and restore the private keys of the feeds this node authors",
		Example: `  stele key export notes -o notes.key
  stele key import notes.key --name notes`,
		Args: groupArgs,
		RunE: runE(groupHelp),
	}
	cmd.AddCommand(newKeyExportCmd(a), newKeyImportCmd(a))
	return cmd
}

func newKeyExportCmd(a *app) *cobra.Command {
	var out, passFile string
	var noPass bool
	cmd := &cobra.Command{
		Use:   "export FEED [-o FILE] [--passphrase-file F]",
		Short: "Write a backup of a feed's private key, encrypted with a passphrase",
		Long: `Write the private key of a feed this node authors to a key file, encrypted
with a passphrase (argon2id and XChaCha20-Poly1305). The passphrase is
the first line of --passphrase-file, else $STELE_PASSPHRASE, else typed
twice on the terminal (never echoed). --no-passphrase writes the key in
the clear. The key file is created with mode 0600 and never overwritten.
Whoever holds the key can append to the feed: keep the file safe.`,
		Example: `  stele key export notes -o notes.key
  STELE_PASSPHRASE='correct horse' stele key export notes -o notes.key
  stele key export notes --passphrase-file pass.txt -o notes.key`,
		Args: exactArgs(1, "FEED"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if noPass && passFile != "" {
				return usagef("--no-passphrase and --passphrase-file contradict each other")
			}
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				if !f.IsAuthor() {
					return fmt.Errorf("key export %s: %w", label(f), feed.ErrNotAuthor)
				}
				var pass []byte
				if !noPass {
					if pass, err = a.passphrase(passFile, "the key of "+label(f), true); errors.Is(err, errNoPassphrase) {
						return usagef("%v, or pass --no-passphrase to write the key in the clear", err)
					} else if err != nil {
						return err
					}
				}
				data, err := r.Feeds.ExportKey(f.PublicKey(), pass)
				if err != nil {
					return err
				}
				return writeKeyBackup(a, f, data, out, len(pass) > 0)
			})
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the key file to `FILE` (default: standard output)")
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "read the passphrase from the first line of `F`")
	cmd.Flags().BoolVar(&noPass, "no-passphrase", false, "write the key unencrypted")
	return cmd
}

func writeKeyBackup(a *app, f *feed.Feed, data []byte, path string, encrypted bool) error {
	how := "encrypted with the passphrase"
	if !encrypted {
		how = "UNENCRYPTED"
	}
	if path == "" {
		_, err := a.stdout.Write(data)
		fmt.Fprintf(a.stderr, "wrote the key of %s, %s: whoever holds it can append to the feed\n", label(f), how)
		return err
	}
	out, err := os.OpenFile(a.abs(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key file %s already exists: choose another name (a key backup is never overwritten)", path)
	}
	if err != nil {
		return err
	}
	_, err = out.Write(data)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	fmt.Fprintf(a.stdout, "wrote the key of %s to %s, %s: whoever holds it can append to the feed\n", label(f), path, how)
	return nil
}

func newKeyImportCmd(a *app) *cobra.Command {
	var passFile, name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE [--passphrase-file F] [--name NAME]",
		Short: "Restore a feed's private key from a backup: this node becomes its author",
		Long: `Restore the private key of a feed from a key file made by "stele key
export". Like ssh, it refuses a key file that group or others may read.
The passphrase, if the file is encrypted, comes as for export.

The feed is marked restored: this copy may be older than what the author
appended elsewhere after the backup, and appending to it could sign a
fork. Appends wait until the feed's latest checkpoint has been fetched
from peers, or until "stele feed append --force-restored" asserts that
this copy is the latest.`,
		Example: `  stele key import notes.key --name notes
  stele key import notes.key --passphrase-file pass.txt`,
		Args: exactArgs(1, "FILE"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			data, err := readPrivateFile(a.abs(args[0]))
			if err != nil {
				return err
			}
			var pass []byte
			if crypto.KeyFileEncrypted(data) {
				if pass, err = a.passphrase(passFile, args[0], false); err != nil {
					return fmt.Errorf("key file %s is encrypted: %w", args[0], err)
				}
			}
			return a.withRepo(func(r *repo.Repo) error {
				f, err := r.Feeds.ImportKey(data, pass, name)
				if err != nil {
					return fmt.Errorf("key import %s: %w", args[0], err)
				}
				a.warnIfForked(f)
				if asJSON {
					return writeJSON(a.stdout, keyImportJSON{Address: f.Address(), Name: f.Name(), Length: f.Len(), Restored: true})
				}
				fmt.Fprintf(a.stdout, "imported the key of %s: this node is now its author (length %d here).\n", label(f), f.Len())
				fmt.Fprintf(a.stdout, "The feed is marked restored: appends wait until its latest checkpoint is fetched from peers;\n"+
					"if you are sure this copy is the latest, use \"stele feed append --force-restored\".\n")
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&passFile, "passphrase-file", "", "read the passphrase from the first line of `F`")
	cmd.Flags().StringVar(&name, "name", "", "local `NAME` for the feed, if this repo does not hold it yet")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type keyImportJSON struct {
	Address  string `json:"address"`
	Name     string `json:"name,omitempty"`
	Length   int64  `json:"length"`
	Restored bool   `json:"restored"`
}

// readPrivateFile reads a key file, refusing (as ssh does) one that group
// or others may read: the secret may already have leaked.
func readPrivateFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s is accessible by group or others (mode %04o): refusing to use it; run: chmod 600 %s", path, perm, path)
	}
	return os.ReadFile(path)
}
