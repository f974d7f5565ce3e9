package swarm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steledb/stele/crypto"
)

// fakeProvider records Provide calls and fails for the IDs in fail.
type fakeProvider struct {
	mu       sync.Mutex
	provided map[crypto.DiscoveryID]int
	fail     map[crypto.DiscoveryID]bool
	block    chan struct{} // if not nil, Provide waits on it or ctx
}

func (f *fakeProvider) Provide(ctx context.Context, id crypto.DiscoveryID) error {
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.provided == nil {
		f.provided = make(map[crypto.DiscoveryID]int)
	}
	f.provided[id]++
	if f.fail[id] {
		return errors.New("no peers")
	}
	return nil
}

func (f *fakeProvider) count(id crypto.DiscoveryID) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.provided[id]
}

func discoveryIDs(n int) []crypto.DiscoveryID {
	ids := make([]crypto.DiscoveryID, n)
	for i := range ids {
		ids[i][0], ids[i][1] = byte(i), byte(i>>8)
	}
	return ids
}

func TestReprovideRound(t *testing.T) {
	ids := discoveryIDs(50)
	p := &fakeProvider{fail: map[crypto.DiscoveryID]bool{ids[3]: true, ids[7]: true}}
	r := NewReprovider(p, func() []crypto.DiscoveryID { return ids }, ReproviderConfig{Parallel: 4})
	stats := r.Round(t.Context())
	if stats.Provided != 48 || stats.Failed != 2 || stats.Err == nil || stats.End.Before(stats.Start) {
		t.Fatalf("round %+v: want 48 provided, 2 failed", stats)
	}
	for _, id := range ids {
		if n := p.count(id); n != 1 {
			t.Fatalf("%s provided %d times, want 1", id, n)
		}
	}
}

func TestReprovideRoundCapsErrors(t *testing.T) {
	ids := discoveryIDs(20)
	fail := map[crypto.DiscoveryID]bool{}
	for _, id := range ids {
		fail[id] = true
	}
	r := NewReprovider(&fakeProvider{fail: fail}, func() []crypto.DiscoveryID { return ids }, ReproviderConfig{})
	stats := r.Round(t.Context())
	if stats.Failed != 20 || !strings.Contains(stats.Err.Error(), "and 12 more failures") {
		t.Fatalf("round %+v", stats)
	}
}

// TestReprovider: a round at Start and one per Trigger; a stopped
// Reprovider runs no more rounds.
func TestReprovider(t *testing.T) {
	ids := discoveryIDs(3)
	rounds := make(chan RoundStats, 10)
	r := NewReprovider(&fakeProvider{}, func() []crypto.DiscoveryID { return ids }, ReproviderConfig{
		Interval: time.Hour,
		OnRound:  func(s RoundStats) { rounds <- s },
	})
	r.Start()
	r.Start() // no second loop
	if s := <-rounds; s.Provided != 3 {
		t.Fatalf("first round %+v", s)
	}
	r.Trigger()
	if s := <-rounds; s.Provided != 3 {
		t.Fatalf("triggered round %+v", s)
	}
	if got := r.Last(); got.Provided != 3 {
		t.Errorf("Last = %+v", got)
	}
	r.Stop()
	r.Stop()
	r.Start() // a stopped Reprovider stays stopped
	r.Trigger()
	r.Stop()
	if len(rounds) != 0 {
		t.Fatalf("round after Stop: %+v", <-rounds)
	}
}

func TestReprovideInterval(t *testing.T) {
	rounds := make(chan RoundStats, 10)
	r := NewReprovider(&fakeProvider{}, discoveryIDsFunc(1), ReproviderConfig{
		Interval: time.Millisecond,
		OnRound:  func(s RoundStats) { rounds <- s },
	})
	r.Start()
	defer r.Stop()
	for range 3 {
		<-rounds
	}
}

// TestReprovideStopCancels: Stop cancels the Provide calls of a round in
// progress and does not report the cut-short round.
func TestReprovideStopCancels(t *testing.T) {
	p := &fakeProvider{block: make(chan struct{})}
	rounds := make(chan RoundStats, 10)
	r := NewReprovider(p, discoveryIDsFunc(5), ReproviderConfig{OnRound: func(s RoundStats) { rounds <- s }})
	r.Stop() // before Start: nothing to stop
	r.Start()
	r.Stop()
	if len(rounds) != 0 {
		t.Fatalf("cancelled round reported: %+v", <-rounds)
	}
}

func discoveryIDsFunc(n int) func() []crypto.DiscoveryID {
	ids := discoveryIDs(n)
	return func() []crypto.DiscoveryID { return ids }
}
