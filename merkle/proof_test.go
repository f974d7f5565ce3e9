package merkle

import (
	"errors"
	"fmt"
	"testing"

	tdproof "github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// maxExhaustive is the largest tree size whose every proof is checked.
const maxExhaustive = 130

// someHash is a hash that is not in any test tree.
var someHash = LeafHash([]byte("some other hash"))

type inclusionProbe struct {
	desc        string
	index, size int64
	leaf, root  Hash
	proof       InclusionProof
}

// corruptInclusion returns wrong variants of a valid inclusion proof, after
// corruptInclusionProof in transparency-dev/merkle proof/verify_test.go,
// plus every single-hash corruption and every truncation.
func corruptInclusion(index, size int64, proof InclusionProof, leaf, root Hash) []inclusionProbe {
	probes := []inclusionProbe{
		{"index - 1", index - 1, size, leaf, root, proof},
		{"index + 1", index + 1, size, leaf, root, proof},
		{"index ^ 2", index ^ 2, size, leaf, root, proof},
		{"size * 2", index, size * 2, leaf, root, proof},
		{"size / 2", index, size / 2, leaf, root, proof},
		{"size + 1", index, size + 1, leaf, root, proof},
		{"size - 1", index, size - 1, leaf, root, proof},
		{"wrong leaf", index, size, someHash, root, proof},
		{"empty root", index, size, leaf, EmptyRoot(), proof},
		{"other root", index, size, leaf, someHash, proof},
		{"extra hash at end", index, size, leaf, root, with(proof, len(proof), Hash{})},
		{"root at end", index, size, leaf, root, with(proof, len(proof), root)},
		{"extra hash in front", index, size, leaf, root, with(proof, 0, Hash{})},
		{"root in front", index, size, leaf, root, with(proof, 0, root)},
	}
	for i := range proof {
		probes = append(probes,
			inclusionProbe{fmt.Sprintf("proof[%d] flipped", i), index, size, leaf, root, flipped(proof, i)},
			inclusionProbe{fmt.Sprintf("truncated to %d", i), index, size, leaf, root, proof[:i]},
			inclusionProbe{fmt.Sprintf("proof[%d] dropped", i), index, size, leaf, root, without(proof, i)})
	}
	if len(proof) > 1 {
		probes = append(probes, inclusionProbe{"swapped 0, 1", index, size, leaf, root, swapped(proof, 0, 1)})
	}
	return probes
}

type consistencyProbe struct {
	desc         string
	size1, size2 int64
	root1, root2 Hash
	proof        ConsistencyProof
}

// corruptConsistency returns wrong variants of a valid non-empty
// consistency proof, after corruptConsistencyProof in transparency-dev/merkle
// proof/verify_test.go, plus every single-hash corruption and truncation.
func corruptConsistency(size1, size2 int64, proof ConsistencyProof, root1, root2 Hash) []consistencyProbe {
	probes := []consistencyProbe{
		{"size1 - 1", size1 - 1, size2, root1, root2, proof},
		{"size1 + 1", size1 + 1, size2, root1, root2, proof},
		{"size1 ^ 2", size1 ^ 2, size2, root1, root2, proof},
		{"size2 * 2", size1, size2 * 2, root1, root2, proof},
		{"size2 / 2", size1, size2 / 2, root1, root2, proof},
		{"wrong root1", size1, size2, someHash, root2, proof},
		{"wrong root2", size1, size2, root1, someHash, proof},
		{"swapped roots", size1, size2, root2, root1, proof},
		{"empty proof", size1, size2, root1, root2, ConsistencyProof{}},
		{"extra hash at end", size1, size2, root1, root2, with(proof, len(proof), Hash{})},
		{"root1 at end", size1, size2, root1, root2, with(proof, len(proof), root1)},
		{"root2 at end", size1, size2, root1, root2, with(proof, len(proof), root2)},
		{"extra hash in front", size1, size2, root1, root2, with(proof, 0, Hash{})},
		{"root1 in front", size1, size2, root1, root2, with(proof, 0, root1)},
		{"root2 in front", size1, size2, root1, root2, with(proof, 0, root2)},
		{"proof[0] in front", size1, size2, root1, root2, with(proof, 0, proof[0])},
	}
	for i := range proof {
		probes = append(probes,
			consistencyProbe{fmt.Sprintf("proof[%d] flipped", i), size1, size2, root1, root2, flipped(proof, i)},
			consistencyProbe{fmt.Sprintf("truncated to %d", i), size1, size2, root1, root2, proof[:i]},
			consistencyProbe{fmt.Sprintf("proof[%d] dropped", i), size1, size2, root1, root2, without(proof, i)})
	}
	if len(proof) > 1 {
		probes = append(probes, consistencyProbe{"swapped 0, 1", size1, size2, root1, root2, swapped(proof, 0, 1)})
	}
	return probes
}

// with returns a copy of p with h inserted at i.
func with[P ~[]Hash](p P, i int, h Hash) P {
	q := append(P{}, p[:i]...)
	q = append(q, h)
	return append(q, p[i:]...)
}

// without returns a copy of p without its i'th hash.
func without[P ~[]Hash](p P, i int) P {
	return append(append(P{}, p[:i]...), p[i+1:]...)
}

// flipped returns a copy of p with one bit of its i'th hash flipped.
func flipped[P ~[]Hash](p P, i int) P {
	q := append(P{}, p...)
	q[i][i%HashSize] ^= 8
	return q
}

// swapped returns a copy of p with hashes i and j swapped.
func swapped[P ~[]Hash](p P, i, j int) P {
	q := append(P{}, p...)
	q[i], q[j] = q[j], q[i]
	return q
}

func TestInclusionExhaustive(t *testing.T) {
	tree := newTestTree(maxExhaustive)
	for size := int64(1); size <= maxExhaustive; size++ {
		root := tree.root(size)
		for index := int64(0); index < size; index++ {
			want := refPath(int(index), tree.leaves[:size])
			r := &countingReader{r: tree.store}
			proof, err := ProveInclusion(index, size, r)
			if err != nil || !equalHashes(proof, InclusionProof(want)) {
				t.Fatalf("ProveInclusion(%d, %d) = %x, %v, want %x", index, size, proof, err, want)
			}
			if r.calls > 1 {
				t.Errorf("ProveInclusion(%d, %d) read %d times", index, size, r.calls)
			}
			leaf := tree.leaves[index]
			if err := CheckInclusion(proof, index, size, leaf, root); err != nil {
				t.Fatalf("CheckInclusion(%d, %d): %v", index, size, err)
			}
			checkInclusionProbes(t, index, size, proof, leaf, root)
		}
	}
}

// checkInclusionProbes checks that every corruption of a valid proof fails.
func checkInclusionProbes(t *testing.T, index, size int64, proof InclusionProof, leaf, root Hash) {
	t.Helper()
	for _, p := range corruptInclusion(index, size, proof, leaf, root) {
		err := CheckInclusion(p.proof, p.index, p.size, p.leaf, p.root)
		if refInclusionOK(p) {
			// Only a size ± 1 can alias: RFC 6962 roots do not commit to
			// the size, so where both sizes combine the same hashes the
			// same way, the proof checks for both (and for the reference).
			if err != nil || p.index != index || p.size == size {
				t.Errorf("index %d size %d, %s: CheckInclusion = %v, and the reference accepts it", index, size, p.desc, err)
			}
			continue
		}
		if !errors.Is(err, ErrProof) {
			t.Errorf("index %d size %d, %s: CheckInclusion = %v, want ErrProof", index, size, p.desc, err)
		}
	}
}

// refInclusionOK reports whether transparency-dev's verifier accepts p.
func refInclusionOK(p inclusionProbe) bool {
	if p.index < 0 || p.size < 0 {
		return false
	}
	var proof [][]byte
	for _, h := range p.proof {
		proof = append(proof, append([]byte(nil), h[:]...))
	}
	err := tdproof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.index), uint64(p.size), p.leaf[:], proof, p.root[:])
	return err == nil
}

