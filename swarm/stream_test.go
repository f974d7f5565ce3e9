package swarm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
)

const echoProtocol protocol.ID = "/stele/test-echo/1.0.0"

// connectPair starts two local hosts, edited by editA and editB, and
// connects A to B.
func connectPair(t *testing.T, ctx context.Context, editA, editB func(*Config)) (a, b *Host) {
	t.Helper()
	a, b = newLocalHost(t, editA), newLocalHost(t, editB)
	if err := a.Connect(ctx, b.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// echo writes back what it reads from s until the other side closes its
// write half.
func echo(s network.Stream) {
	defer s.Close()
	if _, err := io.Copy(s, s); err != nil {
		_ = s.Reset()
	}
}

// serviceName returns the name of s's service scope, or "".
func serviceName(s network.Stream) string {
	if svc := s.Scope().(network.StreamManagementScope).ServiceScope(); svc != nil {
		return svc.Name()
	}
	return ""
}

// roundTrip writes msg on s and reads it back.
func roundTrip(s network.Stream, msg []byte) error {
	if _, err := s.Write(msg); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(s, got); err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return errors.New("echo differs")
	}
	return nil
}

func TestStreamRoundTrip(t *testing.T) {
	for _, proto := range []protocol.ID{SyncProtocol, echoProtocol} {
		t.Run(string(proto), func(t *testing.T) {
			ctx := testContext(t)
			a, b := connectPair(t, ctx, nil, nil)
			bServices := make(chan string, 1)
			b.SetStreamHandler(proto, func(s network.Stream) {
				bServices <- serviceName(s)
				echo(s)
			})
			s, err := a.OpenStream(ctx, b.ID(), proto)
			if err != nil {
				t.Fatal(err)
			}
			msg := bytes.Repeat([]byte("stele "), 10000)
			if err := roundTrip(s, msg); err != nil {
				t.Fatal(err)
			}
			if err := s.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if n, err := s.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("after close: read %d, %v; want EOF", n, err)
			}
			// The sync protocol has a service scope, other protocols none.
			want := map[protocol.ID]string{SyncProtocol: SyncService}[proto]
			if got := serviceName(s); got != want {
				t.Errorf("A's stream in service %q, want %q", got, want)
			}
			if got := <-bServices; got != want {
				t.Errorf("B's stream in service %q, want %q", got, want)
			}
			_ = s.Close()
			if m := a.Metrics(); m.StreamsOpened != 1 {
				t.Errorf("A metrics %+v: want 1 stream opened", m)
			}
			if m := b.Metrics(); m.StreamsAccepted != 1 {
				t.Errorf("B metrics %+v: want 1 stream accepted", m)
			}
		})
	}
}

// limitSync sets the sync stream limits to two per peer.
func limitSync(c *Config) {
	c.Limits.SyncStreams = 4
	c.Limits.SyncStreamsPerPeer = 2
}

// TestSyncStreamLimitInbound: B accepts two sync streams from A and
// resets the third; other protocols are not limited; a slot freed by a
// closed stream is usable again.
func TestSyncStreamLimitInbound(t *testing.T) {
	ctx := testContext(t)
	a, b := connectPair(t, ctx, nil, limitSync)
	handled := make(chan struct{}, 10)
	for _, proto := range []protocol.ID{SyncProtocol, echoProtocol} {
		b.SetStreamHandler(proto, func(s network.Stream) {
			echo(s)
			handled <- struct{}{}
		})
	}
	open := func(proto protocol.ID) (network.Stream, error) {
		s, err := a.OpenStream(ctx, b.ID(), proto)
		if err != nil {
			t.Fatal(err)
		}
		return s, roundTrip(s, []byte("hello"))
	}
	var held []network.Stream
	for i := range 2 {
		s, err := open(SyncProtocol)
		if err != nil {
			t.Fatalf("sync stream %d: %v", i, err)
		}
		held = append(held, s)
	}
	if s, err := open(SyncProtocol); err == nil {
		t.Fatal("third sync stream served, want reset")
	} else {
		_ = s.Reset()
	}
	for i := range 3 {
		s, err := open(echoProtocol)
		if err != nil {
			t.Fatalf("echo stream %d: %v", i, err)
		}
		held = append(held, s)
	}
	if m := b.Metrics(); m.StreamsRefused != 1 || m.SyncStreamsIn != 2 || m.StreamsAccepted != 5 {
		t.Errorf("B metrics %+v: want 1 refused, 2 sync in, 5 accepted", m)
	}

	// Free one slot: A closes, B's handler returns and closes too.
	if err := held[0].CloseWrite(); err != nil {
		t.Fatal(err)
	}
	<-handled
	if s, err := open(SyncProtocol); err != nil {
		t.Fatalf("sync stream after one closed: %v", err)
	} else {
		held = append(held, s)
	}
	for _, s := range held {
		_ = s.Reset()
	}
}

