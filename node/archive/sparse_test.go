package archive

import (
	"context"
	"io"
	"testing"
)

// TestSparseRead reads one file of an archive through a Holder that
// counts what it is asked to hold: the metadata, and only that file's
// chunks (only one chunk for a small byte range).
func TestSparseRead(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	for i, name := range []string{"a", "b", "c", "d"} {
		tr.write(name, randomBytes(uint64(20+i), 2<<20), 0o644)
	}
	publish(t, a, tr.root, "")
	metaBytes := int64(0)
	meta := a.Database().Feed()
	if err := meta.Scan(0, meta.Len(), func(_ int64, d []byte) error { metaBytes += int64(len(d)); return nil }); err != nil {
		t.Fatal(err)
	}

	h := newCountingHolder()
	sparse := &Archives{Feeds: s.Feeds, DBs: s.DBs, Holder: h}
	b, err := sparse.Open(context.Background(), a.Address())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := b.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := snap.File("c")
	r, err := b.Open(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, r); err != nil || n != f.Size {
		t.Fatalf("read c: %d, %v", n, err)
	}
	if got := h.bytes[meta.Address()]; got != metaBytes {
		t.Errorf("held %d metadata bytes, the metadata feed has %d", got, metaBytes)
	}
	if got, n := h.bytes[a.ContentAddress()], h.entries[a.ContentAddress()]; got != f.Size || n != int64(len(f.Chunks)) {
		t.Errorf("reading a %d-byte file of 4 held %d content bytes in %d entries, want its %d chunks", f.Size, got, n, len(f.Chunks))
	}
	t.Logf("sparse read of 1 of 4 files: %d content bytes + %d metadata bytes (archive content %d bytes)",
		h.bytes[a.ContentAddress()], metaBytes, contentBytes(t, a, 0, a.Content().Len()))

	// A small range needs one chunk.
	h2 := newCountingHolder()
	sparse.Holder = h2
	b, _ = sparse.Open(context.Background(), a.Address())
	r, _ = b.Open(context.Background(), f)
	buf := make([]byte, 100)
	if _, err := r.ReadAt(buf, f.Size/2); err != nil {
		t.Fatal(err)
	}
	if n := h2.entries[a.ContentAddress()]; n != 1 {
		t.Errorf("a 100-byte range held %d content entries", n)
	}
}
