package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
)

// A Stream is one reliable, ordered byte stream to a peer: a libp2p
// stream of protocol /stele/sync/1.0.0, or anything else with deadlines.
// Close ends it gracefully; Reset aborts it.
type Stream interface {
	io.Reader
	io.Writer
	Close() error
	Reset() error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// A Network opens streams to peers and blocks misbehaving ones. The node
// implements it with the libp2p host.
type Network interface {
	// OpenStream opens a new sync stream to p.
	OpenStream(ctx context.Context, p PeerID) (Stream, error)
	// Block disconnects p and refuses its connections from now on.
	Block(p PeerID, reason string)
}

// ErrNotRunning is returned by Connect once Run has returned.
var ErrNotRunning = errors.New("replication engine stopped")

// An Engine replicates the feeds of one Store over sync streams: it
// serves every feed the store holds (authored or replicated) to peers that
// prove they know its key, follows the feeds it is told to Follow, and
// pushes new checkpoints to connected peers as soon as they exist. It owns
// no global state; the node drives it: it calls Run once, passes every
// inbound sync stream to HandleStream, and calls Connect for each peer the
// DHT finds for a feed it follows.
type Engine struct {
	store *feed.Store
	self  PeerID
	net   Network
	cfg   Config
	clock Clock

	mu          sync.Mutex
	running     bool          // until Run's context ends
	ran         bool          // Run was called
	done        chan struct{} // closed when Run's context ends
	wg          sync.WaitGroup
	sessions    map[crypto.PublicKey]*session
	byDiscovery map[crypto.DiscoveryID]crypto.PublicKey
	refreshed   time.Time // when byDiscovery was last rebuilt from the store
	blocked     map[PeerID]string
	buckets     map[PeerID]*bucketRef
	counters    counters
}

// NewEngine returns an Engine for the feeds of store, acting as peer self.
// A nil clock means the system clock.
func NewEngine(store *feed.Store, self PeerID, net Network, cfg Config, clock Clock) *Engine {
	cfg.fill()
	if clock == nil {
		clock = SystemClock()
	}
	return &Engine{
		store: store, self: self, net: net, cfg: cfg, clock: clock,
		running:     true,
		done:        make(chan struct{}),
		sessions:    make(map[crypto.PublicKey]*session),
		byDiscovery: make(map[crypto.DiscoveryID]crypto.PublicKey),
		blocked:     make(map[PeerID]string),
		buckets:     make(map[PeerID]*bucketRef),
	}
}

// Run runs the engine until ctx ends: it checks request timeouts every
// TickInterval. When ctx ends it closes every stream and returns once
// every goroutine the engine started, and every HandleStream and Connect
// call, has returned; the engine then refuses new streams. The engine
// accepts streams from NewEngine on, but Run must be called (once), or
// its goroutines never stop.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.ran {
		e.mu.Unlock()
		return errors.New("repl: Engine.Run called twice")
	}
	e.ran = true
	e.mu.Unlock()

	for ctx.Err() == nil {
		t := e.clock.NewTimer(e.cfg.TickInterval)
		select {
		case <-ctx.Done():
		case <-t.C():
			e.tick()
		}
		t.Stop()
	}
	e.mu.Lock()
	e.running = false
	close(e.done)
	var conns []*conn
	for _, s := range e.sessions {
		conns = append(conns, s.allConns()...)
	}
	e.mu.Unlock()
	for _, c := range conns {
		c.close(false)
	}
	e.wg.Wait()
	return nil
}

func (e *Engine) tick() {
	now := e.clock.Now()
	for _, s := range e.allSessions() {
		s.tick(now)
	}
}

func (e *Engine) allSessions() []*session {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		out = append(out, s)
	}
	return out
}

// goAdd starts fn in a goroutine the engine owns (Run waits for it). It
// returns false, without starting fn, once the engine has stopped.
func (e *Engine) goAdd(fn func()) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.running {
		return false
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		fn()
	}()
	return true
}

// enter registers a call running in a caller's goroutine (HandleStream,
// Connect) so that Run waits for it; it returns false when not running.
func (e *Engine) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.running {
		return false
	}
	e.wg.Add(1)
	return true
}

// Follow replicates the feed at pub, creating a replica in the store if
// it holds none: every entry up to the newest checkpoint known (want
// nil) or the entries of *want, and, if live, new checkpoints as they
// appear. The node then calls Connect for the feed's providers.
func (e *Engine) Follow(pub crypto.PublicKey, want *feed.Range, live bool) error {
	s, err := e.wantingSession("follow", pub, want)
	if err != nil {
		return err
	}
	w := WantOf(want, live)
	s.setWants(func(ws *wants) { ws.follow = &w })
	return nil
}

