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
// gets an error wrapping ErrLocked; while a daemon runs, commands talk to
// it through its API instead (package node/api).
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
//	  },
//	  "api": {
//	    "address": "127.0.0.1:5017"
//	  },
//	  "swarm": {
//	    "listen": [
//	      "/ip4/0.0.0.0/tcp/4017",
//	      "/ip6/::/tcp/4017",
//	      "/ip4/0.0.0.0/udp/4017/quic-v1",
//	      "/ip6/::/udp/4017/quic-v1"
//	    ]
//	  },
//	  "limits": {}
//	}
//
// version is the format of the repo (CurrentVersion); a newer one is
// refused rather than misread. feeds.entry_limit is the largest entry, in
// bytes, that a feed of this node accepts, from its author or from a
// replica source (1 to MaxEntryLimit).
//
// api.address is where the daemon's HTTP API listens: always a loopback
// address (port 0 takes a free port; the address taken is written to the
// repo's api file while the daemon runs).
//
// swarm.listen are the libp2p multiaddrs to listen on; swarm.bootstrap the
// peers (multiaddrs ending in /p2p/<peer ID>) through which to join the
// DHT: empty means the public IPFS (Amino) bootstrap peers, like Kubo.
// swarm.private makes a closed swarm with its own DHT protocol prefix
// (swarm.dht_prefix, default /stele-private), no public bootstrap peers and
// no NAT traversal, relays or anything else that talks to outsiders; in a
// private swarm an empty bootstrap list makes the node a bootstrap node.
// swarm.relay_service lets the node relay for peers behind NAT.
//
// limits.storage caps the bytes the feed store may take (volunteer
// replicas stop fetching beyond it) and limits.upload the bytes per second
// served to any one peer; 0 or absent means no limit.
//
// Init takes a profile: "default" (the above: the public network) or
// "local", for tests, demos and the testnet: API and swarm on 127.0.0.1
// with free ports, a private swarm (dht_prefix /stele-local) with no
// bootstrap peers outside this machine:
//
//	"api": {"address": "127.0.0.1:0"},
//	"swarm": {
//	  "listen": ["/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"],
//	  "private": true,
//	  "dht_prefix": "/stele-local"
//	}
package repo
