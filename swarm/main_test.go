package swarm

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/steledb/stele/crypto"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testTimeout bounds every wait on the network; tests finish far sooner.
const testTimeout = 30 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func newKey(t testing.TB) crypto.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newLocalHost starts a host on LocalConfig changed by edit, closed at the
// end of the test.
func newLocalHost(t testing.TB, edit func(*Config)) *Host {
	t.Helper()
	return newLocalHostFrom(t, LocalConfig(), edit)
}

// newLocalHostFrom starts a host on cfg changed by edit, closed at the end
// of the test. The result must be loopback-only.
func newLocalHostFrom(t testing.TB, cfg Config, edit func(*Config)) *Host {
	t.Helper()
	if edit != nil {
		edit(&cfg)
	}
	if !cfg.LoopbackOnly {
		t.Fatal("test host not restricted to loopback")
	}
	h, err := New(newKey(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("close host: %v", err)
		}
	})
	return h
}

// newLocalSwarm starts n local hosts, the first being the bootstrap peer
// of the others, and bootstraps them all.
func newLocalSwarm(t *testing.T, ctx context.Context, n int) []*Host {
	t.Helper()
	boot := newLocalHost(t, nil)
	hosts := []*Host{boot}
	for range n - 1 {
		hosts = append(hosts, newLocalHost(t, func(c *Config) { c.BootstrapPeers = boot.Addrs() }))
	}
	for _, h := range hosts {
		if err := h.Bootstrap(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return hosts
}
