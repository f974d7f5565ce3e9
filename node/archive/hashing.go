package archive

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/merkle"
)

// A format is an archive format version: what :stele.chunk/hash and
// :stele.file/hash are (see the package doc, Hashes).
type format int64

const (
	// format1 hashes chunks and files with SHA-256 of their bytes, apart
	// from the content feed's tree: three passes over every byte to
	// publish, two to clone.
	format1 format = 1
	// format2 takes both from the content feed's Merkle tree: a chunk's
	// hash is its leaf hash, a file's the RFC 6962 root of its chunks'
	// leaf hashes. One pass to publish (the leaf hashes the feed needs
	// anyway); none beyond the verification of the entries to clone.
	format2 format = 2
)

// parseFormat checks an archive's :stele.archive/format.
func parseFormat(v int64) (format, error) {
	switch format(v) {
	case format1, format2:
		return format(v), nil
	}
	return 0, fmt.Errorf("%w: it has format %d, and this stele reads formats 1 to %d (upgrade stele to read it)", ErrUnknownFormat, v, FormatVersion)
}

// ErrUnknownFormat is returned (wrapped) by Open for an archive of a
// format this package does not know, made by a later stele.
var ErrUnknownFormat = errors.New("archive of an unknown format")

// ofLeaves reports whether the format's hashes are made of leaf hashes.
func (v format) ofLeaves() bool { return v != format1 }

// chunkHash is the :stele.chunk/hash of a chunk: its dedup key.
func (v format) chunkHash(l feed.Leaf) Hash {
	if !v.ofLeaves() {
		return sha256.Sum256(l.Entry())
	}
	return Hash(l.Hash())
}

// A fileHash computes a file's :stele.file/hash from its chunks, in
// order. Writers of an archive know each chunk's bytes and leaf hash
// (addLeaf); readers give the bytes they read (addData, for format 1)
// and the leaf hashes the content feed verified them with (addLeaves, for
// format 2), so that a format 2 file is checked without hashing its bytes
// again.
type fileHash struct {
	bytes hash.Hash       // format 1
	tree  merkle.Frontier // format 2
}

func (v format) newFileHash() *fileHash {
	if !v.ofLeaves() {
		return &fileHash{bytes: sha256.New()}
	}
	return &fileHash{}
}

// addLeaf adds a chunk.
func (h *fileHash) addLeaf(l feed.Leaf) {
	if h.bytes != nil {
		h.bytes.Write(l.Entry())
		return
	}
	h.tree.Append(l.Hash(), nil)
}

// addData adds bytes of the file, if the hash is of its bytes.
func (h *fileHash) addData(p []byte) {
	if h.bytes != nil {
		h.bytes.Write(p)
	}
}

// addLeaves adds the leaf hashes of chunks, if the hash is of them.
func (h *fileHash) addLeaves(leaves []merkle.Hash) {
	if h.bytes == nil {
		for _, l := range leaves {
			h.tree.Append(l, nil)
		}
	}
}

// ofLeaves reports whether the hash is of the chunks' leaf hashes.
func (h *fileHash) ofLeaves() bool { return h.bytes == nil }

// check fails, wrapping ErrCorrupt, unless the hash is f's.
func (h *fileHash) check(f *File) error {
	if h.sum() != f.Hash {
		return fmt.Errorf("read %s: the content does not hash to the file's hash: %w", f.Path, ErrCorrupt)
	}
	return nil
}

func (h *fileHash) sum() Hash {
	if h.bytes != nil {
		return Hash(h.bytes.Sum(nil))
	}
	return Hash(h.tree.Root())
}

// hashFile computes the :stele.file/hash of a local file's content.
func (v format) hashFile(r io.Reader) (Hash, error) {
	h := v.newFileHash()
	if !h.ofLeaves() {
		_, err := io.Copy(h.bytes, r)
		return h.sum(), err
	}
	err := cutStream(r, make([]byte, readBufferSize), func(c []byte) error {
		h.tree.Append(merkle.LeafHash(c), nil)
		return nil
	})
	return h.sum(), err
}
