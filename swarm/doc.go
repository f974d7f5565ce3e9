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
// package merkle; fork evidence is feed.FormatForkEvidence's encoding.
//
// Order. The side that wants a feed opens a stream and sends Hello with the
// feed's discovery ID, its capability proof (crypto.ProveCapability with
// prover = its peer ID, verifier = the responder's) and the size of its
// latest checkpoint (0 if none). The responder looks the discovery ID up;
// if it holds no such feed, or the proof does not check, it resets the
// stream without a word, so a DHT observer learns nothing. Otherwise it
// answers HelloAck with its own proof (prover = responder) and latest size;
// the opener checks that proof in turn. Then each side sends Status: its
// latest checkpoint, a consistency proof from the other side's latest size
// when its own is larger and its tree can prove it (empty otherwise), and
// the ranges it holds. After that, either side may send Request, Have,
// Checkpoint, Fork, Cancel and Ping at any time, and answers each Request
// with Data or Error, in any order (requests are pipelined: several are in
// flight per peer).
//
// A Request asks for entries [lo, hi) proven against the checkpoint of
// `size`, which the requester holds. The responder answers with Data
// holding entries [lo, lo+k) for some k >= 1 (it may stop early to keep the
// message under the size cap) and the range proof for exactly those
// entries against `size`; or Error if it does not hold them or cannot prove
// them against that size (code 1: not held, 2: cannot prove, 3: refused by
// upload limit, 4: bad request).
//
// Live following. When a node's latest checkpoint grows (its author
// appended, or it applied a newer checkpoint from anyone), it sends
// Checkpoint to every peer on that feed whose latest it knows to be
// smaller, with a consistency proof from that size (`from`). A follower
// applies it and requests the new entries at once.
//
// # What each side checks
//
//   - Capability proofs both ways before anything about the feed is said.
//   - Every checkpoint: signature by the feed's key, and consistency with
//     the latest held (feed.ApplyCheckpoint). A checkpoint that fails is a
//     protocol violation; two validly signed inconsistent checkpoints are a
//     fork, not a violation: the evidence is stored and passed on with Fork.
//   - Every Data: that it answers an outstanding request, that
//     lo == request.lo and lo+k <= request.hi, and the range proof
//     (feed.ApplyRange). Nothing unverified is stored.
//   - Limits: a message is at most 16 MiB (a Data carries at most 8 MiB of
//     entries), at most 64 requests in flight per peer and feed, every read
//     has a deadline (peers send Ping every 20 s on an idle stream; a stream
//     silent for 60 s is closed), and upload is rate-limited per peer.
//
// A peer that sends a message that fails a check, an oversized frame, a
// malformed message, a Data nobody asked for, or floods requests beyond the
// limit is disconnected and blocked (its connections are gated), and
// whatever it was asked for is requested from someone else.
package swarm
