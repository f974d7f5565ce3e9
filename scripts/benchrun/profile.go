package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"

	"github.com/steledb/stele/node/api"
	"github.com/steledb/stele/testnet"
)

// profileNodes, when BENCH_PROFILE names a directory, records a CPU
// profile of each running node for seconds while the workload runs, to
// BENCH_PROFILE/<label>-<node>.pprof, from the daemon's /debug/pprof. It
// returns a function that waits for the profiles; without BENCH_PROFILE
// it does nothing.
func profileNodes(ctx context.Context, label string, seconds int, nodes ...*testnet.Node) func() error {
	dir := os.Getenv("BENCH_PROFILE")
	if dir == "" {
		return func() error { return nil }
	}
	var wg sync.WaitGroup
	errs := make([]error, len(nodes))
	for i, nd := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := filepath.Join(dir, fmt.Sprintf("%s-%s.pprof", label, nd.Name))
			errs[i] = fetchProfile(ctx, nd, seconds, path)
		}()
	}
	return func() error {
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func fetchProfile(ctx context.Context, nd *testnet.Node, seconds int, path string) error {
	addr, err := os.ReadFile(filepath.Join(nd.Repo, api.AddrFile))
	if err != nil {
		return err
	}
	token, err := os.ReadFile(filepath.Join(nd.Repo, api.TokenFile))
	if err != nil {
		return err
	}
	kind := "profile"
	if k := os.Getenv("BENCH_PROFILE_KIND"); k != "" {
		kind = k // trace, allocs, ...
	}
	url := fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", strings.TrimSpace(string(addr)), kind, seconds)
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: profile: %s", nd.Name, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileHere, when BENCH_PROFILE names a directory, records a CPU
// profile of this process to BENCH_PROFILE/<label>.pprof until the
// returned function is called: for the workloads that run in-process.
func profileHere(label string) (stop func() error) {
	dir := os.Getenv("BENCH_PROFILE")
	if dir == "" {
		return func() error { return nil }
	}
	f, err := os.Create(filepath.Join(dir, label+".pprof"))
	if err != nil {
		return func() error { return err }
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() error { return err }
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}
}
