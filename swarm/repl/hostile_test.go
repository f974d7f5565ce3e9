package repl

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/merkle"
	"github.com/steledb/stele/swarm/wire"
)

// Hostile peers: fake remote ends that speak the wire protocol, know the
// feed (they hold the author's data) and misbehave in one way each.
type hostileKind string

const (
	alteredEntries  hostileKind = "altered"   // serves an entry with a changed byte
	badProofs       hostileKind = "badproof"  // serves a range proof with a changed hash
	replayedOld     hostileKind = "replay"    // pushes an older checkpoint than it announced
	forgedCP        hostileKind = "forged"    // pushes a checkpoint signed by another key
	oversizedFrame  hostileKind = "oversized" // sends a frame over the size cap
	requestFlood    hostileKind = "flood"     // sends more requests than the in-flight limit
	stallMidway     hostileKind = "stall"     // answers one request, then nothing
	unsolicitedData hostileKind = "unsolicited"
)

type hostile struct {
	t      *testing.T
	id     PeerID
	kind   hostileKind
	src    *feed.Feed // the author's feed, the source of its (true) data
	old    feed.SignedCheckpoint
	cfg    Config
	served int
	quit   <-chan struct{} // closed when the test ends
}

// serve is the hostile peer's stream handler: an honest responder
// handshake, then its misbehaviour.
func (h *hostile) serve(st Stream, remote PeerID) {
	defer st.Close()
	br := bufio.NewReader(st)
	msg, err := wire.ReadMsg(br, h.cfg.MaxMessage)
	hello, ok := msg.(*wire.Hello)
	if err != nil || !ok {
		return
	}
	pub := h.src.PublicKey()
	latest, _ := h.src.Latest()
	send := func(m wire.Message) error { return wire.WriteMsg(st, m) }
	if send(&wire.HelloAck{Capability: crypto.ProveCapability(pub, []byte(h.id), []byte(remote)), Latest: latest.Size}) != nil {
		return
	}
	if _, err := wire.ReadMsg(br, h.cfg.MaxMessage); err != nil { // their Status
		return
	}
	status := &wire.Status{Checkpoint: latest.Note, Ranges: []wire.Range{{Lo: 0, Hi: latest.Size}}}
	if hello.Latest > 0 && hello.Latest < latest.Size {
		status.Proof, _ = h.src.ProveConsistency(hello.Latest, latest.Size)
	}
	if send(status) != nil {
		return
	}
	switch h.kind {
	case replayedOld:
		send(&wire.Checkpoint{Checkpoint: h.old.Note, From: h.old.Size})
	case forgedCP:
		send(&wire.Checkpoint{Checkpoint: forgeCheckpoint(h.t, pub, latest.Size+5), From: latest.Size + 5})
	case oversizedFrame:
		st.Write(binary.AppendUvarint(nil, uint64(h.cfg.MaxMessage+1)))
	case requestFlood:
		var frames []byte
		for i := range h.cfg.MaxInFlight + 1 {
			frames = wire.AppendFrame(frames, &wire.Request{ID: uint64(i + 1), Lo: 0, Hi: 1, Size: latest.Size})
		}
		st.Write(frames)
		// Read nothing more: the stream is synchronous, so the reader's
		// first answer cannot be written and every request stays owed,
		// whatever the goroutines' timing. (Reading the answers, the peer
		// could let the reader's server answer requests before it has
		// read them all, and the flood would go unseen.)
		<-h.quit
		return
	case unsolicitedData:
		send(&wire.Data{ID: 999, Lo: 0, Size: latest.Size, Entries: [][]byte{[]byte("x")}})
	}
	for {
		msg, err := wire.ReadMsg(br, h.cfg.MaxMessage)
		if err != nil {
			return
		}
		if r, ok := msg.(*wire.Request); ok {
			if h.kind == stallMidway && h.served > 0 {
				continue
			}
			h.served++
			if send(h.answer(r)) != nil {
				return
			}
		}
	}
}

// answer builds true Data for r, then spoils it as the kind says.
func (h *hostile) answer(r *wire.Request) wire.Message {
	hi := min(r.Hi, r.Lo+100)
	entries, err := h.src.GetRange(r.Lo, hi)
	if err != nil {
		return &wire.Error{ID: r.ID, Code: wire.CodeNotHeld}
	}
	proof, err := h.src.ProveRange(r.Lo, hi, r.Size)
	if err != nil {
		return &wire.Error{ID: r.ID, Code: wire.CodeCannotProve}
	}
	switch h.kind {
	case alteredEntries:
		entries[len(entries)/2][0] ^= 1
	case badProofs:
		if len(proof.Right) > 0 {
			proof.Right[0][0] ^= 1
		} else {
			proof.Left = append(proof.Left, merkle.Hash{})
		}
	}
	return &wire.Data{ID: r.ID, Lo: r.Lo, Size: r.Size, Left: proof.Left, Right: proof.Right, Entries: entries}
}

