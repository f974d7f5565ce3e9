package repl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memNet connects engines (and fake peers) in memory: OpenStream makes a
// net.Pipe (synchronous, with deadlines) and hands the far end to the
// target's handler in a goroutine the memNet owns.
type memNet struct {
	mu       sync.Mutex
	handlers map[PeerID]func(Stream, PeerID)
	blocks   []blockCall
	blockSig chan struct{} // closed and replaced on every Block
	wg       sync.WaitGroup
}

type blockCall struct {
	by, peer PeerID
	reason   string
}

func newMemNet(t testing.TB) *memNet {
	n := &memNet{handlers: map[PeerID]func(Stream, PeerID){}, blockSig: make(chan struct{})}
	t.Cleanup(n.wg.Wait)
	return n
}

func (n *memNet) handle(id PeerID, h func(Stream, PeerID)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.handlers[id] = h
}

// view is the Network one peer sees.
func (n *memNet) view(self PeerID) Network { return netView{n, self} }

type netView struct {
	n    *memNet
	self PeerID
}

func (v netView) OpenStream(ctx context.Context, p PeerID) (Stream, error) {
	v.n.mu.Lock()
	h := v.n.handlers[p]
	gated := v.n.gated(v.self, p)
	v.n.mu.Unlock()
	if h == nil || gated {
		return nil, fmt.Errorf("dial %s: no route", p)
	}
	a, b := net.Pipe()
	v.n.wg.Add(1)
	go func() {
		defer v.n.wg.Done()
		h(pipeStream{b}, v.self)
	}()
	return pipeStream{a}, nil
}

func (v netView) Block(p PeerID, reason string) {
	v.n.mu.Lock()
	defer v.n.mu.Unlock()
	v.n.blocks = append(v.n.blocks, blockCall{v.self, p, reason})
	close(v.n.blockSig)
	v.n.blockSig = make(chan struct{})
}

// gated reports whether a or b blocked the other. n.mu is held.
func (n *memNet) gated(a, b PeerID) bool {
	for _, c := range n.blocks {
		if c.by == a && c.peer == b || c.by == b && c.peer == a {
			return true
		}
	}
	return false
}

// blockedBy returns the reason `by` blocked p, waiting for it until ctx
// ends.
func (n *memNet) waitBlocked(ctx context.Context, by, p PeerID) (string, error) {
	for {
		n.mu.Lock()
		sig := n.blockSig
		for _, c := range n.blocks {
			if c.by == by && c.peer == p {
				n.mu.Unlock()
				return c.reason, nil
			}
		}
		n.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("%s never blocked %s: %w", by, p, ctx.Err())
		case <-sig:
		}
	}
}

func (n *memNet) blockCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.blocks)
}

type pipeStream struct{ net.Conn }

func (p pipeStream) Reset() error { return p.Conn.Close() }

// A node is a store with a running engine on a memNet.
type node struct {
	id    PeerID
	store *feed.Store
	e     *Engine
	stop  func()
}

var seedCounter uint64

func openStore(t testing.TB) *feed.Store {
	seedCounter++
	s, err := feed.Open(t.TempDir(), feed.Options{Rand: newSeededReader(seedCounter)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newNode(t testing.TB, n *memNet, id PeerID, cfg Config) *node {
	return startNode(t, n, id, openStore(t), cfg)
}

func startNode(t testing.TB, n *memNet, id PeerID, store *feed.Store, cfg Config) *node {
	e := NewEngine(store, id, n.view(id), cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	nd := &node{id: id, store: store, e: e}
	var once sync.Once
	nd.stop = func() {
		once.Do(func() {
			n.handle(id, nil)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Run: %v", id, err)
			}
			store.Close()
		})
	}
	t.Cleanup(nd.stop)
	n.handle(id, e.HandleStream)
	return nd
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFeed waits until cond holds for f, re-checking on every change.
func waitFeed(ctx context.Context, f *feed.Feed, what string, cond func(*feed.Feed) bool) error {
	for {
		ch := f.Watch()
		if cond(f) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-ch:
		}
	}
}

// authorFeed creates a feed of n entries, entry(i) of size bytes, in
// batches of 1000.
func authorFeed(t testing.TB, s *feed.Store, n, size int) *feed.Feed {
	f, err := s.Create("")
	if err != nil {
		t.Fatal(err)
	}
	appendEntries(t, f, 0, n, size)
	return f
}

func appendEntries(t testing.TB, f *feed.Feed, lo, hi, size int) {
	for lo < hi {
		end := min(hi, lo+1000)
		batch := make([][]byte, 0, end-lo)
		for i := lo; i < end; i++ {
			batch = append(batch, entryData(i, size))
		}
		if _, err := f.Append(batch...); err != nil {
			t.Fatal(err)
		}
		lo = end
	}
}

func entryData(i, size int) []byte {
	e := make([]byte, size)
	copy(e, fmt.Sprintf("entry %d;", i))
	return e
}

// sameEntries checks that b holds exactly a's entries, verified.
func sameEntries(t testing.TB, a, b *feed.Feed) {
	t.Helper()
	if a.Len() != b.Len() || a.Ranges().String() != b.Ranges().String() {
		t.Fatalf("replica holds %s of %d, author %s of %d", b.Ranges(), b.Len(), a.Ranges(), a.Len())
	}
	want, err := a.GetRange(0, a.Len())
	if err != nil {
		t.Fatal(err)
	}
	err = b.Scan(0, b.Len(), func(i int64, data []byte) error {
		if string(data) != string(want[i]) {
			return fmt.Errorf("entry %d differs", i)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(nil); err != nil {
		t.Fatalf("replica does not verify: %v", err)
	}
}

func replicaOf(t testing.TB, nd *node, pub crypto.PublicKey) *feed.Feed {
	f, err := nd.store.Feed(pub)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var errNoBlock = errors.New("no block")
