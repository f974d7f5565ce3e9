package feed

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/steledb/stele/feed/directio"
)

// window returns a window of seg at off holding n bytes of fill, in a
// pooled buffer as the segment writer's.
func testWindow(bl *blobs, seg uint64, off int64, n int, fill byte) *window {
	buf := directio.GetBuffer(directio.BufferSize)
	data := buf[:n]
	for i := range data {
		data[i] = fill
	}
	return &window{bl: bl, seg: seg, off: off, data: data}
}

func TestRecentCache(t *testing.T) {
	const size = directio.BufferSize
	a, b := &blobs{}, &blobs{}
	c := newRecentCache(3 * size)
	w1, w2, w3 := testWindow(a, 1, 0, size, 1), testWindow(a, 1, size, size, 2), testWindow(b, 1, 0, 100, 3)
	c.add([]*window{w1, w2})
	c.add([]*window{w3})
	cases := []struct {
		bl     *blobs
		seg    uint64
		off, n int64
		want   *window
	}{
		{a, 1, 0, 10, w1},
		{a, 1, size - 10, 10, w1},
		{a, 1, size - 10, 20, nil}, // across two windows: copyOut's job
		{a, 1, size, size, w2},
		{a, 2, 0, 10, nil},  // another segment
		{b, 1, 0, 100, w3},  // another feed's
		{b, 1, 50, 51, nil}, // past its data
	}
	for _, tc := range cases {
		got := c.find(tc.bl, tc.seg, tc.off, tc.n)
		if got != tc.want {
			t.Errorf("find(seg %d, %d+%d) = %p, want %p", tc.seg, tc.off, tc.n, got, tc.want)
		}
		if got != nil {
			c.release(got)
		}
	}
	p := make([]byte, 20)
	if !c.copyOut(a, 1, size-10, p) || !bytes.Equal(p, append(bytes.Repeat([]byte{1}, 10), bytes.Repeat([]byte{2}, 10)...)) {
		t.Errorf("copyOut across two windows: %v", p)
	}
	if c.copyOut(a, 1, 2*size-10, p) {
		t.Error("copyOut past the windows succeeded")
	}

	// Held windows outlive their eviction, and are recycled after.
	held := c.find(a, 1, 0, 1)
	c.add([]*window{testWindow(a, 1, 2*size, size, 4)}) // over budget: w1 goes
	if c.find(a, 1, 0, 1) != nil {
		t.Error("the oldest window was not evicted")
	}
	if held.data == nil || held.data[0] != 1 {
		t.Error("an evicted window was recycled while a reader held it")
	}
	c.release(held)
	if held.data != nil {
		t.Error("an evicted window was not recycled when its reader let go")
	}
	if c.used != 3*size {
		t.Errorf("used %d bytes, want %d", c.used, 3*size)
	}

	c.drop(b, 0, true)
	if c.find(b, 1, 0, 1) != nil || c.used != 2*size {
		t.Errorf("drop of a feed left its windows (used %d)", c.used)
	}
	c.drop(a, 1, false)
	if len(c.windows) != 0 || c.used != 0 {
		t.Errorf("drop of a segment left %d windows, %d bytes", len(c.windows), c.used)
	}
}

// largeEntries are n entries of 1 MiB and a bit, random.
func largeEntries(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, 1<<20+rng.IntN(5000))
		for j := range out[i] {
			out[i][j] = byte(rng.Uint32())
		}
	}
	return out
}

