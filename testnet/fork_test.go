package testnet

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Scenario 5: the author's key appends different entries on two nodes;
// the conflicting checkpoints reach the others, which keep the evidence,
// report the feed as forked, and stop following it.
func TestScenarioFork(t *testing.T) {
	n, ctx := newNet(t, 4)
	nodes := n.Nodes()
	a, b, watcher := nodes[1], nodes[2], nodes[3]
	addr := strings.TrimSpace(run(t, ctx, a, "", "feed", "new", "f"))
	appendLines(t, ctx, a, "f", 0, 5)
	keyFile := filepath.Join(n.Dir, "f.key")
	run(t, ctx, a, "", "key", "export", "f", "-o", keyFile, "--no-passphrase")
	run(t, ctx, b, "", "key", "import", keyFile, "--name", "f")
	// The second copy appends without syncing first: the Scuttlebutt mistake.
	run(t, ctx, b, "branch two\n", "feed", "append", "f", "--force-restored")
	appendLines(t, ctx, a, "f", 5, 8)
	run(t, ctx, watcher, "", "seed", addr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := status(t, ctx, watcher, addr)
		if st.Forked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watcher never saw the fork: %+v", st)
		}
		watcher.Run(ctx, "", "sync", addr, "--timeout", "5s")
	}
	out, _, code, _ := watcher.RunFull(ctx, "", "feed", "info", addr, "--json")
	if code != 0 || !strings.Contains(out, `"forked": true`) || strings.Contains(out, `"fork_evidence": 0`) {
		t.Fatalf("watcher's feed info: %s", out)
	}
	_, stderr, code, _ := watcher.RunFull(ctx, "", "verify", addr)
	if code == 0 || !strings.Contains(stderr, "forked") {
		t.Fatalf("verify of a forked feed: exit %d %s", code, stderr)
	}
}
