package archive

import (
	"github.com/steledb/stele/graphdb"
)

// Attribute idents of the archive schema (see the package doc). They live
// in the stele.* namespaces, which record datasets may not use.
const (
	attrContent = ":stele.archive/content" // string: the content feed's address
	attrFormat  = ":stele.archive/format"  // long: FormatVersion

	attrPath   = ":stele.file/path"   // string, unique identity
	attrKind   = ":stele.file/kind"   // keyword :stele.kind/file, dir or symlink
	attrSize   = ":stele.file/size"   // long
	attrMode   = ":stele.file/mode"   // long: permission bits
	attrMtime  = ":stele.file/mtime"  // long: nanoseconds since the Unix epoch
	attrHash   = ":stele.file/hash"   // bytes: the content's hash (package doc, Hashes)
	attrChunks = ":stele.file/chunks" // bytes: the chunk list
	attrTarget = ":stele.file/target" // string: a symlink's target

	attrChunkHash  = ":stele.chunk/hash"  // bytes: the chunk's hash, unique identity
	attrChunkEntry = ":stele.chunk/entry" // long: the content entry holding it

	attrMessage       = ":stele.version/message"        // string
	attrContentLength = ":stele.version/content-length" // long: content entries the version needs
	attrBytesAdded    = ":stele.version/bytes-added"    // long: content bytes it appended
	attrScanned       = ":stele.version/scanned"        // long: when Publish began reading the directory (ns)
)

// FormatVersion is the version of the archive format this package writes
// (it reads formats 1 and 2; see the package doc, Hashes).
const FormatVersion = 2

// schemaOps declares the archive attributes: the first transaction of
// every archive.
func schemaOps() []graphdb.Op {
	kw := graphdb.Keyword
	attr := func(ident, typ string, extra ...any) graphdb.Entity {
		e := graphdb.Entity{":db/ident": kw(ident), ":db/valueType": kw(":db.type/" + typ), ":db/cardinality": kw(":db.cardinality/one")}
		for i := 0; i+1 < len(extra); i += 2 {
			e[extra[i].(string)] = extra[i+1]
		}
		return e
	}
	identity := []any{":db/unique", kw(":db.unique/identity")}
	return []graphdb.Op{
		attr(attrContent, "string", ":db/doc", "the address of the archive's content feed"),
		attr(attrFormat, "long", ":db/doc", "the archive format version"),
		attr(attrPath, "string", append(identity, ":db/doc", "a file's path in the archive: relative, slash-separated, clean")...),
		attr(attrKind, "keyword", ":db/doc", "file, dir or symlink"),
		attr(attrSize, "long", ":db/doc", "the file's length in bytes"),
		attr(attrMode, "long", ":db/doc", "the permission bits (0o777)"),
		attr(attrMtime, "long", ":db/doc", "the modification time in nanoseconds since the Unix epoch"),
		attr(attrHash, "bytes", ":db/doc", "the hash of the file's content: the RFC 6962 root of its chunks' leaf hashes (format 2)"),
		attr(attrChunks, "bytes", ":db/doc", "the file's chunk list: content entries and sizes"),
		attr(attrTarget, "string", ":db/doc", "a symlink's target"),
		attr(attrChunkHash, "bytes", append(identity, ":db/doc", "the hash of a chunk of content: its content feed leaf hash (format 2)")...),
		attr(attrChunkEntry, "long", ":db/doc", "the content feed entry holding the chunk"),
		attr(attrMessage, "string", ":db/doc", "what the version is about"),
		attr(attrContentLength, "long", ":db/doc", "the content feed length the version needs"),
		attr(attrBytesAdded, "long", ":db/doc", "the content bytes the version appended"),
		attr(attrScanned, "long", ":db/doc", "when the publish began reading the directory, in nanoseconds since the Unix epoch"),
	}
}

// The keywords of :stele.file/kind.
const (
	kindFileIdent    = ":stele.kind/file"
	kindDirIdent     = ":stele.kind/dir"
	kindSymlinkIdent = ":stele.kind/symlink"
)

// A Kind is what a path of an archive is.
type Kind uint8

// Kinds of paths.
const (
	KindFile Kind = iota + 1
	KindDir
	KindSymlink
)

func (k Kind) String() string {
	switch k {
	case KindFile:
		return "file"
	case KindDir:
		return "directory"
	case KindSymlink:
		return "symlink"
	}
	return "unknown"
}

func (k Kind) keyword() string {
	switch k {
	case KindFile:
		return kindFileIdent
	case KindDir:
		return kindDirIdent
	case KindSymlink:
		return kindSymlinkIdent
	}
	panic("archive: invalid kind")
}

func parseKind(kw string) (Kind, bool) {
	switch kw {
	case kindFileIdent:
		return KindFile, true
	case kindDirIdent:
		return KindDir, true
	case kindSymlinkIdent:
		return KindSymlink, true
	}
	return 0, false
}
