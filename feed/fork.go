package feed

import (
	"encoding/binary"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// ForkEvidence proves that a feed's author signed two inconsistent
// checkpoints: A and B (A.Size <= B.Size) are both validly signed, and
// either they have the same size and different roots, or Proof is a
// consistency proof that checks against B and yields, for the prefix of
// size A.Size, a root other than A's. Anyone holding the feed's address
// can check it without trusting whoever passed it on.
type ForkEvidence struct {
	A, B  SignedCheckpoint
	Proof merkle.ConsistencyProof
}

// A ForkError reports that applying a checkpoint exposed a fork. The
// evidence has been stored and the feed marked forked.
type ForkError struct {
	Evidence ForkEvidence
}

func (e *ForkError) Error() string {
	return fmt.Sprintf("feed %s forked: checkpoints of size %d (root %s) and %d (root %s) are inconsistent",
		addressOfOrigin(e.Evidence.A.Origin), e.Evidence.A.Size, e.Evidence.A.Root, e.Evidence.B.Size, e.Evidence.B.Root)
}

func (e *ForkError) Unwrap() error { return ErrForked }

func addressOfOrigin(origin string) string {
	if len(origin) > len("stele/") {
		return origin[len("stele/"):]
	}
	return origin
}

// FormatForkEvidence encodes evidence as
//
//	uvarint(len(A.Note)) A.Note uvarint(len(B.Note)) B.Note uvarint(len(Proof)) Proof hashes (32 bytes each)
func FormatForkEvidence(ev ForkEvidence) []byte {
	buf := binary.AppendUvarint(nil, uint64(len(ev.A.Note)))
	buf = append(buf, ev.A.Note...)
	buf = binary.AppendUvarint(buf, uint64(len(ev.B.Note)))
	buf = append(buf, ev.B.Note...)
	buf = binary.AppendUvarint(buf, uint64(len(ev.Proof)))
	for _, h := range ev.Proof {
		buf = append(buf, h[:]...)
	}
	return buf
}

// ParseForkEvidence decodes and checks fork evidence against the feed at
// pub: it returns an error unless the evidence proves a fork.
func ParseForkEvidence(pub crypto.PublicKey, data []byte) (ForkEvidence, error) {
	var ev ForkEvidence
	bad := fmt.Errorf("fork evidence: malformed: %w", ErrVerification)
	notes := make([][]byte, 2)
	for i := range notes {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) {
			return ev, bad
		}
		notes[i], data = data[k:k+int(n)], data[k+int(n):]
	}
	n, k := binary.Uvarint(data)
	if k <= 0 || n > 64 || uint64(len(data)-k) != n*32 {
		return ev, bad
	}
	ev.Proof = make(merkle.ConsistencyProof, n)
	for i := range ev.Proof {
		copy(ev.Proof[i][:], data[k+32*i:])
	}
	v, err := crypto.NoteVerifier(pub, Origin(pub))
	if err != nil {
		return ev, err
	}
	if ev.A, err = openSigned(notes[0], v); err != nil {
		return ev, fmt.Errorf("fork evidence: first checkpoint: %w", err)
	}
	if ev.B, err = openSigned(notes[1], v); err != nil {
		return ev, fmt.Errorf("fork evidence: second checkpoint: %w", err)
	}
	return ev, CheckForkEvidence(ev)
}

func openSigned(msg []byte, v note.Verifier) (SignedCheckpoint, error) {
	cp, err := merkle.OpenCheckpoint(msg, v)
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("%w: %w", ErrVerification, err)
	}
	return SignedCheckpoint{Checkpoint: cp, Note: append([]byte(nil), msg...)}, nil
}

// CheckForkEvidence checks that ev (whose checkpoints have been opened
// with the feed's verifier) proves a fork.
func CheckForkEvidence(ev ForkEvidence) error {
	a, b := ev.A, ev.B
	switch {
	case a.Size > b.Size:
		return fmt.Errorf("fork evidence: checkpoints out of order: %w", ErrVerification)
	case a.Size == b.Size:
		if a.Root == b.Root {
			return fmt.Errorf("fork evidence: checkpoints of size %d agree: %w", a.Size, ErrVerification)
		}
		return nil
	}
	root, err := merkle.OldRootFromConsistency(ev.Proof, a.Size, b.Size, b.Root)
	if err != nil {
		return fmt.Errorf("fork evidence: proof does not check against the checkpoint of size %d: %w", b.Size, ErrVerification)
	}
	if root == a.Root {
		return fmt.Errorf("fork evidence: checkpoints of size %d and %d are consistent: %w", a.Size, b.Size, ErrVerification)
	}
	return nil
}

// recordFork stores fork evidence and marks the feed forked from the
// smaller checkpoint's size on. f.write must be held.
func (f *Feed) recordFork(ev ForkEvidence) error {
	f.mu.RLock()
	meta := f.meta
	f.mu.RUnlock()
	if meta.ForkedAt == 0 || ev.A.Size+1 < meta.ForkedAt {
		meta.ForkedAt = ev.A.Size + 1
	}
	seq, err := f.nextForkSeq()
	if err != nil {
		return err
	}
	b := f.s.db.NewBatch()
	defer b.Close()
	if err := b.Set(feedKey(f.pub, kindFork, seq), FormatForkEvidence(ev), nil); err != nil {
		return err
	}
	if err := b.Set(metaKey(f.pub), meta.encode(), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store fork evidence: %w", err)
	}
	f.mu.Lock()
	f.meta = meta
	f.frontier = nil
	f.notifyLocked()
	f.mu.Unlock()
	return nil
}

func (f *Feed) nextForkSeq() (uint64, error) {
	lo, hi := kindBounds(f.pub, kindFork)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return 0, it.Error()
	}
	return keySuffix(it.Key()) + 1, nil
}

// ForkEvidence returns every piece of fork evidence held for the feed.
func (f *Feed) ForkEvidence() ([]ForkEvidence, error) {
	lo, hi := kindBounds(f.pub, kindFork)
	it, err := f.s.db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []ForkEvidence
	for ok := it.First(); ok; ok = it.Next() {
		ev, err := ParseForkEvidence(f.pub, it.Value())
		if err != nil {
			return nil, fmt.Errorf("stored fork evidence %d: %w", keySuffix(it.Key()), err)
		}
		out = append(out, ev)
	}
	return out, it.Error()
}

// ApplyForkEvidence checks fork evidence received from elsewhere and, if
// it proves a fork, stores it and marks the feed forked.
func (f *Feed) ApplyForkEvidence(data []byte) error {
	ev, err := ParseForkEvidence(f.pub, data)
	if err != nil {
		return err
	}
	f.write.Lock()
	defer f.write.Unlock()
	if err := f.recordFork(ev); err != nil {
		return err
	}
	return &ForkError{Evidence: ev}
}
