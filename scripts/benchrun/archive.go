package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/api"
	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
	"github.com/steledb/stele/testnet"
)

func init() { suites["archive"] = archiveSuite }

// archiveSuite: publish a 1 GiB directory of mixed file sizes (2 × 256
// MiB, 6 × 64 MiB, 96 × 1 MiB, 2,048 × 16 KiB, random content, read
// from the page cache) into a stopped publisher node's repo, re-publish it
// unchanged (2,160 paths to stat and compare), clone it from the local
// store, count what reading one 1 MiB file needs, and edit one byte in
// the middle of a 100 MiB file. Then, with the publisher's daemon
// running, fresh reader daemons (separate processes, on loopback) clone
// the archive with "stele clone" and read the 1 MiB file with "stele cat"
// through the swarm, the latter's bytes read from the reader's metrics.
func archiveSuite(dir string, report func(string, float64, string)) error {
	bin, err := buildStele(dir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	src := filepath.Join(dir, "src")
	total, err := writeMixedTree(src)
	if err != nil {
		return err
	}
	net := testnet.New(bin, filepath.Join(dir, "net"))
	defer net.Close()
	pub, err := net.AddNode(ctx, "publisher")
	if err != nil {
		return err
	}
	a, err := localFigures(ctx, pub.Repo, src, total, filepath.Join(dir, "local"), report)
	if err != nil {
		return err
	}
	if err := pub.Start(ctx); err != nil {
		return err
	}
	if err := swarmClones(ctx, net, a.addr, src, dir, total, report); err != nil {
		return err
	}
	return swarmSparseRead(ctx, net, a, src, total, report)
}

// addresses are the published archive's feeds.
type addresses struct{ addr, content string }

// localFigures runs the in-process workloads in the stopped node's repo at
// repoPath, leaving the 1 GiB archive there for its daemon to serve.
func localFigures(ctx context.Context, repoPath, src string, total int64, dir string, report func(string, float64, string)) (addresses, error) {
	r, err := repo.Open(repoPath, repo.Options{})
	if err != nil {
		return addresses{}, err
	}
	defer r.Close()
	dbm := dbs.New(r.Feeds, filepath.Join(r.Path, "graphs"), nil)
	defer dbm.Close() // the daemon starts from the snapshots
	s := &archive.Archives{Feeds: r.Feeds, DBs: dbm}
	a, err := s.Create("bench")
	if err != nil {
		return addresses{}, err
	}
	flushDirty()
	profiled := profileHere("publish")
	start := time.Now()
	if _, err := a.Publish(ctx, src, archive.PublishOptions{}); err != nil {
		return addresses{}, err
	}
	if err := profiled(); err != nil {
		return addresses{}, err
	}
	report("publish_1GiB_MB_per_s", float64(total)/1e6/time.Since(start).Seconds(), "MB/s")

	// The files written just before the first publish are too recent to
	// trust by their times (archive.RacyWindow): the next publishes
	// re-read them until one scans well past their times. The figure is
	// of the first that only looks at sizes and times.
	for n := 0; ; n++ {
		start = time.Now()
		res, err := a.Publish(ctx, src, archive.PublishOptions{})
		if err != nil || res.Changed {
			return addresses{}, fmt.Errorf("unchanged republish: %+v, %v", res, err)
		}
		if res.BytesRead == 0 {
			break
		}
		if n == 100 {
			return addresses{}, fmt.Errorf("unchanged republish: still re-reads %d bytes after %d publishes", res.BytesRead, n)
		}
	}
	report("republish_unchanged_1GiB_ms", float64(time.Since(start).Microseconds())/1000, "ms")

	flushDirty()
	start = time.Now()
	if _, err := a.Clone(ctx, filepath.Join(dir, "clone"), 0, archive.CloneOptions{}); err != nil {
		return addresses{}, err
	}
	report("clone_local_1GiB_MB_per_s", float64(total)/1e6/time.Since(start).Seconds(), "MB/s")
	// The local clone stays until the suite ends. Removing its 2,160
	// files here would slow the swarm clone's file creation: for half a
	// minute ext4 passes over recently deleted inodes (recently_deleted,
	// in find_inode_bit) when it picks one for a new file, which cost that
	// clone up to a second of system time, a figure of the benchmark's
	// cleanup and not of stele.

	if err := sparseRead(ctx, s, a, report); err != nil {
		return addresses{}, err
	}
	if err := oneByteEdit(ctx, s, filepath.Join(dir, "edit"), report); err != nil {
		return addresses{}, err
	}
	return addresses{a.Address(), a.ContentAddress()}, nil
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

// sparseRead reads one 1 MiB file of the 1 GiB archive from the local
// store and counts the content bytes it needs: the least a reader
// through the swarm must receive.
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
	f, ok := snap.File(sparseFile)
	if !ok {
		return fmt.Errorf("no %s", sparseFile)
	}
	r, err := b.Open(ctx, f)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	report("sparse_read_1_file_bytes_needed", float64(h.bytes), "bytes")
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

// sparseFile is the 1 MiB file the sparse reads read.
const sparseFile = "medium/0042.bin"

// swarmClones runs swarmClone BENCH_CLONE_RUNS times (default 1), each
// with a fresh reader daemon, and reports the median of each figure: on a
// machine whose speed varies from minute to minute, one run says little.
// The clones stay until the suite ends, so that no run follows the
// removal of thousands of files (see the README).
func swarmClones(ctx context.Context, net *testnet.Net, addr, src, dir string, total int64, report func(string, float64, string)) error {
	runs := 1
	if v := os.Getenv("BENCH_CLONE_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("BENCH_CLONE_RUNS=%q: want a number of runs, 1 or more", v)
		}
		runs = n
	}
	figures := newMedians()
	for i := range runs {
		name := "reader"
		if i > 0 {
			name = fmt.Sprintf("reader%d", i+1)
		}
		dst := filepath.Join(dir, "clone-"+name)
		if err := swarmClone(ctx, net, name, addr, src, dst, total, figures.add); err != nil {
			return err
		}
	}
	figures.report(report)
	return nil
}

// swarmClone starts a fresh reader daemon and times "stele clone" of the
// archive at addr into dst, through the swarm. Its figures name the
// reader "reader", whatever the node's name.
func swarmClone(ctx context.Context, net *testnet.Net, name, addr, src, dst string, total int64, report func(string, float64, string)) error {
	reader, err := startNode(ctx, net, name)
	if err != nil {
		return err
	}
	// Let discovery of both feeds happen first: the figure is the
	// transfer, not the DHT.
	if _, err := reader.Run(ctx, "", "cat", addr, "small/many/0000.bin"); err != nil {
		return err
	}
	profiled := profileNodes(ctx, "clone", 4, reader, net.Nodes()[0]) // and the publisher
	flushDirty()
	measured := measureNodes("clone_1GiB", report, []string{"reader", "publisher"}, reader, net.Nodes()[0])
	start := time.Now()
	if _, err := reader.Run(ctx, "", "clone", addr, dst); err != nil {
		return err
	}
	d := time.Since(start)
	measured()
	if down, err := bytesDown(reader); err == nil {
		var sum int64
		for _, v := range down {
			sum += v
		}
		report("clone_1GiB_bytes_received", float64(sum), "bytes")
	}
	if err := profiled(); err != nil {
		return err
	}
	if err := checkClone(src, dst); err != nil {
		return err
	}
	report("clone_1GiB_MB_per_s", float64(total)/1e6/d.Seconds(), "MB/s")
	return reader.Stop()
}

// checkClone fails unless every file of src is in dst with its size, and
// one with its bytes, so that the figure cannot be of a failed clone.
func checkClone(src, dst string) error {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		want, err := d.Info()
		if err != nil {
			return err
		}
		got, err := os.Stat(filepath.Join(dst, rel))
		if err != nil {
			return fmt.Errorf("clone through the swarm: %w", err)
		}
		if got.Size() != want.Size() {
			return fmt.Errorf("clone through the swarm: %s has %d bytes, want %d", rel, got.Size(), want.Size())
		}
		return nil
	})
	if err != nil {
		return err
	}
	want, err := os.ReadFile(filepath.Join(src, sparseFile))
	if err != nil {
		return err
	}
	if got, err := os.ReadFile(filepath.Join(dst, sparseFile)); err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("clone through the swarm: %s differs (%v)", sparseFile, err)
	}
	return nil
}

