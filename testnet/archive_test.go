package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeDataset writes dir/dataset: big.bin of size random bytes, which it
// returns, and docs/readme.txt, "small file\n".
func writeDataset(t *testing.T, dir string, size int) (src string, big []byte) {
	t.Helper()
	src = filepath.Join(dir, "dataset")
	big = make([]byte, size)
	rand.NewChaCha8([32]byte{byte(size >> 20)}).Read(big)
	if err := os.MkdirAll(filepath.Join(src, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"big.bin": big, "docs/readme.txt": []byte("small file\n")} {
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src, big
}

// An archive published on one node is read sparsely and cloned on
// another, through the swarm: reading one small file fetches the metadata
// and that file's chunks only; the clone is byte-identical.
func TestScenarioArchiveThroughTheSwarm(t *testing.T) {
	n, ctx := newNet(t, 3)
	nodes := n.Nodes()
	pub, reader := nodes[1], nodes[2]
	src, big := writeDataset(t, n.Dir, 4<<20)
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

// A volunteer that seeds an archive's address seeds its content too, and
// serves the files once the publisher is gone: a fresh node clones the
// archive through the volunteer alone, byte for byte.
func TestScenarioArchiveVolunteer(t *testing.T) {
	n, ctx := newNet(t, 4)
	nodes := n.Nodes()
	pub, volunteer, reader := nodes[1], nodes[2], nodes[3]
	src, big := writeDataset(t, n.Dir, 3<<20)
	var published struct{ Archive, Content string }
	if err := json.Unmarshal([]byte(run(t, ctx, pub, "", "publish", src, "--json")), &published); err != nil {
		t.Fatal(err)
	}
	contentLen := status(t, ctx, pub, published.Content).Length

	run(t, ctx, volunteer, "", "seed", published.Archive)
	// The volunteer finds the content feed in the archive's first version
	// and seeds it; sync on the archive waits for each step.
	for {
		run(t, ctx, volunteer, "", "sync", published.Archive, "--timeout", "60s")
		st, ok := feedStatusOf(t, ctx, volunteer, published.Content)
		if ok && st.Seeding && st.Held == contentLen {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the volunteer does not seed the archive's content feed in full: %+v", st)
		}
	}
	if err := pub.Stop(); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(n.Dir, "clone")
	run(t, ctx, reader, "", "clone", published.Archive, dst)
	got, err := os.ReadFile(filepath.Join(dst, "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big.bin cloned through the volunteer differs (%v)", err)
	}
	run(t, ctx, volunteer, "", "unseed", published.Archive)
	if st, _ := feedStatusOf(t, ctx, volunteer, published.Content); st.Seeding {
		t.Error("unseeding the archive left its content feed seeded")
	}
}

// feedStatusOf returns a node's status of one feed, if it has the feed.
func feedStatusOf(t *testing.T, ctx context.Context, nd *Node, addr string) (statusJSON, bool) {
	t.Helper()
	var all []statusJSON
	if err := json.Unmarshal([]byte(run(t, ctx, nd, "", "status", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	for _, st := range all {
		if st.Address == addr {
			return st, true
		}
	}
	return statusJSON{}, false
}
