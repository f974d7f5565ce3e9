package repl

import (
	"math/rand/v2"
)

// seededReader is deterministic randomness for feed keys.
type seededReader struct{ r *rand.ChaCha8 }

func newSeededReader(seed uint64) *seededReader {
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	return &seededReader{rand.NewChaCha8(s)}
}

func (s *seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }
