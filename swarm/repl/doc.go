// Package repl is stele's replication engine: a pure state machine per
// feed that schedules range requests among peers ([Machine]), and the
// stream runtime that drives it over the sync protocol ([Engine]).
//
// # The machine
//
// A Machine is fed events, each with the current time, and emits
// [Action]s, which its caller collects with Ready and carries out:
//
//	events                                   actions
//	SetWant, LocalChanged                    SendRequest  {ID, Lo, Hi, Size}
//	AddPeer, RemovePeer, Misbehaved          SendCancel   {ID}
//	PeerCheckpoint, PeerHave                 SendHave     ranges newly held
//	DataApplied, ErrorReceived               SendCheckpoint our latest, proof from the peer's
//	Tick                                     BlockPeer    reason
//	                                         CaughtUp
//
// Scheduling. The entries wanted are [0, latest) (or the want's ranges,
// clipped to latest), where latest is the newest checkpoint held: the
// caller applies every verified checkpoint before telling the machine. Of
// those, the ones neither held nor in flight are cut into blocks and
// spread over every peer that holds them, one block per peer per round,
// fastest peer first, lowest index first. A block starts at 512 entries
// and moves by at most a factor of two per response toward responses of
// about 4 MiB (so 100-byte entries soon go 40,000 at a time, 64 KiB
// entries 64 at a time).
//
// Windows. Each peer has a window of requests in flight, starting at 4
// and capped at 64 (the protocol's limit); an answer that arrived and is
// being verified and stored (DataArrived) no longer counts, so the peer
// keeps serving while we work. After each response it is set
// to the peer's bandwidth-delay product in responses, plus two: measured
// rate (bytes it delivered over the time it spent on them) times its
// smallest round trip, over the smoothed response size. A request
// expires after max(10 s, 4 smoothed round trips); it is cancelled, the
// peer's window halves, and its range goes to other peers first. When
// nothing new is left, an idle peer takes a twin of the oldest request
// another peer has held for more than two of the idle peer's round trips
// (the endgame); whichever answers first wins and the other is cancelled.
//
// Sizes. A request is proven against our latest checkpoint when the peer
// announced at least that size, or we pushed it ours; a peer that answers
// that it cannot prove against it is then asked against its own latest,
// if we hold that checkpoint too.
//
// Protocol checks the machine makes (the caller blocks the peer when it
// emits BlockPeer, and gets the error from the event): a peer's announced
// latest only grows (a Checkpoint not larger than the last is a replay);
// a Have lies below the larger of the peer's latest and ours as we told
// it; an Error answers a request we made; a peer that owes an answer and
// has answered nothing for StallTimeout (60 s) is stalled. Expect tells
// the caller which request a Data answers, so that it can check the
// Data's shape before verifying it.
//
// # The engine
//
// An [Engine] runs the sync protocol (specified in package swarm's doc)
// for every feed of a feed.Store, over any [Network] that opens [Stream]s
// with deadlines: libp2p in the node, in-memory pipes in tests. It owns no
// global state and imports no libp2p. The node drives it:
//
//	e := repl.NewEngine(store, repl.PeerID(host.ID()), network, repl.Config{}, nil)
//	go e.Run(ctx)                       // timers; on ctx's end, closes every stream and waits
//	network.Serve(func(p, s) { e.HandleStream(s, p) })   // inbound streams
//	e.Follow(pub, nil, true)            // a seed: replicate everything, live
//	for p := range providers { e.Connect(ctx, pub, p) }  // each peer the DHT finds
//	f, _ := e.StartFetch(pub, &r)       // `stele sync`, a sparse read: entries r too
//	f.Wait(ctx); f.Stop()
//	e.Status(pub); e.Metrics()          // `stele status`, /metrics
//
// Every feed in the store is served, authored or replicated, to any peer
// that proves it knows the feed's key; Follow sets the feed's follow and
// StartFetch adds a fetch (each creates a replica in the store if there
// is none), and the machine wants the union of the follow's and the
// fetches' wants, so that reads of different ranges at once each get
// theirs. One session per feed holds the Machine
// under a mutex; events come from the streams' goroutines and from a
// watcher per feed (Feed.Watch), so a local append is pushed to connected
// peers at once. Actions are carried out without blocking under the lock:
// messages are queued on the streams, and blocking a peer (Network.Block,
// and the reset of its streams on every feed) happens after it.
//
// Each stream has four goroutines, all ending with it: the reader checks
// each message and feeds the machine; the applier verifies and stores
// Data (feed.ApplyRange) while the reader reads the next one; the writer
// sends what the machine queued, and a Ping every 20 s; the server answers
// the peer's requests one at a time, each Data waiting for the peer's
// upload budget (a token bucket shared by its streams, driven by the
// injected Clock) and then written straight to the stream, so a slow peer
// costs one response of memory. Every read and write has a deadline.
//
// Errors the peer is to blame for (verification failures, protocol
// violations, floods, stalls) block it through Network.Block; the engine
// also refuses the peer's streams from then on. Everything else (a peer
// that does not hold the feed, a reset stream, a local storage fault)
// just ends the stream; the ranges it was asked for go to other peers.
package repl
