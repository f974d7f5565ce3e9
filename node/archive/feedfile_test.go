package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steledb/stele/feed"
)

// TestArchiveFromFeedFiles moves an archive to another node as feed files:
// with the whole metadata and part of the content, files whose chunks
// came along are read, others fail saying what is missing.
func TestArchiveFromFeedFiles(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("first", randomBytes(1, 100<<10), 0o644)
	tr.write("second", randomBytes(2, 100<<10), 0o644)
	publish(t, a, tr.root, "")
	snap, _ := a.Snapshot(0)
	first, _ := snap.File("first")

	other := testArchives(t)
	var meta, content bytes.Buffer
	if err := a.Database().Feed().Export(&meta, nil); err != nil {
		t.Fatal(err)
	}
	held := feed.RangeSet{}.Add(first.Chunks[0].Entry, first.Chunks[len(first.Chunks)-1].Entry+1)
	if err := a.Content().Export(&content, held); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*bytes.Buffer{&meta, &content} {
		if _, _, err := other.Feeds.Import(bytes.NewReader(b.Bytes()), nil); err != nil {
			t.Fatal(err)
		}
	}
	b, err := other.Open(context.Background(), a.Address())
	if err != nil {
		t.Fatal(err)
	}
	if b.IsAuthor() {
		t.Error("a replica claims authorship")
	}
	if _, err := b.Publish(context.Background(), tr.root, PublishOptions{}); !errors.Is(err, feed.ErrNotAuthor) {
		t.Errorf("publish to a replica: %v", err)
	}
	snap, _ = b.Snapshot(0)
	f, _ := snap.File("first")
	r, _ := b.Open(context.Background(), f)
	if _, err := r.WriteTo(&bytes.Buffer{}); err != nil {
		t.Errorf("read a file whose chunks are held: %v", err)
	}
	f, _ = snap.File("second")
	r, _ = b.Open(context.Background(), f)
	if _, err := r.WriteTo(&bytes.Buffer{}); !errors.Is(err, feed.ErrNotHeld) || !strings.Contains(err.Error(), "not held here") {
		t.Errorf("read a file whose chunks are not held: %v", err)
	}
	if res, err := b.CheckFiles(context.Background(), 0, nil); err != nil || res.Checked != 1 || res.NotHeld != 1 {
		t.Errorf("check the files of a sparse replica: %+v, %v; want 1 checked, 1 not held", res, err)
	}
	parent := t.TempDir()
	if _, err := b.Clone(context.Background(), filepath.Join(parent, "c"), 0, CloneOptions{}); !errors.Is(err, feed.ErrNotHeld) {
		t.Errorf("clone without the content: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a failed clone left %v", entries)
	}
}