// wantingSession checks want (nil: every entry) and returns the session
// of the feed at pub to add it to, creating a replica in the store if it
// holds none; verb names the caller in errors.
func (e *Engine) wantingSession(verb string, pub crypto.PublicKey, want *feed.Range) (*session, error) {
	if want != nil && (want.Lo < 0 || want.Hi < want.Lo) {
		return nil, fmt.Errorf("%s %s: bad range %s", verb, crypto.FormatAddress(pub), want)
	}
	s, err := e.session(pub, true)
	if err != nil {
		return nil, err
	}
	if _, forked := s.f.Forked(); forked {
		return nil, fmt.Errorf("%s %s: %w", verb, s.f.Address(), feed.ErrForked)
	}
	return s, nil
}

// Unfollow stops replicating the feed at pub (it is still served), but
// for the fetches under way.
func (e *Engine) Unfollow(pub crypto.PublicKey) {
	if s := e.existingSession(pub); s != nil {
		s.setWants(func(ws *wants) { ws.follow = nil })
	}
}

// Status returns the replication state of the feed at pub: what is held,
// and per connected peer what it holds, what is in flight, and bytes each
// way. ok is false if the engine has no session for the feed.
func (e *Engine) Status(pub crypto.PublicKey) (st FeedStatus, ok bool) {
	s := e.existingSession(pub)
	if s == nil {
		return st, false
	}
	return s.status(), true
}

// WaitCaughtUp returns once everything wanted up to the newest checkpoint
// known is held, after at least one peer was heard from; or with
// feed.ErrForked if the feed forks; or ctx's error.
func (e *Engine) WaitCaughtUp(ctx context.Context, pub crypto.PublicKey) error {
	s := e.existingSession(pub)
	if s == nil {
		return fmt.Errorf("wait for %s: not followed", crypto.FormatAddress(pub))
	}
	return s.waitUntil(ctx, s.waitState)
}

// session returns the session of the feed at pub, creating it (and, if
// create, a replica in the store) as needed.
func (e *Engine) session(pub crypto.PublicKey, create bool) (*session, error) {
	if s := e.existingSession(pub); s != nil {
		return s, nil
	}
	f, err := e.store.Feed(pub)
	if errors.Is(err, feed.ErrNotFound) && create {
		f, err = e.store.Replicate(pub, "")
		if errors.Is(err, feed.ErrExists) { // created concurrently
			f, err = e.store.Feed(pub)
		}
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.sessions[pub]; ok {
		return s, nil
	}
	s := newSession(e, f)
	e.sessions[pub] = s
	e.byDiscovery[s.disc] = pub
	if e.running {
		e.startWatch(s)
	}
	return s, nil
}

func (e *Engine) existingSession(pub crypto.PublicKey) *session {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sessions[pub]
}

// startWatch starts the goroutine that reports the feed's local changes
// (appends, applied checkpoints and ranges) to its session. e.mu is held.
func (e *Engine) startWatch(s *session) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		s.watch(e.done)
	}()
}

// lookupDiscovery finds the feed a Hello asks for. Feeds created in the
// store since the last lookup are found by rescanning it, at most once a
// second, so that Hellos for unknown IDs cannot make us scan it often.
func (e *Engine) lookupDiscovery(d crypto.DiscoveryID) (crypto.PublicKey, bool) {
	e.mu.Lock()
	pub, ok := e.byDiscovery[d]
	now := e.clock.Now()
	stale := now.Sub(e.refreshed) >= time.Second
	if !ok && stale {
		e.refreshed = now
	}
	e.mu.Unlock()
	if ok || !stale {
		return pub, ok
	}
	feeds, err := e.store.List()
	if err != nil {
		return pub, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range feeds {
		e.byDiscovery[crypto.Discovery(f.PublicKey())] = f.PublicKey()
	}
	pub, ok = e.byDiscovery[d]
	return pub, ok
}

// block gates a peer that broke the protocol: the network disconnects it,
// and every stream with it, on any feed, is reset.
func (e *Engine) block(p PeerID, reason string) {
	e.mu.Lock()
	_, already := e.blocked[p]
	if !already {
		e.blocked[p] = reason
	}
	var conns []*conn
	for _, s := range e.sessions {
		if c := s.conn(p); c != nil {
			conns = append(conns, c)
		}
	}
	e.mu.Unlock()
	if !already {
		e.counters.blockedPeers.Add(1)
		e.net.Block(p, reason)
	}
	for _, c := range conns {
		c.close(true)
	}
}

// Blocked reports whether p was blocked, and why.
func (e *Engine) Blocked(p PeerID) (reason string, blocked bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	reason, blocked = e.blocked[p]
	return reason, blocked
}
