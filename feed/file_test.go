package feed

import (
	"bytes"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func exportFile(t testing.TB, f *Feed, ranges RangeSet) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Export(&buf, ranges); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileRoundTrip(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 10, 5000, 3)
	tests := []struct {
		name   string
		ranges RangeSet
		want   string
	}{
		{"everything", nil, "0:5013"},
		{"one range", RangeSet{{100, 200}}, "100:200"},
		{"several ranges", RangeSet{{0, 1}, {4000, 5013}}, "0:1 4000:5013"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := exportFile(t, author, tt.ranges)
			var calls int
			sum, err := VerifyFile(bytes.NewReader(file), func(done, total int64) { calls++ })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Address != author.PublicKey() || sum.Latest.Size != 5013 || sum.Ranges.String() != tt.want || sum.Checkpoints != 4 {
				t.Fatalf("summary = %+v", sum)
			}
			if calls == 0 {
				t.Error("progress never called")
			}
			s := openTestStore(t, t.TempDir(), 5)
			f, _, err := s.Import(bytes.NewReader(file), nil)
			if err != nil {
				t.Fatal(err)
			}
			if f.Ranges().String() != tt.want || f.Len() != 5013 || f.IsAuthor() {
				t.Fatalf("imported feed: ranges %s len %d author %v", f.Ranges(), f.Len(), f.IsAuthor())
			}
			if err := f.Verify(nil); err != nil {
				t.Fatal(err)
			}
			// A replica re-exports what it holds, and that verifies too.
			if _, err := VerifyFile(bytes.NewReader(exportFile(t, f, nil)), nil); err != nil {
				t.Fatalf("re-exported file: %v", err)
			}
		})
	}
}

func TestImportIntoHeldFeed(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 10)
	_, r := newReplica(t, author)
	replicate(t, author, r, 0, 5)
	if _, err := author.Append(entries(10, 20)...); err != nil {
		t.Fatal(err)
	}
	f, _, err := r.s.Import(bytes.NewReader(exportFile(t, author, RangeSet{{15, 20}})), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f != r || r.Len() != 20 || r.Ranges().String() != "0:5 15:20" {
		t.Fatalf("after import: len %d ranges %s", r.Len(), r.Ranges())
	}
}

// TestFileTampering flips single bytes all over a feed file: every flip
// must fail verification with a FileError, and importing it must store
// nothing.
func TestFileTampering(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 3, 200, 5)
	file := exportFile(t, author, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	positions := []int{0, len(fileMagic), len(file) - 1, len(file) - 33}
	for range 300 {
		positions = append(positions, rng.IntN(len(file)))
	}
	s := openTestStore(t, t.TempDir(), 9)
	for _, pos := range positions {
		bad := bytes.Clone(file)
		bad[pos] ^= byte(1 + rng.IntN(255))
		_, err := VerifyFile(bytes.NewReader(bad), nil)
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrVerification) {
			t.Fatalf("byte %d flipped: VerifyFile = %v, want a FileError", pos, err)
		}
		if _, _, err := s.Import(bytes.NewReader(bad), nil); err == nil {
			t.Fatalf("byte %d flipped: import succeeded", pos)
		}
	}
	if feeds, _ := s.List(); len(feeds) != 0 {
		t.Fatalf("tampered imports stored %d feeds", len(feeds))
	}
}

func TestFileTruncation(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 3, 50)
	file := exportFile(t, author, nil)
	for n := 0; n < len(file); n += 1 + n/20 {
		if _, err := VerifyFile(bytes.NewReader(file[:n]), nil); err == nil {
			t.Fatalf("file cut to %d of %d bytes verified", n, len(file))
		}
	}
	if _, err := VerifyFile(bytes.NewReader(append(bytes.Clone(file), 0)), nil); err == nil {
		t.Fatal("file with a trailing byte verified")
	}
}

func TestFileErrorsNameTheEntry(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 10000)
	file := exportFile(t, author, nil)
	target := []byte("entry 5000")
	pos := bytes.Index(file, target)
	if pos < 0 {
		t.Fatal("entry 5000 not found in the file")
	}
	file[pos+len(target)-1] = 'X'
	_, err := VerifyFile(bytes.NewReader(file), nil)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Index < 0 || fe.Index > 5000 || 5000-fe.Index >= maxPieceEntries {
		t.Fatalf("error = %v, want one naming the piece holding entry 5000", err)
	}
}

var updateTestdata = flag.Bool("update", false, "rewrite testdata/small.feed")

// TestSmallFeedFile keeps testdata/small.feed, the fuzzer's seed, current:
// go test ./feed -run SmallFeedFile -update rewrites it.
func TestSmallFeedFile(t *testing.T) {
	path := filepath.Join("testdata", "small.feed")
	if *updateTestdata {
		author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 3, 7)
		if err := os.WriteFile(path, exportFile(t, author, nil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := VerifyFile(bytes.NewReader(data), nil)
	if err != nil || sum.Entries != 10 || sum.Checkpoints != 3 {
		t.Fatalf("testdata/small.feed: %+v, %v", sum, err)
	}
}

// FuzzVerifyFile feeds mutated feed files to VerifyFile, which must never
// panic, and never accept one unless it is the seed itself.
func FuzzVerifyFile(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "small.feed"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := VerifyFile(bytes.NewReader(data), nil); err == nil && !bytes.Equal(data, seed) {
			t.Fatalf("a file other than the seed verified: %x", data)
		}
	})
}
