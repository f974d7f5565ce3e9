package merkle

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
)

// The test vectors in testdata come from transparency-dev/merkle v0.0.2;
// testdata/README.md says which file each one was extracted from.

type treeVectors struct {
	LeafInputsHex   []string   `json:"leaf_inputs_hex"`
	NodeHashesHex   [][]string `json:"node_hashes_hex"`
	RootHashesHex   []string   `json:"root_hashes_hex"`
	CompactTreesHex [][]string `json:"compact_trees_hex"`
}

type inclusionVector struct {
	Source   string   `json:"source"`
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	ProofHex []string `json:"proof_hex"`
}

type consistencyVector struct {
	Source   string   `json:"source"`
	Size1    int64    `json:"size1"`
	Size2    int64    `json:"size2"`
	ProofHex []string `json:"proof_hex"`
}

type hashVector struct {
	Desc     string `json:"desc"`
	Kind     string `json:"kind"`
	InputHex string `json:"input_hex"`
	WantHex  string `json:"want_hex"`
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustHash(t *testing.T, s string) Hash {
	t.Helper()
	b := mustHex(t, s)
	if len(b) != HashSize {
		t.Fatalf("hash %q has %d bytes", s, len(b))
	}
	return Hash(b)
}

func mustHashes(t *testing.T, ss []string) []Hash {
	t.Helper()
	hs := make([]Hash, len(ss))
	for i, s := range ss {
		hs[i] = mustHash(t, s)
	}
	return hs
}

// vectorTree loads tree.json: its leaves, stored hashes and roots.
func vectorTree(t *testing.T) (tv treeVectors, leaves []Hash, roots []Hash) {
	loadJSON(t, "tree.json", &tv)
	for _, in := range tv.LeafInputsHex {
		leaves = append(leaves, LeafHash(mustHex(t, in)))
	}
	return tv, leaves, mustHashes(t, tv.RootHashesHex)
}

func TestVectorsHashes(t *testing.T) {
	var vs []hashVector
	loadJSON(t, "rfc6962_hashes.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		var got Hash
		switch v.Kind {
		case "empty_root":
			got = EmptyRoot()
			if f, _ := NewFrontier(0, nil); f.Root() != got {
				t.Errorf("%s: empty Frontier root %x", v.Desc, f.Root())
			}
		case "leaf":
			got = LeafHash(mustHex(t, v.InputHex))
		default:
			t.Fatalf("%s: unknown kind %q", v.Desc, v.Kind)
		}
		if want := mustHash(t, v.WantHex); got != want {
			t.Errorf("%s: got %x, want %x", v.Desc, got, want)
		}
	}
}

func TestVectorsTree(t *testing.T) {
	tv, leaves, roots := vectorTree(t)
	f, _ := NewFrontier(0, nil)
	store := memStore{}
	for size := 0; size <= len(leaves); size++ {
		if got := f.Root(); got != roots[size] {
			t.Errorf("size %d: Frontier root %x, want %x", size, got, roots[size])
		}
		if got := fmt.Sprintf("%x", f.Hashes()); got != fmt.Sprintf("%x", mustHashes(t, tv.CompactTreesHex[size])) {
			t.Errorf("size %d: Frontier hashes %s, want %v", size, got, tv.CompactTreesHex[size])
		}
		if got, err := TreeRoot(int64(size), store); err != nil || got != roots[size] {
			t.Errorf("size %d: TreeRoot = %x, %v, want %x", size, got, err, roots[size])
		}
		if size < len(leaves) {
			f.Append(leaves[size], func(index int64, h Hash) { store = append(store, h) })
		}
	}
	for level, hashes := range tv.NodeHashesHex {
		for k, want := range mustHashes(t, hashes) {
			if got := store[StoredHashIndex(level, int64(k))]; got != want {
				t.Errorf("node %d.%d: %x, want %x", level, k, got, want)
			}
		}
	}
	// NodeHash against the vectors: each parent from its children.
	nh := tv.NodeHashesHex
	for level := 1; level < len(nh); level++ {
		for k := range nh[level] {
			l, r := mustHash(t, nh[level-1][2*k]), mustHash(t, nh[level-1][2*k+1])
			if got, want := NodeHash(l, r), mustHash(t, nh[level][k]); got != want {
				t.Errorf("NodeHash for %d.%d = %x, want %x", level, k, got, want)
			}
		}
	}
}

func TestVectorsInclusion(t *testing.T) {
	_, leaves, roots := vectorTree(t)
	store := storeOf(leaves)
	var vs []inclusionVector
	loadJSON(t, "inclusion_proofs.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(fmt.Sprintf("%d/%d", v.Index, v.Size), func(t *testing.T) {
			proof := InclusionProof(mustHashes(t, v.ProofHex))
			leaf, root := leaves[v.Index], roots[v.Size]
			if err := CheckInclusion(proof, v.Index, v.Size, leaf, root); err != nil {
				t.Fatalf("%s: %v", v.Source, err)
			}
			if got, err := ProveInclusion(v.Index, v.Size, store); err != nil || !equalHashes(got, proof) {
				t.Errorf("ProveInclusion = %x, %v, want %x", got, err, proof)
			}
			checkInclusionProbes(t, v.Index, v.Size, proof, leaf, root)
		})
	}
}

