package swarm

import (
	"context"
	"fmt"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// OpenStream opens a stream to p for proto, dialing p if needed. A sync
// stream is moved into the SyncService scope first; if that is full the
// stream is reset and the error wraps network.ErrResourceLimitExceeded.
func (h *Host) OpenStream(ctx context.Context, p peer.ID, proto protocol.ID) (network.Stream, error) {
	if h.gater.isBlocked(p) {
		return nil, fmt.Errorf("open %s stream to %s: %w", proto, p, ErrBlocked)
	}
	s, err := h.host.NewStream(ctx, p, proto)
	if err != nil {
		return nil, fmt.Errorf("open %s stream to %s: %w", proto, p, err)
	}
	if err := enterService(s, proto); err != nil {
		h.stats.streamsRefused.Add(1)
		_ = s.Reset()
		return nil, fmt.Errorf("open %s stream to %s: %w", proto, p, err)
	}
	h.stats.streamsOpened.Add(1)
	return s, nil
}

// SetStreamHandler makes handle serve inbound streams of proto. Streams
// from blocked peers are reset; a sync stream is moved into the
// SyncService scope first and reset if that is full. handle owns the
// stream and must close or reset it.
func (h *Host) SetStreamHandler(proto protocol.ID, handle func(network.Stream)) {
	h.host.SetStreamHandler(proto, func(s network.Stream) {
		if h.gater.isBlocked(s.Conn().RemotePeer()) {
			h.stats.streamsRefused.Add(1)
			_ = s.Reset()
			return
		}
		if err := enterService(s, proto); err != nil {
			h.stats.streamsRefused.Add(1)
			_ = s.Reset()
			return
		}
		h.stats.streamsAccepted.Add(1)
		handle(s)
	})
}

// RemoveStreamHandler stops serving proto.
func (h *Host) RemoveStreamHandler(proto protocol.ID) {
	h.host.RemoveStreamHandler(proto)
}

// enterService moves s into proto's service scope, if it has one.
func enterService(s network.Stream, proto protocol.ID) error {
	svc, ok := serviceOf[proto]
	if !ok {
		return nil
	}
	if err := s.Scope().SetService(svc); err != nil {
		return fmt.Errorf("enter resource scope %s: %w", svc, err)
	}
	return nil
}
