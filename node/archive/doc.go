// Package archive keeps datasets as mutable archives: a directory tree
// (or a set of records) published under one address, where every version
// stays addressable, any version can be cloned, a file can be read without
// fetching the rest, and identical content is stored once across files and
// versions. Dat's archives and Hyperdrive are the models.
//
// # Feeds
//
// An archive is two feeds, both authored by the publisher:
//
//   - the metadata feed, whose entries are graphdb transactions: its graph
//     database holds the files as entities (node/dbs keeps it materialized).
//     The archive's address is this feed's address;
//   - the content feed, one entry per chunk of content, raw bytes.
//
// The first transaction of the metadata feed (version 1) declares the
// schema below and names the content feed: the transaction entity of
// position 0 has :stele.archive/content, the content feed's address
// ("k51..."), and :stele.archive/format 2 (see Hashes). Readers take the
// content feed and the format from version 1 only, so later transactions
// cannot change them.
//
// # Versions
//
// Version N is the metadata feed's length N: the archive as of version N
// is the graph as of N (graphdb.DB.AsOf). Each publish or import is one
// transaction, so one version. Version 1 holds no files.
//
// # The graph
//
// Files, directories and symlinks are entities with these attributes
// (all cardinality one):
//
//	:stele.file/path    string   relative, slash-separated, clean; unique identity
//	:stele.file/kind    keyword  :stele.kind/file, :stele.kind/dir or :stele.kind/symlink
//	:stele.file/mode    long     permission bits, 0 to 0o777 (files and directories);
//	                             setuid, setgid and sticky bits are not kept
//	:stele.file/size    long     bytes (files)
//	:stele.file/mtime   long     modification time, nanoseconds since the Unix epoch (files)
//	:stele.file/hash    bytes    the content's hash (files), see Hashes
//	:stele.file/chunks  bytes    the chunk list (files), below
//	:stele.file/target  string   the target (symlinks)
//
// Directory and symlink times are not kept. A file keeps its entity when
// it changes and when it is renamed (a new path with the content of a
// path that left), so the history of an entity is the history of a file.
//
// The dedup index lives in the graph too: every chunk ever appended is an
// entity
//
//	:stele.chunk/hash   bytes    the chunk's hash, see Hashes; unique identity (AVET lookup)
//	:stele.chunk/entry  long     the content feed entry holding it
//
// and the transaction entity of each version carries
//
//	:db/txInstant                  when (added by node/dbs)
//	:stele.version/message         string, if given
//	:stele.version/content-length  long: the content feed length the version needs
//	:stele.version/bytes-added     long: content bytes it appended
//	:stele.version/scanned         long: when its publish began reading the directory (ns)
//
// Record datasets (ImportRecords) live in the same graph under their own
// namespaces; names starting with "stele" or "db" are reserved.
//
// # Chunk lists
//
// Content is cut by feed/chunk (FastCDC, chunk.Default: 16 KiB minimum,
// 64 KiB average, 256 KiB maximum), so an edit changes only the chunks
// around it. A file's chunk list says which content entries hold its
// bytes, in order:
//
//	chunks = 0x01 uvarint(count) ref*
//	ref    = zigzag-varint(entry - previous entry - 1) uvarint(size)
//
// with previous entry -1 before the first ref, minimal varints, sizes >= 1
// adding up to :stele.file/size. A fresh file's chunks are consecutive
// entries, so each costs about four bytes; a chunk reused from elsewhere
// is a jump back. An empty file is 01 00. For example the chunks at
// entries 0, 1, 7 and 2 of 65,536, 40,000, 16,384 and 1 bytes are
//
//	01 04  00 808004  00 c0b802  0a 808001  0b 01
//
// # Hashes
//
// An archive of format 2 takes its hashes from the content feed's own
// RFC 6962 tree (package merkle):
//
//	chunk hash = the chunk's leaf hash, SHA-256(0x00 || chunk)
//	file hash  = the RFC 6962 root of the file's chunk hashes, in order:
//	             the root a feed holding just the file's chunks would have
//
// so a one-chunk file's hash is its chunk's, and an empty file's is
// SHA-256 of nothing, e3b0c442...7852b855. For example a file cut into
// chunks c0, c1, c2 has the hash
//
//	SHA-256(0x01 || SHA-256(0x01 || leaf(c0) || leaf(c1)) || leaf(c2))
//
// The file hash depends on how the file was cut, which chunk.Default
// fixes: every publisher of the same bytes gets the same hash (renames
// are found by it), though not the one sha256sum prints. The reason is
// cost. A publish hashes each byte once, for the leaf hash the content
// feed needs anyway, while the chunk is in the cache of the core that cut
// it; a clone hashes each byte once, when the swarm delivers it and the
// feed verifies it against the author's signed checkpoint, then checks
// each file against the leaf hashes stored with the entries, reading no
// byte again. Format 1 hashed chunks and files with SHA-256 of their
// bytes besides: two more passes over everything published and one over
// everything cloned. Archives of format 1 are still read, published to
// and cloned with their own hashes; a format a later stele writes is
// refused when the archive is opened.
//
// # Publishing
//
// Publish compares the directory with the latest version: it walks the
// tree without following symlinks, leaves out what .steleignore files
// exclude (gitignore syntax, see IgnoreRules; the clone state file is
// always left out) and skips sockets, devices and pipes. A file whose
// size, modification time and mode equal the latest version's keeps its
// content unread, unless its time is within RacyWindow of when the latest
// version's publish read the directory (it could have changed again
// within the file system's timestamp granularity): then it is read again,
// until a scan well past its time (a later version's, or one in the same
// process that found nothing changed) vouches for it. The files read
// are cut and hashed on all cores, in path order; a chunk whose hash is
// in this publish or in the dedup index is not stored again; new chunks
// are appended to the content feed in batches of 8 MiB (durably, before
// the transaction that references them). Then one transaction asserts
// what changed: new entities for new paths, changed attributes (old
// values retracted) for changed ones, the path of a renamed file's
// entity, retractions of deleted paths, the new chunk entities and the
// version's metadata. A directory that did not change makes no version.
//
// Chunks appended by a publish that failed before its transaction are
// past the latest version's :stele.version/content-length: the next
// publish hashes that tail only and adopts them, so nothing is stored
// twice and the content feed is never rescanned as a whole. A tree that
// the archive could not hold safely (a symlink out of the tree) is
// refused before anything is appended. The repo remembers which directory
// publishes to which archive (DirRegistry).
//
// # Reading
//
// A Snapshot is the files of one version; it is checked as a whole
// before anyone uses it: every path valid (CheckPath: relative, clean, no
// "..", not .stele-clone), no path through a file or a symlink (each
// parent the archive holds is a directory), every symlink relative and
// resolving, through the archive's own symlinks, inside the tree (at most
// 40 deep), every file's chunk list adding up to its size. A hostile
// archive thus fails with an *UnsafePathError naming the path before
// anything is written; clones also write through os.Root, which refuses
// to leave the directory.
//
// Reading is sparse: opening an archive holds its metadata feed; a
// FileReader holds only the chunks of the bytes read, a whole file as
// runs of consecutive entries. Holding goes through a Holder: the local
// store's (LocalHolder) only checks that entries are held; the swarm's
// will fetch them. The content feed's Merkle proofs vouch for every
// chunk as it arrives; whole files are also checked against their file
// hash (cat, clone, pull), which catches an author's chunk list that does
// not match the file's hash. Handler serves GET /archive/ADDRESS/PATH?at=N with byte ranges.
//
// # Clones
//
// Clone writes a version into an empty directory: directories, files
// (content, mode, modification time), symlinks, then directory modes, and
// DIR/.stele-clone: {"archive": "k51...", "version": N}. Pull moves a
// clone between versions: it writes what changed and removes what the
// archive deleted, but leaves alone (and reports as a Conflict) a path
// whose state on disk is neither the old version's nor the new one's,
// unless forced; it never removes what the archive never held. Follow
// pulls each new version as the metadata feed grows.
//
// # Records
//
// ImportRecords turns a CSV file (a header line naming the fields) or a
// JSON Lines file into entities of the dataset D: field F becomes the
// attribute :D/F (characters other than ASCII letters, digits, '-', '_'
// and '.' become '_'; a name not starting with a letter gets "f-" in
// front, so "_id" is :D/f-_id), the key field's attribute is a unique
// identity, and each record upserts by its key. Types are inferred by the
// first import that sees a field and declared in its transaction: a CSV
// column is long if every non-empty cell is an integer written as a JSON
// number would be ("007" stays a string), double if every cell is a JSON
// number, boolean if every cell is true or false, string otherwise; a JSON
// field keeps its JSON type (integers and fractions together are doubles;
// objects and arrays are stored as their JSON text; a field mixing other
// types is an error). Empty cells and nulls are no value. Later imports
// must fit the declared types. An import makes the dataset hold exactly
// the file: changed values replace old ones (retracted), fields gone are
// retracted, records gone are retracted entities; a file that changes
// nothing makes no version.
//
// # Worked example
//
// Publishing a directory holding docs/ (0755), hello.txt ("hello\n",
// 0644) and the symlink docs/link -> ../hello.txt into a new archive
// appends "hello\n" as content entry 0 and makes version 2, whose
// transaction holds (testdata/worked_example.txt; the numbers are entity
// IDs, tx the transaction's entity):
//
//	[:db/add 1 :stele.file/path "docs"]
//	[:db/add 1 :stele.file/kind :stele.kind/dir]
//	[:db/add 1 :stele.file/mode 493]
//	[:db/add 2 :stele.file/path "docs/link"]
//	[:db/add 2 :stele.file/kind :stele.kind/symlink]
//	[:db/add 2 :stele.file/target "../hello.txt"]
//	[:db/add 3 :stele.file/path "hello.txt"]
//	[:db/add 3 :stele.file/kind :stele.kind/file]
//	[:db/add 3 :stele.file/size 6]
//	[:db/add 3 :stele.file/mode 420]
//	[:db/add 3 :stele.file/mtime 1748736001123456789]
//	[:db/add 3 :stele.file/hash #hex 54a6dc1b...4f6d5800]  one chunk: its leaf hash
//	[:db/add 3 :stele.file/chunks #hex 01010006]         one chunk: entry 0, 6 bytes
//	[:db/add 4 :stele.chunk/hash #hex 54a6dc1b...4f6d5800]
//	[:db/add 4 :stele.chunk/entry 0]
//	[:db/add tx :db/txInstant #inst "2026-01-02T03:04:05.000Z"]
//	[:db/add tx :stele.version/message "first"]
//	[:db/add tx :stele.version/content-length 1]
//	[:db/add tx :stele.version/bytes-added 6]
//	[:db/add tx :stele.version/scanned 1767323045000000000]
//
// Renaming hello.txt to greeting.txt, adding docs/copy.txt with the same
// content (mode 0600) and deleting the symlink makes version 3, which
// appends no content:
//
//	[:db/retract 2 :stele.file/path "docs/link"]          the symlink's entity goes
//	[:db/retract 2 :stele.file/kind :stele.kind/symlink]
//	[:db/retract 2 :stele.file/target "../hello.txt"]
//	[:db/add 3 :stele.file/path "greeting.txt"]           the rename keeps entity 3
//	[:db/retract 3 :stele.file/path "hello.txt"]
//	[:db/add 5 :stele.file/path "docs/copy.txt"]
//	... kind, size, mode 384, mtime and hash of entity 5 ...
//	[:db/add 5 :stele.file/chunks #hex 01010006]          entry 0 again: deduplicated
//	[:db/add tx :stele.version/content-length 1]
//	[:db/add tx :stele.version/bytes-added 0]
//	... time, message, scanned ...
//
// # Limits
//
// A version is one metadata entry, so the feed entry limit (feeds
// .entry_limit, 4 MiB by default) bounds what one publish or import may
// change: about 60 bytes of metadata per new chunk (so some 4 GiB of new
// content per version at 4 MiB) plus about 150 bytes per changed path,
// about 30 bytes per record field. Raise the limit (up to 256 MiB) for
// larger first publishes. Concurrent publishes to one archive are safe
// but may store a chunk twice.
package archive
