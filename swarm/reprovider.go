package swarm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/steledb/stele/crypto"
)

// DefaultReprovideInterval is how often a Reprovider announces every held
// feed again by default. Provider records expire after 48 hours; 22 hours
// leaves room for one failed round.
const DefaultReprovideInterval = 22 * time.Hour

// A Provider announces discovery IDs in the DHT; *Host is one.
type Provider interface {
	Provide(ctx context.Context, id crypto.DiscoveryID) error
}

// ReproviderConfig configures a Reprovider; zero fields take defaults.
type ReproviderConfig struct {
	Interval time.Duration // between rounds; DefaultReprovideInterval
	Timeout  time.Duration // per record; 5 minutes
	Parallel int           // records announced at once; 8
	// OnRound, if set, is called after each round with its outcome, on
	// the reprovider's goroutine (e.g. to log it). Stop waits for it, so
	// it must not wait for Stop.
	OnRound func(RoundStats)
}

// RoundStats is the outcome of one reprovide round.
type RoundStats struct {
	Start, End time.Time
	Provided   int
	Failed     int
	Err        error // the failures, joined
}

// A Reprovider announces every held feed's discovery ID in rounds: one
// when started, one every interval, and one at each Trigger. The caller
// (the node) owns it: Start it once and Stop it before closing the host.
type Reprovider struct {
	provider Provider
	keys     func() []crypto.DiscoveryID
	cfg      ReproviderConfig
	trigger  chan struct{}

	mu      sync.Mutex
	last    RoundStats
	cancel  context.CancelFunc // nil until Start
	done    chan struct{}      // closed when the loop has returned
	stopped bool
}

// NewReprovider returns a stopped Reprovider that announces, in each
// round, the IDs keys returns at that time.
func NewReprovider(p Provider, keys func() []crypto.DiscoveryID, cfg ReproviderConfig) *Reprovider {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultReprovideInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 8
	}
	return &Reprovider{provider: p, keys: keys, cfg: cfg, trigger: make(chan struct{}, 1)}
}

// Start starts the rounds. It does nothing if the Reprovider was started
// or stopped before.
func (r *Reprovider) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil || r.stopped {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go r.loop(ctx)
}

// Stop ends the rounds, cancelling one in progress, and returns when the
// Reprovider's goroutine has. It is safe to call more than once.
func (r *Reprovider) Stop() {
	r.mu.Lock()
	r.stopped = true
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Trigger asks for a round now, e.g. after a feed was added. Triggers
// during a round coalesce into one more round.
func (r *Reprovider) Trigger() {
	select {
	case r.trigger <- struct{}{}:
	default:
	}
}

// Last returns the outcome of the last finished round.
func (r *Reprovider) Last() RoundStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func (r *Reprovider) loop(ctx context.Context) {
	defer close(r.done)
	ticker := time.NewTicker(r.cfg.Interval)
	defer ticker.Stop()
	for {
		stats := r.Round(ctx)
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		r.last = stats
		r.mu.Unlock()
		if r.cfg.OnRound != nil {
			r.cfg.OnRound(stats)
		}
		select {
		case <-ticker.C:
		case <-r.trigger:
		case <-ctx.Done():
			return
		}
	}
}

// maxRoundErrors is how many failures RoundStats.Err spells out.
const maxRoundErrors = 8

// Round announces every ID keys returns, Parallel at a time, each within
// Timeout, and reports how it went. The loop calls it; so may a caller
// that runs rounds itself.
func (r *Reprovider) Round(ctx context.Context) RoundStats {
	stats := RoundStats{Start: time.Now()}
	ids := r.keys()
	errs := make([]error, len(ids))
	sem := make(chan struct{}, r.cfg.Parallel)
	var wg sync.WaitGroup
	for i, id := range ids {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			pctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
			defer cancel()
			errs[i] = r.provider.Provide(pctx, id)
		})
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	stats.Failed = len(failed)
	stats.Provided = len(ids) - stats.Failed
	if len(failed) > maxRoundErrors {
		failed = append(failed[:maxRoundErrors], fmt.Errorf("and %d more failures", len(failed)-maxRoundErrors))
	}
	stats.Err = errors.Join(failed...)
	stats.End = time.Now()
	return stats
}
