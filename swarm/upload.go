package swarm

import (
	"math"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"
)

// UploadLimit is the node's hook for per-peer upload policy: it returns
// the rate at which this host may upload to p, in bytes per second, and
// the burst, the most it may send at once after a quiet period. A rate of
// zero or less means unlimited. It is asked once per peer, when the peer
// is first seen (and again once the peer's budget has refilled and been
// forgotten), so it should be cheap and stable.
type UploadLimit func(p peer.ID) (bytesPerSecond, burst int)

// FixedUploadLimit allows every peer the same rate and burst.
func FixedUploadLimit(bytesPerSecond, burst int) UploadLimit {
	return func(peer.ID) (int, int) { return bytesPerSecond, burst }
}

// uploadLimiter keeps a token bucket per peer. Times are passed in, so
// tests drive it with a fake clock.
type uploadLimiter struct {
	limit UploadLimit // nil: unlimited

	mu    sync.Mutex
	peers map[peer.ID]*rate.Limiter // nil value: unlimited peer
}

// maxIdleUploadPeers is the table size above which full buckets are
// forgotten: a full bucket is the same as a fresh one, so forgetting it
// changes nothing a peer can observe.
const maxIdleUploadPeers = 1024

func newUploadLimiter(limit UploadLimit) *uploadLimiter {
	return &uploadLimiter{limit: limit, peers: make(map[peer.ID]*rate.Limiter)}
}

// allow reports whether n bytes may be sent to p at now, and if so takes
// them from p's budget.
func (u *uploadLimiter) allow(p peer.ID, n int, now time.Time) bool {
	if u.limit == nil {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.limiter(p, now)
	return l == nil || l.AllowN(now, n)
}

// budget returns how many bytes p may be sent at now.
func (u *uploadLimiter) budget(p peer.ID, now time.Time) int {
	if u.limit == nil {
		return math.MaxInt
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.limiter(p, now)
	if l == nil {
		return math.MaxInt
	}
	return max(0, int(l.TokensAt(now)))
}

// limiter returns p's bucket, creating it; nil means unlimited.
func (u *uploadLimiter) limiter(p peer.ID, now time.Time) *rate.Limiter {
	if l, ok := u.peers[p]; ok {
		return l
	}
	if len(u.peers) >= maxIdleUploadPeers {
		u.forgetFull(now)
	}
	var l *rate.Limiter
	if bps, burst := u.limit(p); bps > 0 {
		l = rate.NewLimiter(rate.Limit(bps), max(burst, 1))
	}
	u.peers[p] = l
	return l
}

func (u *uploadLimiter) forgetFull(now time.Time) {
	for p, l := range u.peers {
		if l == nil || l.TokensAt(now) >= float64(l.Burst()) {
			delete(u.peers, p)
		}
	}
}
