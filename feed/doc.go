// Package feed stores stele feeds: append-only logs whose entries are
// hashed into an RFC 6962 Merkle tree (package merkle) and whose tree heads
// are signed by the author's Ed25519 key as C2SP checkpoints. A node keeps
// all its feeds, authored and replicated, in one [Store].
//
// # Authors and replicas
//
// The author of a feed holds its private key and is the only writer.
// [Feed.Append] takes a batch of entries, computes their leaf hashes and the
// new tree hashes, signs one checkpoint for the whole batch and commits
// entries, hashes and checkpoint in one synced Pebble batch: when Append
// returns, a crash loses nothing; a crash before leaves the previous state,
// never a torn one. Concurrent Appends to one feed are group-committed:
// whoever finds no commit under way commits everything queued, with one
// fsync and one signature.
//
// A replica holds any subset of a feed's entries. It accepts a checkpoint
// only with a valid signature and a consistency proof from the latest one
// it holds ([Feed.ApplyCheckpoint]), and a range of entries only with a
// range proof against a held checkpoint ([Feed.ApplyRange]). Nothing that
// fails verification is stored, and every verification failure wraps
// [ErrVerification], so a caller can tell a lying peer from a local fault.
// A replica stores, along with the entries, every tree hash its checks
// computed, so it can serve proofs for what it holds to others.
//
// # Forks
//
// An author must never sign two inconsistent checkpoints. A store that sees
// two (same size and different roots, or a consistency proof from the
// larger one's tree that yields another root for the smaller size) keeps
// them as [ForkEvidence], marks the feed forked from the smaller size on,
// and refuses further checkpoints, entries past that size and appends;
// [Feed.Forked] reports it. Evidence is self-checking
// ([ParseForkEvidence]), so peers can pass it on. A key restored with
// [Store.ImportKey] cannot append until [Feed.ConfirmLatest] says the
// feed's latest checkpoint has been fetched: appending on a stale copy is
// how Scuttlebutt users forked their feeds.
//
// # Storage layout
//
// One Pebble database holds every feed. Keys are
//
//	'N' name                        -> 32-byte public key      local feed names
//	'F' pub 'm'                     -> JSON metadata            name, creation time, fork and restore marks
//	'F' pub 'c' be64(size)          -> checkpoint record        signed note, and the consistency proof that linked it
//	'F' pub 'r' be64(lo)            -> be64(hi)                 the held ranges [lo, hi)
//	'F' pub 'e' be64(first)         -> entry chunk              consecutive entries first, first+1, ...
//	'F' pub 'h' be64(tile)          -> hash tile                tree hashes tile*256 ... tile*256+255
//	'F' pub 'x' be64(seq)           -> fork evidence
//	'F' pub 'a' be64(seq)           -> (uvarint(segment) uvarint(offset) uvarint(length))...  dropped chunks whose holes are not yet punched
//	'F' pub 'b' be64(segment)       -> uvarint(length) uvarint(live)  a blob segment file's committed and live bytes
//
// An entry chunk holds a run of consecutive entries that never crosses a
// multiple of 64 and holds at most 256 KiB (a larger entry goes alone):
//
//	uvarint(count) uvarint(len(e0)) ... uvarint(len(e[count-1])) e0 e1 ...
//
// so a batch of a thousand small entries costs sixteen keys, and entry i is
// found by seeking to the last chunk key at or before i.
//
// A chunk of 16 KiB or more is not kept in Pebble, which would write its
// bytes to the log, again at flush and again at each compaction: it is
// appended to the feed's current segment file, dir/blobs/<hex pub>/<16 hex
// digits>.blob, and Pebble keeps a pointer in its place:
//
//	0x00 uvarint(segment) uvarint(offset) uvarint(length) crc32c(chunk, 4 bytes little-endian)
//
// (an inline chunk starts with a count of at least 1, never 0x00). A batch
// writes its chunks (with O_DIRECT where the file system allows: the batch
// is synced anyway, so the page cache would only hold a second copy),
// syncs the segment file, and only then commits the
// Pebble batch with the pointers and the segment's new length, so no
// pointer ever names bytes that are not on disk; bytes past the committed
// length, left by a batch that never committed (or the zeros that pad a
// direct write's last block), are cut off when the feed is next opened.
// Reads check each chunk's CRC-32C. A scan reads each run of chunks that
// lie one after another in a segment in one aligned read (up to 4 MiB; the
// pointers say where the run ends), with O_DIRECT too: data stored past
// the page cache is read past it, so a scan of gigabytes (a clone, a
// peer's sync, Verify) does not fill memory with pages read once. What
// was written last is read from memory instead: the store keeps the
// buffers its segment writers filled (up to Options.RecentBytes, 64 MiB
// by default, across feeds, oldest out first; only batches that
// committed), so a reader that follows a writer (a clone writing files as
// their chunks arrive, a volunteer passing on what it just received) does
// not read it back from the disk; a scan's last window read from the disk
// joins them, for the next scan that starts in the same chunk. Verify
// reads only the disk. A feed starts a new segment past 256 MiB. Drop lowers a segment's live bytes, punches holes
// where the dropped chunks were (on Linux), and deletes a segment with
// nothing live, once no reader is inside it. Tree hashes use
// the stored-hash index of golang.org/x/mod/sumdb/tlog (each perfect
// subtree has one index, in append order) and are grouped in tiles of 256
// indexes:
//
//	32-byte presence bitmap (little-endian uint64 words) || the present hashes, 32 bytes each, in index order
//
// An author fills tiles densely; a sparse replica pays only for what it
// holds. Opening a feed reads its metadata, last checkpoint, held ranges
// and (for an author) the O(log n) hashes of the tree's right border: the
// cost does not grow with the feed's length.
//
// [Feed.Drop] deletes a replica's entries in a range together with the
// tree hashes only they needed (it keeps the O(log n) perfect subtrees
// covering the range, so neighbouring ranges can still be proven), then
// compacts that key span so the disk space comes back at once rather than
// at some later compaction.
//
// # Feed files
//
// A feed file is a verifiable copy of a feed that travels by any means, as
// a CAR file or a git bundle does ([Feed.Export], [VerifyFile],
// [Store.Import]). It is the magic line, then sections, each a tag byte,
// the uvarint length of the payload and the payload:
//
//	"stele feed file v1\n"
//	'A' pub                                   the feed's 32-byte public key
//	'C' uvarint(len) note  proof              a checkpoint (signed note) and its consistency proof to the
//	...                                        latest; one section per checkpoint, increasing size; the
//	                                           last is the latest and has an empty proof
//	'S' uvarint(n) (uvarint(lo) uvarint(hi))*n the ranges of entries carried
//	'P' uvarint(lo) uvarint(size) left right   a piece: entries lo.. proven against the carried checkpoint
//	    uvarint(count) (uvarint(len) entry)*   of that size by a range proof (left and right compact ranges)
//	...                                        pieces in order, covering the ranges exactly
//	'E' sha256(everything before 'E')         the end: detects truncation and corruption
//
// where proof, left and right are uvarint(count) followed by count 32-byte
// hashes. A piece holds at most 4,096 entries and 16 MiB of entry data (an
// entry larger than that goes alone), so a reader verifies and imports with
// bounded memory whatever the file's size; a section is at most 65 MiB.
// Every check names what failed and where ([FileError]): the byte offset of
// the section, and the checkpoint size or first entry index concerned.
//
// A file of a 10-entry feed carrying everything, with checkpoints of size
// 3 and 10, is
//
//	stele feed file v1\n
//	'A' 32 <pub>
//	'C' <len> <note "stele/k51...\n3\n<root>\ntime 1700000001\n\n— stele/k51... <sig>\n"> 2 <h1> <h2>
//	'C' <len> <note of size 10> 0
//	'S' 3 1 0 10
//	'P' <len> 0 10 0 0 10 7 "entry 0" 7 "entry 1" ...
//	'E' 32 <sha256>
package feed
