package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/steledb/stele/feed"
)

// CurrentVersion is the repo format this package reads and writes.
const CurrentVersion = 1

// MaxEntryLimit bounds Feeds.EntryLimit: entries are held in memory
// whole, on the way in and out.
const MaxEntryLimit = 256 << 20

// Config is the content of config.json. See the package doc for the
// format and defaults.
type Config struct {
	Version int          `json:"version"`
	Feeds   FeedsConfig  `json:"feeds"`
	API     APIConfig    `json:"api"`
	Swarm   SwarmConfig  `json:"swarm"`
	Limits  LimitsConfig `json:"limits"`
}

// APIConfig configures the daemon's local HTTP API.
type APIConfig struct {
	// Address is where the API listens: a loopback host and a port, 0
	// for any free port (the address taken is written to the repo's api
	// file either way).
	Address string `json:"address"`
}

// SwarmConfig configures the node's libp2p swarm.
type SwarmConfig struct {
	// Listen are the multiaddrs the node listens on.
	Listen []string `json:"listen"`
	// Bootstrap are the multiaddrs (with /p2p/) of the DHT peers to join
	// through. Empty means the public IPFS (Amino) bootstrap peers, or,
	// in a private swarm, none: the node is a bootstrap node itself.
	Bootstrap []string `json:"bootstrap,omitempty"`
	// Private makes a closed swarm: its own DHT protocol prefix
	// (DHTPrefix), no public bootstrap peers, no NAT traversal or relays,
	// no traffic to anyone not listed.
	Private   bool   `json:"private,omitempty"`
	DHTPrefix string `json:"dht_prefix,omitempty"`
	// RelayService lets this node relay for peers behind NAT.
	RelayService bool `json:"relay_service,omitempty"`
}

// LimitsConfig bounds what the node spends on others.
type LimitsConfig struct {
	// Storage is the most bytes the feed store may take on disk
	// (0: no limit); volunteer replicas stop fetching beyond it.
	Storage int64 `json:"storage,omitempty"`
	// Upload is the most bytes per second served to any one peer (0: no
	// limit).
	Upload int64 `json:"upload,omitempty"`
}

// Profiles for Init.
const (
	ProfileDefault = "default" // joins the public network
	ProfileLocal   = "local"   // a private swarm on 127.0.0.1, for tests and demos
)

// DefaultAPIAddress is the API address of the default profile.
const DefaultAPIAddress = "127.0.0.1:5017"

// ProfileConfig returns the configuration of a profile.
func ProfileConfig(profile string) (Config, error) {
	c := DefaultConfig()
	switch profile {
	case ProfileDefault, "":
	case ProfileLocal:
		c.API.Address = "127.0.0.1:0"
		c.Swarm = SwarmConfig{
			Listen:    []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"},
			Private:   true,
			DHTPrefix: "/stele-local",
		}
	default:
		return Config{}, fmt.Errorf("unknown profile %q: want %q or %q", profile, ProfileDefault, ProfileLocal)
	}
	return c, nil
}

// FeedsConfig configures the feed store.
type FeedsConfig struct {
	// EntryLimit is the largest entry, in bytes, that feeds accept.
	EntryLimit int `json:"entry_limit,omitempty"`
}

// DefaultConfig returns the configuration Init writes when given none.
func DefaultConfig() Config {
	return Config{
		Version: CurrentVersion,
		Feeds:   FeedsConfig{EntryLimit: feed.DefaultEntryLimit},
		API:     APIConfig{Address: DefaultAPIAddress},
		Swarm: SwarmConfig{
			Listen: []string{"/ip4/0.0.0.0/tcp/4017", "/ip6/::/tcp/4017", "/ip4/0.0.0.0/udp/4017/quic-v1", "/ip6/::/udp/4017/quic-v1"},
		},
	}
}

// withDefaults fills unset fields with their defaults.
func (c Config) withDefaults() Config {
	if c.Version == 0 {
		c.Version = CurrentVersion
	}
	if c.Feeds.EntryLimit == 0 {
		c.Feeds.EntryLimit = feed.DefaultEntryLimit
	}
	if c.API.Address == "" {
		c.API.Address = DefaultAPIAddress
	}
	if c.Swarm.Listen == nil {
		c.Swarm.Listen = DefaultConfig().Swarm.Listen
	}
	if c.Swarm.Private && c.Swarm.DHTPrefix == "" {
		c.Swarm.DHTPrefix = "/stele-private"
	}
	return c
}

// Validate says what is wrong with c, if anything.
func (c Config) Validate() error {
	if c.Version != CurrentVersion {
		return fmt.Errorf("version %d: this stele reads repo version %d", c.Version, CurrentVersion)
	}
	if l := c.Feeds.EntryLimit; l < 1 || l > MaxEntryLimit {
		return fmt.Errorf("feeds.entry_limit %d: want 1 to %d bytes", l, MaxEntryLimit)
	}
	host, port, err := net.SplitHostPort(c.API.Address)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("api.address %q: want a loopback address and port, e.g. %s (the API must not be reachable from other machines)", c.API.Address, DefaultAPIAddress)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("api.address %q: bad port", c.API.Address)
	}
	for _, a := range c.Swarm.Listen {
		if _, err := multiaddr.NewMultiaddr(a); err != nil {
			return fmt.Errorf("swarm.listen %q: %v", a, err)
		}
	}
	for _, a := range c.Swarm.Bootstrap {
		if _, err := peer.AddrInfoFromString(a); err != nil {
			return fmt.Errorf("swarm.bootstrap %q: want a multiaddr ending in /p2p/<peer ID>: %v", a, err)
		}
	}
	if c.Swarm.DHTPrefix != "" && !strings.HasPrefix(c.Swarm.DHTPrefix, "/") {
		return fmt.Errorf("swarm.dht_prefix %q: want a protocol prefix starting with /", c.Swarm.DHTPrefix)
	}
	if c.Limits.Storage < 0 || c.Limits.Upload < 0 {
		return errors.New("limits: storage and upload cannot be negative")
	}
	return nil
}

// ParseConfig decodes and validates config.json, filling defaults.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("bad config: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("bad config: data after the JSON object")
	}
	if c.Version == 0 {
		return Config{}, errors.New("bad config: no version field")
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("bad config: %w", err)
	}
	return c, nil
}

// FormatConfig encodes c as config.json: indented, one field per line.
func FormatConfig(c Config) []byte {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		panic(err) // plain structs: cannot fail
	}
	return append(b, '\n')
}
