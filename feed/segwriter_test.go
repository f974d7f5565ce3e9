package feed

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/steledb/stele/feed/directio"
)

// The file a segmentWriter makes over batches of random sizes, reopened
// for each batch, is the plain concatenation of what was written, on the
// disk's file system (direct I/O) and on tmpfs (plain I/O) if there is one.
func TestSegmentWriterAgainstConcatenation(t *testing.T) {
	for _, dir := range directAndPlainDirs(t) {
		path := filepath.Join(dir, "seg.blob")
		rng := rand.New(rand.NewPCG(1, 2))
		var want []byte
		for batch := range 40 {
			w, err := openSegmentWriter(path, int64(len(want)), batch == 0, 4*directio.Block, cachedTail(batch, want))
			if err != nil {
				t.Fatal(err)
			}
			for range rng.IntN(5) {
				sizes := []int{1, 7, directio.Block - 1, directio.Block, directio.Block + 1, 3 * directio.Block, 5*directio.Block + 100, rng.IntN(9000)}
				p := make([]byte, sizes[rng.IntN(len(sizes))])
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				if w.offset() != int64(len(want)) {
					t.Fatalf("%s batch %d: offset %d, want %d", dir, batch, w.offset(), len(want))
				}
				if _, err := w.Write(p); err != nil {
					t.Fatal(err)
				}
				want = append(want, p...)
			}
			if err := w.finish(); err != nil {
				t.Fatal(err)
			}
			if w.offset() != int64(len(want)) {
				t.Fatalf("offset after finish %d, want %d", w.offset(), len(want))
			}
			w.close()
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The last block's padding stays: the committed length is
			// recorded elsewhere.
			padded := append(bytes.Clone(want), make([]byte, directio.AlignUp(int64(len(want)))-int64(len(want)))...)
			if !bytes.Equal(got, padded) {
				t.Fatalf("%s after batch %d: file of %d bytes differs from the %d written and padded to a block", dir, batch, len(got), len(want))
			}
		}
	}
}

// directAndPlainDirs are a directory on the disk's file system (direct
// I/O) and one on tmpfs (plain I/O), if there is one.
func directAndPlainDirs(t *testing.T) []string {
	dirs := []string{t.TempDir()}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		shm, err := os.MkdirTemp("/dev/shm", "stele-test-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(shm) })
			dirs = append(dirs, shm)
		}
	}
	return dirs
}

// cachedTail is, for odd batches, the bytes of the last partial block of
// want, as the feed keeps them between batches; even batches read them
// from the file.
func cachedTail(batch int, want []byte) []byte {
	if batch%2 == 0 {
		return nil
	}
	return bytes.Clone(want[directio.AlignDown(int64(len(want))):])
}