// A scan right behind the writer reads from the recent cache, not the
// disk, and gets the same bytes as from the disk; with a small budget it
// reads the older part from the disk.
func TestRecentReads(t *testing.T) {
	data := largeEntries(1, 24)
	for _, tc := range []struct {
		name      string
		budget    int64
		fromDisk  bool // some reads must go to the disk
		onlyCache bool // no read may
	}{
		{"default", 0, false, true},
		{"none", -1, true, false},
		{"small", 8 << 20, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(1)
			opts.RecentBytes = tc.budget
			s, err := Open(filepath.Join(t.TempDir(), "store"), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			f, _ := s.Create("big")
			for i := 0; i < len(data); i += 6 {
				if _, err := f.Append(data[i : i+6]...); err != nil {
					t.Fatal(err)
				}
			}
			err = f.Scan(0, int64(len(data)), func(i int64, got []byte) error {
				if !bytes.Equal(got, data[i]) {
					return fmt.Errorf("entry %d differs", i)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			reads := f.blobs.diskReads.Load()
			if tc.onlyCache && reads != 0 || tc.fromDisk && reads == 0 {
				t.Errorf("%d reads of the disk", reads)
			}
		})
	}
}

// An aborted batch's buffers never reach the cache: the next batch writes
// other bytes at the same offsets (too few to be kept itself, even as a
// copy, so they are read from the disk), and readers get those.
func TestRecentAbortedBatch(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("big")
	if _, err := f.Append(largeEntries(1, 1)...); err != nil { // a committed start
		t.Fatal(err)
	}
	bl := f.blobs
	batch := func(entries [][]byte, commit bool) []blobRef {
		w := bl.writer()
		var refs []blobRef
		for _, e := range entries {
			ref, err := w.putChunk([][]byte{e})
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ref)
		}
		b := s.db.NewBatch()
		defer b.Close()
		doomed, err := w.finish(b, f.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if !commit {
			w.abort()
			return refs
		}
		if err := b.Commit(nil); err != nil {
			t.Fatal(err)
		}
		w.committed(doomed)
		return refs
	}
	aborted := batch(largeEntries(2, 6), false)
	small := [][]byte{bytes.Repeat([]byte("new"), 6_000)} // a segment chunk, under recentCopyMin
	committed := batch(small, true)
	if aborted[0].seg != committed[0].seg || aborted[0].off != committed[0].off {
		t.Fatalf("the second batch went to %+v, the aborted one to %+v: not the same place", committed[0], aborted[0])
	}
	r := bl.reader()
	defer r.release()
	got, err := r.read(committed[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, encodeChunk(small)) {
		t.Fatal("the chunk differs from what the committed batch wrote")
	}
	if bl.diskReads.Load() == 0 {
		t.Error("the chunk came from the cache, which should not hold it")
	}
}

// Verify reads from the disk, not from the copies in memory: damage to
// data written a moment ago, still in the recent cache, is found.
func TestVerifyReadsTheDisk(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("big")
	if _, err := f.Append(largeEntries(1, 8)...); err != nil {
		t.Fatal(err)
	}
	// The first 3 MiB are in a buffer the cache keeps.
	if err := f.Scan(0, 3, func(int64, []byte) error { return nil }); err != nil || f.blobs.diskReads.Load() != 0 {
		t.Fatalf("scan: %v, %d disk reads; want it from the cache", err, f.blobs.diskReads.Load())
	}
	seg := segmentPath(f.blobs.dir, 0)
	fh, err := os.OpenFile(seg, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.WriteAt([]byte("damage"), 2<<20); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	var ve *VerifyError
	if err := f.Verify(nil); !errors.As(err, &ve) {
		t.Fatalf("Verify of a damaged segment: %v, want a VerifyError", err)
	}
}

// The window the last scan read from the disk goes to the recent cache
// and serves the next scans where it can (neighbouring small entries read
// one Get at a time read their chunk once), and never past the bytes
// committed when it was read: the next batch writes over the padding
// after them. (The batches are too small for the writer's buffers to be
// kept.)
func TestScanWindowKept(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("small")
	batch := func(seed uint64) [][]byte {
		rng := rand.New(rand.NewPCG(seed, 2))
		out := make([][]byte, 8)
		for i := range out {
			out[i] = make([]byte, 5000+rng.IntN(100))
			for j := range out[i] {
				out[i][j] = byte(rng.Uint32())
			}
		}
		return out
	}
	var want [][]byte
	for seed := range uint64(3) {
		b := batch(seed)
		if _, err := f.Append(b...); err != nil { // one chunk of about 40 KiB
			t.Fatal(err)
		}
		want = append(want, b...)
		before := f.blobs.diskReads.Load()
		for i := len(want) - len(b); i < len(want); i++ {
			got, err := f.Get(int64(i))
			if err != nil {
				t.Fatalf("batch %d, entry %d: %v", seed, i, err)
			}
			if !bytes.Equal(got, want[i]) {
				t.Fatalf("batch %d, entry %d differs", seed, i)
			}
		}
		if n := f.blobs.diskReads.Load() - before; n != 1 {
			t.Errorf("batch %d: %d reads of the disk for the 8 entries of one chunk, want 1", seed, n)
		}
	}
}

// sizedEntries are n random entries of size+rng.IntN(100) bytes each.
func sizedEntries(seed uint64, n, size int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, size+rng.IntN(100))
		for j := range out[i] {
			out[i][j] = byte(rng.Uint32())
		}
	}
	return out
}

// appendAndScan appends batches of four entries of size bytes (a bit
// more than a writer's buffer each, so each batch ends in a partly
// filled one) and scans them all right after, as a clone's writer does.
func appendAndScan(t *testing.T, size int) *Feed {
	t.Helper()
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("big")
	var want [][]byte
	for seed := range uint64(5) {
		b := sizedEntries(seed, 4, size)
		if _, err := f.Append(b...); err != nil {
			t.Fatal(err)
		}
		want = append(want, b...)
	}
	err := f.Scan(0, int64(len(want)), func(i int64, got []byte) error {
		if !bytes.Equal(got, want[i]) {
			return fmt.Errorf("entry %d differs", i)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// What a batch wrote past its last full buffer is kept too (copied out
// of the buffer, which is too empty to keep): a scan right behind the
// writer reads nothing from the disk.
func TestRecentKeepsBatchEnds(t *testing.T) {
	f := appendAndScan(t, 1<<20+50_000) // batches end 200 KB into a buffer
	if n := f.blobs.diskReads.Load(); n != 0 {
		t.Errorf("%d reads of the disk, want none", n)
	}
}

// Where the cache lacks a batch's last few bytes, a scan reads them from
// the disk and stops where the cache takes over again, rather than read
// ahead (a 4 MiB window) over chunks the cache holds.
func TestDiskReadStopsAtTheCache(t *testing.T) {
	const size = 1<<20 + 1000 // batches end a few KiB into a buffer, not kept
	f := appendAndScan(t, size)
	reads, read := f.blobs.diskReads.Load(), f.blobs.diskBytes.Load()
	if reads == 0 {
		t.Fatal("no read of the disk: the test no longer leaves gaps in the cache")
	}
	// Each read: the chunk that runs into the gap, the gap, alignment.
	if per := read / reads; per > size+recentCopyMin+2*directio.Block {
		t.Errorf("%d reads of %d bytes each on average, want at most a chunk and a gap", reads, per)
	}
}

// A window read from the disk and kept for the next scan still has its
// chunks checked when they are served from the cache: only the bytes
// this store wrote (whose checksums were computed from them) are not.
func TestDiskWindowStillChecked(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	f, _ := s.Create("small")
	if _, err := f.Append(sizedEntries(1, 1, 20_000)...); err != nil { // too small to be kept
		t.Fatal(err)
	}
	if _, err := f.Get(0); err != nil || f.blobs.diskReads.Load() != 1 {
		t.Fatalf("first read: %v, %d reads of the disk, want 1", err, f.blobs.diskReads.Load())
	}
	c := s.recent
	c.mu.Lock()
	if len(c.windows) != 1 || c.windows[0].written {
		c.mu.Unlock()
		t.Fatalf("the cache holds %d windows, want the one read from the disk", len(c.windows))
	}
	c.windows[0].data[100] ^= 1 // damage, as a bad disk read would have
	c.mu.Unlock()
	if _, err := f.Get(0); !errors.Is(err, errCorruptChunk) {
		t.Errorf("read of a damaged window from the cache: %v, want a checksum mismatch", err)
	}
	if n := f.blobs.diskReads.Load(); n != 1 {
		t.Errorf("%d reads of the disk, want the second from the cache", n)
	}
}
