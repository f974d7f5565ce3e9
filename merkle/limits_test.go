package merkle

import (
	"errors"
	"math"
	"math/bits"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// hugeSizes are sizes beyond MaxTreeSize. tlog's arithmetic loops forever
// on sizes above 2^62, so each of these must be refused up front.
var hugeSizes = []int64{MaxTreeSize + 1, 1<<62 + 1, math.MaxInt64}

// zeroProof returns n zero hashes: a proof of the right length, so that
// only the size check can stop the computation.
func zeroProof(n int) []Hash { return make([]Hash, n) }

func TestHugeSizesRefused(t *testing.T) {
	r := memStore{}
	for _, size := range hugeSizes {
		index := size - 1
		inner, border := inclusionParts(index, size)
		if err := CheckInclusion(zeroProof(inner+border), index, size, Hash{}, Hash{}); !errors.Is(err, ErrProof) {
			t.Errorf("CheckInclusion(size %d) = %v, want ErrProof", size, err)
		}
		if err := CheckInclusion(zeroProof(inclusionLen(0, size)), 0, size, Hash{}, Hash{}); !errors.Is(err, ErrProof) {
			t.Errorf("CheckInclusion(0, size %d) = %v, want ErrProof", size, err)
		}
		size1 := int64(3)
		if err := CheckConsistency(zeroProof(consistencyLen(size1, size)), size1, Hash{}, size, Hash{}); !errors.Is(err, ErrProof) {
			t.Errorf("CheckConsistency(3, %d) = %v, want ErrProof", size, err)
		}
		if _, err := OldRootFromConsistency(zeroProof(consistencyLen(size1, size)+1), size1, size, Hash{}); !errors.Is(err, ErrProof) {
			t.Errorf("OldRootFromConsistency(3, %d) = %v, want ErrProof", size, err)
		}
		if _, err := OldRootFromConsistency(nil, size, size, Hash{}); !errors.Is(err, ErrProof) {
			t.Errorf("OldRootFromConsistency(%d, %d) = %v, want ErrProof", size, size, err)
		}
		p := RangeProof{zeroProof(bits.OnesCount64(uint64(index))), nil}
		if err := CheckRange(index, size, size, zeroProof(1), p, Hash{}, nil); !errors.Is(err, ErrProof) {
			t.Errorf("CheckRange(size %d) = %v, want ErrProof", size, err)
		}
		if l, rr := RangeProofIndexes(index, size, size); l != nil || rr != nil {
			t.Errorf("RangeProofIndexes(size %d) = %v, %v", size, l, rr)
		}
		if FrontierIndexes(size) != nil {
			t.Errorf("FrontierIndexes(%d) is not nil", size)
		}
		for name, err := range map[string]error{
			"ProveInclusion":     second(ProveInclusion(index, size, r)),
			"ProveConsistency":   second(ProveConsistency(size1, size, r)),
			"ProveOldRoot":       second(ProveOldRoot(size1, size, r)),
			"ProveRange":         second(ProveRange(index, size, size, r)),
			"TreeRoot":           second(TreeRoot(size, r)),
			"LoadFrontier":       second(LoadFrontier(size, r)),
			"NewFrontier":        second(NewFrontier(size, zeroProof(bits.OnesCount64(uint64(size))))),
			"ValidateCheckpoint": ValidateCheckpoint(Checkpoint{Origin: "o", Size: size}),
			"ParseCheckpoint":    second(ParseCheckpoint(FormatCheckpoint(Checkpoint{Origin: "o", Size: size}))),
		} {
			if err == nil {
				t.Errorf("%s(size %d): no error", name, size)
			}
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestMaxTreeSize checks that the largest size works: checks run to a
// root mismatch, and the frontier's indexes match tlog's up to the end.
func TestMaxTreeSize(t *testing.T) {
	const size = MaxTreeSize
	if err := CheckInclusion(zeroProof(inclusionLen(size-1, size)), size-1, size, Hash{}, Hash{}); !errors.Is(err, ErrProof) {
		t.Errorf("CheckInclusion at MaxTreeSize = %v, want ErrProof", err)
	}
	if err := CheckConsistency(zeroProof(consistencyLen(3, size)), 3, Hash{}, size, Hash{}); !errors.Is(err, ErrProof) {
		t.Errorf("CheckConsistency at MaxTreeSize = %v, want ErrProof", err)
	}
	lo := int64(size - 5)
	p := RangeProof{zeroProof(bits.OnesCount64(uint64(lo))), nil}
	if err := CheckRange(lo, size, size, zeroProof(5), p, Hash{}, nil); !errors.Is(err, ErrProof) {
		t.Errorf("CheckRange at MaxTreeSize = %v, want ErrProof", err)
	}

	start := int64(size - 3)
	f, err := NewFrontier(start, zeroProof(bits.OnesCount64(uint64(start))))
	if err != nil {
		t.Fatal(err)
	}
	for n := start; n < size; n++ {
		next := tlog.StoredHashIndex(0, n)
		f.Append(Hash{}, func(index int64, _ Hash) {
			if index != next {
				t.Errorf("leaf %d: visited index %d, want %d", n, index, next)
			}
			next++
		})
		if next != tlog.StoredHashCount(n+1) {
			t.Errorf("leaf %d: visits end at %d, want StoredHashCount %d", n, next, tlog.StoredHashCount(n+1))
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Append beyond MaxTreeSize did not panic")
		}
	}()
	f.Append(Hash{}, nil)
}
