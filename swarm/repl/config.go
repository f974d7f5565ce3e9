package repl

import "time"

// Config sets the Engine's limits. Zero fields take the protocol's
// defaults (package swarm's doc).
type Config struct {
	// MaxMessage is the largest frame read or written (16 MiB).
	MaxMessage int
	// MaxData is the most entry bytes one Data carries (8 MiB); a single
	// larger entry goes alone.
	MaxData int
	// MaxInFlight is the most requests in flight per peer and feed, both
	// ways (64): we never ask more, and a peer that asks more is blocked.
	MaxInFlight int
	// ReadTimeout closes a stream silent for that long (60 s);
	// PingInterval is how often a stream sends Ping (20 s). Writes time
	// out after ReadTimeout too.
	ReadTimeout, PingInterval time.Duration
	// HandshakeTimeout bounds the handshake of a new stream (10 s).
	HandshakeTimeout time.Duration
	// UploadBytesPerSecond limits the entry bytes served to each peer,
	// across feeds (0: unlimited). Bursts of up to one MaxData pass.
	UploadBytesPerSecond int64
	// TickInterval is how often request timeouts are checked (100 ms).
	TickInterval time.Duration
	// Machine tunes the scheduler (its MaxInFlight is at most MaxInFlight).
	Machine MachineConfig
}

// Protocol defaults.
const (
	DefaultMaxMessage       = 16 << 20
	DefaultMaxData          = 8 << 20
	DefaultReadTimeout      = 60 * time.Second
	DefaultPingInterval     = 20 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultTickInterval     = 100 * time.Millisecond
)

func (c *Config) fill() {
	if c.MaxMessage <= 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	if c.MaxData <= 0 || c.MaxData > c.MaxMessage/2 {
		c.MaxData = min(DefaultMaxData, c.MaxMessage/2)
	}
	if c.MaxInFlight <= 0 || c.MaxInFlight > DefaultMaxInFlight {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.PingInterval <= 0 || c.PingInterval >= c.ReadTimeout {
		c.PingInterval = min(DefaultPingInterval, c.ReadTimeout/3)
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.TickInterval <= 0 {
		c.TickInterval = DefaultTickInterval
	}
	if c.Machine.MaxInFlight <= 0 || c.Machine.MaxInFlight > c.MaxInFlight {
		c.Machine.MaxInFlight = c.MaxInFlight
	}
	c.Machine.fill()
}