// TestSyncStreamLimitOutbound: A itself refuses to open a third sync
// stream to B.
func TestSyncStreamLimitOutbound(t *testing.T) {
	ctx := testContext(t)
	a, b := connectPair(t, ctx, limitSync, nil)
	b.SetStreamHandler(SyncProtocol, echo)
	for i := range 2 {
		s, err := a.OpenStream(ctx, b.ID(), SyncProtocol)
		if err != nil {
			t.Fatalf("sync stream %d: %v", i, err)
		}
		defer s.Reset()
	}
	_, err := a.OpenStream(ctx, b.ID(), SyncProtocol)
	if !errors.Is(err, network.ErrResourceLimitExceeded) {
		t.Fatalf("third sync stream: %v, want %v", err, network.ErrResourceLimitExceeded)
	}
	if m := a.Metrics(); m.StreamsRefused != 1 || m.StreamsOpened != 2 || m.SyncStreamsOut != 2 {
		t.Errorf("A metrics %+v: want 1 refused, 2 opened, 2 sync out", m)
	}
}

// TestLocalPrefersTCP: local hosts connect over TCP, the faster transport
// on loopback, though both listen on QUIC too; a peer without TCP is
// still reached over QUIC.
func TestLocalPrefersTCP(t *testing.T) {
	ctx := testContext(t)
	a, b := connectPair(t, ctx, nil, nil)
	for _, c := range a.host.Network().ConnsToPeer(b.ID()) {
		if !isTCP(c.RemoteMultiaddr()) {
			t.Errorf("connected over %s, want TCP", c.RemoteMultiaddr())
		}
	}

	quicOnly := newLocalHost(t, func(c *Config) { c.ListenAddrs = mustAddrs("/ip4/127.0.0.1/udp/0/quic-v1") })
	tcpAddr := ma.StringCast("/ip4/127.0.0.1/tcp/1") // nothing listens there
	ai := quicOnly.AddrInfo()
	ai.Addrs = append(ai.Addrs, tcpAddr)
	if err := a.Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
	for _, c := range a.host.Network().ConnsToPeer(quicOnly.ID()) {
		if isTCP(c.RemoteMultiaddr()) {
			t.Errorf("connected over %s, want QUIC", c.RemoteMultiaddr())
		}
	}
}

func TestTCPFirst(t *testing.T) {
	addrs := mustAddrs(
		"/ip4/127.0.0.1/udp/1/quic-v1",
		"/ip4/127.0.0.1/tcp/2",
		"/ip6/::1/tcp/3",
		"/ip4/127.0.0.1/udp/4/quic-v1/webtransport",
	)
	want := []time.Duration{quicFallbackDelay, 0, 0, quicFallbackDelay}
	for i, d := range tcpFirst(addrs) {
		if !d.Addr.Equal(addrs[i]) || d.Delay != want[i] {
			t.Errorf("%s: delay %v, want %v", d.Addr, d.Delay, want[i])
		}
	}
}
