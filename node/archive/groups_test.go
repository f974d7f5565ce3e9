package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
)

func TestPlanJobs(t *testing.T) {
	file := func(name string, size int64, entries ...int64) *File {
		f := &File{Path: name, Kind: KindFile, Size: size}
		for _, e := range entries {
			f.Chunks = append(f.Chunks, ChunkRef{Entry: e, Size: size / int64(len(entries))})
		}
		return f
	}
	many := func(n int, size int64) []*File {
		var fs []*File
		for i := range n {
			fs = append(fs, file(fmt.Sprintf("f%03d", i), size, int64(i)))
		}
		return fs
	}
	cases := []struct {
		name  string
		files []*File
		want  [][]string
	}{
		{"consecutive small files group", []*File{file("a", 10, 0), file("b", 20, 1, 2), file("c", 5, 3)}, [][]string{{"a", "b", "c"}}},
		{"a gap in the entries splits", []*File{file("a", 10, 0), file("b", 10, 2), file("c", 10, 3)}, [][]string{{"a"}, {"b", "c"}}},
		{"entries going back split (deduplicated content)", []*File{file("a", 10, 5), file("b", 10, 0)}, [][]string{{"a"}, {"b"}}},
		{"a large file goes alone", []*File{file("a", 10, 0), file("big", directMin, 1), file("c", 10, 2)}, [][]string{{"a"}, {"big"}, {"c"}}},
		{"an empty file goes alone", []*File{file("a", 10, 0), file("empty", 0), file("c", 10, 1)}, [][]string{{"a"}, {"empty"}, {"c"}}},
		{"a file in pieces goes alone", []*File{file("a", 10, 0), file("split", 20, 1, 7), file("c", 10, 2)}, [][]string{{"a"}, {"split"}, {"c"}}},
		{"not files are left out", []*File{file("a", 10, 0), {Path: "d", Kind: KindDir}, {Path: "l", Kind: KindSymlink}, file("b", 10, 1)}, [][]string{{"a", "b"}}},
		{"bytes bound a group", []*File{file("a", 900<<10, 0), file("b", 900<<10, 1), file("c", 900<<10, 2), file("d", 900<<10, 3), file("e", 900<<10, 4)}, [][]string{{"a", "b", "c", "d"}, {"e"}}},
		{"files bound a group", many(groupFiles+1, 1), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := jobNames(planJobs(tc.files))
			want := tc.want
			if want == nil { // groups of groupFiles
				want = [][]string{nil, {fmt.Sprintf("f%03d", groupFiles)}}
				for i := range groupFiles {
					want[0] = append(want[0], fmt.Sprintf("f%03d", i))
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("planJobs = %v, want %v", got, want)
			}
		})
	}
}

