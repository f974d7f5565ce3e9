package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

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
	Version int         `json:"version"`
	Feeds   FeedsConfig `json:"feeds"`
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
