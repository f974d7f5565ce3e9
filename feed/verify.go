package feed

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/steledb/stele/merkle"
)

// A VerifyError reports the first thing Verify found wrong.
type VerifyError struct {
	Index      int64 // the entry that failed, or -1
	Checkpoint int64 // the size of the checkpoint involved, or -1
	Reason     string
}

func (e *VerifyError) Error() string {
	switch {
	case e.Index >= 0 && e.Checkpoint >= 0:
		return fmt.Sprintf("entry %d (against checkpoint of size %d): %s", e.Index, e.Checkpoint, e.Reason)
	case e.Index >= 0:
		return fmt.Sprintf("entry %d: %s", e.Index, e.Reason)
	case e.Checkpoint >= 0:
		return fmt.Sprintf("checkpoint of size %d: %s", e.Checkpoint, e.Reason)
	}
	return e.Reason
}

func (e *VerifyError) Unwrap() error { return ErrVerification }

// verifyStep is how many entries Verify checks with one range proof: it
// bounds memory whatever the range held.
const verifyStep = 1 << 16

// Verify rechecks everything stored for the feed from scratch: every
// checkpoint's signature, the consistency of consecutive checkpoints,
// every stored entry against its stored leaf hash, and every held range
// against a signed root. progress, if not nil, is called with the entries
// checked so far and the total. It returns a *VerifyError naming the first
// failure.
func (f *Feed) Verify(progress func(done, total int64)) error {
	cps, err := f.verifyCheckpoints()
	if err != nil {
		return err
	}
	if _, err := f.ForkEvidence(); err != nil {
		return &VerifyError{Index: -1, Checkpoint: -1, Reason: err.Error()}
	}
	var steps []Range
	for _, r := range f.Ranges() {
		for lo := r.Lo; lo < r.Hi; lo += verifyStep {
			steps = append(steps, Range{lo, min(lo+verifyStep, r.Hi)})
		}
	}
	return f.verifySteps(steps, cps, progress)
}

// verifySteps checks steps on every core (hashing is the cost) and
// returns the error of the lowest failing step, so the report names the
// first bad entry whatever the scheduling.
func (f *Feed) verifySteps(steps []Range, cps []checkpointRecord, progress func(done, total int64)) error {
	var total int64
	for _, st := range steps {
		total += st.Len()
	}
	errs := make([]error, len(steps))
	next := make(chan int)
	var mu sync.Mutex
	var done int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(steps)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f.verifyRange(steps[i].Lo, steps[i].Hi, cps)
				mu.Lock()
				done += steps[i].Len()
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range steps {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// verifyCheckpoints checks the held checkpoints and returns them in
// increasing size.
func (f *Feed) verifyCheckpoints() ([]checkpointRecord, error) {
	var recs []checkpointRecord
	err := f.scanCheckpoints(func(rec checkpointRecord) error {
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return nil, &VerifyError{Index: -1, Checkpoint: -1, Reason: err.Error()}
	}
	bySize := make(map[int64]checkpointRecord, len(recs))
	for _, r := range recs {
		bySize[r.cp.Size] = r
	}
	for i := 1; i < len(recs); i++ {
		if err := f.checkLinked(recs[i-1], recs[i], bySize); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// checkLinked checks that checkpoints a and b (a smaller) are consistent,
// with a proof from the stored tree or, failing that, a stored proof.
func (f *Feed) checkLinked(a, b checkpointRecord, bySize map[int64]checkpointRecord) error {
	fail := func(reason string) error {
		return &VerifyError{Index: -1, Checkpoint: b.cp.Size, Reason: fmt.Sprintf("not consistent with checkpoint of size %d: %s", a.cp.Size, reason)}
	}
	if a.cp.Size == b.cp.Size {
		return nil
	}
	proof, err := merkle.ProveConsistency(a.cp.Size, b.cp.Size, f.hashes())
	if err == nil {
		if err := merkle.CheckConsistency(proof, a.cp.Size, a.cp.Root, b.cp.Size, b.cp.Root); err != nil {
			return fail(err.Error())
		}
		return nil
	}
	if !errors.Is(err, ErrHashNotHeld) {
		return err
	}
	// A replica checked each checkpoint against the latest one held when
	// it arrived, and kept that proof.
	for _, rec := range []checkpointRecord{b, a} {
		other, ok := bySize[rec.proofFrom]
		if !ok || len(rec.proof) == 0 {
			continue
		}
		x, y := rec.cp, other.cp
		if x.Size > y.Size {
			x, y = y, x
		}
		if err := merkle.CheckConsistency(rec.proof, x.Size, x.Root, y.Size, y.Root); err != nil {
			return &VerifyError{Index: -1, Checkpoint: rec.cp.Size, Reason: fmt.Sprintf("stored consistency proof with size %d: %v", other.cp.Size, err)}
		}
	}
	return nil
}

// verifyRange checks the stored entries of [lo, hi) against their stored
// leaf hashes, then against the root of the latest checkpoint the stored
// tree can prove them in.
func (f *Feed) verifyRange(lo, hi int64, cps []checkpointRecord) error {
	leaves := make([]merkle.Hash, 0, hi-lo)
	err := f.scan(lo, hi, true, func(i int64, data []byte) error {
		if i != lo+int64(len(leaves)) {
			return &VerifyError{Index: lo + int64(len(leaves)), Checkpoint: -1, Reason: "entry missing from storage"}
		}
		leaves = append(leaves, merkle.LeafHash(data))
		return nil
	})
	if err != nil {
		var ve *VerifyError
		if errors.As(err, &ve) {
			return err
		}
		return &VerifyError{Index: lo, Checkpoint: -1, Reason: err.Error()}
	}
	if int64(len(leaves)) != hi-lo {
		return &VerifyError{Index: lo + int64(len(leaves)), Checkpoint: -1, Reason: "entry missing from storage"}
	}
	if err := f.compareLeaves(lo, leaves); err != nil {
		return err
	}
	for i := len(cps) - 1; i >= 0; i-- {
		cp := cps[i].cp
		if cp.Size < hi {
			break
		}
		proof, err := merkle.ProveRange(lo, hi, cp.Size, f.hashes())
		if errors.Is(err, ErrHashNotHeld) {
			continue
		}
		if err != nil {
			return err
		}
		if err := merkle.CheckRange(lo, hi, cp.Size, leaves, proof, cp.Root, nil); err != nil {
			return &VerifyError{Index: lo, Checkpoint: cp.Size, Reason: fmt.Sprintf("entries %d:%d do not verify against the signed root (stored tree hashes altered?): %v", lo, hi, err)}
		}
		return nil
	}
	return &VerifyError{Index: lo, Checkpoint: -1, Reason: fmt.Sprintf("entries %d:%d: no held checkpoint can prove them", lo, hi)}
}

// compareLeaves compares recomputed leaf hashes with the stored ones.
func (f *Feed) compareLeaves(lo int64, leaves []merkle.Hash) error {
	indexes := make([]int64, len(leaves))
	for k := range leaves {
		indexes[k] = merkle.StoredHashIndex(0, lo+int64(k))
	}
	stored, err := f.hashes().ReadHashes(indexes)
	if err != nil {
		return &VerifyError{Index: lo, Checkpoint: -1, Reason: err.Error()}
	}
	for k := range leaves {
		if stored[k] != leaves[k] {
			return &VerifyError{Index: lo + int64(k), Checkpoint: -1, Reason: "entry data does not match its leaf hash (entry altered or corrupt)"}
		}
	}
	return nil
}