func TestConsistencyExhaustive(t *testing.T) {
	tree := newTestTree(maxExhaustive)
	for size2 := int64(0); size2 <= maxExhaustive; size2++ {
		root2 := tree.root(size2)
		for size1 := int64(0); size1 <= size2; size1++ {
			root1 := tree.root(size1)
			want := ConsistencyProof{}
			if size1 > 0 {
				want = refProof(int(size1), tree.leaves[:size2])
			}
			r := &countingReader{r: tree.store}
			proof, err := ProveConsistency(size1, size2, r)
			if err != nil || !equalHashes(proof, want) {
				t.Fatalf("ProveConsistency(%d, %d) = %x, %v, want %x", size1, size2, proof, err, want)
			}
			if r.calls > 1 {
				t.Errorf("ProveConsistency(%d, %d) read %d times", size1, size2, r.calls)
			}
			if err := CheckConsistency(proof, size1, root1, size2, root2); err != nil {
				t.Fatalf("CheckConsistency(%d, %d): %v", size1, size2, err)
			}
			checkOldRoot(t, tree, size1, size2)
			if len(proof) == 0 {
				continue
			}
			for _, p := range corruptConsistency(size1, size2, proof, root1, root2) {
				if err := CheckConsistency(p.proof, p.size1, p.root1, p.size2, p.root2); !errors.Is(err, ErrProof) {
					t.Errorf("%d -> %d, %s: CheckConsistency = %v, want ErrProof", size1, size2, p.desc, err)
				}
			}
		}
	}
}

