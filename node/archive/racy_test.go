package archive

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestRacyFiles: a file changed within the timestamp granularity keeps
// its size and time; Publish re-reads files whose time is too close to
// the last scan, and stops once a scan is far enough past them.
func TestRacyFiles(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	set := func(data string) {
		t.Helper()
		if err := os.WriteFile(tr.path("f"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(tr.path("f"), t0, t0); err != nil {
			t.Fatal(err)
		}
	}
	pub := func(now time.Time) PublishResult {
		t.Helper()
		res, err := a.Publish(context.Background(), tr.root, PublishOptions{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	set("one")
	pub(t0.Add(time.Second))
	set("two") // same size, same time
	if res := pub(t0.Add(time.Second)); !res.Changed || res.Modified != 1 {
		t.Errorf("a racy change was missed: %+v", res)
	}
	later := t0.Add(time.Minute)
	if res := pub(later); res.Changed || res.BytesRead != 3 {
		t.Errorf("first scan past the racy window: %+v", res)
	}
	if res := pub(later.Add(time.Second)); res.Changed || res.BytesRead != 0 {
		t.Errorf("a file verified long after its time was read again: %+v", res)
	}
	snap, _ := a.Snapshot(0)
	f, _ := snap.File("f")
	r, _ := a.Open(context.Background(), f)
	buf := make([]byte, 3)
	if _, err := r.ReadAt(buf, 0); err != nil || string(buf) != "two" {
		t.Errorf("content %q, %v", buf, err)
	}
}