func TestVectorsConsistency(t *testing.T) {
	_, leaves, roots := vectorTree(t)
	store := storeOf(leaves)
	var vs []consistencyVector
	loadJSON(t, "consistency_proofs.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(fmt.Sprintf("%d/%d", v.Size1, v.Size2), func(t *testing.T) {
			proof := ConsistencyProof(mustHashes(t, v.ProofHex))
			root1, root2 := roots[v.Size1], roots[v.Size2]
			if err := CheckConsistency(proof, v.Size1, root1, v.Size2, root2); err != nil {
				t.Fatalf("%s: %v", v.Source, err)
			}
			if got, err := ProveConsistency(v.Size1, v.Size2, store); err != nil || !equalHashes(got, proof) {
				t.Errorf("ProveConsistency = %x, %v, want %x", got, err, proof)
			}
			if len(proof) == 0 {
				return // as in the source, corruptions only of non-trivial proofs
			}
			for _, p := range corruptConsistency(v.Size1, v.Size2, proof, root1, root2) {
				err := CheckConsistency(p.proof, p.size1, p.root1, p.size2, p.root2)
				if !errors.Is(err, ErrProof) {
					t.Errorf("%s: CheckConsistency = %v, want ErrProof", p.desc, err)
				}
			}
		})
	}
}

// TestVectorsConsistencyEdges ports the table of TestVerifyConsistency in
// proof/verify_test.go, with 32-byte stand-ins for its "don't care" roots.
// Where that table accepts size 0 with an arbitrary root1, this package
// requires the empty-tree root (see CheckConsistency).
func TestVectorsConsistencyEdges(t *testing.T) {
	root1, root2 := LeafHash([]byte("don't care 1")), LeafHash([]byte("don't care 2"))
	empty := EmptyRoot()
	for i, tc := range []struct {
		size1, size2 int64
		root1, root2 Hash
		proof        ConsistencyProof
		wantErr      bool
	}{
		{0, 0, root1, root2, nil, true},
		{1, 1, root1, root2, nil, true},
		{0, 0, empty, empty, nil, false},
		{0, 0, root1, root1, nil, true}, // source: false; the root of size 0 is fixed
		{0, 1, empty, root2, nil, false},
		{0, 1, root1, root2, nil, true}, // source: false; the root of size 0 is fixed
		{1, 1, root2, root2, nil, false},
		{1, 0, root1, root2, nil, true},
		{2, 1, root1, root2, nil, true},
		{1, 2, root1, root2, nil, true},
		{0, 0, empty, root2, nil, true},
		{1, 1, empty, root2, nil, true},
		{0, 0, empty, empty, ConsistencyProof{empty}, true},
		{0, 1, empty, empty, ConsistencyProof{empty}, true},
		{1, 1, empty, empty, ConsistencyProof{empty}, true},
	} {
		err := CheckConsistency(tc.proof, tc.size1, tc.root1, tc.size2, tc.root2)
		if tc.wantErr != (err != nil) || err != nil && !errors.Is(err, ErrProof) {
			t.Errorf("case %d (%d -> %d): err = %v, want error %v", i, tc.size1, tc.size2, err, tc.wantErr)
		}
	}
}

// storeOf returns the stored hashes of a tree with the given leaf hashes.
func storeOf(leaves []Hash) memStore {
	var store memStore
	f, _ := NewFrontier(0, nil)
	for _, l := range leaves {
		f.Append(l, func(_ int64, h Hash) { store = append(store, h) })
	}
	return store
}

func equalHashes[P ~[]Hash](a, b P) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
