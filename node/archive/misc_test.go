package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("keep", []byte("k"), 0o644)
	tr.write("edit", []byte("1"), 0o644)
	tr.write("gone", []byte("g"), 0o644)
	tr.write("move", []byte("m"), 0o644)
	v2 := publish(t, a, tr.root, "").Version
	tr.write("edit", []byte("2"), 0o600)
	tr.remove("gone")
	tr.rename("move", "moved")
	tr.write("new", []byte("n"), 0o644)
	v3 := publish(t, a, tr.root, "").Version
	changes, err := a.Diff(v2, v3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s %s %s %s", c.Op, c.Path, c.From, c.What))
	}
	want := "modified edit  content,mode,time|removed gone  |renamed moved move |added new  "
	if strings.Join(got, "|") != want {
		t.Errorf("diff:\n got %q\nwant %q", strings.Join(got, "|"), want)
	}
	back, _ := a.Diff(v3, v2)
	if len(back) != len(changes) {
		t.Errorf("diff in reverse order: %v", back)
	}
	if c, _ := a.Diff(v2, v2); len(c) != 0 {
		t.Errorf("diff of a version with itself: %v", c)
	}
}

func TestDirRegistry(t *testing.T) {
	r := DirRegistry{Dir: filepath.Join(t.TempDir(), "archives")}
	if _, ok, err := r.Lookup("/data"); ok || err != nil {
		t.Errorf("lookup in an empty registry: %v %v", ok, err)
	}
	for _, tt := range []struct{ dir, addr string }{{"/data", "k51a"}, {"/other", "k51b"}, {"/data", "k51c"}} {
		if err := r.Remember(tt.dir, tt.addr); err != nil {
			t.Fatal(err)
		}
	}
	for dir, want := range map[string]string{"/data": "k51c", "/other": "k51b"} {
		if got, ok, err := r.Lookup(dir); got != want || !ok || err != nil {
			t.Errorf("lookup %s: %q %v %v", dir, got, ok, err)
		}
	}
	entries, _ := os.ReadDir(r.Dir)
	if len(entries) != 2 {
		t.Errorf("registry files: %v", entries)
	}
}

// TestFollow follows an archive live: every publish reaches the clone.
func TestFollow(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.write("f", []byte("1"), 0o644)
	publish(t, a, tr.root, "")
	clone := filepath.Join(t.TempDir(), "c")
	if _, err := a.Clone(context.Background(), clone, 0, CloneOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reports := make(chan PullResult)
	done := make(chan error)
	go func() { done <- a.Follow(ctx, clone, CloneOptions{}, func(r PullResult) { reports <- r }) }()
	for i := 2; i <= 4; i++ {
		tr.write("f", []byte(fmt.Sprint(i)), 0o644)
		v := publish(t, a, tr.root, "").Version
		r := <-reports
		if r.To != v {
			t.Errorf("follow pulled to %d, want %d", r.To, v)
		}
		if got, _ := os.ReadFile(filepath.Join(clone, "f")); string(got) != fmt.Sprint(i) {
			t.Errorf("clone holds %q after version %d", got, v)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("follow: %v", err)
	}
}

func TestHTTPHandler(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	big := randomBytes(3, 600<<10)
	tr.write("dir/big.bin", big, 0o644)
	tr.write("hello.txt", []byte("hello v1"), 0o644)
	tr.symlink("link", "dir/big.bin")
	v2 := publish(t, a, tr.root, "").Version
	tr.write("hello.txt", []byte("hello v2"), 0o644)
	publish(t, a, tr.root, "")

	h := newCountingHolder()
	sparse := &Archives{Feeds: s.Feeds, DBs: s.DBs, Holder: h}
	srv := httptest.NewServer(Handler(sparse.Open))
	defer srv.Close()
	get := func(path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	base := "/archive/" + a.Address() + "/"
	if resp, body := get(base + "hello.txt"); resp.StatusCode != 200 || body != "hello v2" || resp.Header.Get("X-Stele-Version") != "3" {
		t.Errorf("latest: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if _, body := get(fmt.Sprintf("%shello.txt?at=%d", base, v2)); body != "hello v1" {
		t.Errorf("at version 2: %q", body)
	}
	before := h.entries[a.ContentAddress()]
	resp, body := get(base+"link", "Range", "bytes=300000-300009")
	if resp.StatusCode != http.StatusPartialContent || body != string(big[300000:300010]) {
		t.Errorf("range through a symlink: %d %q", resp.StatusCode, body)
	}
	if n := h.entries[a.ContentAddress()] - before; n != 1 {
		t.Errorf("a 10-byte range held %d chunks", n)
	}
	if resp, _ := get(base+"hello.txt", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != 200 {
		t.Errorf("another file's ETag: %d", resp.StatusCode)
	}
	resp, _ = get(base + "hello.txt")
	if resp, _ := get(base+"hello.txt", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("its own ETag: %d", resp.StatusCode)
	}
	if _, body := get(base); body != "dir/\nhello.txt\nlink\n" {
		t.Errorf("root listing: %q", body)
	}
	for path, status := range map[string]int{
		base + "nope": 404, base + "hello.txt?at=0": 400, base + "hello.txt?at=99": 404, "/archive/": 404,
		"/archive/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh/x": 404,
	} {
		if resp, body := get(path); resp.StatusCode != status {
			t.Errorf("GET %s: %d %q, want %d", path, resp.StatusCode, body, status)
		}
	}
	resp, err := http.Post(srv.URL+base+"hello.txt", "text/plain", bytes.NewReader(nil))
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", resp.StatusCode, err)
	}
}
