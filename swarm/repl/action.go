package repl

import (
	"fmt"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

// An ActionKind says what an Action asks the caller to do.
type ActionKind int

// The actions a Machine emits.
const (
	// SendRequest: send Request to Peer.
	SendRequest ActionKind = iota + 1
	// SendCancel: send Cancel{Request.ID} to Peer.
	SendCancel
	// SendHave: tell Peer that we now also hold Ranges.
	SendHave
	// SendCheckpoint: push our checkpoint of Size to Peer, with a
	// consistency proof from From (Peer's latest); no proof if From >= Size
	// or if we cannot prove it.
	SendCheckpoint
	// BlockPeer: Peer broke the protocol (Reason); disconnect and gate it.
	BlockPeer
	// CaughtUp: everything wanted up to the latest checkpoint is held.
	CaughtUp
)

var kindNames = map[ActionKind]string{
	SendRequest: "request", SendCancel: "cancel", SendHave: "have",
	SendCheckpoint: "checkpoint", BlockPeer: "block", CaughtUp: "caught-up",
}

func (k ActionKind) String() string { return kindNames[k] }

// An Action is one thing a Machine asks its caller to do.
type Action struct {
	Kind    ActionKind
	Peer    PeerID
	Request wire.Request // SendRequest; SendCancel (ID only)
	Ranges  []feed.Range // SendHave
	Size    int64        // SendCheckpoint
	From    int64        // SendCheckpoint
	Reason  string       // BlockPeer
}

// String formats a as the simulation scripts in testdata print it.
func (a Action) String() string {
	switch a.Kind {
	case SendRequest:
		r := a.Request
		return fmt.Sprintf("%s request #%d %d:%d@%d", a.Peer, r.ID, r.Lo, r.Hi, r.Size)
	case SendCancel:
		return fmt.Sprintf("%s cancel #%d", a.Peer, a.Request.ID)
	case SendHave:
		return fmt.Sprintf("%s have %s", a.Peer, feed.RangeSet(a.Ranges))
	case SendCheckpoint:
		return fmt.Sprintf("%s checkpoint %d from %d", a.Peer, a.Size, a.From)
	case BlockPeer:
		return fmt.Sprintf("%s block: %s", a.Peer, a.Reason)
	case CaughtUp:
		return "caught-up"
	}
	return fmt.Sprintf("action(%d)", int(a.Kind))
}

// MachineConfig tunes the scheduler. Zero fields take the defaults.
type MachineConfig struct {
	// InitialBlock is the entries asked per request before any response
	// was measured (512); MinBlock and MaxBlock bound it (1, 65536).
	InitialBlock, MinBlock, MaxBlock int64
	// TargetResponseBytes is what the block size aims a response at
	// (4 MiB): large enough to amortize a round trip and a proof, well
	// under the 8 MiB a Data may carry.
	TargetResponseBytes int64
	// MaxInFlight caps the requests in flight per peer (64, the
	// protocol's limit); InitialWindow is where each peer starts (4).
	MaxInFlight, InitialWindow int
	// RequestTimeout is the least time a request may take before it goes
	// to another peer (10 s; more for a peer whose round trips are slow).
	RequestTimeout time.Duration
	// StallTimeout blocks a peer that has answered nothing for that long
	// while requests to it were pending (60 s, the protocol's silence
	// limit).
	StallTimeout time.Duration
}

// Defaults of MachineConfig.
const (
	DefaultInitialBlock        = 512
	DefaultMaxBlock            = 1 << 16
	DefaultTargetResponseBytes = 4 << 20
	DefaultMaxInFlight         = 64
	DefaultInitialWindow       = 4
	DefaultRequestTimeout      = 10 * time.Second
	DefaultStallTimeout        = 60 * time.Second
)

func (c *MachineConfig) fill() {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.InitialBlock, DefaultInitialBlock)
	def(&c.MinBlock, 1)
	def(&c.MaxBlock, DefaultMaxBlock)
	def(&c.TargetResponseBytes, DefaultTargetResponseBytes)
	if c.MaxInFlight <= 0 || c.MaxInFlight > DefaultMaxInFlight {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.InitialWindow <= 0 {
		c.InitialWindow = DefaultInitialWindow
	}
	c.InitialWindow = min(c.InitialWindow, c.MaxInFlight)
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = DefaultStallTimeout
	}
}
