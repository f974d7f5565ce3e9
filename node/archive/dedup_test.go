package archive

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// contentBytes counts the bytes of content entries [lo, hi).
func contentBytes(t *testing.T, a *Archive, lo, hi int64) int64 {
	t.Helper()
	n := int64(0)
	if err := a.Content().Scan(lo, hi, func(_ int64, d []byte) error { n += int64(len(d)); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOneByteEditOf100MiB edits one byte in the middle of a 100 MiB file:
// re-publishing appends less than 1 MiB of content (about one chunk).
func TestOneByteEditOf100MiB(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	data := randomBytes(100, 100<<20)
	tr.write("big", data, 0o644)
	publish(t, a, tr.root, "")
	before := a.Content().Len()
	data[len(data)/2] ^= 0xff
	tr.write("big", data, 0o644)
	res := publish(t, a, tr.root, "edit")
	appended := contentBytes(t, a, before, a.Content().Len())
	t.Logf("1-byte edit of 100 MiB appended %d bytes in %d chunks", appended, a.Content().Len()-before)
	if appended >= 1<<20 || appended != res.BytesAdded || res.Modified != 1 {
		t.Errorf("appended %d bytes, result %+v", appended, res)
	}
	snap, _ := a.Snapshot(0)
	f, _ := snap.File("big")
	r, _ := a.Open(context.Background(), f)
	var got bytes.Buffer
	if _, err := io.Copy(&got, r); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Errorf("read back: %v", err)
	}
}

// TestDedupAcrossFilesAndHistory stores identical content once: copies of
// a file, a file that comes back after deletion, repeated chunks.
func TestDedupAcrossFilesAndHistory(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	blob := randomBytes(7, 1<<20)
	tr.write("one", blob, 0o644)
	tr.write("two", blob, 0o644)
	res := publish(t, a, tr.root, "")
	if res.BytesAdded != int64(len(blob)) {
		t.Errorf("two copies stored %d bytes", res.BytesAdded)
	}
	tr.remove("one")
	tr.remove("two")
	tr.write("x", []byte("x"), 0o644)
	publish(t, a, tr.root, "")
	tr.write("back", append(bytes.Clone(blob), blob...), 0o644)
	res = publish(t, a, tr.root, "")
	if res.BytesAdded > 512<<10 || res.Added != 1 { // only the chunks around the seam are new
		t.Errorf("content back from history (twice over) stored %d bytes: %+v", res.BytesAdded, res)
	}
}

// TestOrphanedContentIsAdopted simulates a publish that appended chunks
// and failed before its transaction: the next publish reuses them.
func TestOrphanedContentIsAdopted(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	blob := randomBytes(9, 300<<10)
	tr.write("f", blob, 0o644)
	// Append the file's chunks as a failed publish would have.
	p := &publisher{a: a, known: map[Hash]int64{}, free: make(chan []byte, 8)}
	p.appender = newContentAppender(a.Content(), p.free)
	db, _ := a.meta.DB()
	p.db = db
	if err := p.adoptOrphans(); err != nil {
		t.Fatal(err)
	}
	f := &File{}
	job := &readJob{file: &localFile{path: "f"}, full: tr.path("f"), chunks: make(chan chunkData, 100), done: make(chan readResult, 1)}
	cutFile(context.Background(), a.format, job, p.free, make([]byte, readBufferSize))
	for c := range job.chunks {
		if err := p.addChunk(f, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.flush(); err != nil {
		t.Fatal(err)
	}
	if err := p.appender.close(); err != nil {
		t.Fatal(err)
	}
	orphans := a.Content().Len()
	res := publish(t, a, tr.root, "")
	if res.BytesAdded != 0 || a.Content().Len() != orphans {
		t.Errorf("orphans not reused: %+v, content %d -> %d", res, orphans, a.Content().Len())
	}
	if _, err := a.Clone(context.Background(), t.TempDir()+"/c", 0, CloneOptions{}); err != nil {
		t.Error(err)
	}
}
