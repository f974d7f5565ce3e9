package main

import (
	"errors"
	"fmt"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/repo"
)

// archiveCheckJSON is what verify adds for an archive's metadata feed:
// the verification of its content feed and the check of the files of
// versions 1 to Version against their hashes, each distinct content once
// (FilesChecked and FilesNotHeld count distinct contents).
type archiveCheckJSON struct {
	Content      *verifyJSON `json:"content,omitempty"`
	Version      int64       `json:"version"`
	FilesChecked int         `json:"files_checked"`
	FilesNotHeld int         `json:"files_not_held"`
}

// verifyArchive goes on from a verified metadata feed: if it is an
// archive's, it verifies the content feed (what is held of it) and checks
// every version's files whose chunks are held against their hashes.
func (a *app) verifyArchive(r *repo.Repo, meta *feed.Feed, res *verifyJSON) error {
	pub, ok := archive.ContentOf(meta)
	if !ok {
		return nil
	}
	check := &archiveCheckJSON{}
	res.Archive = check
	content, err := r.Feeds.Feed(pub)
	if errors.Is(err, feed.ErrNotFound) {
		return nil // no content held: nothing to check
	}
	if err != nil {
		return err
	}
	check.Content, err = a.verifyFeed(content.Address(), content)
	if err != nil {
		return fmt.Errorf("its content feed: %w", err)
	}
	m := a.dbManager(r)
	if a.daemon == nil {
		defer m.Close()
	}
	ar, err := (&archive.Archives{Feeds: r.Feeds, DBs: m}).Open(a.ctx, meta.Address())
	if err != nil {
		return err
	}
	p := a.newProgress("checking files").counting("versions")
	got, err := ar.CheckHistory(a.ctx, p.update())
	p.finish()
	check.Version, check.FilesChecked, check.FilesNotHeld = got.Versions, got.Checked, got.NotHeld
	return err
}

func printArchiveChecked(a *app, c *archiveCheckJSON) {
	if c.Content == nil {
		fmt.Fprintf(a.stdout, "archive: no content held here, no files checked\n")
		return
	}
	printVerified(a, c.Content)
	notHeld := ""
	if c.FilesNotHeld > 0 {
		notHeld = fmt.Sprintf(" (%d more not held here)", c.FilesNotHeld)
	}
	versions := fmt.Sprintf("versions 1 to %d", c.Version)
	if c.Version == 1 {
		versions = "version 1"
	}
	fmt.Fprintf(a.stdout, "ok: archive %s: %d distinct file%s checked against %s hashes%s\n",
		versions, c.FilesChecked, plural(c.FilesChecked), theirOrIts(c.FilesChecked), notHeld)
}

func theirOrIts(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}
