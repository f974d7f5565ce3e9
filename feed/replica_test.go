package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/steledb/stele/merkle"
)

// replicate copies the author's latest checkpoint and entries [lo, hi) to
// the replica the way a peer would.
func replicate(t *testing.T, author, replica *Feed, lo, hi int64) {
	t.Helper()
	syncCheckpoint(t, author, replica)
	cp, _ := author.Latest()
	data, err := author.GetRange(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := author.ProveRange(lo, hi, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.ApplyRange(lo, data, cp.Size, proof); err != nil {
		t.Fatal(err)
	}
}

func syncCheckpoint(t *testing.T, author, replica *Feed) {
	t.Helper()
	cp, _ := author.Latest()
	var proof merkle.ConsistencyProof
	if have, ok := replica.Latest(); ok && have.Size != cp.Size {
		var err error
		if proof, err = author.ProveConsistency(have.Size, cp.Size); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := replica.ApplyCheckpoint(cp.Note, proof); err != nil {
		t.Fatal(err)
	}
}

func newReplica(t *testing.T, author *Feed) (*Store, *Feed) {
	t.Helper()
	s := openTestStore(t, t.TempDir(), 99)
	r, err := s.Replicate(author.PublicKey(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

func TestSparseReplica(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 300)
	_, r := newReplica(t, author)
	replicate(t, author, r, 10, 20)
	replicate(t, author, r, 100, 250)
	replicate(t, author, r, 15, 110) // overlaps both
	if got := r.Ranges().String(); got != "10:250" {
		t.Fatalf("ranges = %q, want 10:250", got)
	}
	replicate(t, author, r, 290, 300)
	if got := r.Ranges().String(); got != "10:250 290:300" {
		t.Fatalf("ranges = %q", got)
	}
	for _, i := range []int64{10, 15, 109, 249, 299} {
		if got, err := r.Get(i); err != nil || !bytes.Equal(got, entry(i)) {
			t.Fatalf("replica Get(%d) = %q, %v", i, got, err)
		}
	}
	if _, err := r.Get(5); !errors.Is(err, ErrNotHeld) {
		t.Fatalf("Get(5) on sparse replica: %v, want ErrNotHeld", err)
	}
	// The replica can prove sub-ranges of what it holds to others.
	for _, rg := range []Range{{10, 250}, {37, 38}, {120, 200}, {290, 300}} {
		proof, err := r.ProveRange(rg.Lo, rg.Hi, 300)
		if err != nil {
			t.Fatalf("replica ProveRange(%s): %v", rg, err)
		}
		_, other := newReplica(t, author)
		syncCheckpoint(t, author, other)
		data, _ := r.GetRange(rg.Lo, rg.Hi)
		if err := other.ApplyRange(rg.Lo, data, 300, proof); err != nil {
			t.Fatalf("range %s proven by a replica: %v", rg, err)
		}
	}
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestReplicaFollowsCheckpoints(t *testing.T) {
	s := openTestStore(t, t.TempDir(), 1)
	author := newAuthor(t, s, "", 10)
	_, r := newReplica(t, author)
	replicate(t, author, r, 0, 10)
	for _, n := range []int64{1, 5, 31} {
		if _, err := author.Append(entries(author.Len(), author.Len()+n)...); err != nil {
			t.Fatal(err)
		}
		replicate(t, author, r, 0, author.Len())
	}
	if r.Len() != 47 || r.Ranges().String() != "0:47" {
		t.Fatalf("replica len %d ranges %s", r.Len(), r.Ranges())
	}
	// An older checkpoint is accepted too, checked against the stored tree.
	old, _ := author.Checkpoint(10)
	if _, err := r.ApplyCheckpoint(old.Note, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestReplicaRejectsBadInput(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 64)
	other := newAuthor(t, openTestStore(t, t.TempDir(), 2), "", 64)
	_, r := newReplica(t, author)
	replicate(t, author, r, 0, 8)
	if _, err := author.Append(entries(64, 80)...); err != nil {
		t.Fatal(err)
	}
	cp, _ := author.Latest()
	goodProof, _ := author.ProveConsistency(64, 80)
	data, _ := author.GetRange(20, 40)
	rangeProof, _ := author.ProveRange(20, 40, 64)

	otherCP, _ := other.Latest()
	tampered := bytes.Clone(cp.Note)
	tampered[len(tampered)-5] ^= 1
	badConsistency := append(merkle.ConsistencyProof(nil), goodProof...)
	badConsistency[0][0] ^= 1
	tests := []struct {
		name string
		err  func() error
	}{
		{"checkpoint signed by another key", func() error { _, err := r.ApplyCheckpoint(otherCP.Note, nil); return err }},
		{"checkpoint with a flipped signature byte", func() error { _, err := r.ApplyCheckpoint(tampered, goodProof); return err }},
		{"checkpoint with a bad consistency proof", func() error { _, err := r.ApplyCheckpoint(cp.Note, badConsistency); return err }},
		{"checkpoint without a consistency proof", func() error { _, err := r.ApplyCheckpoint(cp.Note, nil); return err }},
		{"range with an altered entry", func() error {
			bad := bytes.Clone(data[3])
			bad[0] ^= 1
			d := append(append(append([][]byte{}, data[:3]...), bad), data[4:]...)
			return r.ApplyRange(20, d, 64, rangeProof)
		}},
		{"range with entries swapped", func() error {
			d := append([][]byte{data[1], data[0]}, data[2:]...)
			return r.ApplyRange(20, d, 64, rangeProof)
		}},
		{"range at the wrong offset", func() error { return r.ApplyRange(21, data, 64, rangeProof) }},
		{"range with a truncated proof", func() error {
			return r.ApplyRange(20, data, 64, merkle.RangeProof{Left: rangeProof.Left[1:], Right: rangeProof.Right})
		}},
		{"range with one entry missing", func() error { return r.ApplyRange(20, data[:19], 64, rangeProof) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.err(); !errors.Is(err, ErrVerification) {
				t.Fatalf("error = %v, want ErrVerification", err)
			}
			if r.Len() != 64 || r.Ranges().String() != "0:8" {
				t.Fatalf("rejected input changed the replica: len %d ranges %s", r.Len(), r.Ranges())
			}
		})
	}
	// A range against a checkpoint the replica does not hold is refused.
	if err := r.ApplyRange(20, data, 63, rangeProof); !errors.Is(err, ErrNotFound) {
		t.Fatalf("range against unheld checkpoint: %v, want ErrNotFound", err)
	}
}

// forkedAuthors returns two stores holding the same author key whose
// feeds agree on the first `common` entries and then diverge.
func forkedAuthors(t *testing.T, common, a, b int64) (*Feed, *Feed) {
	t.Helper()
	s1 := openTestStore(t, t.TempDir(), 1)
	f1 := newAuthor(t, s1, "", common)
	key, err := s1.ExportKey(f1.PublicKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s2 := openTestStore(t, t.TempDir(), 2)
	f2, err := s2.ImportKey(key, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f2.Append([]byte("x")); !errors.Is(err, ErrRestoredKey) {
		t.Fatalf("append right after key import: %v, want ErrRestoredKey", err)
	}
	// The restored author syncs what it can, then confirms and appends.
	syncCheckpoint(t, f1, f2)
	replicate(t, f1, f2, 0, common)
	if err := f2.ConfirmLatest(); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < a; i++ {
		if _, err := f1.Append([]byte(fmt.Sprintf("branch one %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := int64(0); i < b; i++ {
		if _, err := f2.Append([]byte(fmt.Sprintf("branch two %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	return f1, f2
}

func TestForkEvidence(t *testing.T) {
	tests := []struct {
		name         string
		common, a, b int64
	}{
		{"same size", 10, 3, 3},
		{"replica ahead", 10, 6, 2},
		{"power of two", 4, 4, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f1, f2 := forkedAuthors(t, tt.common, tt.a, tt.b)
			dir := t.TempDir()
			s := openTestStore(t, dir, 7)
			r, err := s.Replicate(f1.PublicKey(), "")
			if err != nil {
				t.Fatal(err)
			}
			// The replica follows branch one, then hears of branch two from f2,
			// which proves the fork from its own tree when it is the larger.
			replicate(t, f1, r, 0, f1.Len())
			cp2, _ := f2.Latest()
			var ferr *ForkError
			if cp2.Size <= r.Len() {
				_, err = r.ApplyCheckpoint(cp2.Note, nil)
			} else {
				cp1, _ := r.Latest()
				_, err = f2.ApplyCheckpoint(cp1.Note, nil)
				if !errors.As(err, &ferr) {
					t.Fatalf("f2 applying f1's checkpoint: %v, want a ForkError", err)
				}
				err = r.ApplyForkEvidence(FormatForkEvidence(ferr.Evidence))
			}
			if !errors.As(err, &ferr) || !errors.Is(err, ErrForked) {
				t.Fatalf("applying the conflicting checkpoint: %v, want a ForkError", err)
			}
			if _, err := ParseForkEvidence(r.PublicKey(), FormatForkEvidence(ferr.Evidence)); err != nil {
				t.Fatalf("evidence does not check: %v", err)
			}
			s.Close()

			s = openTestStore(t, dir, 7)
			r, err = s.Feed(f1.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			at, forked := r.Forked()
			if want := tt.common + min(tt.a, tt.b); !forked || at != want {
				t.Fatalf("after restart Forked() = %d, %v; want %d, true", at, forked, want)
			}
			evs, err := r.ForkEvidence()
			if err != nil || len(evs) != 1 {
				t.Fatalf("stored evidence: %d, %v", len(evs), err)
			}
			cp1, _ := f1.Latest()
			if _, err := r.ApplyCheckpoint(cp1.Note, nil); !errors.Is(err, ErrForked) {
				t.Fatalf("checkpoint after fork: %v, want ErrForked", err)
			}
			if err := r.Verify(nil); err != nil {
				t.Fatalf("forked replica's data should still verify: %v", err)
			}
		})
	}
}

func TestForkEvidenceRejectsNonForks(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 5, 5)
	a, _ := author.Checkpoint(5)
	b, _ := author.Checkpoint(10)
	proof, _ := merkle.ProveOldRoot(5, 10, author.hashes())
	for _, ev := range []ForkEvidence{
		{A: a, B: a},
		{A: a, B: b, Proof: proof},
		{A: b, B: a, Proof: proof},
		{A: a, B: b},
	} {
		if _, err := ParseForkEvidence(author.PublicKey(), FormatForkEvidence(ev)); !errors.Is(err, ErrVerification) {
			t.Errorf("evidence %d/%d accepted: %v", ev.A.Size, ev.B.Size, err)
		}
	}
	for _, junk := range [][]byte{nil, {1}, {200, 1, 2}, bytes.Repeat([]byte{0xff}, 20)} {
		if _, err := ParseForkEvidence(author.PublicKey(), junk); err == nil {
			t.Errorf("junk evidence %x accepted", junk)
		}
	}
}

func TestDropFreesSpace(t *testing.T) {
	author := newAuthor(t, openTestStore(t, t.TempDir(), 1), "", 3000)
	s, r := newReplica(t, author)
	// Random bytes: Pebble compresses, so repetitive data would hide the effect.
	big := func(i int64) []byte {
		b := make([]byte, 4096)
		rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)}).Read(b)
		return b
	}
	for i := int64(0); i < 3000; i += 500 {
		batch := make([][]byte, 500)
		for k := range batch {
			batch[k] = big(i + int64(k))
		}
		if _, err := author.Append(batch...); err != nil {
			t.Fatal(err)
		}
	}
	replicate(t, author, r, 3000, 6000)
	// Measure what a user would: the bytes of the store's files, with the
	// store closed (Pebble deletes obsolete files in the background).
	dir := s.dir
	s.Close()
	before := dirSize(t, dir)
	s = openTestStore(t, dir, 99)
	r, _ = s.Feed(r.PublicKey())
	if err := r.Drop(context.Background(), 3500, 5900); err != nil {
		t.Fatal(err)
	}
	s.Close()
	after := dirSize(t, dir)
	s = openTestStore(t, dir, 99)
	r, _ = s.Feed(r.PublicKey())
	t.Logf("disk usage %d -> %d bytes after dropping 2400 entries of 4 KiB", before, after)
	if freed := int64(before) - int64(after); freed < 2400*4096*8/10 {
		t.Fatalf("drop freed %d bytes, want at least 80%% of %d", freed, 2400*4096)
	}
	if got := r.Ranges().String(); got != "3000:3500 5900:6000" {
		t.Fatalf("ranges after drop = %q", got)
	}
	if got, err := r.Get(3499); err != nil || !bytes.Equal(got, big(3499-3000)) {
		t.Fatalf("entry kept beside the hole: %v", err)
	}
	// What is left can still be proven to others and verifies.
	for _, rg := range []Range{{3000, 3500}, {3100, 3101}, {5900, 6000}} {
		if _, err := r.ProveRange(rg.Lo, rg.Hi, 6000); err != nil {
			t.Fatalf("ProveRange(%s) after drop: %v", rg, err)
		}
	}
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
	// A dropped range can be fetched again.
	replicate(t, author, r, 4000, 4100)
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += allocatedSize(fi) // as du counts: punched holes take nothing
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A forged range of large entries, more than one segment buffer's worth,
// leaves nothing behind: the segment keeps its length, the recent cache
// holds none of the forged bytes, and the genuine range stored next reads
// back right, from memory and after a reopen.
func TestReplicaRejectsForgedLargeRange(t *testing.T) {
	author, _ := openTestStore(t, t.TempDir(), 1).Create("")
	data := largeEntries(3, 9) // over 9 MiB: more than one segment buffer goes to the disk
	if _, err := author.Append(data...); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := openTestStore(t, dir, 99)
	r, err := s.Replicate(author.PublicKey(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	replicate(t, author, r, 0, 1)
	seg := segmentFiles(t, s, r)
	before := fileSize(t, seg[0])

	cp, _ := author.Latest()
	proof, err := author.ProveRange(1, 9, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	forged := append([][]byte{}, data[1:]...)
	forged[7] = bytes.Clone(forged[7])
	forged[7][len(forged[7])-1] ^= 1
	if err := r.ApplyRange(1, forged, cp.Size, proof); !errors.Is(err, ErrVerification) {
		t.Fatalf("forged range: %v, want ErrVerification", err)
	}
	if got := r.Ranges().String(); got != "0:1" {
		t.Fatalf("after the forged range the replica holds %s, want 0:1", got)
	}
	// Before, the file may end with the zeros padding its last block.
	if after := fileSize(t, seg[0]); after > before {
		t.Fatalf("segment is %d bytes after the forged range, %d before", after, before)
	}
	if err := r.ApplyRange(1, data[1:], cp.Size, proof); err != nil {
		t.Fatal(err)
	}
	check := func(f *Feed) {
		t.Helper()
		got, err := f.GetRange(0, 9)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if !bytes.Equal(got[i], data[i]) {
				t.Fatalf("entry %d differs from the author's", i)
			}
		}
	}
	check(r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, 99)
	r = lookup(t, s, "copy")
	check(r)
	if err := r.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
