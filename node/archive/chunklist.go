package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A ChunkRef names one chunk of a file: the content feed entry that holds
// it and its length.
type ChunkRef struct {
	Entry int64
	Size  int64
}

// chunkListVersion is the first byte of an encoded chunk list.
const chunkListVersion = 1

// errChunkList is wrapped by every ParseChunks error.
var errChunkList = errors.New("malformed chunk list")

// FormatChunks encodes a file's chunk list (see the package doc):
//
//	0x01 uvarint(count) (zigzag-varint(entry - previous entry - 1) uvarint(size))*
//
// so the chunks of a file stored as consecutive entries cost about four
// bytes each. It panics on a negative entry or a size below 1, which only
// a bug can produce.
func FormatChunks(refs []ChunkRef) []byte {
	b := make([]byte, 0, 2+4*len(refs))
	b = append(b, chunkListVersion)
	b = binary.AppendUvarint(b, uint64(len(refs)))
	prev := int64(-1)
	for _, r := range refs {
		if r.Entry < 0 || r.Size < 1 {
			panic(fmt.Sprintf("archive: bad chunk ref %+v", r))
		}
		b = binary.AppendVarint(b, r.Entry-prev-1)
		b = binary.AppendUvarint(b, uint64(r.Size))
		prev = r.Entry
	}
	return b
}

// ParseChunks decodes a chunk list written by FormatChunks. It accepts
// only what FormatChunks writes (minimal varints, entries >= 0, sizes >= 1,
// nothing trailing), so parsing then formatting gives back the same bytes.
func ParseChunks(b []byte) ([]ChunkRef, error) {
	if len(b) == 0 || b[0] != chunkListVersion {
		return nil, fmt.Errorf("%w: want version byte 0x01", errChunkList)
	}
	b = b[1:]
	count, n, err := uvarint(b)
	if err != nil {
		return nil, err
	}
	b = b[n:]
	if count > uint64(len(b))/2 { // every ref takes at least two bytes
		return nil, fmt.Errorf("%w: %d chunks in %d bytes", errChunkList, count, len(b))
	}
	refs := make([]ChunkRef, count)
	prev := int64(-1)
	for i := range refs {
		delta, n := binary.Varint(b)
		if n <= 0 || n != varintLen(delta) {
			return nil, fmt.Errorf("%w: chunk %d: bad entry varint", errChunkList, i)
		}
		b = b[n:]
		size, n, err := uvarint(b)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", i, err)
		}
		b = b[n:]
		entry := prev + 1 + delta
		if delta > math.MaxInt64-prev-1 || entry < 0 || size < 1 || size > math.MaxInt64 {
			return nil, fmt.Errorf("%w: chunk %d: entry %d size %d", errChunkList, i, entry, size)
		}
		refs[i] = ChunkRef{Entry: entry, Size: int64(size)}
		prev = entry
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last chunk", errChunkList, len(b))
	}
	return refs, nil
}

// uvarint reads a minimal unsigned varint.
func uvarint(b []byte) (uint64, int, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		return 0, 0, fmt.Errorf("%w: bad varint", errChunkList)
	}
	return v, n, nil
}

func varintLen(v int64) int { return len(binary.AppendVarint(nil, v)) }
