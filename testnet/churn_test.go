package testnet

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// appendBig appends n entries of size bytes (distinct, incompressible
// enough) to a node's feed through the CLI, one file per entry batch.
func appendBig(t *testing.T, ctx context.Context, nd *Node, feed string, n, size int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		line := fmt.Sprintf("entry %d ", i)
		b.WriteString(line)
		for k := len(line); k < size; k++ {
			b.WriteByte(byte('a' + (i*7+k*13)%26))
		}
		b.WriteByte('\n')
	}
	run(t, ctx, nd, b.String(), "feed", "append", feed)
}

// Scenario 4: volunteers are killed and restarted while a fresh node
// downloads from them; the transfer resumes and completes.
func TestScenarioChurn(t *testing.T) {
	entries, size := 6000, 8000
	if testing.Short() {
		entries = 3000
	}
	n, ctx := newNet(t, 4)
	nodes := n.Nodes()
	author, v1, v2 := nodes[1], nodes[2], nodes[3]
	addr := strings.TrimSpace(run(t, ctx, author, "", "feed", "new", "big"))
	appendBig(t, ctx, author, "big", entries, size)
	for _, v := range []*Node{v1, v2} {
		run(t, ctx, v, "", "seed", addr)
		waitHeld(t, ctx, v, addr, int64(entries))
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
	done := make(chan error, 1)
	go func() {
		_, err := fresh.Run(ctx, "", "sync", addr, "--timeout", "180s")
		done <- err
	}()
	// Kill each volunteer in turn while the fresh node is part way, then
	// bring it back; the transfer must go on from whoever is up.
	var last int64
	for round, v := range []*Node{v1, v2, v1} {
		for {
			held := heldOrZero(ctx, fresh, addr) // the replica appears once sync starts
			if held > last || held == int64(entries) {
				last = held
				break
			}
		}
		if last == int64(entries) {
			t.Logf("transfer finished before round %d of churn", round)
			break
		}
		if err := v.Kill(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: killed %s with %d of %d entries held", round, v.Name, last, entries)
		if err := v.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("sync through churn: %v", err)
	}
	if st := status(t, ctx, fresh, addr); st.Held != int64(entries) {
		t.Fatalf("fresh node holds %d of %d", st.Held, entries)
	}
	run(t, ctx, fresh, "", "verify", addr)
}

// heldOrZero is the entries a node holds of a feed, 0 if it holds none yet.
func heldOrZero(ctx context.Context, nd *Node, feed string) int64 {
	out, _, code, err := nd.RunFull(ctx, "", "status", feed, "--json")
	var st []statusJSON
	if err != nil || code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st) != 1 {
		return 0
	}
	return st[0].Held
}
