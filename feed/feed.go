package feed

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// A SignedCheckpoint is a checkpoint together with the signed note it was
// parsed from.
type SignedCheckpoint struct {
	merkle.Checkpoint
	Note []byte
}

// Origin returns the checkpoint origin line of the feed at pub.
func Origin(pub crypto.PublicKey) string { return "stele/" + crypto.FormatAddress(pub) }

// A Feed is one append-only log in a Store. Its methods are safe for
// concurrent use.
type Feed struct {
	s        *Store
	pub      crypto.PublicKey
	signer   note.Signer // nil on replicas
	verifier note.Verifier

	commit committer  // group commit of appends
	write  sync.Mutex // serialises every change to the stored feed

	mu       sync.RWMutex // guards the fields below
	meta     feedMeta
	latest   SignedCheckpoint // Size == -1: none held yet
	ranges   RangeSet
	frontier *merkle.Frontier // author only
	blobs    *blobs           // large entry chunks (set once at open)
	watchers []chan struct{}
}

// feedMeta is the per-feed record, stored as JSON (it changes rarely).
type feedMeta struct {
	Version  int    `json:"v"`
	Name     string `json:"name,omitempty"`
	Created  int64  `json:"created"`
	Restored bool   `json:"restored,omitempty"`  // key imported; append waits for a sync
	ForkedAt int64  `json:"forked_at,omitempty"` // 1 + size of the fork point; 0 = not forked
}

func (m feedMeta) encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // plain struct: cannot fail
	}
	return b
}

func (s *Store) readMeta(pub crypto.PublicKey) (feedMeta, error) {
	var m feedMeta
	val, closer, err := s.db.Get(metaKey(pub))
	if errors.Is(err, pebble.ErrNotFound) {
		return m, fmt.Errorf("%s: %w", crypto.FormatAddress(pub), ErrNotFound)
	}
	if err != nil {
		return m, err
	}
	defer closer.Close()
	if err := json.Unmarshal(val, &m); err != nil {
		return m, fmt.Errorf("feed %s: corrupt metadata: %w", crypto.FormatAddress(pub), err)
	}
	return m, nil
}

func openFeed(s *Store, pub crypto.PublicKey) (*Feed, error) {
	meta, err := s.readMeta(pub)
	if err != nil {
		return nil, err
	}
	f := &Feed{s: s, pub: pub, meta: meta}
	f.latest.Size = -1
	if f.verifier, err = crypto.NoteVerifier(pub, Origin(pub)); err != nil {
		return nil, err
	}
	if err := f.loadKey(); err != nil {
		return nil, err
	}
	if err := f.loadState(); err != nil {
		return nil, fmt.Errorf("open feed %s: %w", f.Address(), err)
	}
	return f, nil
}

// loadKey picks up the author's private key, if this store has it.
func (f *Feed) loadKey() error {
	key, err := readKeyFile(f.s.keyPath(f.pub), nil)
	if errors.Is(err, errNoKeyFile) {
		return nil
	}
	if err != nil {
		return err
	}
	if key.Public() != f.pub {
		return fmt.Errorf("key file %s holds the key of another feed", f.s.keyPath(f.pub))
	}
	f.signer, err = crypto.NoteSigner(key, Origin(f.pub))
	return err
}

// loadState reads the latest checkpoint, the held ranges and (for an
// author) the tree frontier: O(log n + ranges) reads.
func (f *Feed) loadState() error {
	if err := f.loadBlobs(); err != nil {
		return err
	}
	rec, ok, err := f.lastCheckpoint()
	if err != nil {
		return err
	}
	if ok {
		f.latest = rec.cp
	}
	if f.ranges, err = f.readRanges(); err != nil {
		return err
	}
	if f.signer != nil && f.meta.ForkedAt == 0 {
		// nil if the tree is not held: Append says so.
		f.frontier, err = f.loadFrontier()
	}
	return err
}

func (f *Feed) hashes() merkle.HashReader { return hashReader{f.s.db, f.pub} }

// Address returns the feed's address ("k51...").
func (f *Feed) Address() string { return crypto.FormatAddress(f.pub) }

// PublicKey returns the feed's public key.
func (f *Feed) PublicKey() crypto.PublicKey { return f.pub }

// Name returns the feed's local name, if any.
func (f *Feed) Name() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.meta.Name
}

// Restored reports whether the feed's key was imported from a backup and
// appending waits for ConfirmLatest.
func (f *Feed) Restored() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.meta.Restored
}