// swarmSparseRead starts a fresh reader daemon, reads the 1 MiB file with
// "stele cat" and reports the entry bytes the reader received per feed,
// from its metrics.
func swarmSparseRead(ctx context.Context, net *testnet.Net, a addresses, src string, total int64, report func(string, float64, string)) error {
	reader, err := startNode(ctx, net, "sparse")
	if err != nil {
		return err
	}
	out, err := reader.Run(ctx, "", "cat", a.addr, sparseFile)
	if err != nil {
		return err
	}
	want, err := os.ReadFile(filepath.Join(src, sparseFile))
	if err != nil {
		return err
	}
	if out != string(want) {
		return fmt.Errorf("stele cat %s through the swarm: %d bytes that differ from the file's %d", sparseFile, len(out), len(want))
	}
	down, err := bytesDown(reader)
	if err != nil {
		return err
	}
	content := down[a.content]
	// Reading one file must fetch that file and not much more.
	if content < int64(len(want)) || content > total/16 {
		return fmt.Errorf("reading a %d-byte file received %d content bytes", len(want), content)
	}
	report("sparse_read_1_file_bytes_transferred", float64(content), "bytes")
	report("sparse_read_metadata_bytes", float64(down[a.addr]), "bytes")
	return nil
}

// startNode adds a node to the net and starts its daemon.
func startNode(ctx context.Context, net *testnet.Net, name string) (*testnet.Node, error) {
	nd, err := net.AddNode(ctx, name)
	if err != nil {
		return nil, err
	}
	return nd, nd.Start(ctx)
}

// bytesDown reads the entry bytes a running node received and verified,
// per feed address, from its Prometheus metrics
// (stele_feed_bytes_down_total).
func bytesDown(nd *testnet.Node) (map[string]int64, error) {
	apiAddr, err := os.ReadFile(filepath.Join(nd.Repo, api.AddrFile))
	if err != nil {
		return nil, err
	}
	resp, err := http.Get("http://" + strings.TrimSpace(string(apiAddr)) + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: GET /metrics: %s", nd.Name, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	down := map[string]int64{}
	for _, line := range strings.Split(string(body), "\n") {
		rest, ok := strings.CutPrefix(line, `stele_feed_bytes_down_total{feed="`)
		if !ok {
			continue
		}
		addr, value, _ := strings.Cut(rest, `"} `)
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: metrics: %q: %w", nd.Name, line, err)
		}
		down[addr] += int64(v)
	}
	return down, nil
}

// buildStele builds the stele binary into dir, for the suites that run
// daemons.
func buildStele(dir string) (string, error) {
	bin := filepath.Join(dir, "stele")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/stele").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}
