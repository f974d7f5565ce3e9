package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/swarm/repl"
)

func swarmPrefix(s string) protocol.ID { return protocol.ID(s) }

// PeerString prints a replication peer's ID (12D3KooW...).
func PeerString(p repl.PeerID) string { return peer.ID(p).String() }

// Seed makes the node a volunteer replica of the feed at pub: it fetches
// and verifies the feed (or the entries of want), keeps following it live
// and serves it, now and after restarts. maxStorage (bytes, 0 for none)
// stops fetching once the feed takes that much disk. The feed of an
// archive brings its content feed along: once its first version is held,
// the content is seeded too (with the same maxStorage), so that the
// volunteer serves the files as well as their metadata.
func (n *Node) Seed(pub crypto.PublicKey, want *feed.Range, maxStorage int64) error {
	s := seed{pub: pub, want: want, maxStorage: maxStorage}
	n.seedMu.Lock()
	defer n.seedMu.Unlock()
	old, had := n.seeds.get(pub)
	if had {
		s.content = old.content
	}
	if err := n.seeds.put(s); err != nil {
		return fmt.Errorf("seed %s: %w", crypto.FormatAddress(pub), err)
	}
	if had { // already followed: only what is wanted changes
		return n.Engine.Follow(pub, want, true)
	}
	return n.startSeed(s)
}

// startSeed follows a seeded feed, and looks for an archive's content
// feed in it unless it is known.
func (n *Node) startSeed(s seed) error {
	if err := n.follow(s.pub, s.want, true); err != nil {
		return err
	}
	if s.content == nil {
		n.goLoop(func(ctx context.Context) { n.seedArchiveContent(ctx, s.pub) })
	}
	return nil
}

