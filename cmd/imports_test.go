// Package cmd holds the stele binary (cmd/stele) and, here, the test that
// keeps the module's import graph in shape.
package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/steledb/stele"

// layers orders the module's top-level directories: a package may import
// packages of its own layer or of layers to its right, never to its left.
//
//	cmd -> node -> {swarm, graphdb} -> feed -> {merkle, crypto}
var layers = map[string]int{
	"cmd":  4,
	"node": 3, "swarm": 2, "graphdb": 2,
	"feed":   1,
	"merkle": 0, "crypto": 0,
}

// A rule forbids the packages under From (a top-level directory) to
// import packages matching Forbid, directly or (Transitive) at all.
// A pattern "x/..." matches x and everything under it.
type rule struct {
	From       string
	Transitive bool
	Forbid     []string
	Why        string
}

var rules = []rule{
	{From: "merkle", Forbid: impure, Why: "merkle is pure: no I/O, no clocks, no global randomness"},
	{From: "crypto", Forbid: impure, Why: "crypto is pure: no I/O, no clocks, no global randomness"},
	{From: "merkle", Transitive: true, Forbid: network, Why: "merkle must not pull in networking"},
	{From: "crypto", Transitive: true, Forbid: network, Why: "crypto must not pull in networking"},
	{From: "feed", Forbid: []string{"net/...", "os/exec"}, Why: "feed is storage: the network is swarm's business"},
	{From: "feed", Transitive: true, Forbid: libp2p, Why: "feed must not depend on libp2p"},
	{From: "graphdb", Transitive: true, Forbid: append([]string{module + "/swarm/..."}, libp2p...), Why: "graphdb reads feeds; replication is swarm's business"},
}

var (
	impure = []string{"os/...", "io/fs", "io/ioutil", "net/...", "syscall", "time", "crypto/rand", "math/rand/...", "log/...", "path/filepath"}
	libp2p = []string{"github.com/libp2p/...", "github.com/multiformats/go-multiaddr/..."}
	// The standard library's net is reached by pebble (feed) through its
	// metrics, so only pure packages ban it transitively.
	network = append([]string{"net/...", "os/exec"}, libp2p...)
)

// A pkg is the part of "go list -json" output the rules need.
type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportBoundaries(t *testing.T) {
	pkgs := listPackages(t)
	if _, ok := pkgs[module+"/feed"]; !ok {
		t.Fatalf("go list found no %s/feed: is the module root right?", module)
	}
	for _, v := range violations(pkgs, rules) {
		t.Error(v)
	}
}

// listPackages returns the module's packages and all their dependencies.
func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-deps", "-json=ImportPath,Imports", module+"/...").Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("go list: %v\n%s", err, exit.Stderr)
	} else if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := make(map[string]pkg)
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// violations checks every package of the module against the rules and
// the layers, and describes each offence with its import chain.
func violations(pkgs map[string]pkg, rules []rule) []string {
	var out []string
	for _, path := range sortedKeys(pkgs) {
		dir, ok := topDir(path)
		if !ok {
			continue
		}
		for _, r := range rules {
			if r.From == dir {
				out = append(out, checkRule(pkgs, path, r)...)
			}
		}
		out = append(out, checkLayers(pkgs, path, dir)...)
	}
	return out
}

func checkRule(pkgs map[string]pkg, from string, r rule) []string {
	var out []string
	for _, bad := range reachable(pkgs, from, r.Transitive) {
		if matchesAny(bad, r.Forbid) {
			out = append(out, "forbidden import: "+strings.Join(chain(pkgs, from, bad), " -> ")+" ("+r.Why+")")
		}
	}
	return out
}

func checkLayers(pkgs map[string]pkg, from, dir string) []string {
	var out []string
	for _, imp := range pkgs[from].Imports {
		impDir, ok := topDir(imp)
		if ok && layers[impDir] > layers[dir] {
			out = append(out, "import against the layering cmd -> node -> {swarm, graphdb} -> feed -> {merkle, crypto}: "+from+" -> "+imp)
		}
	}
	return out
}

