// Package chunk splits byte streams into content-defined chunks, so that
// an edit to a large file changes only the chunks around it and identical
// content anywhere yields identical chunks (and is stored once).
//
// It implements FastCDC (Xia et al., "FastCDC: a Fast and Efficient
// Content-Defined Chunking Approach for Data Deduplication", USENIX ATC
// 2016) with normalized chunking: a gear rolling hash
//
//	h = (h << 1) + gear[b]
//
// over the bytes after the minimum size, cut where h & mask == 0, with a
// stricter mask (more bits) before the average size and a looser one after
// it, so chunk sizes cluster around the average; a chunk never exceeds the
// maximum. The top bits of h depend on the last 64 bytes, so the masks use
// the top bits: a boundary depends on a 64-byte window only, and content
// before an edit keeps its boundaries.
//
// The gear table is fixed (the SHA-256 of "stele/chunk/gear/v1" || i, for
// i = 0..255, first 8 bytes big-endian), so every stele node cuts the same
// content the same way: changing it or the default sizes would change every
// archive's chunks, hence the v1.
//
// Defaults: minimum 16 KiB, average 64 KiB, maximum 256 KiB. For example a
// 100 MiB file becomes about 1,600 chunks; changing one byte in its middle
// changes one chunk (two if the edit creates or removes a boundary), so
// re-publishing appends about 64 KiB.
package chunk

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Sizes bound the chunks. Avg must be a power of two.
type Sizes struct {
	Min, Avg, Max int
}

// Default is the chunking every stele archive uses.
var Default = Sizes{Min: 16 << 10, Avg: 64 << 10, Max: 256 << 10}

func (s Sizes) check() error {
	if s.Min <= 0 || s.Avg&(s.Avg-1) != 0 || s.Min >= s.Avg || s.Avg >= s.Max {
		return fmt.Errorf("chunk sizes %+v: want 0 < Min < Avg < Max with Avg a power of two", s)
	}
	return nil
}

var gear = func() (g [256]uint64) {
	for i := range g {
		sum := sha256.Sum256(append([]byte("stele/chunk/gear/v1"), byte(i)))
		g[i] = binary.BigEndian.Uint64(sum[:8])
	}
	return g
}()

// masks returns the strict and loose masks for avg: normalization level 2
// (two bits more before the average, two fewer after).
func masks(avg int) (strict, loose uint64) {
	n := bits.TrailingZeros(uint(avg))
	return ^uint64(0) << (64 - (n + 2)), ^uint64(0) << (64 - (n - 2))
}

// Cut returns the length of the first chunk of data: a content-defined
// boundary, or len(data) if data is shorter than a chunk can end in (the
// caller then either has more data to append, or data is the last chunk).
func (s Sizes) Cut(data []byte) int {
	if len(data) <= s.Min {
		return len(data)
	}
	strict, loose := masks(s.Avg)
	end := min(len(data), s.Max)
	normal := min(end, s.Avg)
	var h uint64
	i := s.Min
	for ; i < normal; i++ {
		h = h<<1 + gear[data[i]]
		if h&strict == 0 {
			return i + 1
		}
	}
	for ; i < end; i++ {
		h = h<<1 + gear[data[i]]
		if h&loose == 0 {
			return i + 1
		}
	}
	return end
}

// A Reader reads content-defined chunks from a stream.
type Reader struct {
	r     io.Reader
	sizes Sizes
	buf   []byte
	start int // start of unread data in buf
	end   int // end of data in buf
	eof   bool
	err   error
}

// NewReader returns a Reader cutting r with the given sizes.
func NewReader(r io.Reader, sizes Sizes) (*Reader, error) {
	if err := sizes.check(); err != nil {
		return nil, err
	}
	return &Reader{r: r, sizes: sizes, buf: make([]byte, 4*sizes.Max)}, nil
}

// Next returns the next chunk, valid until the following call, or io.EOF
// after the last one. An empty stream has no chunks.
func (c *Reader) Next() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	if err := c.fill(); err != nil {
		c.err = err
		return nil, err
	}
	avail := c.buf[c.start:c.end]
	if len(avail) == 0 {
		c.err = io.EOF
		return nil, io.EOF
	}
	n := c.sizes.Cut(avail)
	if n == len(avail) && len(avail) < c.sizes.Max && !c.eof {
		panic("chunk: fill left less than a full chunk before EOF")
	}
	c.start += n
	return avail[:n:n], nil
}

// fill makes sure at least Max bytes (or everything up to EOF) are
// buffered from start.
func (c *Reader) fill() error {
	if c.end-c.start >= c.sizes.Max || c.eof {
		return nil
	}
	if c.start > 0 {
		c.end = copy(c.buf, c.buf[c.start:c.end])
		c.start = 0
	}
	for c.end < len(c.buf) && !c.eof {
		n, err := c.r.Read(c.buf[c.end:])
		c.end += n
		if errors.Is(err, io.EOF) {
			c.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}