func TestPlanLanes(t *testing.T) {
	job := func(names ...string) []*File {
		var j []*File
		for _, n := range names {
			size := int64(10)
			if strings.HasPrefix(path.Base(n), "big") {
				size = directMin
			}
			j = append(j, &File{Path: n, Kind: KindFile, Size: size})
		}
		return j
	}
	cases := []struct {
		name string
		jobs [][]*File
		want [][][]string
	}{
		{"small files of one directory share a lane",
			[][]*File{job("d/a", "d/b"), job("d/c"), job("d/e", "d/f")},
			[][][]string{{{"d/a", "d/b"}, {"d/c"}, {"d/e", "d/f"}}}},
		{"another directory starts a lane",
			[][]*File{job("d/a"), job("e/b"), job("e/c")},
			[][][]string{{{"d/a"}}, {{"e/b"}, {"e/c"}}}},
		{"a large file goes alone and ends the lane",
			[][]*File{job("d/a"), job("d/big"), job("d/c")},
			[][][]string{{{"d/a"}}, {{"d/big"}}, {{"d/c"}}}},
		{"a group across directories goes alone",
			[][]*File{job("d/a"), job("d/z", "e/a"), job("e/b")},
			[][][]string{{{"d/a"}}, {{"d/z", "e/a"}}, {{"e/b"}}}},
		{"top-level files are one directory",
			[][]*File{job("a"), job("b")},
			[][][]string{{{"a"}, {"b"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [][][]string
			for _, lane := range planLanes(tc.jobs) {
				got = append(got, jobNames(lane))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("planLanes = %v, want %v", got, tc.want)
			}
		})
	}
}

// jobNames returns the paths of the files of each job.
func jobNames(jobs [][]*File) [][]string {
	var out [][]string
	for _, j := range jobs {
		var ns []string
		for _, f := range j {
			ns = append(ns, f.Path)
		}
		out = append(out, ns)
	}
	return out
}

// TestCloneGroupsOfSmallFiles clones a tree of small files, several
// groups' worth, between a large file and an empty one, and compares it
// with the original.
func TestCloneGroupsOfSmallFiles(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("a/big.bin", randomBytes(1, 3<<20), 0o644)
	for i := range groupFiles + 40 {
		tr.write(fmt.Sprintf("b/%04d.txt", i), randomBytes(uint64(i+2), 100+i*37), fs0644(i))
	}
	tr.write("c/empty", nil, 0o600)
	tr.write("c/last.txt", []byte("the end"), 0o644)
	publish(t, a, tr.root, "")
	snap, err := a.Snapshot(0)
	if err != nil {
		t.Fatal(err)
	}
	if jobs := planJobs(snap.Files()); len(jobs) >= len(snap.Files())/10 {
		t.Fatalf("%d files in %d jobs: the small files were not grouped", len(snap.Files()), len(jobs))
	}
	dir := filepath.Join(t.TempDir(), "clone")
	if _, err := a.Clone(context.Background(), dir, 0, CloneOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := manifest(t, dir), manifest(t, tr.root); got != want {
		t.Errorf("clone differs from the tree:\n%s\nwant\n%s", got, want)
	}
}

func fs0644(i int) os.FileMode {
	if i%3 == 0 {
		return 0o600
	}
	return 0o644
}

// TestCloneGroupRefusesBadContent gives the middle file of a group a
// content hash or chunk size its bytes do not have: the clone fails,
// naming that file, and leaves nothing behind.
func TestCloneGroupRefusesBadContent(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(v map[string]graphdb.Value, f *File)
	}{
		{"hash", func(v map[string]graphdb.Value, f *File) {
			h := f.Hash
			h[0] ^= 1
			v[attrHash] = graphdb.Bytes(h[:])
		}},
		{"chunk size", func(v map[string]graphdb.Value, f *File) {
			chunks := append([]ChunkRef(nil), f.Chunks...)
			chunks[0].Size++
			v[attrChunks] = graphdb.Bytes(FormatChunks(chunks))
			v[attrSize] = graphdb.Long(f.Size + 1)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := testArchives(t)
			a := newArchive(t, s)
			tr := newTree(t)
			for _, name := range []string{"1.txt", "2.txt", "3.txt"} {
				tr.write(name, []byte(strings.Repeat(name, 100)), 0o644)
			}
			publish(t, a, tr.root, "")
			snap, err := a.Snapshot(0)
			if err != nil {
				t.Fatal(err)
			}
			if jobs := planJobs(snap.Files()); len(jobs) != 1 {
				t.Fatalf("%d jobs, want the three files in one group", len(jobs))
			}
			mid, _ := snap.File("2.txt")
			bad := fileValues(mid)
			tc.spoil(bad, mid)
			if _, err := a.Database().Transact(diffOps(mid.entity, fileValues(mid), bad)); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			dir := filepath.Join(parent, "clone")
			_, err = a.Clone(context.Background(), dir, 0, CloneOptions{})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "2.txt") {
				t.Fatalf("clone: %v, want ErrCorrupt naming 2.txt", err)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("the failed clone left %v", entries)
			}
		})
	}
}
