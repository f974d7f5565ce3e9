package archive

import (
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/steledb/stele/graphdb"
)

// A Hash is a file's or a chunk's hash (see the package doc, Hashes).
type Hash [32]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// A File is one path of an archive version.
type File struct {
	Path   string
	Kind   Kind
	Size   int64       // files only
	Mode   fs.FileMode // permission bits; files and directories
	Mtime  time.Time   // files only
	Hash   Hash        // files only
	Chunks []ChunkRef  // files only: their sizes add up to Size
	Target string      // symlinks only

	entity graphdb.EID
}

// A Snapshot is the tree of files of one archive version.
type Snapshot struct {
	Version int64
	files   map[string]*File
	paths   []string // sorted
}

// Files returns every path of the version in path order.
func (s *Snapshot) Files() []*File {
	out := make([]*File, len(s.paths))
	for i, p := range s.paths {
		out[i] = s.files[p]
	}
	return out
}

// Len is the number of paths.
func (s *Snapshot) Len() int { return len(s.paths) }

// File returns the path p, without following symlinks.
func (s *Snapshot) File(p string) (*File, bool) {
	f, ok := s.files[p]
	return f, ok
}

// Resolve returns what p names once the version's symlinks are followed:
// a file or a directory, or nil for the root. ok is false if nothing
// is there.
func (s *Snapshot) Resolve(p string) (f *File, ok bool) {
	p = strings.Trim(p, "/")
	if p == "" || p == "." {
		return nil, true
	}
	real, err := resolvePath(s.files, p)
	if err != nil {
		return nil, false
	}
	if real == "" {
		return nil, true
	}
	f, ok = s.files[real]
	if !ok && s.isImplicitDir(real) {
		return &File{Path: real, Kind: KindDir, Mode: 0o755}, true
	}
	return f, ok
}

// isImplicitDir reports whether p is the parent of some path without
// being held itself (archives written by Publish hold every directory,
// others need not).
func (s *Snapshot) isImplicitDir(p string) bool {
	i := sort.SearchStrings(s.paths, p+"/")
	return i < len(s.paths) && strings.HasPrefix(s.paths[i], p+"/")
}

// List returns the paths directly inside directory dir ("" for the root),
// in path order.
func (s *Snapshot) List(dir string) []*File {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	var out []*File
	seen := map[string]bool{}
	for i := sort.SearchStrings(s.paths, prefix); i < len(s.paths) && strings.HasPrefix(s.paths[i], prefix); i++ {
		rest := s.paths[i][len(prefix):]
		name, _, deeper := strings.Cut(rest, "/")
		child := prefix + name
		if seen[child] {
			continue
		}
		seen[child] = true
		if f, ok := s.files[child]; ok {
			out = append(out, f)
		} else if deeper {
			out = append(out, &File{Path: child, Kind: KindDir, Mode: 0o755})
		}
	}
	return out
}

// schemaAttrs are the archive attributes of one database, resolved once.
type schemaAttrs struct {
	path, kind, size, mode, mtime, hash, chunks, target graphdb.EID
	chunkHash, chunkEntry                               graphdb.EID
	content, format, message, contentLength, bytesAdded graphdb.EID
	scanned, txInstant                                  graphdb.EID
}

// resolveAttrs finds the archive attributes in db; ok is false if db is
// not an archive's.
func resolveAttrs(db *graphdb.DB) (schemaAttrs, bool) {
	var a schemaAttrs
	ok := true
	for _, x := range []struct {
		dst   *graphdb.EID
		ident string
	}{
		{&a.path, attrPath}, {&a.kind, attrKind}, {&a.size, attrSize}, {&a.mode, attrMode},
		{&a.mtime, attrMtime}, {&a.hash, attrHash}, {&a.chunks, attrChunks}, {&a.target, attrTarget},
		{&a.chunkHash, attrChunkHash}, {&a.chunkEntry, attrChunkEntry}, {&a.content, attrContent}, {&a.format, attrFormat},
		{&a.message, attrMessage}, {&a.contentLength, attrContentLength}, {&a.bytesAdded, attrBytesAdded},
		{&a.scanned, attrScanned}, {&a.txInstant, ":db/txInstant"},
	} {
		e, found := db.Ident(x.ident)
		*x.dst = e
		ok = ok && found
	}
	return a, ok
}

