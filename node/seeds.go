package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

// SeedsFile, in the repo, lists the feeds the node seeds: it follows them
// live and serves them as a volunteer replica, across restarts. It is a
// JSON array:
//
//	[{"address": "k51...", "range": "0:1000", "max_storage": 1073741824},
//	 {"address": "k51...", "content": "k51..."}]
//
// where range (optional) limits the entries fetched, max_storage
// (optional, bytes) stops fetching once the feed takes that much disk, and
// content (set by the node) names an archive's content feed, seeded with
// it: a volunteer for an archive serves its files too.
const SeedsFile = "seeds.json"

// A seed is one entry of seeds.json.
type seed struct {
	pub        crypto.PublicKey
	want       *feed.Range
	maxStorage int64
	content    *crypto.PublicKey // the archive's content feed, if pub is an archive's
}

type seedJSON struct {
	Address    string `json:"address"`
	Range      string `json:"range,omitempty"`
	MaxStorage int64  `json:"max_storage,omitempty"`
	Content    string `json:"content,omitempty"`
}

// A seedList is seeds.json, loaded and kept in step with the file.
type seedList struct {
	path  string
	mu    sync.Mutex
	seeds map[crypto.PublicKey]seed
}

func loadSeeds(path string) (*seedList, error) {
	l := &seedList{path: path, seeds: map[crypto.PublicKey]seed{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []seedJSON
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, e := range entries {
		pub, err := crypto.ParseAddress(e.Address)
		if err != nil {
			return nil, fmt.Errorf("%s: seed %d: %w", path, i, err)
		}
		s := seed{pub: pub, maxStorage: e.MaxStorage}
		if e.Content != "" {
			content, err := crypto.ParseAddress(e.Content)
			if err != nil {
				return nil, fmt.Errorf("%s: seed %d: content: %w", path, i, err)
			}
			s.content = &content
		}
		if e.Range != "" {
			r, err := feed.ParseRange(e.Range)
			if err != nil {
				return nil, fmt.Errorf("%s: seed %d: %w", path, i, err)
			}
			s.want = &r
		}
		l.seeds[pub] = s
	}
	return l, nil
}

func (l *seedList) list() []seed {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]seed, 0, len(l.seeds))
	for _, s := range l.seeds {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i].pub[:]) < string(out[j].pub[:]) })
	return out
}

func (l *seedList) get(pub crypto.PublicKey) (seed, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.seeds[pub]
	return s, ok
}

func (l *seedList) put(s seed) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	old, had := l.seeds[s.pub]
	l.seeds[s.pub] = s
	if err := l.saveLocked(); err != nil {
		if had {
			l.seeds[s.pub] = old
		} else {
			delete(l.seeds, s.pub)
		}
		return err
	}
	return nil
}

func (l *seedList) remove(pub crypto.PublicKey) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old, had := l.seeds[pub]
	if !had {
		return false, nil
	}
	delete(l.seeds, pub)
	if err := l.saveLocked(); err != nil {
		l.seeds[pub] = old
		return false, err
	}
	return true, nil
}

// saveLocked writes the file atomically.
func (l *seedList) saveLocked() error {
	entries := make([]seedJSON, 0, len(l.seeds))
	for _, s := range l.seeds {
		e := seedJSON{Address: crypto.FormatAddress(s.pub), MaxStorage: s.maxStorage}
		if s.content != nil {
			e.Content = crypto.FormatAddress(*s.content)
		}
		if s.want != nil {
			e.Range = s.want.String()
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Address < entries[j].Address })
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	return repo.WriteFileAtomic(l.path, append(data, '\n'), 0o600)
}
