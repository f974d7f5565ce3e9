package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/steledb/stele/node"
	"github.com/steledb/stele/node/repo"
	"github.com/steledb/stele/testnet"
)

// swarmSuite: two daemons (separate processes) on loopback; a fresh
// reader downloads with verification 1,000,000 entries of 100 B, then
// 1 GiB in 64 KiB entries; live append-to-follower latency between two
// in-process nodes over real libp2p connections; and the RSS of a daemon
// holding 1,000 feeds.
func swarmSuite(dir string, report func(string, float64, string)) error {
	bin, err := buildStele(dir)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	for _, w := range []struct {
		name, unit  string
		label       string // of the daemons' usage figures
		count, size int
		scale       func(n int, d time.Duration) float64
	}{
		{"replicate_1M_100B_entries_per_s", "entries/s", "replicate_1M_100B", 1_000_000, 100, func(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }},
		{"replicate_1GiB_64KiB_MB_per_s", "MB/s", "replicate_1GiB_64KiB", 16384, 64 << 10, func(n int, d time.Duration) float64 { return float64(n) * 65536 / 1e6 / d.Seconds() }},
	} {
		d, err := replicate(ctx, bin, filepath.Join(dir, w.name), w.count, w.size, w.label, report)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		report(w.name, w.scale(w.count, d), w.unit)
	}
	if err := liveLatency(filepath.Join(dir, "live"), report); err != nil {
		return err
	}
	return daemonRSS(ctx, bin, filepath.Join(dir, "rss"), report)
}

// replicate fills a feed of count entries of size bytes in the first
// node's repo, starts both daemons, and times a full sync on the second,
// reporting what each daemon used meanwhile (measureNodes, under label).
func replicate(ctx context.Context, bin, dir string, count, size int, label string, report func(string, float64, string)) (time.Duration, error) {
	net := testnet.New(bin, dir)
	defer net.Close()
	author, err := net.AddNode(ctx, "author")
	if err != nil {
		return 0, err
	}
	addr, err := fillFeed(author.Repo, count, size)
	if err != nil {
		return 0, err
	}
	if err := author.Start(ctx); err != nil {
		return 0, err
	}
	reader, err := net.AddNode(ctx, "reader")
	if err != nil {
		return 0, err
	}
	if err := reader.Start(ctx); err != nil {
		return 0, err
	}
	// Let discovery happen first: the figure is the transfer, not the DHT.
	if _, err := reader.Run(ctx, "", "sync", addr, "--range", "0:1", "--timeout", "60s"); err != nil {
		return 0, err
	}
	measured := measureNodes(label, report, []string{reader.Name, author.Name}, reader, author)
	start := time.Now()
	if _, err := reader.Run(ctx, "", "sync", addr, "--timeout", "10m"); err != nil {
		return 0, err
	}
	d := time.Since(start)
	measured()
	return d, nil
}

// fillFeed writes a feed directly into a stopped node's repo.
func fillFeed(repoPath string, count, size int) (string, error) {
	r, err := repo.Open(repoPath, repo.Options{})
	if err != nil {
		return "", err
	}
	defer r.Close()
	f, err := r.Feeds.Create("bench")
	if err != nil {
		return "", err
	}
	batch := makeEntries(min(count, 1000), size)
	if size > 4096 {
		batch = makeEntries(16, size)
	}
	for f.Len() < int64(count) {
		n := min(len(batch), count-int(f.Len()))
		if _, err := f.Append(batch[:n]...); err != nil {
			return "", err
		}
	}
	return f.Address(), nil
}

// liveLatency measures append-to-follower latency between two nodes in
// this process, over real libp2p connections on loopback.
func liveLatency(dir string, report func(string, float64, string)) error {
	start := func(name string, boot *node.Node) (*node.Node, error) {
		cfg, _ := repo.ProfileConfig(repo.ProfileLocal)
		if boot != nil {
			for _, a := range boot.Host.Addrs() {
				cfg.Swarm.Bootstrap = append(cfg.Swarm.Bootstrap, a.String())
			}
		}
		r, err := repo.Init(filepath.Join(dir, name), repo.Options{Config: &cfg})
		if err != nil {
			return nil, err
		}
		return node.Start(r, node.Options{})
	}
	a, err := start("author", nil)
	if err != nil {
		return err
	}
	defer func() { a.Close(); a.Repo.Close() }()
	b, err := start("follower", a)
	if err != nil {
		return err
	}
	defer func() { b.Close(); b.Repo.Close() }()
	f, err := a.Repo.Feeds.Create("live")
	if err != nil {
		return err
	}
	f.Append([]byte("first"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := b.Seed(f.PublicKey(), nil, 0); err != nil {
		return err
	}
	if err := b.Sync(ctx, f.PublicKey(), nil, nil); err != nil {
		return err
	}
	rf, err := b.Repo.Feeds.Feed(f.PublicKey())
	if err != nil {
		return err
	}
	var lat []time.Duration
	for i := range 500 {
		changed := rf.Watch()
		t0 := time.Now()
		if _, err := f.Append([]byte(fmt.Sprintf("entry %d", i))); err != nil {
			return err
		}
		want := f.Len()
		for rf.Ranges().Count() < want {
			select {
			case <-changed:
				changed = rf.Watch()
			case <-ctx.Done():
				return fmt.Errorf("live latency: follower stuck at %d of %d", rf.Ranges().Count(), want)
			}
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	report("live_append_to_follower_ms_p50", ms(lat[len(lat)/2]), "ms")
	report("live_append_to_follower_ms_p99", ms(lat[len(lat)*99/100]), "ms")
	return nil
}

// daemonRSS starts a daemon over a repo holding 1,000 feeds and reads its
// resident set size once it has served a command.
func daemonRSS(ctx context.Context, bin, dir string, report func(string, float64, string)) error {
	net := testnet.New(bin, dir)
	defer net.Close()
	nd, err := net.AddNode(ctx, "many")
	if err != nil {
		return err
	}
	r, err := repo.Open(nd.Repo, repo.Options{})
	if err != nil {
		return err
	}
	for i := range 1000 {
		f, err := r.Feeds.Create(fmt.Sprintf("feed%d", i))
		if err != nil {
			r.Close()
			return err
		}
		f.Append(makeEntries(10, 100)...)
	}
	r.Close()
	if err := nd.Start(ctx); err != nil {
		return err
	}
	if _, err := nd.Run(ctx, "", "status", "feed999"); err != nil {
		return err
	}
	pid := nd.PID()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err
	}
	rss, ok := statusBytes(data, "VmRSS")
	if !ok {
		return fmt.Errorf("no VmRSS for pid %d", pid)
	}
	report("daemon_rss_1000_feeds_MiB", rss/(1<<20), "MiB")
	return nil
}
