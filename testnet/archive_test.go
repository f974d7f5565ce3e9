package testnet

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An archive published on one node is read sparsely and cloned on
// another, through the swarm: reading one small file fetches the metadata
// and that file's chunks only; the clone is byte-identical.
func TestScenarioArchiveThroughTheSwarm(t *testing.T) {
	n, ctx := newNet(t, 3)
	nodes := n.Nodes()
	pub, reader := nodes[1], nodes[2]
	src := filepath.Join(n.Dir, "dataset")
	os.MkdirAll(filepath.Join(src, "docs"), 0o755)
	big := make([]byte, 4<<20)
	rand.NewChaCha8([32]byte{1}).Read(big)
	os.WriteFile(filepath.Join(src, "big.bin"), big, 0o644)
	os.WriteFile(filepath.Join(src, "docs", "readme.txt"), []byte("small file\n"), 0o644)
	out := run(t, ctx, pub, "", "publish", src, "-m", "first")
	addr := strings.Fields(out)[1] // "archive k51..."
	if !strings.HasPrefix(addr, "k51") {
		t.Fatalf("publish printed %q", out)
	}
	if got := run(t, ctx, reader, "", "cat", addr, "docs/readme.txt"); got != "small file\n" {
		t.Fatalf("cat through the swarm = %q", got)
	}
	var st []statusJSON
	json.Unmarshal([]byte(run(t, ctx, reader, "", "status", "--json")), &st)
	content := 0
	for _, f := range st {
		if f.Address != addr {
			content++
			if f.Held != 1 || f.Length < 10 {
				t.Fatalf("reading one small file fetched %d of %d content entries", f.Held, f.Length)
			}
		}
	}
	if content != 1 {
		t.Fatalf("the reader holds %d content feeds, want 1: %+v", content, st)
	}
	dst := filepath.Join(n.Dir, "clone")
	run(t, ctx, reader, "", "clone", addr, dst)
	got, err := os.ReadFile(filepath.Join(dst, "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("cloned big.bin differs (%v)", err)
	}
}
