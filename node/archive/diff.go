package archive

import (
	"sort"
	"strings"

	"github.com/steledb/stele/graphdb"
)

// A ChangeOp is what happened to a path between two versions.
type ChangeOp string

// Change operations.
const (
	Added    ChangeOp = "added"
	Removed  ChangeOp = "removed"
	Modified ChangeOp = "modified"
	Renamed  ChangeOp = "renamed"
)

// A Change is one path that differs between two versions.
type Change struct {
	Op   ChangeOp
	Path string // the path in the later version (the removed path for Removed)
	From string // Renamed: the path in the earlier version
	Kind Kind
	// What differs for Modified and Renamed: some of "kind", "content",
	// "mode", "time", "target", comma-separated.
	What string
}

// Diff returns the paths that differ between versions v1 and v2 (in
// either order), in path order. A file keeps its entity when it is
// renamed, so a rename shows as one change, not a removal and an
// addition.
func (a *Archive) Diff(v1, v2 int64) ([]Change, error) {
	s1, err := a.Snapshot(v1)
	if err != nil {
		return nil, err
	}
	s2, err := a.Snapshot(v2)
	if err != nil {
		return nil, err
	}
	return diffSnapshots(s1, s2), nil
}

func diffSnapshots(s1, s2 *Snapshot) []Change {
	before := make(map[graphdb.EID]*File, len(s1.paths))
	for _, f := range s1.files {
		before[f.entity] = f
	}
	var out []Change
	for _, f := range s2.files {
		old, ok := before[f.entity]
		delete(before, f.entity)
		switch {
		case !ok:
			out = append(out, Change{Op: Added, Path: f.Path, Kind: f.Kind})
		case old.Path != f.Path:
			out = append(out, Change{Op: Renamed, Path: f.Path, From: old.Path, Kind: f.Kind, What: whatDiffers(old, f)})
		case !sameFile(old, f):
			out = append(out, Change{Op: Modified, Path: f.Path, Kind: f.Kind, What: whatDiffers(old, f)})
		}
	}
	for _, old := range before {
		out = append(out, Change{Op: Removed, Path: old.Path, Kind: old.Kind})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func whatDiffers(a, b *File) string {
	var what []string
	for _, d := range []struct {
		name string
		same bool
	}{
		{"kind", a.Kind == b.Kind},
		{"content", a.Hash == b.Hash && a.Size == b.Size},
		{"mode", a.Mode == b.Mode},
		{"time", a.Mtime.Equal(b.Mtime)},
		{"target", a.Target == b.Target},
	} {
		if !d.same {
			what = append(what, d.name)
		}
	}
	return strings.Join(what, ",")
}