// forgeCheckpoint signs a checkpoint with the feed's origin but another
// key.
func forgeCheckpoint(t *testing.T, pub crypto.PublicKey, size int64) []byte {
	other := crypto.NewKeyFromSeed(sha256.Sum256([]byte("forger")))
	signer, err := crypto.NoteSigner(other, feed.Origin(pub))
	if err != nil {
		t.Fatal(err)
	}
	note, err := merkle.SignCheckpoint(merkle.Checkpoint{Origin: feed.Origin(pub), Size: size, Root: merkle.Hash{1}}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return note
}

// TestHostilePeers: a fresh node downloads while hostile peers are in the
// swarm. Every hostile peer is blocked, and the download completes from
// the honest one, with nothing unverified stored.
func TestHostilePeers(t *testing.T) {
	n := newMemNet(t)
	cfg := Config{Machine: MachineConfig{InitialBlock: 50, MaxBlock: 200, RequestTimeout: 100 * time.Millisecond, StallTimeout: 400 * time.Millisecond}}
	author := newNode(t, n, "author", cfg)
	f := authorFeed(t, author.store, 3000, 32)
	old, err := f.Checkpoint(2000)
	if err != nil {
		t.Fatal(err)
	}
	pub := f.PublicKey()
	honest := newNode(t, n, "honest", cfg)
	ctx := testCtx(t)
	if err := honest.e.Follow(pub, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := honest.e.Connect(ctx, pub, "author"); err != nil {
		t.Fatal(err)
	}
	if err := honest.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	n.handle("author", nil) // out of reach: only the volunteer is honest (its store feeds the hostile peers)

	fullCfg := cfg
	fullCfg.fill()
	kinds := []hostileKind{alteredEntries, badProofs, replayedOld, forgedCP, oversizedFrame, requestFlood, stallMidway, unsolicitedData}
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	for _, k := range kinds {
		h := &hostile{t: t, id: PeerID(k), kind: k, src: f, old: old, cfg: fullCfg, quit: quit}
		n.handle(h.id, h.serve)
	}
	reader := newNode(t, n, "reader", cfg)
	if err := reader.e.Follow(pub, nil, false); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if err := reader.e.Connect(ctx, pub, PeerID(k)); err != nil {
			t.Logf("connect to %s: %v", k, err)
		}
	}
	if err := reader.e.Connect(ctx, pub, "honest"); err != nil {
		t.Fatal(err)
	}
	if err := reader.e.WaitCaughtUp(ctx, pub); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		reason, err := n.waitBlocked(ctx, "reader", PeerID(k))
		if err != nil {
			t.Error(err)
			continue
		}
		t.Logf("%s blocked: %s", k, reason)
	}
	sameEntries(t, f, replicaOf(t, reader, pub))
	if reason, blocked := reader.e.Blocked("honest"); blocked {
		t.Errorf("the honest peer was blocked: %s", reason)
	}
	m := reader.e.Metrics()
	if m.BlockedPeers != int64(len(kinds)) || m.VerificationFailures < 3 {
		t.Errorf("metrics: %+v", m)
	}
	// Blocked peers are refused from now on.
	if err := reader.e.Connect(ctx, pub, PeerID(alteredEntries)); err == nil {
		t.Error("reconnected to a blocked peer")
	}
}

// TestDiscoveryIDOnly: a peer that knows a feed's discovery ID but not its
// address cannot prove the capability; the stream is reset without a
// word, so it learns nothing, not even that the feed is held.
func TestDiscoveryIDOnly(t *testing.T) {
	n := newMemNet(t)
	author := newNode(t, n, "author", Config{})
	f := authorFeed(t, author.store, 10, 10)
	spy := n.view("spy")
	ctx := testCtx(t)
	for _, tc := range []struct {
		name  string
		hello wire.Hello
	}{
		{"guessed capability", wire.Hello{DiscoveryID: crypto.Discovery(f.PublicKey()), Capability: crypto.Capability(sha256.Sum256([]byte("guess")))}},
		{"capability for other peer IDs", wire.Hello{DiscoveryID: crypto.Discovery(f.PublicKey()), Capability: crypto.ProveCapability(f.PublicKey(), []byte("someone"), []byte("author"))}},
		{"unknown feed", wire.Hello{DiscoveryID: crypto.DiscoveryID{1}, Capability: crypto.ProveCapability(crypto.PublicKey{1}, []byte("spy"), []byte("author"))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := spy.OpenStream(ctx, "author")
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := wire.WriteMsg(st, &tc.hello); err != nil {
				t.Fatal(err)
			}
			st.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(st)
			if len(got) != 0 {
				t.Errorf("got %d bytes: %x", len(got), got)
			}
			if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
				t.Errorf("stream not reset: %v", err)
			}
		})
	}
	if st, _ := author.e.Status(f.PublicKey()); st.BytesUp != 0 || len(st.Peers) != 0 {
		t.Errorf("author status after the spy: %+v", st)
	}
	if n.blockCount() != 0 {
		t.Errorf("the spy was blocked (it learned the feed is held): %+v", n.blocks)
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}
