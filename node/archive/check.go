package archive

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/steledb/stele/graphdb"
)

// A CheckResult is what CheckFiles found.
type CheckResult struct {
	Version int64
	Checked int // files whose chunks are held, each matching its hash
	NotHeld int // files with chunks this replica does not hold, not checked
}

// CheckFiles checks every file of version at (0: the latest) whose
// chunks the content feed holds against the file's hash, as a clone
// would, without writing anything or fetching what is not held (a sparse
// replica checks what it has). In format 2 that reads only the leaf
// hashes stored with the entries, which the feed's own Verify checks
// against the entries; in format 1 it reads and hashes the content. It
// fails, wrapping ErrCorrupt, naming the first file that does not match.
func (a *Archive) CheckFiles(ctx context.Context, at int64, progress func(done, total int64)) (CheckResult, error) {
	snap, err := a.Snapshot(at)
	if err != nil {
		return CheckResult{}, err
	}
	res := CheckResult{Version: snap.Version}
	files := snap.Files()
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if progress != nil {
			progress(int64(i), int64(len(files)))
		}
		if f.Kind != KindFile {
			continue
		}
		if err := a.checkIfHeld(ctx, f, snap.Version, &res.Checked, &res.NotHeld); err != nil {
			return res, err
		}
	}
	return res, nil
}

// checkIfHeld checks f, a file of version v, against its hash if its
// chunks are held, and counts it in checked or notHeld.
func (a *Archive) checkIfHeld(ctx context.Context, f *File, v int64, checked, notHeld *int) error {
	if !a.holdsChunks(f) {
		*notHeld++
		return nil
	}
	if err := a.checkFile(ctx, f); err != nil {
		return fmt.Errorf("version %d: %w", v, err)
	}
	*checked++
	return nil
}

// holdsChunks reports whether every chunk of f is held.
func (a *Archive) holdsChunks(f *File) bool {
	held := a.content.Ranges()
	for _, run := range chunkRuns(f.Chunks) {
		if !held.Covers(run.lo, run.hi) {
			return false
		}
	}
	return true
}

// checkFile checks f, whose chunks are held, against its hash.
func (a *Archive) checkFile(ctx context.Context, f *File) error {
	h := a.format.newFileHash()
	if !h.ofLeaves() {
		_, err := a.copyFile(ctx, LocalHolder{}, io.Discard, f)
		return err
	}
	for _, run := range chunkRuns(f.Chunks) {
		if err := a.addLeaves(h, run.lo, run.hi); err != nil {
			return fmt.Errorf("read %s: %w", f.Path, err)
		}
	}
	return h.check(f)
}

// A HistoryCheck is what CheckHistory found.
type HistoryCheck struct {
	Versions int64 // versions looked at: 1 to the latest
	Checked  int   // distinct file contents held, each matching its hash
	NotHeld  int   // distinct file contents with chunks not held here
}

// CheckHistory checks the files of every version, as CheckFiles checks
// one version's, each distinct content (hash and chunk list) once: a
// file that a version only touched, renamed or kept is not checked
// again, so the cost is that of the content the archive ever held. It
// fails, wrapping ErrCorrupt, naming the first version and file that do
// not match.
func (a *Archive) CheckHistory(ctx context.Context, progress func(done, total int64)) (HistoryCheck, error) {
	db, err := a.meta.DB()
	if err != nil {
		return HistoryCheck{}, err
	}
	res := HistoryCheck{Versions: db.Basis()}
	seen := make(map[string]bool)
	for pos := range db.Basis() {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if progress != nil {
			progress(pos, db.Basis())
		}
		view := db.AsOf(pos + 1)
		for _, e := range a.filesTouched(db, pos) {
			f, ok, err := a.historyFile(view, e)
			if err != nil {
				return res, fmt.Errorf("version %d: %w", pos+1, err)
			}
			if !ok {
				continue
			}
			key := contentKey(f)
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := a.checkIfHeld(ctx, f, pos+1, &res.Checked, &res.NotHeld); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// filesTouched returns the file entities whose attributes the
// transaction at pos changed.
func (a *Archive) filesTouched(db *graphdb.DB, pos int64) []graphdb.EID {
	var out []graphdb.EID
	for _, d := range db.TxDatoms(pos) { // in EAVT order: an entity's datoms are together
		if d.E.Part() == graphdb.PartUser && a.isFileAttr(d.A) && (len(out) == 0 || out[len(out)-1] != d.E) {
			out = append(out, d.E)
		}
	}
	return out
}

// historyFile reads entity e of view if it is a regular file there. Its
// path is not checked: a path a clone would refuse (UnsafePathError) is
// not what a check of content is about.
func (a *Archive) historyFile(view *graphdb.DB, e graphdb.EID) (*File, bool, error) {
	p, ok := view.Value(e, a.attrs.path)
	if !ok {
		return nil, false, nil // retracted by this version
	}
	f, err := readEntity(view, a.attrs, e, p.Str())
	if err != nil || f.Kind != KindFile {
		return nil, false, err
	}
	return f, true, nil
}

// contentKey identifies a file's content: its hash and chunk list.
func contentKey(f *File) string {
	b := append([]byte(nil), f.Hash[:]...)
	for _, c := range f.Chunks {
		b = binary.AppendUvarint(b, uint64(c.Entry))
		b = binary.AppendUvarint(b, uint64(c.Size))
	}
	return string(b)
}