// SetName gives the feed a local name (or removes it, with "").
func (f *Feed) SetName(name string) error {
	f.write.Lock()
	defer f.write.Unlock()
	f.mu.RLock()
	meta := f.meta
	f.mu.RUnlock()
	if name == meta.Name {
		return nil
	}
	if name != "" {
		if err := checkName(name); err != nil {
			return err
		}
		if _, err := f.s.lookupName(name); err == nil {
			return fmt.Errorf("name %q is taken: %w", name, ErrExists)
		}
	}
	b := f.s.db.NewBatch()
	defer b.Close()
	if meta.Name != "" {
		if err := b.Delete(nameKey(meta.Name), nil); err != nil {
			return err
		}
	}
	if name != "" {
		if err := b.Set(nameKey(name), f.pub[:], nil); err != nil {
			return err
		}
	}
	meta.Name = name
	if err := b.Set(metaKey(f.pub), meta.encode(), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("rename feed %s: %w", f.Address(), err)
	}
	f.mu.Lock()
	f.meta = meta
	f.mu.Unlock()
	return nil
}

// IsAuthor reports whether this store holds the feed's private key.
func (f *Feed) IsAuthor() bool { return f.signer != nil }

// Len returns the size of the latest checkpoint held (0 if none).
func (f *Feed) Len() int64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return max(f.latest.Size, 0)
}

// Latest returns the latest checkpoint held; ok is false if none is.
func (f *Feed) Latest() (cp SignedCheckpoint, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.latest, f.latest.Size >= 0
}

// Ranges returns the ranges of entries held.
func (f *Feed) Ranges() RangeSet {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.ranges
}

// Forked reports whether the feed is forked, and the size from which on it
// refuses entries.
func (f *Feed) Forked() (forkedAt int64, forked bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.meta.ForkedAt - 1, f.meta.ForkedAt != 0
}

// Watch returns a channel that is closed the next time the feed changes
// (a new checkpoint or new entries). Call it again after each wake-up.
func (f *Feed) Watch() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan struct{})
	f.watchers = append(f.watchers, c)
	return c
}

// notifyLocked wakes every watcher. f.mu must be held.
func (f *Feed) notifyLocked() {
	for _, c := range f.watchers {
		close(c)
	}
	f.watchers = nil
}

// Get returns entry i.
func (f *Feed) Get(i int64) ([]byte, error) {
	var out []byte
	err := f.Scan(i, i+1, func(_ int64, data []byte) error {
		out = append([]byte(nil), data...)
		return nil
	})
	return out, err
}

// GetRange returns the entries of [lo, hi).
func (f *Feed) GetRange(lo, hi int64) ([][]byte, error) {
	out := make([][]byte, 0, max(hi-lo, 0))
	err := f.Scan(lo, hi, func(_ int64, data []byte) error {
		out = append(out, append([]byte(nil), data...))
		return nil
	})
	return out, err
}

// Scan calls fn for every entry of [lo, hi) in order, without copying: data
// is valid only during the call. It fails with ErrNotHeld, before calling
// fn, if any entry of [lo, hi) is not held.
func (f *Feed) Scan(lo, hi int64, fn func(i int64, data []byte) error) error {
	if err := f.checkHeld(lo, hi); err != nil {
		return err
	}
	return f.scanEntries(lo, hi, fn)
}

// checkHeld fails, wrapping ErrNotHeld, unless every entry of [lo, hi) is
// held.
func (f *Feed) checkHeld(lo, hi int64) error {
	if lo < 0 || hi < lo {
		return fmt.Errorf("range %d:%d: want 0 <= lo <= hi", lo, hi)
	}
	if r := f.Ranges(); !r.Covers(lo, hi) {
		missing := r.Missing(lo, hi)[0]
		return fmt.Errorf("feed %s entries %s: %w", f.Address(), missing, ErrNotHeld)
	}
	return nil
}

// ProveRange returns a proof that entries [lo, hi) are in the tree of the
// held checkpoint of the given size.
func (f *Feed) ProveRange(lo, hi, size int64) (merkle.RangeProof, error) {
	return merkle.ProveRange(lo, hi, size, f.hashes())
}

// ProveInclusion returns an RFC 6962 inclusion proof of entry index in the
// tree of the held checkpoint of the given size.
func (f *Feed) ProveInclusion(index, size int64) (merkle.InclusionProof, error) {
	return merkle.ProveInclusion(index, size, f.hashes())
}

// ProveConsistency returns a proof that the tree of size1 is a prefix of
// the tree of size2.
func (f *Feed) ProveConsistency(size1, size2 int64) (merkle.ConsistencyProof, error) {
	return merkle.ProveConsistency(size1, size2, f.hashes())
}

// Checkpoint returns the held checkpoint of the given size.
func (f *Feed) Checkpoint(size int64) (SignedCheckpoint, error) {
	rec, err := f.readCheckpoint(size)
	return rec.cp, err
}

