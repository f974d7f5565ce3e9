package swarm

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestUploadLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// 1000 B/s with a burst of 500 B; peer "free" is unlimited.
	u := newUploadLimiter(func(p peer.ID) (int, int) {
		if p == "free" {
			return 0, 0
		}
		return 1000, 500
	})
	steps := []struct {
		p    peer.ID
		n    int
		ms   int
		want bool
	}{
		{"a", 500, 0, true},     // the burst
		{"a", 1, 0, false},      // empty
		{"b", 400, 0, true},     // b has its own bucket
		{"a", 100, 100, true},   // refilled 100 B in 100 ms
		{"a", 100, 100, false},  // no more
		{"a", 501, 5000, false}, // never more than the burst
		{"a", 500, 5000, true},
		{"free", 1 << 30, 0, true},
	}
	for i, s := range steps {
		if got := u.allow(s.p, s.n, at(s.ms)); got != s.want {
			t.Errorf("step %d: allow(%s, %d, +%dms) = %v, want %v", i, s.p, s.n, s.ms, got, s.want)
		}
	}
	if got := u.budget("b", at(0)); got != 100 {
		t.Errorf("budget of b = %d, want 100", got)
	}
	if got := u.budget("free", at(0)); got != math.MaxInt {
		t.Errorf("budget of an unlimited peer = %d", got)
	}
}

func TestUploadLimiterUnlimited(t *testing.T) {
	u := newUploadLimiter(nil)
	if !u.allow("a", math.MaxInt, time.Unix(0, 0)) || u.budget("a", time.Unix(0, 0)) != math.MaxInt {
		t.Error("nil UploadLimit limits")
	}
	if len(u.peers) != 0 {
		t.Error("nil UploadLimit keeps state")
	}
}

// TestUploadLimiterForgets: the table stays bounded by forgetting full
// buckets, and a peer whose bucket is not full is never forgotten.
func TestUploadLimiterForgets(t *testing.T) {
	asked := map[peer.ID]int{}
	u := newUploadLimiter(func(p peer.ID) (int, int) { asked[p]++; return 10, 10 })
	now := time.Unix(0, 0)
	if !u.allow("drained", 10, now) {
		t.Fatal("first upload refused")
	}
	for i := range 3 * maxIdleUploadPeers {
		u.allow(peer.ID(fmt.Sprint(i)), 0, now)
	}
	if len(u.peers) > maxIdleUploadPeers+1 {
		t.Errorf("%d buckets kept, want at most %d", len(u.peers), maxIdleUploadPeers+1)
	}
	if u.allow("drained", 1, now) {
		t.Error("a drained peer was forgotten and got a fresh bucket")
	}
	if asked["drained"] != 1 {
		t.Errorf("limit asked %d times for the drained peer, want 1", asked["drained"])
	}
}

func TestFixedUploadLimit(t *testing.T) {
	if r, b := FixedUploadLimit(7, 9)("x"); r != 7 || b != 9 {
		t.Errorf("FixedUploadLimit = %d, %d", r, b)
	}
}

func TestHostAllowUpload(t *testing.T) {
	h := newLocalHost(t, func(c *Config) { c.UploadLimit = FixedUploadLimit(1, 1000) })
	const p peer.ID = "peer"
	if h.UploadBudget(p) != 1000 || !h.AllowUpload(p, 1000) {
		t.Fatal("burst refused")
	}
	// Refilling 1000 bytes at 1 B/s takes 1000 s.
	if h.AllowUpload(p, 1000) {
		t.Fatal("second burst allowed at once")
	}
	if m := h.Metrics(); m.UploadsRefused != 1 {
		t.Errorf("metrics %+v: want 1 upload refused", m)
	}
}
