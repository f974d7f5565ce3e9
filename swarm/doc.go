// Package swarm is stele's network layer: a libp2p host that finds the
// peers of a feed through the Kademlia DHT and replicates verified ranges
// of entries with them over the sync protocol. Only swarm (and node, which
// wires it) imports libp2p.
//
// Sub-packages:
//
//	swarm/wire   the sync protocol's messages and framing (pure)
//	swarm/repl   the replication engine: a state machine per feed, fed
//	             events, emitting actions; and the stream runtime that
//	             drives it over any reliable byte stream
//	swarm        the libp2p host: transports, security, resource and
//	             connection management, gating, NAT traversal, the DHT
//
// # Discovery
//
// A feed's DHT key is its discovery ID (package crypto): CIDv1, raw codec,
// sha2-256 of "stele/discovery/v1\n" || pub. A node Provides the discovery
// ID of every feed it holds, re-provides on a timer (provider records
// expire after 48 h), and calls FindProviders when it wants a feed. The
// DHT never sees an address, and knowing a discovery ID is not enough to
// read a feed (see capability proofs below).
//
// By default the node joins the public IPFS (Amino) DHT with its standard
// bootstrap peers, like Kubo. A private swarm uses its own DHT protocol
// prefix and bootstrap list and sends no traffic anywhere else; tests and
// the testnet always run private swarms on 127.0.0.1.
//
// Joining. A Host listens as soon as New returns but dials nothing until
// Bootstrap, Connect or OpenStream: Bootstrap connects to every bootstrap
// peer at once, succeeds if one answers (a node with none is itself a
// bootstrap node), and only then lets the DHT re-dial them whenever its
// routing table empties. Tests call WaitRoutingTable, which wakes on each
// routing-table addition (kad-dht reports them only by tagging the peer in
// the connection manager, which Host watches), never on a timer.
//
// Re-providing. Reprovider announces the discovery IDs the node names, one
// round at Start, then every 22 hours (DefaultReprovideInterval) and at
// each Trigger (say, a feed was added), 8 at a time; the node owns its
// goroutine through Start and Stop.
//
// # The host
//
// Two presets, both plain Config values the node may change:
//
//	                  PublicConfig                  LocalConfig
//	listen            0.0.0.0, :: on 4001,          127.0.0.1, free ports,
//	                  TCP and QUIC                  TCP and QUIC
//	bootstrap         Amino's standard peers        none (the node adds
//	                                                local ones)
//	DHT               /ipfs/kad/1.0.0, auto mode,   /stele-private/kad/1.0.0,
//	                  public-address filters        server mode, no filters
//	NAT traversal     AutoNAT v2 (client and        none; reachability
//	                  service), relay client with   forced public
//	                  AutoRelay, hole punching,
//	                  UPnP/NAT-PMP port mapping
//	dialing           QUIC first (libp2p's ranking) TCP first: on loopback it
//	                                                carries twice QUIC's MB/s
//	gater             block list                    block list, and every
//	                                                address outside
//	                                                127.0.0.0/8 and ::1
//
// The host's identity is the node key, an Ed25519 key of package crypto
// converted to libp2p's form (seed || public key); PeerIDOf gives its
// peer ID without starting anything. It is never a feed's author key.
// Every connection is secured by Noise or TLS 1.3 and multiplexed by
// yamux; QUIC brings its own.
//
// Resources. The resource manager runs on explicit Limits: memory, file
// descriptors and connections for the whole host, and for the sync
// protocol a service scope, "stele-sync", bounding its streams in total
// and per peer. Every sync stream, opened or accepted, is moved into that
// scope before any byte of it is read; one that does not fit is reset.
// The connection manager trims connections above ConnHigh down to
// ConnLow, but never those of a replication partner: SyncNetwork protects
// a peer while any sync stream with it is open (Host.Protect counts).
//
// Blocking. Host.Block puts a peer on the block list with a reason: its
// connections close at once, the gater refuses its connections in both
// directions at every stage, its streams are reset, it leaves the DHT
// routing table and FindProviders skips it. The list lives as long as the
// host; the node may persist Host.Blocked and replay it.
//
// Upload policy. Config.UploadLimit, the node's hook, gives each peer an
// upload rate and burst; Host.AllowUpload spends from the peer's token
// bucket, and the sync engine answers a request it may not serve with
// Error code 3. Host.UploadBudget lets it cut a Data message short instead.
//
// Metrics. Host.Metrics returns counters and gauges (peers, routing-table
// size, blocked peers, DHT lookups and provides, streams opened, accepted
// and refused, refused uploads) for the node's /metrics; this package
// registers nothing with Prometheus and libp2p's own metrics are off.
//
// # The sync protocol /stele/sync/1.0.0
//
// One libp2p stream carries one feed between two peers; many feeds share
// one connection (yamux). Messages are length-delimited: uvarint(length)
// then a protobuf-encoded Message, as go-libp2p's pbio writes them. The
// schema, in proto3:
//
//	message Message {
//	  oneof body {
//	    Hello hello = 1;           // opener -> responder, first message
//	    HelloAck hello_ack = 2;    // responder -> opener, second message
//	    Status status = 3;         // each side, once, after the handshake
//	    Have have = 4;             // ranges the sender now also holds
//	    Request request = 5;       // ask for entries
//	    Data data = 6;             // entries with a range proof
//	    Error error = 7;           // a request cannot be served
//	    Checkpoint checkpoint = 8; // push of a newer checkpoint
//	    Fork fork = 9;             // fork evidence
//	    Cancel cancel = 10;        // withdraw a request
//	    Ping ping = 11;            // keep-alive
//	  }
//	}
//	message Hello      { bytes discovery_id = 1; bytes capability = 2; uint64 latest = 3; }
//	message HelloAck   { bytes capability = 1; uint64 latest = 2; }
//	message Status     { bytes checkpoint = 1; repeated bytes proof = 2; repeated Range ranges = 3; }
//	message Range      { uint64 lo = 1; uint64 hi = 2; }
//	message Have       { repeated Range ranges = 1; }
//	message Request    { uint64 id = 1; uint64 lo = 2; uint64 hi = 3; uint64 size = 4; }
//	message Data       { uint64 id = 1; uint64 lo = 2; uint64 size = 3; repeated bytes left = 4;
//	                     repeated bytes right = 5; repeated bytes entries = 6; }
//	message Error      { uint64 id = 1; uint32 code = 2; string message = 3; }
//	message Checkpoint { bytes checkpoint = 1; repeated bytes proof = 2; uint64 from = 3; }
//	message Fork       { bytes evidence = 1; }
//	message Cancel     { uint64 id = 1; }
//	message Ping       {}
//
// Hashes are 32-byte bytes fields; checkpoints are the signed notes of
// package merkle; fork evidence is feed.FormatForkEvidence's encoding. A
// proof, left or right field holds at most 128 hashes, a Status or Have at
// most 65,536 ranges; sizes and indexes are at most 2^62-1. Package
// swarm/wire encodes this schema canonically and decodes it strictly.
//
// Consistency proofs (in Status and Checkpoint) are in the form of
// merkle.ProveOldRoot: RFC 6962's proof, preceded by the root of the older
// tree when its size is a power of two. Such a proof determines the older
// root (merkle.OldRootFromConsistency), so a receiver whose own checkpoint
// of that size has another root holds fork evidence, not a mere failure.
//
// Handshake. The side that wants a feed opens a stream and sends Hello
// with the feed's discovery ID, its capability proof
// (crypto.ProveCapability with prover = its peer ID, verifier = the
// responder's) and the size of its latest checkpoint (0 if none). The
// responder looks the discovery ID up; if it holds no such feed, or the
// proof does not check, it resets the stream without a word, so a DHT
// observer learns nothing. Otherwise it answers HelloAck with its own
// proof (prover = responder) and latest size; the opener checks that
// proof in turn. Then the opener sends its Status, and the responder its
// own: the checkpoint of exactly the size it announced in Hello or
// HelloAck (none if 0 and none held), a consistency proof from the size
// the other side announced when its own is larger and its tree can prove
// it (empty otherwise), and the ranges it holds below its announced size.
// The four messages alternate, so the handshake needs no buffering in the
// stream. After that, either side may send Request, Have, Checkpoint,
// Fork, Cancel and Ping at any time. Each Request is answered exactly
// once, with Data or Error, in any order: requests are pipelined, several
// in flight per peer.
//
// Two streams for the same feed between the same two peers (both opened
// at once) are one too many: both ends keep the one opened by the peer
// whose ID is smaller (as bytes), or the newer of two opened by the same
// side, and close the other.
//
// A Request asks for entries [lo, hi) proven against the checkpoint of
// `size`, which the requester holds. The responder answers with Data
// holding entries [lo, lo+k) for some k >= 1 (it stops early to keep the
// entries under 8 MiB) and the range proof for exactly those entries
// against `size`; or Error if it does not hold entry lo or cannot prove
// against that size (code 1: not held, 2: cannot prove, 3: refused by
// upload limit, 4: bad request, 5: cancelled). A Cancel withdraws a
// request: if the responder has not started on it, it answers at once
// with Error code 5; if it has, the Data comes anyway. Either way the
// request stays owed until answered, which is how a requester tells a
// stalled peer from a busy one.
//
// Live following. A node pushes its latest checkpoint, with Checkpoint, to
// every peer on the feed whose latest it believes smaller (the peer's last
// announced size, or the last it pushed to that peer, whichever is
// larger), with a consistency proof from that size (`from`), once it
// holds the entries the new checkpoint adds: so the peer can ask it for
// them at once. A Checkpoint without a proof has from = its own size. A
// receiver that cannot apply a push because the proof starts from another
// size than its latest (pushes crossed) answers with a Checkpoint of its
// own latest, without proof, and the pusher pushes again from there. A
// node's announced latest never decreases: a Checkpoint smaller than the
// sender's last announced size is a replay (the same size again is the
// answer above). Have announces ranges newly held, always below the
// larger of the sender's announced latest and the receiver's latest as
// announced to it.
//
// # What each side checks
//
//   - Capability proofs both ways before anything about the feed is said.
//   - Every checkpoint: signature by the feed's key; the proof, if any,
//     against it; consistency with the latest held (feed.ApplyCheckpoint).
//     A bad signature or a proof that does not check is a protocol
//     violation. A checkpoint that merely cannot be verified yet (no proof,
//     or one from another size) is kept aside and retried as the tree
//     grows. Two validly signed inconsistent checkpoints are a fork, not a
//     violation: the evidence is stored, the feed is no longer followed,
//     and every peer of the feed gets a Fork once (and each new peer on
//     connecting). Fork evidence that does not prove a fork is a violation.
//   - Every Data: that it answers an outstanding request (or one cancelled
//     but still owed), that lo == request.lo, 1 <= k <= hi - lo and size ==
//     request.size, at most 8 MiB of entries unless k = 1, and the range
//     proof (feed.ApplyRange). Nothing unverified is stored.
//   - Every Error answers a request owed; Have and Status ranges are
//     non-empty and below the bound above; Status carries the announced
//     size; nothing but Hello, HelloAck and Status comes in the handshake,
//     and none of them after it.
//   - Limits: a frame is at most 16 MiB, refused from its length prefix;
//     at most 64 requests owed an answer per stream (a 65th is a flood);
//     every read has a deadline (peers send Ping every 20 s; a stream
//     silent for 60 s is closed; the handshake has 10 s); upload is
//     rate-limited per peer, across its streams.
//   - Time: a request not answered within max(10 s, 4 smoothed round
//     trips) is cancelled and asked of another peer; a peer that owes an
//     answer and has sent none for 60 s is stalled.
//
// A peer that sends a message that fails a check, an oversized frame, a
// malformed message, a Data nobody asked for, floods requests, or stalls
// is disconnected and blocked (its connections are gated), and whatever it
// was asked for is requested from someone else.
package swarm
