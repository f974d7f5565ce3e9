package testnet

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Scenario 3: hostile peers (altered entries, bad proofs, a forged
// checkpoint, an oversized frame, a request flood, a stall) are in the
// swarm with one honest volunteer while a fresh node downloads: the
// download completes from the honest peer, nothing unverified is stored,
// and every hostile peer ends up blocked.
func TestScenarioHostilePeers(t *testing.T) {
	modes := []string{"altered-entries", "bad-proofs", "forged-checkpoint", "oversized", "flood", "stall"}
	n, ctx := newNet(t, 3) // node0: bootstrap; node1: author; node2: honest volunteer
	nodes := n.Nodes()
	author, honest := nodes[1], nodes[2]
	addr := strings.TrimSpace(run(t, ctx, author, "", "feed", "new", "data"))
	appendBig(t, ctx, author, "data", 2000, 2000)
	run(t, ctx, honest, "", "seed", addr)
	waitHeld(t, ctx, honest, addr, 2000)
	file := filepath.Join(n.Dir, "data.stele")
	run(t, ctx, author, "", "feed", "export", "data", "-o", file)

	// Each hostile node holds a true copy (imported from the file) and
	// serves it through its failpoint.
	var hostile []*Node
	for _, mode := range modes {
		h, err := n.AddNode(ctx, "hostile-"+mode)
		if err != nil {
			t.Fatal(err)
		}
		h.Bin, h.Env = hostileBin, []string{"STELE_HOSTILE=" + mode}
		run(t, ctx, h, "", "feed", "import", file)
		if err := h.Start(ctx); err != nil {
			t.Fatal(err)
		}
		hostile = append(hostile, h)
	}
	if err := author.Stop(); err != nil {
		t.Fatal(err)
	}
	fresh, err := n.AddNode(ctx, "fresh")
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Start(ctx); err != nil {
		t.Fatal(err)
	}
	out := run(t, ctx, fresh, "", "sync", addr, "--timeout", "120s")
	if !strings.Contains(out, "2000 entries held (0:2000)") {
		t.Fatalf("fresh node: %s", out)
	}
	run(t, ctx, fresh, "", "verify", addr)

	// Every hostile peer the fresh node dealt with is blocked; wait until
	// all are (a staller is only found out when its requests time out).
	// The fresh node seeds the feed from now on, so that a peer it dials
	// below replicates the feed with it (swarm connect does that for the
	// feeds a node follows): a sync of a feed held in full returns at
	// once, before discovery has dialled anyone.
	run(t, ctx, fresh, "", "seed", addr)
	want := map[string]string{}
	for _, h := range hostile {
		want[h.Identity().ID] = h.Name
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		var peers []struct {
			ID      string `json:"id"`
			Blocked string `json:"blocked"`
		}
		json.Unmarshal([]byte(run(t, ctx, fresh, "", "peers", "--json")), &peers)
		blocked := map[string]string{}
		for _, p := range peers {
			if p.Blocked != "" {
				blocked[p.ID] = p.Blocked
			}
		}
		missing := []string{}
		var left []*Node
		for _, h := range hostile {
			if _, ok := blocked[h.Identity().ID]; !ok {
				missing = append(missing, h.Name)
				left = append(left, h)
			}
		}
		if blocked[honest.Identity().ID] != "" {
			t.Fatalf("the honest volunteer was blocked: %s", blocked[honest.Identity().ID])
		}
		if len(missing) == 0 {
			for id, reason := range blocked {
				t.Logf("blocked %s: %s", want[id], reason)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hostile peers not blocked: %v (blocked: %v)", missing, blocked)
		}
		// Keep the fresh node talking to whoever is left, dialling them
		// itself: under load the DHT may not have given it every
		// provider, and what is tested here is the blocking.
		for _, h := range left {
			if addrs := h.Identity().Addrs; len(addrs) > 0 {
				fresh.Run(ctx, "", "swarm", "connect", addrs[0]) // a hostile peer may well fail it
			}
		}
		run(t, ctx, fresh, "", "sync", addr, "--timeout", "5s")
	}
}