// seedArchiveContent waits until the first entry of the seeded feed at
// pub is held and, if it declares an archive, seeds the archive's
// content feed and records it with pub's seed.
func (n *Node) seedArchiveContent(ctx context.Context, pub crypto.PublicKey) {
	f, err := n.Repo.Feeds.Feed(pub)
	if err != nil {
		return
	}
	for {
		changed := f.Watch()
		if f.Ranges().Covers(0, 1) {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
	content, ok := archive.ContentOf(f)
	if !ok {
		return
	}
	n.seedMu.Lock()
	s, seeded := n.seeds.get(pub)
	if seeded {
		s.content = &content
		err = n.seeds.put(s)
	}
	n.seedMu.Unlock()
	if !seeded {
		return // unseeded meanwhile
	}
	if err == nil {
		err = n.Seed(content, nil, s.maxStorage)
	}
	if err != nil {
		n.log.Warn("cannot seed an archive's content", "archive", crypto.FormatAddress(pub), "content", crypto.FormatAddress(content), "err", err)
		return
	}
	n.log.Info("seeding an archive's content", "archive", crypto.FormatAddress(pub), "content", crypto.FormatAddress(content))
}

// Unseed stops seeding the feed at pub (and, for an archive, its content
// feed). What is held stays held (and served); Drop frees it.
func (n *Node) Unseed(pub crypto.PublicKey) (bool, error) {
	n.seedMu.Lock()
	s, _ := n.seeds.get(pub)
	removed, err := n.seeds.remove(pub)
	if removed {
		n.unfollow(pub)
	}
	n.seedMu.Unlock()
	if err != nil {
		return false, err
	}
	if s.content != nil {
		if _, err := n.Unseed(*s.content); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// overLimit reports whether fetching more of the seed at pub would exceed
// its --max-storage or the store's limits.storage. A feed's size is the
// larger of what the store's file metadata says and what was received (the
// newest data may still be in memory).
func (n *Node) overLimit(pub crypto.PublicKey) bool {
	if global := n.Repo.Config.Limits.Storage; global > 0 && int64(n.Repo.Feeds.DiskUsage()) > global {
		return true
	}
	s, ok := n.seeds.get(pub)
	if !ok || s.maxStorage <= 0 {
		return false
	}
	used := int64(n.Repo.Feeds.FeedDiskUsage(pub))
	if st, ok := n.Engine.Status(pub); ok {
		used = max(used, st.BytesDown)
	}
	return used > s.maxStorage
}

// limitLoop stops fetching a followed feed once it is over its storage
// limits, checking whenever the feed changes (what is held stays held and
// served; seeding resumes at the next start, or with "stele seed" again).
func (n *Node) limitLoop(ctx context.Context, pub crypto.PublicKey) {
	f, err := n.Repo.Feeds.Feed(pub)
	if err != nil {
		return
	}
	t := time.NewTicker(2 * time.Second) // other feeds count toward the store's limit
	defer t.Stop()
	for {
		changed := f.Watch()
		if n.overLimit(pub) {
			n.log.Warn("storage limit reached: no longer fetching", "feed", crypto.FormatAddress(pub))
			n.Engine.Unfollow(pub)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-t.C:
		}
	}
}

// Hold makes sure entries [lo, hi) of f are held, fetching them from the
// swarm if need be (it is the node's archive.Holder). Asked for the whole
// feed as held, [0, Len), it first fetches the feed up to its newest
// checkpoint (an author holds it already; a replica with nobody to ask
// keeps what it holds). Holds at once (of one feed or of several) fetch
// at once, each what it wants.
func (n *Node) Hold(ctx context.Context, f *feed.Feed, lo, hi int64) error {
	if whole := lo == 0 && hi == f.Len(); !whole && hi <= f.Len() && f.Ranges().Covers(lo, hi) {
		return nil // held: no need to wait for another fetch
	}
	pub := f.PublicKey()
	if _, hasDeadline := ctx.Deadline(); !hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
	}
	if lo == 0 && hi == f.Len() {
		if f.IsAuthor() {
			return nil
		}
		held := f.Len() > 0 && f.Ranges().Covers(0, f.Len())
		sctx := ctx
		if held {
			var cancel context.CancelFunc
			sctx, cancel = context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
		}
		err := n.Sync(sctx, pub, nil, nil)
		if err != nil && held && errors.Is(err, context.DeadlineExceeded) {
			return nil // nobody to ask: what is held will do
		}
		return err
	}
	if f.Ranges().Covers(lo, hi) && hi <= f.Len() {
		return nil
	}
	if err := n.Sync(ctx, pub, &feed.Range{Lo: lo, Hi: hi}, nil); err != nil {
		return err
	}
	if !f.Ranges().Covers(lo, hi) {
		return fmt.Errorf("feed %s: entries %d:%d are not held after fetching: %w", f.Address(), lo, hi, feed.ErrNotHeld)
	}
	return nil
}

// Seeding reports whether the node seeds the feed at pub.
func (n *Node) Seeding(pub crypto.PublicKey) bool {
	_, ok := n.seeds.get(pub)
	return ok
}

// Sync fetches the feed at pub up to the newest checkpoint its peers know
// and returns once it holds it all (or want's entries). progress, if not
// nil, is called as entries arrive. Syncs of one feed at once each get
// what they want, as does its seed: their wants add up.
func (n *Node) Sync(ctx context.Context, pub crypto.PublicKey, want *feed.Range, progress func(held, total int64)) error {
	fetch, err := n.Engine.StartFetch(pub, want)
	if err != nil {
		return err
	}
	defer fetch.Stop()
	if err := n.track(pub); err != nil {
		return err
	}
	defer n.untrack(pub)
	if progress != nil {
		stop := n.reportProgress(pub, progress)
		defer stop()
	}
	return fetch.Wait(ctx)
}

// reportProgress calls progress whenever the feed changes, until stop.
func (n *Node) reportProgress(pub crypto.PublicKey, progress func(held, total int64)) (stop func()) {
	f, err := n.Repo.Feeds.Feed(pub)
	if err != nil {
		return func() {}
	}
	return n.goLoop(func(ctx context.Context) {
		for {
			changed := f.Watch()
			progress(f.Ranges().Count(), f.Len())
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
		}
	})
}

// Connect dials a peer by its multiaddr (with /p2p/).
func (n *Node) Connect(ctx context.Context, addr string) (peer.ID, error) {
	ai, err := peer.AddrInfoFromString(addr)
	if err != nil {
		return "", fmt.Errorf("swarm connect %q: want a multiaddr ending in /p2p/<peer ID>: %w", addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := n.Host.Connect(ctx, *ai); err != nil {
		return "", fmt.Errorf("swarm connect %s: %w", addr, err)
	}
	// Replicate with it every feed both follow: cheap to try, and a peer
	// connected by hand is usually meant for that.
	n.mu.Lock()
	var pubs []crypto.PublicKey
	for pub := range n.following {
		pubs = append(pubs, pub)
	}
	n.mu.Unlock()
	for _, pub := range pubs {
		if err := n.Engine.Connect(ctx, pub, repl.PeerID(ai.ID)); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Debug("peer does not replicate feed", "peer", ai.ID.String(), "feed", crypto.FormatAddress(pub), "err", err)
		}
	}
	return ai.ID, nil
}
