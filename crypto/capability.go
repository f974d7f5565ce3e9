package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// capabilityTag separates capability MACs from every other use of the key.
const capabilityTag = "stele/capability/v1\n"

// Capability proves, on one connection, that the prover knows a feed's
// public key (the read capability), without revealing it to anyone who
// does not. It is bound to both peer IDs and to their roles, so a proof
// cannot be replayed on another connection or reflected back.
type Capability [32]byte

// ProveCapability returns HMAC-SHA256, keyed by the 32 bytes of p, of
//
//	"stele/capability/v1\n" || uvarint(len(prover)) || prover || uvarint(len(verifier)) || verifier
//
// where prover and verifier are the binary peer IDs of the two ends of the
// connection: the sender of the proof and its receiver. The length prefixes
// make the encoding injective, so no two (prover, verifier) pairs share a MAC input.
func ProveCapability(p PublicKey, prover, verifier []byte) Capability {
	mac := hmac.New(sha256.New, p[:])
	mac.Write([]byte(capabilityTag))
	mac.Write(binary.AppendUvarint(nil, uint64(len(prover))))
	mac.Write(prover)
	mac.Write(binary.AppendUvarint(nil, uint64(len(verifier))))
	mac.Write(verifier)
	return Capability(mac.Sum(nil))
}

// CheckCapability reports, in constant time, whether c is the proof that
// prover sends to verifier for p.
func CheckCapability(p PublicKey, prover, verifier []byte, c Capability) bool {
	want := ProveCapability(p, prover, verifier)
	return hmac.Equal(want[:], c[:])
}
