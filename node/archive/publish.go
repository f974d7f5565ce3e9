package archive

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/graphdb"
)

// PublishOptions tune Publish.
type PublishOptions struct {
	Message string
	// Now is when the directory is read (default time.Now): files modified
	// within RacyWindow before it are re-read by the next Publish even if
	// their size, time and mode look unchanged.
	Now func() time.Time
	// Progress, if set, is called with the bytes read so far and the
	// bytes to read.
	Progress func(done, total int64)
}

// RacyWindow is how close to a publish a file's modification time must
// be for the next publish to distrust it: a file changed twice within the
// file system's timestamp granularity keeps its time and size.
const RacyWindow = 2 * time.Second

// A PublishResult says what a Publish did.
type PublishResult struct {
	Version                            int64 // the new version, or the unchanged latest one
	Changed                            bool  // false: nothing changed, no version was made
	Added, Modified, Deleted, Renamed  int
	BytesRead, BytesAdded, ChunksAdded int64
	Skipped                            []string // paths of kinds an archive cannot hold
}

// Publish makes a new version of the archive holding what dir holds now,
// minus what .steleignore files exclude, as one metadata transaction. It
// reads only files whose size, modification time or mode changed since
// the latest version (or whose time is too recent to trust), appends the
// chunks the archive does not hold yet to the content feed (durably,
// before the transaction that references them), and keeps the entity of
// a file renamed with identical content. If nothing changed it makes no
// version.
func (a *Archive) Publish(ctx context.Context, dir string, opts PublishOptions) (PublishResult, error) {
	if !a.IsAuthor() {
		return PublishResult{}, fmt.Errorf("publish to %s: %w", a.Address(), feed.ErrNotAuthor)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	scanned := now()
	local, err := scanDir(dir)
	if err != nil {
		return PublishResult{}, err
	}
	db, err := a.meta.DB()
	if err != nil {
		return PublishResult{}, err
	}
	base, err := loadSnapshot(db, a.attrs, db.Basis())
	if err != nil {
		return PublishResult{}, fmt.Errorf("archive %s: %w", a.Address(), err)
	}
	p := &publisher{a: a, db: db, base: base, dir: dir, opts: opts, known: map[Hash]int64{}}
	p.result.Skipped = local.skipped
	if err := p.plan(local, a.lastScan(db)); err != nil {
		return PublishResult{}, err
	}
	if err := p.readChanged(ctx); err != nil {
		return PublishResult{}, err
	}
	return p.commit(scanned)
}

// lastScan is when a publish last read the directory and found what the
// latest version holds: the latest version's own scan, or a later one
// that found nothing changed (remembered in memory only, so --watch does
// not re-read recently written files at every tick).
func (a *Archive) lastScan(db *graphdb.DB) int64 {
	last := int64(0)
	for pos := db.Basis() - 1; pos >= 0; pos-- {
		if v, ok := db.Value(graphdb.TxEID(pos), a.attrs.scanned); ok {
			last = v.Long()
			break
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.verified.version == db.Basis() {
		last = max(last, a.verified.scanned)
	}
	return last
}

// verifiedUnchanged remembers that a scan found the directory as version
// holds it.
func (a *Archive) verifiedUnchanged(version int64, scanned time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.verified.version, a.verified.scanned = version, scanned.UnixNano()
}

// A publisher carries one Publish from plan to commit.
type publisher struct {
	a    *Archive
	db   *graphdb.DB
	base *Snapshot
	dir  string
	opts PublishOptions

	next    []*File      // the new version's files
	toRead  []*localFile // files whose content must be read
	reading map[*localFile]*File

	known        map[Hash]int64 // chunks appended by this publish (or orphaned by a failed one)
	newRefs      []Hash         // chunks needing a chunk entity, in append order
	pending      []feed.Leaf    // chunks waiting to be appended
	pendingBytes int64
	appender     *contentAppender
	free         chan []byte // chunk buffers to reuse
	contentLen   int64       // the content feed's length once pending is appended
	result       PublishResult
}

// plan compares the scan with the latest version: unchanged files keep
// their content; the others are read.
func (p *publisher) plan(local *scan, lastScan int64) error {
	p.reading = map[*localFile]*File{}
	total := int64(0)
	for i := range local.files {
		lf := &local.files[i]
		f := &File{Path: lf.path, Kind: lf.kind, Mode: lf.mode, Target: lf.target}
		if old, ok := p.base.files[lf.path]; ok && old.Kind == lf.kind && lf.kind == KindFile &&
			old.Size == lf.size && old.Mtime.UnixNano() == lf.mtime && !isRacy(lf.mtime, lastScan) {
			f.Size, f.Mtime, f.Hash, f.Chunks = old.Size, old.Mtime, old.Hash, old.Chunks
		} else if lf.kind == KindFile {
			f.Mtime = time.Unix(0, lf.mtime)
			p.toRead = append(p.toRead, lf)
			p.reading[lf] = f
			total += lf.size
		}
		p.next = append(p.next, f)
	}
	files := make(map[string]*File, len(p.next))
	paths := make([]string, len(p.next))
	for i, f := range p.next {
		files[f.Path], paths[i] = f, f.Path
	}
	if err := checkTree(files, paths); err != nil {
		return fmt.Errorf("cannot publish %s: %w (list it in %s to leave it out)", p.dir, err, IgnoreFile)
	}
	p.result.BytesRead = total // updated with what was really read
	return nil
}

// isRacy reports whether a modification time is too close to the last
// publish's scan to prove the file unchanged since.
func isRacy(mtime, lastScan int64) bool {
	return mtime >= lastScan-int64(RacyWindow)
}

// appendBatch is how many content bytes Publish gathers per append: one
// fsync and one signature per batch.
const appendBatch = 8 << 20

// readChanged reads the files that changed, in path order, and appends
// the chunks the archive lacks.
func (p *publisher) readChanged(ctx context.Context) error {
	if err := p.adoptOrphans(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.free = make(chan []byte, freeChunks)
	p.appender = newContentAppender(p.a.content, p.free)
	err := p.readAll(ctx)
	if cerr := p.appender.close(); err == nil && cerr != nil {
		err = fmt.Errorf("publish to %s: %w", p.a.Address(), cerr)
	}
	return err
}

// freeChunks is how many chunk buffers wait for reuse.
const freeChunks = 128

// readAll drains the readers in file order and queues new chunks.
func (p *publisher) readAll(ctx context.Context) error {
	total, done := p.result.BytesRead, int64(0)
	p.result.BytesRead = 0
	vanished := map[string]bool{}
	for job := range readFiles(ctx, p.a.format, p.dir, p.toRead, p.free) {
		f := p.reading[job.file]
		for c := range job.chunks {
			if err := p.addChunk(f, c); err != nil {
				return err
			}
			done += int64(len(c.leaf.Entry()))
			if p.opts.Progress != nil {
				p.opts.Progress(done, max(total, done))
			}
		}
		res := <-job.done
		switch {
		case res.err != nil:
			return fmt.Errorf("publish %s: %w", job.full, res.err)
		case res.missing:
			vanished[f.Path] = true
		default:
			f.Hash, f.Size = res.hash, res.size
			p.result.BytesRead += res.size
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(vanished) > 0 {
		p.dropVanished(vanished)
	}
	return p.flush()
}

// dropVanished leaves out files deleted while Publish ran, and whatever
// their removal leaves unsound (nothing: a file has no children).
func (p *publisher) dropVanished(vanished map[string]bool) {
	kept := p.next[:0]
	for _, f := range p.next {
		if !vanished[f.Path] {
			kept = append(kept, f)
		}
	}
	p.next = kept
}

// addChunk adds a chunk to f's list, appending it unless the archive
// already holds the same content.
func (p *publisher) addChunk(f *File, c chunkData) error {
	size := int64(len(c.leaf.Entry()))
	if entry, ok := p.lookupChunk(c.hash); ok {
		f.Chunks = append(f.Chunks, ChunkRef{Entry: entry, Size: size})
		recycle(p.free, c.leaf.Entry())
		return nil
	}
	entry := p.contentLen
	p.contentLen++
	p.known[c.hash] = entry
	p.newRefs = append(p.newRefs, c.hash)
	p.pending = append(p.pending, c.leaf)
	p.pendingBytes += size
	p.result.BytesAdded += size
	p.result.ChunksAdded++
	f.Chunks = append(f.Chunks, ChunkRef{Entry: entry, Size: size})
	if p.pendingBytes >= appendBatch {
		return p.flush()
	}
	return nil
}

// lookupChunk finds a chunk in this publish or in the archive's index.
func (p *publisher) lookupChunk(h Hash) (int64, bool) {
	if entry, ok := p.known[h]; ok {
		return entry, true
	}
	e, ok := p.db.Lookup(p.a.attrs.chunkHash, graphdb.Bytes(h[:]))
	if !ok {
		return 0, false
	}
	entry, ok := p.db.Value(e, p.a.attrs.chunkEntry)
	return entry.Long(), ok && entry.Long() >= 0 && entry.Long() < p.contentLen
}

// flush hands the pending chunks to the appender.
func (p *publisher) flush() error {
	if len(p.pending) == 0 {
		return nil
	}
	b := contentBatch{lo: p.contentLen - int64(len(p.pending)), chunks: p.pending}
	p.pending, p.pendingBytes = nil, 0
	if err := p.appender.add(b); err != nil {
		return fmt.Errorf("publish to %s: %w", p.a.Address(), err)
	}
	return nil
}

// adoptOrphans indexes content entries appended by a publish that failed
// before its transaction (they are past the latest version's content
// length), so they are reused rather than appended again. Only that tail
// is read, never the whole content feed.
func (p *publisher) adoptOrphans() error {
	p.contentLen = p.a.content.Len()
	from := p.a.contentLength(p.db)
	if from >= p.contentLen {
		return nil
	}
	adopt := func(i int64, h Hash) {
		if _, ok := p.lookupChunk(h); !ok {
			p.known[h] = i
			p.newRefs = append(p.newRefs, h)
		}
	}
	if !p.a.format.ofLeaves() {
		return p.a.content.Scan(from, p.contentLen, func(i int64, data []byte) error {
			adopt(i, sha256.Sum256(data))
			return nil
		})
	}
	// A chunk's hash is its leaf hash: nothing to read but the tree.
	leaves, err := p.a.content.LeafHashes(from, p.contentLen)
	if err != nil {
		return err
	}
	for i, h := range leaves {
		adopt(from+int64(i), Hash(h))
	}
	return nil
}

// contentLength is the content length the latest version needs.
func (a *Archive) contentLength(db *graphdb.DB) int64 {
	for pos := db.Basis() - 1; pos >= 0; pos-- {
		if v, ok := db.Value(graphdb.TxEID(pos), a.attrs.contentLength); ok {
			return v.Long()
		}
	}
	return 0
}
