//go:build stele_hostile

package node

import (
	"context"
	"encoding/binary"
	"os"
	"sync"

	"github.com/steledb/stele/swarm/repl"
	"github.com/steledb/stele/swarm/wire"
)

// This file turns a node into a hostile peer for the testnet, and is
// compiled only with the stele_hostile build tag. $STELE_HOSTILE picks
// the misbehaviour applied to every sync stream the node writes:
//
//	altered-entries   Data carries an altered entry
//	bad-proofs        Data carries an altered proof hash
//	forged-checkpoint Status and Checkpoint carry a checkpoint with a broken signature
//	oversized         the first Data is replaced by a frame header claiming 1 GiB
//	flood             every Status is followed by 200 requests
//	stall             Data is never written (the stream stays open)

var hostileMode = os.Getenv("STELE_HOSTILE")

func wrapStream(s repl.Stream) repl.Stream {
	if hostileMode == "" {
		return s
	}
	return &hostileStream{Stream: s}
}

type hostileNet struct{ repl.Network }

func (h hostileNet) OpenStream(ctx context.Context, p repl.PeerID) (repl.Stream, error) {
	s, err := h.Network.OpenStream(ctx, p)
	if err != nil {
		return nil, err
	}
	return wrapStream(s), nil
}

func wrapNetwork(n repl.Network) repl.Network {
	if hostileMode == "" {
		return n
	}
	return hostileNet{n}
}

type hostileStream struct {
	repl.Stream
	mu       sync.Mutex
	oversent bool
}

// Write rewrites whole frames (the engine writes whole frames per call);
// anything it cannot parse goes through unchanged.
func (h *hostileStream) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []byte
	rest := p
	for len(rest) > 0 {
		n, k := binary.Uvarint(rest)
		if k <= 0 || uint64(len(rest)-k) < n {
			out = append(out, rest...)
			break
		}
		raw, frame := rest[:k+int(n)], rest[k:k+int(n)]
		rest = rest[k+int(n):]
		m, err := wire.Unmarshal(frame)
		if err != nil {
			out = append(out, raw...)
			continue
		}
		out = h.rewrite(out, m)
	}
	if _, err := h.Stream.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *hostileStream) rewrite(out []byte, m wire.Message) []byte {
	switch m := m.(type) {
	case *wire.Data:
		switch hostileMode {
		case "altered-entries":
			if len(m.Entries) > 0 && len(m.Entries[0]) > 0 {
				e := append([]byte(nil), m.Entries[0]...)
				e[0] ^= 0x20
				m.Entries[0] = e
			}
		case "bad-proofs":
			switch {
			case len(m.Left) > 0:
				m.Left[0][0] ^= 1
			case len(m.Right) > 0:
				m.Right[0][0] ^= 1
			}
		case "oversized":
			if !h.oversent {
				h.oversent = true
				return binary.AppendUvarint(out, 1<<30)
			}
		case "stall":
			return out
		}
	case *wire.Status:
		if hostileMode == "forged-checkpoint" && len(m.Checkpoint) > 0 {
			m.Checkpoint = forge(m.Checkpoint)
		}
		if hostileMode == "flood" {
			out = wire.AppendFrame(out, m)
			for i := range 200 {
				out = wire.AppendFrame(out, &wire.Request{ID: uint64(1_000_000 + i), Lo: 0, Hi: 1, Size: 1})
			}
			return out
		}
	case *wire.Checkpoint:
		if hostileMode == "forged-checkpoint" {
			m.Checkpoint = forge(m.Checkpoint)
		}
	}
	return wire.AppendFrame(out, m)
}

// forge breaks a signed checkpoint's signature: a base64 character inside
// it. (Not the last one before the padding, whose low bits decode to
// nothing: changing it between A and B, say, left one forged checkpoint
// in sixteen valid, and its peer unblocked.)
func forge(note []byte) []byte {
	f := append([]byte(nil), note...)
	if len(f) > 10 {
		i := len(f) - 10
		if f[i] == 'A' {
			f[i] = 'B'
		} else {
			f[i] = 'A'
		}
	}
	return f
}
