package feed

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/steledb/stele/feed/directio"
)

// mixedEntry is entry i of a feed whose entries range from a few bytes to
// 100 KiB, so chunks land inline and in segments.
func mixedEntry(i int64) []byte {
	sizes := []int{7, 300, 5000, 40 << 10, 100 << 10, 1}
	b := make([]byte, sizes[i%int64(len(sizes))])
	rand.NewChaCha8([32]byte{byte(i), byte(i >> 8), byte(i >> 16)}).Read(b)
	return b
}

func mixedEntries(lo, hi int64) [][]byte {
	out := make([][]byte, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, mixedEntry(i))
	}
	return out
}

// smallSegments makes feeds roll segments every 256 KiB for one test.
func smallSegments(t *testing.T) {
	old := blobSegmentMax
	blobSegmentMax = 256 << 10
	t.Cleanup(func() { blobSegmentMax = old })
}

func segmentFiles(t *testing.T, s *Store, f *Feed) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(s.blobDir(f.PublicKey()), "*.blob"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// lookup reopens a feed by name.
func lookup(t *testing.T, s *Store, name string) *Feed {
	t.Helper()
	f, err := s.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func checkEntries(t *testing.T, f *Feed, lo, hi int64) {
	t.Helper()
	err := f.Scan(lo, hi, func(i int64, data []byte) error {
		if !bytes.Equal(data, mixedEntry(i)) {
			t.Fatalf("entry %d: %d bytes differ from what was appended", i, len(data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Entries of every size survive a reopen, across several segments, and
// verify; small chunks stay inline.
func TestBlobRoundTrip(t *testing.T) {
	smallSegments(t)
	dir := t.TempDir()
	s := openTestStore(t, dir, 1)
	f, _ := s.Create("mixed")
	for lo := int64(0); lo < 120; lo += 40 {
		if _, err := f.Append(mixedEntries(lo, lo+40)...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Append([]byte("small"), []byte("only")); err != nil {
		t.Fatal(err)
	}
	if n := len(segmentFiles(t, s, f)); n < 3 {
		t.Fatalf("%d segment files for 2.9 MiB of chunks, want several", n)
	}
	s.Close()
	s = openTestStore(t, dir, 1)
	f = lookup(t, s, "mixed")
	checkEntries(t, f, 0, 120)
	if got, _ := f.Get(121); string(got) != "only" {
		t.Fatalf("inline entry after the segments = %q", got)
	}
	if err := f.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

// closedLogWithSegment makes a store whose feed "log" holds 12 mixed
// entries, closes it, and returns its directory and segment file.
func closedLogWithSegment(t *testing.T) (dir, seg string) {
	t.Helper()
	dir = t.TempDir()
	s := openTestStore(t, dir, 1)
	f, _ := s.Create("log")
	if _, err := f.Append(mixedEntries(0, 12)...); err != nil {
		t.Fatal(err)
	}
	seg = segmentFiles(t, s, f)[0]
	s.Close()
	return dir, seg
}

// What a batch wrote to a segment before a crash kept it from committing
// is cut off at the next open, and a file no batch committed is removed.
func TestBlobUncommittedTail(t *testing.T) {
	dir, seg := closedLogWithSegment(t)
	fi, _ := os.Stat(seg)
	appendFile(t, seg, bytes.Repeat([]byte("torn"), 5000))
	stray := filepath.Join(filepath.Dir(seg), "00000000000000ff.blob")
	os.WriteFile(stray, []byte("never committed"), 0o600)

	f := lookup(t, openTestStore(t, dir, 1), "log")
	var committed int64
	for _, st := range f.blobs.segs {
		committed = st.length
	}
	// Closed, the file ended at most with the padding of its last block.
	if fi.Size() < committed || fi.Size() >= committed+directio.Block {
		t.Fatalf("segment was %d bytes when closed, %d committed", fi.Size(), committed)
	}
	if now, _ := os.Stat(seg); now.Size() != committed {
		t.Errorf("segment is %d bytes after reopening, %d were committed", now.Size(), committed)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("a segment file no record names survived the reopen: %v", err)
	}
	if _, err := f.Append(mixedEntries(12, 24)...); err != nil {
		t.Fatal(err)
	}
	checkEntries(t, f, 0, 24)
}

func appendFile(t *testing.T, path string, data []byte) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.Write(data); err != nil {
		t.Fatal(err)
	}
}

// A flipped bit in a segment is caught on read and by Verify, naming the
// chunk and the file; a truncated segment stops the feed from opening.
func TestBlobCorruption(t *testing.T) {
	dir, seg := closedLogWithSegment(t)
	data, _ := os.ReadFile(seg)
	data[len(data)/2] ^= 0x10
	os.WriteFile(seg, data, 0o600)

	s := openTestStore(t, dir, 1)
	f := lookup(t, s, "log")
	_, err := f.GetRange(0, 12)
	if !errors.Is(err, errCorruptChunk) || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), seg) {
		t.Fatalf("reading a corrupt segment: %v", err)
	}
	var ve *VerifyError
	if err := f.Verify(nil); !errors.As(err, &ve) || !strings.Contains(ve.Reason, "checksum mismatch") {
		t.Fatalf("Verify of a corrupt segment: %v", err)
	}
	s.Close()
	os.Truncate(seg, int64(len(data)/3))
	if _, err := openTestStore(t, dir, 1).Lookup("log"); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("opening a feed with a truncated segment: %v", err)
	}
}

// Dropping ranges of a replica frees their segment space (holes, then
// whole segments), keeps the rest readable, and a dropped range can be
// fetched again.
func TestBlobDrop(t *testing.T) {
	smallSegments(t)
	s0 := openTestStore(t, t.TempDir(), 1)
	author, _ := s0.Create("")
	author.Append(mixedEntries(0, 120)...)
	s, r := newReplica(t, author)
	for lo := int64(0); lo < 120; lo += 30 {
		replicate(t, author, r, lo, lo+30)
	}
	before, files := dirAllocated(s.blobDir(r.PublicKey())), len(segmentFiles(t, s, r))
	if err := r.Drop(context.Background(), 5, 100); err != nil {
		t.Fatal(err)
	}
	after := dirAllocated(s.blobDir(r.PublicKey()))
	if after > before/3 {
		t.Errorf("segments take %d bytes after dropping 95 of 120 entries, %d before", after, before)
	}
	if n := len(segmentFiles(t, s, r)); n >= files {
		t.Errorf("%d segment files after the drop, %d before: emptied segments were kept", n, files)
	}
	if n := owedHoles(t, s, r); n != 0 {
		t.Errorf("%d records of owed holes left after the holes were punched", n)
	}
	checkEntries(t, r, 0, 5)
	checkEntries(t, r, 100, 120)
	replicate(t, author, r, 40, 60)
	checkEntries(t, r, 40, 60)
	dir := s.dir
	s.Close()
	s = openTestStore(t, dir, 99)
	r, _ = s.Feed(author.PublicKey())
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
	if got := r.Ranges().String(); got != "0:5 40:60 100:120" {
		t.Fatalf("ranges = %s", got)
	}
}

// A scan that is under way when its range is dropped reads on from the
// state it began with: the space comes back only when it is done.
func TestBlobDropDuringScan(t *testing.T) {
	_, s, r := replicaOfMixed(t, 60)
	before := dirAllocated(s.blobDir(r.PublicKey()))
	seen := 0
	err := r.Scan(0, 60, func(i int64, data []byte) error {
		if i == 0 {
			if err := r.Drop(context.Background(), 0, 60); err != nil {
				return err
			}
			if now := dirAllocated(s.blobDir(r.PublicKey())); now < before {
				t.Errorf("space reclaimed (%d -> %d bytes) while a scan still reads it", before, now)
			}
		}
		if !bytes.Equal(data, mixedEntry(i)) {
			t.Fatalf("entry %d changed under a scan", i)
		}
		seen++
		return nil
	})
	if err != nil || seen != 60 {
		t.Fatalf("scan: %d entries, %v", seen, err)
	}
	if after := dirAllocated(s.blobDir(r.PublicKey())); after > before/10 {
		t.Errorf("segments take %d bytes after the scan ended, %d before the drop", after, before)
	}
}

func TestParseBlobRef(t *testing.T) {
	ref := blobRef{seg: 3, off: 1 << 33, n: 70000, crc: 0xdeadbeef}
	got, ok, err := parseBlobRef(ref.encode())
	if !ok || err != nil || got != ref {
		t.Fatalf("round trip: %+v %v %v", got, ok, err)
	}
	for _, bad := range [][]byte{{0}, {0, 1, 2}, append(ref.encode(), 0), ref.encode()[:8]} {
		if _, ok, err := parseBlobRef(bad); !ok || err == nil {
			t.Errorf("pointer %x: ok %v err %v", bad, ok, err)
		}
	}
	if _, ok, _ := parseBlobRef(encodeChunk([][]byte{[]byte("x")})); ok {
		t.Error("an inline chunk parsed as a pointer")
	}
}

// A process killed after a drop commits but before its holes are punched
// (here, while a scan is inside the segments) does not keep the space
// allocated: the drop recorded the holes it owes, and the next open
// punches them and forgets the record.
func TestBlobDropHolesOwedAcrossRestart(t *testing.T) {
	author, s, r := replicaOfMixed(t, 120)
	before := dirAllocated(s.blobDir(r.PublicKey()))
	r.blobs.enter() // a scan that the kill interrupts
	if err := r.Drop(context.Background(), 5, 100); err != nil {
		t.Fatal(err)
	}
	if now := dirAllocated(s.blobDir(r.PublicKey())); now < before {
		t.Fatalf("holes punched (%d -> %d bytes) while a scan was inside", before, now)
	}
	dir := s.dir
	s.Close()
	s = openTestStore(t, dir, 99)
	r, err := s.Feed(author.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if after := dirAllocated(s.blobDir(r.PublicKey())); after > before/3 {
		t.Errorf("segments take %d bytes after the reopen, %d before dropping 95 of 120 entries: the owed holes were not punched", after, before)
	}
	if n := owedHoles(t, s, r); n != 0 {
		t.Errorf("%d records of owed holes left after they were punched", n)
	}
	checkEntries(t, r, 0, 5)
	checkEntries(t, r, 100, 120)
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
	// The next drop's record does not take the number of one forgotten.
	if err := r.Drop(context.Background(), 100, 110); err != nil {
		t.Fatal(err)
	}
	checkEntries(t, r, 110, 120)
}

func TestParseHoles(t *testing.T) {
	refs := []blobRef{{seg: 1, off: 0, n: 5}, {seg: 9, off: 1 << 40, n: 1 << 20}}
	got, err := parseHoles(encodeHoles(refs))
	if err != nil || len(got) != 2 || got[0] != refs[0] || got[1] != refs[1] {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range [][]byte{{0x80}, {1, 2}, {1, 2, 0x80}, {0x81, 0x00, 1, 1}} {
		if _, err := parseHoles(bad); !errors.Is(err, errCorruptHoles) {
			t.Errorf("parseHoles(%x) = %v, want %v", bad, err, errCorruptHoles)
		}
	}
}

// owedHoles counts r's records of owed holes.
func owedHoles(t *testing.T, s *Store, r *Feed) int {
	t.Helper()
	lo, hi := kindBounds(r.PublicKey(), kindHoles)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}

func FuzzParseHoles(f *testing.F) {
	f.Add(encodeHoles([]blobRef{{seg: 1, off: 4096, n: 70000}, {seg: 2, off: 0, n: 1}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		refs, err := parseHoles(data)
		if err != nil {
			return
		}
		if again := encodeHoles(refs); !bytes.Equal(again, data) {
			t.Fatalf("parse then encode: %x, want %x", again, data)
		}
	})
}

// replicaOfMixed returns an author of n mixed entries and a replica
// holding them all, with its store.
func replicaOfMixed(t *testing.T, n int64) (author *Feed, s *Store, r *Feed) {
	t.Helper()
	author, _ = openTestStore(t, t.TempDir(), 1).Create("")
	author.Append(mixedEntries(0, n)...)
	s, r = newReplica(t, author)
	replicate(t, author, r, 0, n)
	return author, s, r
}