// checkOldRoot checks OldRootFromConsistency on the proof of ProveOldRoot
// and on its corruptions.
func checkOldRoot(t *testing.T, tree *testTree, size1, size2 int64) {
	t.Helper()
	root1, root2 := tree.root(size1), tree.root(size2)
	proof, err := ProveOldRoot(size1, size2, tree.store)
	if err != nil {
		t.Fatalf("ProveOldRoot(%d, %d): %v", size1, size2, err)
	}
	if got, err := OldRootFromConsistency(proof, size1, size2, root2); err != nil || got != root1 {
		t.Fatalf("OldRootFromConsistency(%d, %d) = %x, %v, want %x", size1, size2, got, err, root1)
	}
	// Any root2 determines itself (size1 == size2) or the empty root
	// (size1 == 0); otherwise a wrong root2 must fail.
	if _, err := OldRootFromConsistency(proof, size1, size2, someHash); size1 > 0 && size1 < size2 && !errors.Is(err, ErrProof) {
		t.Errorf("OldRootFromConsistency(%d, %d) with a wrong root2: %v, want ErrProof", size1, size2, err)
	}
	for i := range proof {
		if _, err := OldRootFromConsistency(flipped(proof, i), size1, size2, root2); !errors.Is(err, ErrProof) {
			t.Errorf("OldRootFromConsistency(%d, %d) with proof[%d] flipped: %v, want ErrProof", size1, size2, i, err)
		}
		if _, err := OldRootFromConsistency(proof[:i], size1, size2, root2); !errors.Is(err, ErrProof) {
			t.Errorf("OldRootFromConsistency(%d, %d) truncated to %d: %v, want ErrProof", size1, size2, i, err)
		}
	}
	if _, err := OldRootFromConsistency(with(proof, len(proof), Hash{}), size1, size2, root2); !errors.Is(err, ErrProof) {
		t.Errorf("OldRootFromConsistency(%d, %d) with an extra hash: %v, want ErrProof", size1, size2, err)
	}
	// A fork: the same proof checked against a different size1 root fails,
	// which is what makes (checkpoint1, checkpoint2, proof) evidence.
	if size1 > 0 && size1 < size2 {
		if err := CheckConsistency(proof[len(proof)-consistencyLen(size1, size2):], size1, someHash, size2, root2); !errors.Is(err, ErrProof) {
			t.Errorf("CheckConsistency(%d, %d) against a forked root1: %v", size1, size2, err)
		}
	}
}

func TestTreeRoot(t *testing.T) {
	tree := newTestTree(maxExhaustive)
	for size := int64(0); size <= maxExhaustive; size++ {
		r := &countingReader{r: tree.store}
		if got, err := TreeRoot(size, r); err != nil || got != tree.root(size) {
			t.Errorf("TreeRoot(%d) = %x, %v, want %x", size, got, err, tree.root(size))
		}
		if r.calls > 1 {
			t.Errorf("TreeRoot(%d) read %d times", size, r.calls)
		}
	}
}

func TestProveErrors(t *testing.T) {
	tree := newTestTree(8)
	short := tree.store[:StoredHashCount(4)]
	failing := readerFunc(func([]int64) ([]Hash, error) { return nil, errors.New("disk on fire") })
	lying := readerFunc(func([]int64) ([]Hash, error) { return []Hash{{}}, nil })
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"inclusion index = size", func() error { _, err := ProveInclusion(8, 8, tree.store); return err }},
		{"inclusion index < 0", func() error { _, err := ProveInclusion(-1, 8, tree.store); return err }},
		{"inclusion beyond store", func() error { _, err := ProveInclusion(0, 8, short); return err }},
		{"inclusion reader fails", func() error { _, err := ProveInclusion(0, 8, failing); return err }},
		{"inclusion reader lies", func() error { _, err := ProveInclusion(0, 8, lying); return err }},
		{"consistency size1 > size2", func() error { _, err := ProveConsistency(5, 4, tree.store); return err }},
		{"consistency size1 < 0", func() error { _, err := ProveConsistency(-1, 4, tree.store); return err }},
		{"consistency reader fails", func() error { _, err := ProveConsistency(3, 8, failing); return err }},
		{"old root reader fails", func() error { _, err := ProveOldRoot(4, 8, failing); return err }},
		{"tree root negative", func() error { _, err := TreeRoot(-1, tree.store); return err }},
		{"tree root reader fails", func() error { _, err := TreeRoot(5, failing); return err }},
		{"range hi > size", func() error { _, err := ProveRange(0, 9, 8, tree.store); return err }},
		{"range lo > hi", func() error { _, err := ProveRange(3, 2, 8, tree.store); return err }},
		{"range lo < 0", func() error { _, err := ProveRange(-1, 2, 8, tree.store); return err }},
		{"range reader fails", func() error { _, err := ProveRange(1, 2, 8, failing); return err }},
		{"range reader lies", func() error { _, err := ProveRange(1, 2, 8, lying); return err }},
	} {
		if err := tc.fn(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// readerFunc adapts a function to HashReader.
type readerFunc func([]int64) ([]Hash, error)

func (f readerFunc) ReadHashes(indexes []int64) ([]Hash, error) { return f(indexes) }
