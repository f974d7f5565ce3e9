package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/steledb/stele/feed/directio"
)

// diskFigure reports machine_disk_MB_per_s: the bytes per second this
// disk moves for one reader and two writers at once, each streaming
// diskStreamBytes in 4 MiB direct transfers. That is how a swarm clone
// on one machine loads the disk: the publisher reads the content from its
// segments while the reader writes it to its own segments and to the
// clone's files, 3 GiB for a 1 GiB archive. The figure bounds
// clone_1GiB_MB_per_s at a third of it, with no CPU spent at all.
func diskFigure(dir string, report func(string, float64, string)) error {
	src := filepath.Join(dir, "disk-read")
	if err := streamFile(src); err != nil {
		return err
	}
	defer os.Remove(src)
	dsts := []string{filepath.Join(dir, "disk-write-1"), filepath.Join(dir, "disk-write-2")}
	for _, p := range dsts {
		defer os.Remove(p)
	}
	errs := make([]error, 3)
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(3)
	go func() { defer wg.Done(); errs[0] = readStream(src) }()
	for i, p := range dsts {
		go func() { defer wg.Done(); errs[1+i] = streamFile(p) }()
	}
	wg.Wait()
	d := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	report("machine_disk_MB_per_s", 3*diskStreamBytes/1e6/d.Seconds(), "MB/s")
	return nil
}

const diskStreamBytes = 1 << 30

// streamFile writes diskStreamBytes to a new file at path with direct
// I/O, then syncs it.
func streamFile(path string) error {
	fh, err := directio.Open(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer fh.Close()
	buf := directio.AlignedBuffer(directio.BufferSize)
	for i := range buf {
		buf[i] = byte(i * 13)
	}
	for off := int64(0); off < diskStreamBytes; off += int64(len(buf)) {
		if _, err := fh.WriteAt(buf, off); err != nil {
			return fmt.Errorf("disk figure: %w", err)
		}
	}
	if err := fh.Sync(); err != nil {
		return fmt.Errorf("disk figure: %w", err)
	}
	return nil
}

// readStream reads the file at path with direct I/O.
func readStream(path string) error {
	fh, err := directio.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer fh.Close()
	buf := directio.AlignedBuffer(directio.BufferSize)
	for off := int64(0); off < diskStreamBytes; off += int64(len(buf)) {
		if _, err := directio.ReadAt(fh, buf, off, len(buf)); err != nil {
			return fmt.Errorf("disk figure: %w", err)
		}
	}
	return nil
}
