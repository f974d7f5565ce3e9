// Package repo manages a stele repo: the directory that holds one node's
// configuration, identity and feeds, like a Kubo (IPFS) repo.
//
// # Layout
//
// A repo lives at $STELE_PATH, or ~/.stele when that is unset (DefaultPath):
//
//	$STELE_PATH/                mode 0700
//	    config.json             the node's configuration (below)
//	    identity.key            the node's own Ed25519 key, mode 0600
//	    repo.lock               held by the one process that has the repo open
//	    feeds/                  the feed store (feed.Store)
//	        db/                 the Pebble database holding every feed
//	        keys/<address>.key  the private keys of the feeds authored here
//
// The node identity is the key the node will use on the network (its
// libp2p peer ID, see PeerID). It is never a feed key: an address must not
// reveal which node its author runs. identity.key is a key file in the
// format of package crypto, unencrypted, and like every key file it is
// refused if group or others may read it.
//
// config.json is written last by Init: a directory without it is not a
// repo, so an interrupted Init never leaves something Open would accept.
//
// Only one process may have a repo open at a time: Open takes an exclusive
// lock on repo.lock (and Pebble one on feeds/db), and a second process
// gets an error wrapping ErrLocked. Later, commands will talk to a running
// daemon instead of opening the repo themselves.
//
// # Configuration
//
// config.json is a JSON object; every field is optional except version,
// and a missing field takes its default. Unknown fields are refused, so a
// typo does not silently fall back to a default. The defaults, as Init
// writes them:
//
//	{
//	  "version": 1,
//	  "feeds": {
//	    "entry_limit": 4194304
//	  }
//	}
//
// version is the format of the repo (CurrentVersion); a newer one is
// refused rather than misread. feeds.entry_limit is the largest entry, in
// bytes, that a feed of this node accepts, from its author or from a
// replica source (1 to MaxEntryLimit).
//
// Sections to come sit beside "feeds": "swarm" (listen addresses,
// bootstrap peers, private swarm), "api" (the local API address) and
// "limits" (storage and upload limits).
package repo
