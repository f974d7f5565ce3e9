package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/dbs"
)

func init() { suites["archive"] = archiveSuite }

// archiveSuite: publish a 1 GiB directory of mixed file sizes (2 × 256
// MiB, 6 × 64 MiB, 96 × 1 MiB, 2,048 × 16 KiB, random content, read
// from the page cache), re-publish it unchanged (2,160 paths to stat and
// compare), clone it from the local
// store, read one 1 MiB file through a Holder that counts what it is
// asked for, and edit one byte in the middle of a 100 MiB file.
func archiveSuite(dir string, report func(string, float64, string)) error {
	src := filepath.Join(dir, "src")
	total, err := writeMixedTree(src)
	if err != nil {
		return err
	}
	store, err := feed.Open(filepath.Join(dir, "feeds"), feed.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	dbm := dbs.New(store, filepath.Join(dir, "graphs"), nil)
	s := &archive.Archives{Feeds: store, DBs: dbm}
	a, err := s.Create("bench")
	if err != nil {
		return err
	}
	ctx := context.Background()
	start := time.Now()
	if _, err := a.Publish(ctx, src, archive.PublishOptions{}); err != nil {
		return err
	}
	report("publish_1GiB_MB_per_s", float64(total)/1e6/time.Since(start).Seconds(), "MB/s")

	// The files written just before the first publish are too recent to
	// trust by their times: the second publish re-reads them, the third
	// only looks at sizes and times.
	for range 2 {
		start = time.Now()
		if res, err := a.Publish(ctx, src, archive.PublishOptions{}); err != nil || res.Changed {
			return fmt.Errorf("unchanged republish: %+v, %v", res, err)
		}
	}
	report("republish_unchanged_1GiB_ms", float64(time.Since(start).Microseconds())/1000, "ms")

	start = time.Now()
	if _, err := a.Clone(ctx, filepath.Join(dir, "clone"), 0, archive.CloneOptions{}); err != nil {
		return err
	}
	report("clone_1GiB_MB_per_s", float64(total)/1e6/time.Since(start).Seconds(), "MB/s")
	os.RemoveAll(filepath.Join(dir, "clone"))

	if err := sparseRead(ctx, s, a, report); err != nil {
		return err
	}
	return oneByteEdit(ctx, s, filepath.Join(dir, "edit"), report)
}

// writeMixedTree writes the 1 GiB tree and returns its size.
func writeMixedTree(root string) (int64, error) {
	r := rand.New(rand.NewPCG(1, 2))
	total := int64(0)
	for _, group := range []struct {
		n    int
		size int
		dir  string
	}{{2, 256 << 20, "huge"}, {6, 64 << 20, "large"}, {96, 1 << 20, "medium"}, {2048, 16 << 10, "small/many"}} {
		for i := range group.n {
			p := filepath.Join(root, group.dir, fmt.Sprintf("%04d.bin", i))
			if err := writeRandomFile(p, group.size, r); err != nil {
				return 0, err
			}
			total += int64(group.size)
		}
	}
	return total, nil
}

func writeRandomFile(p string, size int, r *rand.Rand) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	buf := make([]byte, size)
	for i := 0; i+8 <= size; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			buf[i+k] = byte(v >> (8 * k))
		}
	}
	return os.WriteFile(p, buf, 0o644)
}

// countingHolder counts the bytes of the content entries readers need.
type countingHolder struct {
	content string
	bytes   int64
}

func (h *countingHolder) Hold(ctx context.Context, f *feed.Feed, lo, hi int64) error {
	if err := (archive.LocalHolder{}).Hold(ctx, f, lo, hi); err != nil {
		return err
	}
	if f.Address() != h.content || lo >= hi {
		return nil
	}
	return f.Scan(lo, hi, func(_ int64, d []byte) error { h.bytes += int64(len(d)); return nil })
}

// sparseRead reads one 1 MiB file of the 1 GiB archive.
func sparseRead(ctx context.Context, s *archive.Archives, a *archive.Archive, report func(string, float64, string)) error {
	h := &countingHolder{content: a.ContentAddress()}
	sparse := &archive.Archives{Feeds: s.Feeds, DBs: s.DBs, Holder: h}
	b, err := sparse.Open(ctx, a.Address())
	if err != nil {
		return err
	}
	snap, err := b.Snapshot(0)
	if err != nil {
		return err
	}
	f, ok := snap.File("medium/0042.bin")
	if !ok {
		return fmt.Errorf("no medium/0042.bin")
	}
	r, err := b.Open(ctx, f)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	report("sparse_read_1_file_bytes_transferred", float64(h.bytes), "bytes")
	meta := b.Database().Feed()
	metaBytes := int64(0)
	if err := meta.Scan(0, meta.Len(), func(_ int64, d []byte) error { metaBytes += int64(len(d)); return nil }); err != nil {
		return err
	}
	report("sparse_read_metadata_bytes", float64(metaBytes), "bytes")
	return nil
}

// oneByteEdit publishes a 100 MiB file, flips its middle byte and
// publishes again.
func oneByteEdit(ctx context.Context, s *archive.Archives, dir string, report func(string, float64, string)) error {
	a, err := s.Create("")
	if err != nil {
		return err
	}
	p := filepath.Join(dir, "big.bin")
	if err := writeRandomFile(p, 100<<20, rand.New(rand.NewPCG(3, 4))); err != nil {
		return err
	}
	if _, err := a.Publish(ctx, dir, archive.PublishOptions{}); err != nil {
		return err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return err
	}
	res, err := a.Publish(ctx, dir, archive.PublishOptions{})
	if err != nil {
		return err
	}
	report("republish_1byte_edit_100MiB_bytes_appended", float64(res.BytesAdded), "bytes")
	return nil
}