// topDir returns the module directory a package of the module is under,
// if it is one of the layered ones.
func topDir(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return "", false
	}
	dir, _, _ := strings.Cut(rest, "/")
	_, layered := layers[dir]
	return dir, layered
}

// reachable lists what from imports: directly, or through any chain.
func reachable(pkgs map[string]pkg, from string, transitive bool) []string {
	if !transitive {
		return pkgs[from].Imports
	}
	seen := map[string]bool{from: true}
	queue, out := []string{from}, []string(nil)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range pkgs[p].Imports {
			if !seen[imp] {
				seen[imp] = true
				queue = append(queue, imp)
				out = append(out, imp)
			}
		}
	}
	slices.Sort(out)
	return out
}

// chain returns a shortest import chain from one package to another.
func chain(pkgs map[string]pkg, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to {
			var path []string
			for ; p != ""; p = prev[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		for _, imp := range pkgs[p].Imports {
			if _, ok := prev[imp]; !ok {
				prev[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return []string{from, "?", to}
}

func matchesAny(path string, patterns []string) bool {
	for _, pat := range patterns {
		if base, ok := strings.CutSuffix(pat, "/..."); ok {
			if path == base || strings.HasPrefix(path, base+"/") {
				return true
			}
		} else if path == pat {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]pkg) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestViolationsAreCaught runs the checker on made-up import graphs, so
// that TestImportBoundaries is known to fail when it should.
func TestViolationsAreCaught(t *testing.T) {
	m := func(dir string) string { return module + "/" + dir }
	tests := []struct {
		name  string
		graph map[string][]string
		want  []string // substrings, one per expected violation, in order
	}{
		{"clean", map[string][]string{
			m("cmd/stele"):                     {m("node/repo"), m("feed")},
			m("node/repo"):                     {m("feed"), "os"},
			m("feed"):                          {m("merkle"), m("crypto"), "os", "github.com/cockroachdb/pebble/v2"},
			m("merkle"):                        {"crypto/sha256", "fmt"},
			m("crypto"):                        {m("merkle")},
			"fmt":                              {"os"},
			"github.com/cockroachdb/pebble/v2": {"net/http"},
		}, nil},
		{"merkle imports os", map[string][]string{
			m("merkle"): {"os"},
		}, []string{"forbidden import: " + m("merkle") + " -> os (merkle is pure"}},
		{"crypto reaches net through a dependency", map[string][]string{
			m("crypto"):       {"example.com/lib"},
			"example.com/lib": {"net/http"},
			"net/http":        {"net"},
		}, []string{
			m("crypto") + " -> example.com/lib -> net/http -> net (crypto must not pull in networking)",
			m("crypto") + " -> example.com/lib -> net/http (crypto must not pull in networking)",
		}},
		{"feed reaches libp2p", map[string][]string{
			m("feed"):                          {"example.com/p2p"},
			"example.com/p2p":                  {"github.com/libp2p/go-libp2p/core"},
			"github.com/libp2p/go-libp2p/core": {},
		}, []string{m("feed") + " -> example.com/p2p -> github.com/libp2p/go-libp2p/core (feed must not depend on libp2p)"}},
		{"graphdb imports swarm", map[string][]string{
			m("graphdb/query"): {m("swarm")},
		}, []string{m("graphdb/query") + " -> " + m("swarm") + " (graphdb reads feeds"}},
		{"feed imports node", map[string][]string{
			m("feed"): {m("node/repo")},
		}, []string{"against the layering cmd -> node -> {swarm, graphdb} -> feed -> {merkle, crypto}: " + m("feed") + " -> " + m("node/repo")}},
		{"merkle imports feed", map[string][]string{
			m("merkle"): {m("feed")},
		}, []string{m("merkle") + " -> " + m("feed")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkgs := map[string]pkg{}
			for p, imps := range tt.graph {
				pkgs[p] = pkg{ImportPath: p, Imports: imps}
			}
			got := violations(pkgs, rules)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("violation %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
