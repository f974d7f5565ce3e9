package archive

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
)

// benchTree writes n files of size bytes.
func benchTree(b *testing.B, n, size int) *tree {
	tr := newTree(b)
	for i := range n {
		tr.write(fmt.Sprintf("d%d/f%04d", i%16, i), randomBytes(uint64(i), size), 0o644)
	}
	return tr
}

var benchShapes = []struct {
	name    string
	n, size int
}{
	{"1x64MiB", 1, 64 << 20},
	{"64x1MiB", 64, 1 << 20},
	{"1024x16KiB", 1024, 16 << 10},
}

// BenchmarkPublish publishes a fresh tree into a new archive.
func BenchmarkPublish(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			tr := benchTree(b, sh.n, sh.size)
			b.SetBytes(int64(sh.n * sh.size))
			b.ReportAllocs()
			for b.Loop() {
				a := newArchive(b, testArchives(b))
				if _, err := a.Publish(context.Background(), tr.root, PublishOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClone clones the latest version into a fresh directory.
func BenchmarkClone(b *testing.B) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			tr := benchTree(b, sh.n, sh.size)
			a := newArchive(b, testArchives(b))
			publish(b, a, tr.root, "")
			b.SetBytes(int64(sh.n * sh.size))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := a.Clone(context.Background(), filepath.Join(b.TempDir(), fmt.Sprint(i)), 0, CloneOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadAt reads 4 KiB at random-ish offsets of a 64 MiB file.
func BenchmarkReadAt(b *testing.B) {
	tr := benchTree(b, 1, 64<<20)
	a := newArchive(b, testArchives(b))
	publish(b, a, tr.root, "")
	snap, _ := a.Snapshot(0)
	f := snap.Files()[len(snap.Files())-1]
	r, _ := a.Open(context.Background(), f)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	off := int64(0)
	for b.Loop() {
		off = (off + 7_777_777) % (f.Size - int64(len(buf)))
		if _, err := r.ReadAt(buf, off); err != nil && err != io.EOF {
			b.Fatal(err)
		}
	}
}
