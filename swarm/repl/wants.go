package repl

import (
	"context"
	"fmt"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
)

// A session's wants are its follow's (Engine.Follow, at most one: a
// seed's) and those of the fetches under way (Engine.Fetch, any number).
// The machine wants their union, so that fetches of different ranges at
// once (two files of one archive read over HTTP) each get theirs, and a
// fetch of a followed feed adds to the follow's want instead of replacing
// it.
type wants struct {
	follow  *Want
	fetches map[uint64]Want
	next    uint64
}

// union returns what the machine should want, nil for nothing.
func (w *wants) union() *Want {
	if w.follow == nil && len(w.fetches) == 0 {
		return nil
	}
	out := Want{Ranges: feed.RangeSet{}}
	add := func(x Want) {
		out.All = out.All || x.All
		out.Live = out.Live || x.Live
		for _, r := range x.Ranges {
			out.Ranges = out.Ranges.Add(r.Lo, r.Hi)
		}
	}
	if w.follow != nil {
		add(*w.follow)
	}
	for _, x := range w.fetches {
		add(x)
	}
	if out.All {
		out.Ranges = nil
	}
	return &out
}

func (w *wants) addFetch(x Want) uint64 {
	if w.fetches == nil {
		w.fetches = make(map[uint64]Want)
	}
	w.next++
	w.fetches[w.next] = x
	return w.next
}

// sameWant reports whether a and b want the same.
func sameWant(a, b *Want) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.All != b.All || a.Live != b.Live || len(a.Ranges) != len(b.Ranges) {
		return false
	}
	for i := range a.Ranges {
		if a.Ranges[i] != b.Ranges[i] {
			return false
		}
	}
	return true
}

// setWants changes the session's wants with edit and gives the machine
// their union.
func (s *session) setWants(edit func(w *wants)) {
	s.do(func(m *Machine) {
		edit(&s.wants)
		m.SetWant(s.e.clock.Now(), s.wants.union())
	})
}

// A Fetch is a want of a feed's entries that adds to the feed's follow
// and to the other fetches under way, until Stop (see Engine.StartFetch).
type Fetch struct {
	s    *session
	id   uint64
	want Want
}

// StartFetch starts fetching the entries of *want (every entry if want is
// nil) of the feed at pub up to the newest checkpoint known, creating a
// replica in the store if it holds none. The node then calls Connect for
// the feed's providers; Wait says when the entries are held; Stop ends
// the fetch's want.
func (e *Engine) StartFetch(pub crypto.PublicKey, want *feed.Range) (*Fetch, error) {
	s, err := e.wantingSession("fetch", pub, want)
	if err != nil {
		return nil, err
	}
	f := &Fetch{s: s, want: WantOf(want, false)}
	s.setWants(func(ws *wants) { f.id = ws.addFetch(f.want) })
	return f, nil
}

// Wait returns once the fetch's entries up to the newest checkpoint
// known are held, after at least one peer was heard from; or with
// feed.ErrForked if the feed forks; or ctx's error.
func (f *Fetch) Wait(ctx context.Context) error {
	return f.s.waitUntil(ctx, func() (bool, bool, <-chan struct{}) { return f.s.fetchState(f.want) })
}

// waitUntil returns once state says done, with feed.ErrForked once it
// says forked, or with ctx's error; state also returns a channel closed
// at the next change, when it is asked again.
func (s *session) waitUntil(ctx context.Context, state func() (done, forked bool, changed <-chan struct{})) error {
	for {
		done, forked, changed := state()
		switch {
		case forked:
			return fmt.Errorf("%s: %w", s.f.Address(), feed.ErrForked)
		case done:
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// Stop ends the fetch's want; what is in flight for it alone may still
// arrive.
func (f *Fetch) Stop() { f.s.setWants(func(ws *wants) { delete(ws.fetches, f.id) }) }

// fetchState returns whether w is held or the feed forked, and a channel
// closed at the next change.
func (s *session) fetchState(w Want) (done, forked bool, changed <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.Holds(w), s.m.local.Forked, s.changed
}
