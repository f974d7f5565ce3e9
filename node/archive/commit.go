package archive

import (
	"fmt"
	pathpkg "path"
	"sort"
	"time"

	"github.com/steledb/stele/graphdb"
)

// commit turns the new tree into one transaction: the files' changes,
// the entities of new chunks, and the version's metadata.
func (p *publisher) commit(scanned time.Time) (PublishResult, error) {
	ops := p.fileOps()
	if len(ops) == 0 {
		p.result.Version = p.base.Version
		p.a.verifiedUnchanged(p.base.Version, scanned)
		return p.result, nil
	}
	for _, h := range p.newRefs {
		ops = append(ops, graphdb.Entity{attrChunkHash: graphdb.Bytes(h[:]), attrChunkEntry: p.known[h]})
	}
	tx := graphdb.Entity{":db/id": graphdb.TxEntity, attrContentLength: p.contentLen,
		attrBytesAdded: p.result.BytesAdded, attrScanned: scanned.UnixNano()}
	if p.opts.Message != "" {
		tx[attrMessage] = p.opts.Message
	}
	r, err := p.a.meta.Transact(append(ops, tx))
	if err != nil {
		return p.result, fmt.Errorf("publish to %s: %w", p.a.Address(), err)
	}
	p.result.Version, p.result.Changed = r.Tx+1, true
	return p.result, nil
}

// fileOps returns the operations that turn the latest version's files
// into the new ones, and counts the changes.
func (p *publisher) fileOps() []graphdb.Op {
	next := make(map[string]*File, len(p.next))
	for _, f := range p.next {
		next[f.Path] = f
	}
	renamedFrom, renamedOld := p.renames(next)
	var ops []graphdb.Op
	for _, f := range p.next {
		old, ok := p.base.files[f.Path]
		from, renamed := renamedFrom[f.Path]
		switch {
		case ok:
			if changes := diffOps(old.entity, fileValues(old), fileValues(f)); len(changes) > 0 {
				ops = append(ops, changes...)
				p.result.Modified++
			}
		case renamed:
			ops = append(ops, diffOps(from.entity, fileValues(from), fileValues(f))...)
			p.result.Renamed++
		default:
			e := graphdb.Entity{}
			for a, v := range fileValues(f) {
				e[a] = v
			}
			ops = append(ops, e)
			p.result.Added++
		}
	}
	for _, path := range p.base.paths {
		old := p.base.files[path]
		if _, kept := next[path]; !kept && !renamedOld[path] {
			ops = append(ops, graphdb.RetractEntity{E: old.entity})
			p.result.Deleted++
		}
	}
	return ops
}

// renames pairs files that left the tree with new files of identical
// content: the new path keeps the old file's entity, so its history
// follows the rename. Among several new files with the content of a file
// that left, the one that kept its modification time and mode (as a
// rename does), then its name, is preferred; ties go in path order.
func (p *publisher) renames(next map[string]*File) (from map[string]*File, renamedOld map[string]bool) {
	arrived := map[Hash][]*File{}
	for _, f := range p.next {
		if _, existed := p.base.files[f.Path]; !existed && f.Kind == KindFile {
			arrived[f.Hash] = append(arrived[f.Hash], f)
		}
	}
	from, renamedOld = map[string]*File{}, map[string]bool{}
	for _, path := range p.base.paths {
		old := p.base.files[path]
		if old.Kind != KindFile || next[path] != nil {
			continue
		}
		best, bestScore := -1, -1
		for i, f := range arrived[old.Hash] {
			if _, taken := from[f.Path]; !taken && renameScore(old, f) > bestScore {
				best, bestScore = i, renameScore(old, f)
			}
		}
		if best >= 0 {
			from[arrived[old.Hash][best].Path] = old
			renamedOld[path] = true
		}
	}
	return from, renamedOld
}

// renameScore says how much f looks like old moved.
func renameScore(old, f *File) int {
	score := 0
	if old.Mtime.Equal(f.Mtime) {
		score += 4
	}
	if old.Mode == f.Mode {
		score += 2
	}
	if pathpkg.Base(old.Path) == pathpkg.Base(f.Path) {
		score++
	}
	return score
}

// fileValues are the attribute values of a file entity.
func fileValues(f *File) map[string]graphdb.Value {
	v := map[string]graphdb.Value{attrPath: graphdb.String(f.Path), attrKind: graphdb.Keyword(f.Kind.keyword())}
	switch f.Kind {
	case KindDir:
		v[attrMode] = graphdb.Long(int64(f.Mode))
	case KindSymlink:
		v[attrTarget] = graphdb.String(f.Target)
	case KindFile:
		v[attrMode] = graphdb.Long(int64(f.Mode))
		v[attrSize] = graphdb.Long(f.Size)
		v[attrMtime] = graphdb.Long(f.Mtime.UnixNano())
		v[attrHash] = graphdb.Bytes(f.Hash[:])
		v[attrChunks] = graphdb.Bytes(FormatChunks(f.Chunks))
	}
	return v
}

// diffOps asserts the values of e that change and retracts those that go.
func diffOps(e graphdb.EID, old, new map[string]graphdb.Value) []graphdb.Op {
	attrs := make([]string, 0, len(old)+len(new))
	for a := range new {
		attrs = append(attrs, a)
	}
	for a := range old {
		if _, ok := new[a]; !ok {
			attrs = append(attrs, a)
		}
	}
	sort.Strings(attrs) // deterministic transactions
	var ops []graphdb.Op
	for _, a := range attrs {
		nv, inNew := new[a]
		ov, inOld := old[a]
		switch {
		case inNew && (!inOld || ov != nv):
			ops = append(ops, graphdb.Add{E: e, A: a, V: nv})
		case !inNew:
			ops = append(ops, graphdb.Retract{E: e, A: a, V: ov})
		}
	}
	return ops
}
