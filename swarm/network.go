package swarm

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// SyncNetwork adapts a Host to the replication engine's Network interface
// (package swarm/repl) and feeds it inbound sync streams. P is the
// engine's peer ID type (a string holding a libp2p peer.ID) and S its
// stream interface, which libp2p streams satisfy; the node instantiates
//
//	swarm.NewSyncNetwork[repl.PeerID, repl.Stream](host)
//
// The type parameters keep this package free of the engine, which needs
// nothing of libp2p either.
//
// Every stream it opens or hands over protects its peer in the connection
// manager (Host.Protect) until the stream is closed or reset, so the
// owner of a stream must always end it.
type SyncNetwork[P ~string, S any] struct {
	h *Host
}

// NewSyncNetwork returns the adapter for h. It panics if S is not an
// interface that libp2p streams implement: that is a programming error.
func NewSyncNetwork[P ~string, S any](h *Host) *SyncNetwork[P, S] {
	s := reflect.TypeFor[S]()
	if s.Kind() != reflect.Interface || !reflect.TypeFor[*syncStream]().Implements(s) {
		panic(fmt.Sprintf("swarm: NewSyncNetwork: libp2p streams do not implement %v", s))
	}
	return &SyncNetwork[P, S]{h: h}
}

// OpenStream opens a sync stream to p.
func (n *SyncNetwork[P, S]) OpenStream(ctx context.Context, p P) (S, error) {
	var zero S
	id, err := peer.IDFromBytes([]byte(p))
	if err != nil {
		return zero, fmt.Errorf("open sync stream: bad peer ID: %w", err)
	}
	s, err := n.h.OpenStream(ctx, id, SyncProtocol)
	if err != nil {
		return zero, err
	}
	return any(n.protect(s)).(S), nil
}

// Block blocks p on the host (see Host.Block).
func (n *SyncNetwork[P, S]) Block(p P, reason string) {
	n.h.Block(peer.ID(p), reason)
}

// Serve hands every inbound sync stream to handle, with the ID of the
// peer that opened it, on the stream's own goroutine. handle owns the
// stream and must close or reset it.
func (n *SyncNetwork[P, S]) Serve(handle func(p P, s S)) {
	n.h.SetStreamHandler(SyncProtocol, func(s network.Stream) {
		handle(P(s.Conn().RemotePeer()), any(n.protect(s)).(S))
	})
}

// Stop stops serving inbound sync streams; open streams are not touched.
func (n *SyncNetwork[P, S]) Stop() {
	n.h.RemoveStreamHandler(SyncProtocol)
}

func (n *SyncNetwork[P, S]) protect(s network.Stream) *syncStream {
	p := s.Conn().RemotePeer()
	n.h.Protect(p)
	return &syncStream{Stream: s, unprotect: func() { n.h.Unprotect(p) }}
}

// syncStream is a libp2p stream that unprotects its peer when it ends.
type syncStream struct {
	network.Stream
	once      sync.Once
	unprotect func()
}

func (s *syncStream) Close() error {
	err := s.Stream.Close()
	s.once.Do(s.unprotect)
	return err
}

func (s *syncStream) Reset() error {
	err := s.Stream.Reset()
	s.once.Do(s.unprotect)
	return err
}

func (s *syncStream) ResetWithError(code network.StreamErrorCode) error {
	err := s.Stream.ResetWithError(code)
	s.once.Do(s.unprotect)
	return err
}
