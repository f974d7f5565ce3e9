package feed

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/steledb/stele/feed/directio"
)

// segmentWithChunks writes a segment of back-to-back chunks of the given
// sizes (random bytes), committed up to its end, followed by junk bytes
// that no batch committed, and returns the blobs and each chunk's ref.
func segmentWithChunks(t *testing.T, dir string, sizes []int) (*blobs, []blobRef, []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	var data []byte
	var refs []blobRef
	for _, n := range sizes {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		refs = append(refs, blobRef{seg: 7, off: int64(len(data)), n: int64(n), crc: crc32.Checksum(p, castagnoli)})
		data = append(data, p...)
	}
	if err := os.WriteFile(segmentPath(dir, 7), append(bytes.Clone(data), "uncommitted junk"...), 0o600); err != nil {
		t.Fatal(err)
	}
	bl := &blobs{dir: dir, segs: map[uint64]segment{7: {length: int64(len(data)), live: int64(len(data))}}, files: map[uint64]*os.File{}}
	t.Cleanup(bl.close)
	return bl, refs, data
}

// Whatever the order of reads, the reader returns the bytes a plain read
// of the file gives, across window edges, with chunks larger than any
// window, and up to the segment's last committed byte.
func TestSegmentReaderAgainstFile(t *testing.T) {
	sizes := []int{1, directio.Block - 1, directio.Block, 70_000, 3 * readAheadMax, 100, 128<<10 + 5}
	for range 200 {
		sizes = append(sizes, 16<<10+rand.IntN(100<<10))
	}
	for _, dir := range directAndPlainDirs(t) {
		bl, refs, data := segmentWithChunks(t, dir, sizes)
		orders := map[string][]int{"sequential": nil, "random": nil, "backwards": nil}
		for i := range refs {
			orders["sequential"] = append(orders["sequential"], i)
			orders["backwards"] = append(orders["backwards"], len(refs)-1-i)
		}
		orders["random"] = rand.Perm(len(refs))
		for name, order := range orders {
			r := bl.reader()
			r.runEnd = runEnds(refs)
			before := bl.diskReads.Load()
			var total int64
			for _, i := range order {
				got, err := r.read(refs[i])
				if err != nil {
					t.Fatalf("%s, %s: chunk %d: %v", dir, name, i, err)
				}
				ref := refs[i]
				if !bytes.Equal(got, data[ref.off:ref.off+ref.n]) {
					t.Fatalf("%s, %s: chunk %d (%d bytes at %d) differs from the file", dir, name, i, ref.n, ref.off)
				}
				total += ref.n
			}
			// In sequence, one read per readAheadMax bytes, give or take
			// the large chunk (read alone) and block edges.
			if reads, most := bl.diskReads.Load()-before, int64(total/readAheadMax)+4; name == "sequential" && reads > most {
				t.Errorf("%s: a sequential scan of %d bytes made %d reads, want at most %d", dir, total, reads, most)
			}
			r.release()
		}
	}
}

func TestSegmentReaderDamage(t *testing.T) {
	dir := t.TempDir()
	bl, refs, _ := segmentWithChunks(t, dir, []int{20_000, 30_000, 40_000})
	r := bl.reader()
	defer r.release()
	bad := refs[1]
	bad.crc++
	if _, err := r.read(bad); !errors.Is(err, errCorruptChunk) {
		t.Errorf("a checksum mismatch: %v, want errCorruptChunk", err)
	}
	if err := os.Truncate(segmentPath(dir, 7), refs[2].off+10); err != nil {
		t.Fatal(err)
	}
	r.release() // forget the window read before the file was cut
	if _, err := r.read(refs[2]); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a chunk cut short: %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := r.read(refs[0]); err != nil {
		t.Errorf("an intact chunk before the cut: %v", err)
	}
}

// runEnds is the runEnd of a scan over refs, which lie one after another.
func runEnds(refs []blobRef) func(blobRef, int64) int64 {
	return func(ref blobRef, limit int64) int64 {
		end := ref.off + ref.n
		for _, r := range refs {
			if r.off == end && end-ref.off < limit {
				end += r.n
			}
		}
		return end
	}
}

// A scan of a range longer than one read reads each chunk once: a read
// ends with a whole chunk, not inside one that the next read would read
// again (which had every 4 MiB answer of a sync read 256 KiB twice).
func TestScanReadsEachChunkOnce(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("")
	entries := make([][]byte, 3*chunkSpan)
	for i := range entries {
		entries[i] = bytes.Repeat([]byte{byte(i)}, 64<<10)
	}
	if _, err := f.Append(entries...); err != nil {
		t.Fatal(err)
	}
	bl := f.blobs
	before := bl.diskBytes.Load()
	n := 0
	if err := f.scan(0, int64(len(entries)), true, func(i int64, data []byte) error {
		if !bytes.Equal(data, entries[i]) {
			t.Fatalf("entry %d differs", i)
		}
		n++
		return nil
	}); err != nil || n != len(entries) {
		t.Fatalf("scan: %d entries, %v", n, err)
	}
	read, reads := bl.diskBytes.Load()-before, bl.diskReads.Load()
	stored := int64(0)
	for _, seg := range bl.segs {
		stored += seg.length
	}
	if most := stored + 2*directio.Block*reads; read > most {
		t.Errorf("the scan read %d bytes in %d reads of a feed storing %d: some twice", read, reads, stored)
	}
}