// loadSnapshot reads the files of db (an archive's database as of some
// version) and checks that they are well formed and safe to write out.
func loadSnapshot(db *graphdb.DB, attrs schemaAttrs, version int64) (*Snapshot, error) {
	s := &Snapshot{Version: version, files: map[string]*File{}}
	for d := range db.Datoms(graphdb.AEVT, graphdb.Ref(attrs.path)) {
		p := d.V.Str()
		if _, dup := s.files[p]; dup {
			return nil, &UnsafePathError{Path: p, Reason: "held twice"}
		}
		f, err := readFile(db, attrs, d.E, p)
		if err != nil {
			return nil, err
		}
		s.files[p] = f
		s.paths = append(s.paths, p)
	}
	sort.Strings(s.paths)
	if err := checkTree(s.files, s.paths); err != nil {
		return nil, err
	}
	return s, nil
}

// readFile reads the attributes of file entity e and checks them.
func readFile(db *graphdb.DB, attrs schemaAttrs, e graphdb.EID, p string) (*File, error) {
	if err := CheckPath(p); err != nil {
		return nil, err
	}
	return readEntity(db, attrs, e, p)
}

// readEntity reads the attributes of the entity e at path p, which it
// does not check, and checks them.
func readEntity(db *graphdb.DB, attrs schemaAttrs, e graphdb.EID, p string) (*File, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("malformed archive: %q: %s", p, fmt.Sprintf(format, args...))
	}
	f := &File{Path: p, entity: e}
	kind, _ := db.Value(e, attrs.kind)
	var ok bool
	if f.Kind, ok = parseKind(kind.Str()); !ok {
		return nil, bad("kind %s is not file, dir or symlink", kind)
	}
	if mode, ok := db.Value(e, attrs.mode); ok {
		if mode.Long() < 0 || mode.Long() > 0o777 {
			return nil, bad("mode %o is not permission bits", mode.Long())
		}
		f.Mode = fs.FileMode(mode.Long())
	}
	switch f.Kind {
	case KindSymlink:
		target, _ := db.Value(e, attrs.target)
		if f.Target = target.Str(); f.Target == "" {
			return nil, bad("symlink without a target")
		}
	case KindFile:
		return f, readContent(db, attrs, f, bad)
	}
	return f, nil
}

// readContent reads a file's size, time, hash and chunk list.
func readContent(db *graphdb.DB, attrs schemaAttrs, f *File, bad func(string, ...any) error) error {
	size, _ := db.Value(f.entity, attrs.size)
	mtime, _ := db.Value(f.entity, attrs.mtime)
	hash, _ := db.Value(f.entity, attrs.hash)
	chunks, _ := db.Value(f.entity, attrs.chunks)
	if f.Size = size.Long(); size.Kind() != graphdb.KindLong || f.Size < 0 {
		return bad("no valid size")
	}
	f.Mtime = time.Unix(0, mtime.Long())
	if len(hash.Str()) != len(f.Hash) {
		return bad("no valid content hash")
	}
	copy(f.Hash[:], hash.Str())
	refs, err := ParseChunks([]byte(chunks.Str()))
	if err != nil {
		return bad("%v", err)
	}
	total := int64(0)
	for _, r := range refs {
		total += r.Size
		if total > f.Size || total < 0 {
			break
		}
	}
	if total != f.Size {
		return bad("chunks hold %d bytes, the size is %d", total, f.Size)
	}
	f.Chunks = refs
	return nil
}
