package merkle_test

import (
	"fmt"

	"github.com/steledb/stele/merkle"
)

// store is an in-memory stored-hash table, indexed by stored-hash index.
type store map[int64]merkle.Hash

func (s store) ReadHashes(indexes []int64) ([]merkle.Hash, error) {
	hs := make([]merkle.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := s[x]
		if !ok {
			return nil, fmt.Errorf("no hash at index %d", x)
		}
		hs[i] = h
	}
	return hs, nil
}

func (s store) put(index int64, h merkle.Hash) { s[index] = h }

// Example shows a writer appending entries, and a replica fetching a range
// with one range proof and storing the verified hashes, after which it can
// prove inclusion itself.
func Example() {
	// The writer appends 100 entries and keeps every stored hash.
	writer := store{}
	f, _ := merkle.NewFrontier(0, nil)
	var entries [][]byte
	for i := range 100 {
		entry := fmt.Appendf(nil, "entry %d", i)
		entries = append(entries, entry)
		f.Append(merkle.LeafHash(entry), writer.put)
	}
	size, root := f.Size(), f.Root() // what the writer signs in a checkpoint

	// The replica asks for entries [40, 60) and gets one proof for them.
	proof, err := merkle.ProveRange(40, 60, size, writer)
	if err != nil {
		panic(err)
	}
	var leaves []merkle.Hash
	for _, e := range entries[40:60] {
		leaves = append(leaves, merkle.LeafHash(e))
	}
	replica := store{}
	if err := merkle.CheckRange(40, 60, size, leaves, proof, root, replica.put); err != nil {
		panic(err)
	}
	fmt.Println("proof hashes:", len(proof.Left)+len(proof.Right))

	// The verified hashes let the replica prove entry 50 on its own.
	p, err := merkle.ProveInclusion(50, size, replica)
	if err != nil {
		panic(err)
	}
	fmt.Println("inclusion:", merkle.CheckInclusion(p, 50, size, leaves[10], root))
	// Output:
	// proof hashes: 5
	// inclusion: <nil>
}
