package directio

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dirs are a directory on the disk's file system (direct I/O) and one on
// tmpfs (plain I/O, or direct on newer kernels), if there is one.
func dirs(t *testing.T) []string {
	out := []string{t.TempDir()}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if shm, err := os.MkdirTemp("/dev/shm", "stele-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(shm) })
			out = append(out, shm)
		}
	}
	return out
}

// Whatever the sizes of the writes and wherever Flush falls, and whether
// the writer is reopened at the file's end (NewWriter with its tail) or
// goes on after a Flush, the file is the plain concatenation of the
// writes. Writers with a retire hook (SetRetire) swap buffers now and
// then: every retired buffer must hold, unchanged to the end, the data at
// its offset, and be retired only once the file holds it. Writers with
// SetAsync write full buffers in the background, with or without retire.
func TestWriterAgainstConcatenation(t *testing.T) {
	type retired struct {
		off  int64
		data []byte
	}
	for _, dir := range dirs(t) {
		var kept []retired
		path := filepath.Join(dir, "out")
		rng := rand.New(rand.NewPCG(1, 2))
		var want []byte
		var w *Writer
		behind := 0        // writes that returned with a buffer still being written (SetAsync)
		retiredBehind := 0 // buffers retired by a writer with SetAsync too
		var fh *os.File
		for round := range 60 {
			if w == nil || rng.IntN(3) == 0 { // reopen at the end
				if fh != nil {
					fh.Close()
				}
				var err error
				fh, err = Open(path, os.O_RDWR|os.O_CREATE, 0o600)
				if err != nil {
					t.Fatal(err)
				}
				off := int64(len(want))
				w = NewWriter(fh, AlignedBuffer(4*Block), off, want[AlignDown(off):])
				mode := rng.IntN(4)
				if mode == 2 || mode == 3 {
					w.SetRetire(func(off int64, data []byte) []byte {
						if off%Block != 0 || len(data) > 4*Block {
							t.Fatalf("retired %d bytes at offset %d", len(data), off)
						}
						// Retired only once written: the file has the data.
						file, err := os.ReadFile(path)
						if err != nil || int64(len(file)) < off+int64(len(data)) || !bytes.Equal(file[off:off+int64(len(data))], data) {
							t.Fatalf("%s: buffer retired at offset %d before the file held its %d bytes (%v)", dir, off, len(data), err)
						}
						if mode == 3 {
							retiredBehind++
						}
						if rng.IntN(3) == 0 {
							return data[:cap(data)] // go on with the same buffer
						}
						kept = append(kept, retired{off, data})
						return AlignedBuffer(4 * Block)
					})
				}
				if mode == 1 || mode == 3 {
					w.SetAsync(AlignedBuffer(4 * Block))
				}
			}
			for range rng.IntN(5) {
				sizes := []int{1, 7, Block - 1, Block, Block + 1, 3 * Block, 5*Block + 100, rng.IntN(9000)}
				p := make([]byte, sizes[rng.IntN(len(sizes))])
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				var runs []byte // what WriteCopied showed of the copy
				var err error
				if rng.IntN(2) == 0 {
					_, err = w.Write(p)
					runs = p
				} else {
					_, err = w.WriteCopied(p, func(run []byte) { runs = append(runs, run...) })
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(runs, p) {
					t.Fatalf("%s round %d: WriteCopied showed %d bytes of the %d written, or other bytes", dir, round, len(runs), len(p))
				}
				if w.pending != nil {
					behind++
				}
				want = append(want, p...)
			}
			if w.Offset() != int64(len(want)) {
				t.Fatalf("%s round %d: offset %d, want %d", dir, round, w.Offset(), len(want))
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s after round %d: file of %d bytes differs from the %d written", dir, round, len(got), len(want))
			}
			for _, r := range kept {
				if !bytes.Equal(r.data, want[r.off:r.off+int64(len(r.data))]) {
					t.Fatalf("%s after round %d: the buffer retired at offset %d (%d bytes) no longer holds the data there", dir, round, r.off, len(r.data))
				}
			}
		}
		if len(kept) == 0 || behind == 0 || retiredBehind == 0 {
			t.Errorf("%s: %d buffers retired (%d by asynchronous writers), %d writes left in flight: a mode went untested", dir, len(kept), retiredBehind, behind)
		}
		fh.Close()
	}
}

// A file opened without O_DIRECT and switched by Enable (where the file
// system allows) is written the same either way.
func TestEnable(t *testing.T) {
	for _, dir := range dirs(t) {
		path := filepath.Join(dir, "out")
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		direct := Enable(fh)
		t.Logf("%s: direct I/O %v", dir, direct)
		want := bytes.Repeat([]byte("stele "), 5000)
		w := NewWriter(fh, AlignedBuffer(Block), 0, nil)
		if _, err := w.Write(want); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
			t.Errorf("%s (direct %v): file differs", dir, direct)
		}
	}
}

// ReadAt accepts a read cut short by the end of the file only if it
// holds the bytes needed.
func TestReadAt(t *testing.T) {
	for _, dir := range dirs(t) {
		path := filepath.Join(dir, "short")
		data := bytes.Repeat([]byte("x"), Block+100)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fh, err := Open(path, os.O_RDONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		buf := AlignedBuffer(2 * Block)
		cases := []struct {
			off     int64
			need    int
			n       int
			wantErr error
		}{
			{0, 2 * Block, Block + 100, io.ErrUnexpectedEOF}, // needs past the end
			{0, Block + 100, Block + 100, nil},               // the end is all it needs
			{Block, 100, 100, nil},
			{Block, 101, 100, io.ErrUnexpectedEOF},
			{2 * Block, 1, 0, io.ErrUnexpectedEOF},
		}
		for _, tc := range cases {
			n, err := ReadAt(fh, buf, tc.off, tc.need)
			if n != tc.n || !errors.Is(err, tc.wantErr) && !(err == nil && tc.wantErr == nil) {
				t.Errorf("%s: ReadAt(off %d, need %d) = %d, %v; want %d, %v", dir, tc.off, tc.need, n, err, tc.n, tc.wantErr)
			}
		}
		fh.Close()
	}
}

// An asynchronous write that fails fails the writer's next call, which
// names the file and offset.
func TestAsyncWriteError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path) // read-only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	w := NewWriter(fh, AlignedBuffer(Block), 0, nil)
	w.SetAsync(AlignedBuffer(Block))
	if _, err := w.Write(make([]byte, Block)); err != nil {
		t.Fatalf("the first buffer's write failed before it was made: %v", err)
	}
	_, err = w.Write(make([]byte, Block))
	if err == nil {
		err = w.Flush()
	}
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "offset 0") {
		t.Fatalf("write to a read-only file: %v, want an error naming it and offset 0", err)
	}
}
