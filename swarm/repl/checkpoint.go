package repl

import (
	"errors"
	"fmt"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/merkle"
	"github.com/steledb/stele/swarm/wire"
)

// proveOldRoot returns the consistency proof from `from` to size in the
// form merkle.OldRootFromConsistency takes (the old root in front when
// from is a power of two), so that a receiver whose tree of size from
// differs can turn it into fork evidence. The old root of a power of two
// is the one left hash of a range proof of [from, size).
func (s *session) proveOldRoot(from, size int64) (merkle.ConsistencyProof, bool) {
	if from <= 0 || from >= size {
		return nil, false
	}
	proof, err := s.f.ProveConsistency(from, size)
	if err != nil {
		return nil, false
	}
	if from&(from-1) == 0 {
		rp, err := s.f.ProveRange(from, size, size)
		if err != nil || len(rp.Left) != 1 {
			return nil, false
		}
		proof = append(merkle.ConsistencyProof{rp.Left[0]}, proof...)
	}
	return proof, true
}

// standardProof strips the old root that proveOldRoot put in front.
func standardProof(p merkle.ConsistencyProof, from, size int64) merkle.ConsistencyProof {
	if from > 0 && from < size && from&(from-1) == 0 && len(p) > 0 {
		return p[1:]
	}
	return p
}

// A received checkpoint, as far as the machine needs to know.
type received struct {
	size   int64
	held   bool // we hold a checkpoint of that size now
	resync bool // it was larger than ours but proven from another size
}

// receiveCheckpoint checks and applies a checkpoint a peer sent (in Status
// or Checkpoint) with a consistency proof from size from. It returns an
// error only for what the peer is to blame for: a bad signature, a proof
// that does not check against the checkpoint. A checkpoint we cannot
// verify for want of a proof is remembered and retried as our tree
// grows. Two inconsistent signed checkpoints are a fork, not the peer's
// fault: the evidence is stored and passed on.
func (s *session) receiveCheckpoint(c *conn, signed []byte, proof []merkle.Hash, from int64) (received, error) {
	cp, err := merkle.OpenCheckpoint(signed, s.verifier)
	if err != nil {
		s.e.counters.verificationFailures.Add(1)
		return received{}, fmt.Errorf("signature or format: %w", err)
	}
	r := received{size: cp.Size}
	if from > cp.Size || (len(proof) > 0 && from == cp.Size) {
		return r, fmt.Errorf("checkpoint of size %d: proof from size %d", cp.Size, from)
	}
	var oldRoot merkle.Hash
	if len(proof) > 0 {
		if oldRoot, err = merkle.OldRootFromConsistency(proof, from, cp.Size, cp.Root); err != nil {
			s.e.counters.verificationFailures.Add(1)
			return r, fmt.Errorf("checkpoint of size %d: consistency proof from %d: %w", cp.Size, from, err)
		}
		if held, err := s.f.Checkpoint(from); err == nil && held.Root != oldRoot {
			ev := feed.ForkEvidence{A: held, B: feed.SignedCheckpoint{Checkpoint: cp, Note: signed}, Proof: proof}
			s.fork(s.f.ApplyForkEvidence(feed.FormatForkEvidence(ev)))
			return r, nil
		}
	}
	latest, _ := s.f.Latest()
	var apply merkle.ConsistencyProof
	if len(proof) > 0 && from == latest.Size {
		apply = standardProof(proof, from, cp.Size)
	}
	_, err = s.f.ApplyCheckpoint(signed, apply)
	var fe *feed.ForkError
	switch {
	case errors.As(err, &fe):
		s.fork(err)
	case errors.Is(err, feed.ErrVerification):
		// Unverifiable for now (no usable proof): not the peer's fault.
		s.mu.Lock()
		s.unverified[c.id] = append([]byte(nil), signed...)
		s.mu.Unlock()
		r.resync = cp.Size > latest.Size
	}
	_, err = s.f.Checkpoint(cp.Size)
	r.held = err == nil
	return r, nil
}

// retryUnverified applies the checkpoints that could not be verified when
// they came, now that our tree may prove them.
func (s *session) retryUnverified() {
	s.mu.Lock()
	pending := make(map[PeerID][]byte, len(s.unverified))
	for p, n := range s.unverified {
		pending[p] = n
	}
	s.mu.Unlock()
	for p, signed := range pending {
		_, err := s.f.ApplyCheckpoint(signed, nil)
		if errors.Is(err, feed.ErrVerification) {
			continue
		}
		s.mu.Lock()
		delete(s.unverified, p)
		s.mu.Unlock()
		if err != nil {
			s.fork(err)
			continue
		}
		if cp, err := merkle.OpenCheckpoint(signed, s.verifier); err == nil {
			now := s.e.clock.Now()
			s.do(func(m *Machine) { m.CheckpointHeld(now, cp.Size) })
		}
	}
}

// fork handles the result of storing fork evidence: if the feed is now
// forked, the machine stops following it and every peer gets the
// evidence, once.
func (s *session) fork(err error) {
	if !errors.Is(err, feed.ErrForked) {
		return
	}
	now := s.e.clock.Now()
	s.do(func(m *Machine) { m.LocalChanged(now, readLocal(s.f)) })
	s.mu.Lock()
	first := !s.forkSent
	s.forkSent = true
	s.mu.Unlock()
	if first {
		for _, c := range s.allConns() {
			s.sendFork(c)
		}
	}
}

func (s *session) sendFork(c *conn) {
	evs, err := s.f.ForkEvidence()
	if err != nil || len(evs) == 0 {
		return
	}
	c.send(&wire.Fork{Evidence: feed.FormatForkEvidence(evs[0])})
}

// receiveFork checks fork evidence from a peer. Evidence that does not
// prove a fork is the peer's fault. A feed already forked keeps the
// evidence it has.
func (s *session) receiveFork(evidence []byte) error {
	if _, forked := s.f.Forked(); forked {
		if _, err := feed.ParseForkEvidence(s.pub, evidence); err != nil {
			s.e.counters.verificationFailures.Add(1)
			return err
		}
		return nil
	}
	err := s.f.ApplyForkEvidence(evidence)
	if errors.Is(err, feed.ErrVerification) {
		s.e.counters.verificationFailures.Add(1)
		return err
	}
	s.fork(err)
	return nil
}