// Checkpoints calls fn for every held checkpoint in increasing size.
func (f *Feed) Checkpoints(fn func(cp SignedCheckpoint) error) error {
	return f.scanCheckpoints(func(rec checkpointRecord) error { return fn(rec.cp) })
}

// A checkpointRecord is how a held checkpoint is stored: the signed note,
// and the consistency proof that linked it to the checkpoint held before
// it (empty where the stored tree hashes prove it), so Verify can recheck
// the chain.
type checkpointRecord struct {
	cp        SignedCheckpoint
	proofFrom int64
	proof     merkle.ConsistencyProof
}

func (r checkpointRecord) encode() []byte {
	buf := binary.AppendUvarint(nil, uint64(len(r.cp.Note)))
	buf = append(buf, r.cp.Note...)
	buf = binary.AppendUvarint(buf, uint64(r.proofFrom))
	buf = binary.AppendUvarint(buf, uint64(len(r.proof)))
	for _, h := range r.proof {
		buf = append(buf, h[:]...)
	}
	return buf
}

func (f *Feed) decodeCheckpoint(buf []byte) (checkpointRecord, error) {
	var rec checkpointRecord
	n, k := binary.Uvarint(buf)
	if k <= 0 || n > uint64(len(buf)-k) {
		return rec, errors.New("corrupt checkpoint record")
	}
	rec.cp.Note = append([]byte(nil), buf[k:k+int(n)]...)
	buf = buf[k+int(n):]
	from, k1 := binary.Uvarint(buf)
	count, k2 := binary.Uvarint(buf[max(k1, 0):])
	if k1 <= 0 || k2 <= 0 || count*32 != uint64(len(buf)-k1-k2) {
		return rec, errors.New("corrupt checkpoint record")
	}
	rec.proofFrom = int64(from)
	buf = buf[k1+k2:]
	rec.proof = make(merkle.ConsistencyProof, count)
	for i := range rec.proof {
		copy(rec.proof[i][:], buf[i*32:])
	}
	cp, err := merkle.OpenCheckpoint(rec.cp.Note, f.verifier)
	if err != nil {
		return rec, fmt.Errorf("stored checkpoint: %w", err)
	}
	rec.cp.Checkpoint = cp
	return rec, nil
}

func (f *Feed) readCheckpoint(size int64) (checkpointRecord, error) {
	val, closer, err := f.s.db.Get(feedKey(f.pub, kindCheckpoint, uint64(size)))
	if errors.Is(err, pebble.ErrNotFound) {
		return checkpointRecord{}, fmt.Errorf("feed %s: no checkpoint of size %d held: %w", f.Address(), size, ErrNotFound)
	}
	if err != nil {
		return checkpointRecord{}, err
	}
	defer closer.Close()
	return f.decodeCheckpoint(val)
}

func (f *Feed) lastCheckpoint() (rec checkpointRecord, ok bool, err error) {
	lo, hi := kindBounds(f.pub, kindCheckpoint)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return rec, false, err
	}
	defer it.Close()
	if !it.Last() {
		return rec, false, it.Error()
	}
	val, err := it.ValueAndErr()
	if err != nil {
		return rec, false, err
	}
	rec, err = f.decodeCheckpoint(val)
	return rec, err == nil, err
}

func (f *Feed) scanCheckpoints(fn func(rec checkpointRecord) error) error {
	lo, hi := kindBounds(f.pub, kindCheckpoint)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		val, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		rec, err := f.decodeCheckpoint(val)
		if err != nil {
			return fmt.Errorf("checkpoint of size %d: %w", keySuffix(it.Key()), err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return it.Error()
}

func (f *Feed) readRanges() (RangeSet, error) {
	lo, hi := kindBounds(f.pub, kindRange)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rs RangeSet
	for ok := it.First(); ok; ok = it.Next() {
		if len(it.Value()) != 8 {
			return nil, errors.New("corrupt range record")
		}
		rs = append(rs, Range{int64(keySuffix(it.Key())), int64(binary.BigEndian.Uint64(it.Value()))})
	}
	return rs, it.Error()
}

// putRanges writes the difference between the old and new range sets.
func (f *Feed) putRanges(b *pebble.Batch, old, new RangeSet) error {
	inNew := make(map[Range]bool, len(new))
	for _, r := range new {
		inNew[r] = true
	}
	inOld := make(map[Range]bool, len(old))
	for _, r := range old {
		inOld[r] = true
		if !inNew[r] {
			if err := b.Delete(feedKey(f.pub, kindRange, uint64(r.Lo)), nil); err != nil {
				return err
			}
		}
	}
	for _, r := range new {
		if !inOld[r] {
			if err := b.Set(feedKey(f.pub, kindRange, uint64(r.Lo)), be64(uint64(r.Hi)), nil); err != nil {
				return err
			}
		}
	}
	return nil
}
