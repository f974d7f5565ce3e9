package crypto

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"testing"
)

// referenceCapability builds the MAC input in one buffer, the way the doc
// describes it, to check the streaming implementation.
func referenceCapability(p PublicKey, prover, verifier []byte) Capability {
	var in bytes.Buffer
	in.WriteString("stele/capability/v1\n")
	in.WriteByte(byte(len(prover))) // uvarint of lengths below 128
	in.Write(prover)
	in.WriteByte(byte(len(verifier)))
	in.Write(verifier)
	mac := hmac.New(sha256.New, p[:])
	mac.Write(in.Bytes())
	return Capability(mac.Sum(nil))
}

func TestCapability(t *testing.T) {
	key := NewKeyFromSeed([32]byte{7}).Public()
	other := NewKeyFromSeed([32]byte{8}).Public()
	a := []byte("\x00\x24\x08\x01\x12\x20peer-A-public-key-bytes-000000000")
	b := []byte("\x00\x24\x08\x01\x12\x20peer-B-public-key-bytes-000000000")
	proof := ProveCapability(key, a, b)
	if proof != referenceCapability(key, a, b) {
		t.Fatal("ProveCapability differs from the reference")
	}
	type checkCase struct {
		name             string
		key              PublicKey
		prover, verifier []byte
		proof            Capability
		want             bool
	}
	tests := []checkCase{
		{"round trip", key, a, b, proof, true},
		{"wrong key", other, a, b, proof, false},
		{"swapped peers", key, b, a, proof, false},
		{"same peer twice", key, a, a, proof, false},
		{"other prover", key, []byte("C"), b, proof, false},
		{"zero proof", key, a, b, Capability{}, false},
	}
	for i := range 8 * len(proof) {
		altered := proof
		altered[i/8] ^= 1 << (i % 8)
		tests = append(tests, checkCase{"altered bit", key, a, b, altered, false})
	}
	for _, tc := range tests {
		if got := CheckCapability(tc.key, tc.prover, tc.verifier, tc.proof); got != tc.want {
			t.Errorf("%s: CheckCapability = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCapabilityFraming checks that moving bytes across the prover/verifier
// boundary changes the proof: the length prefixes make the input injective.
func TestCapabilityFraming(t *testing.T) {
	key := NewKeyFromSeed([32]byte{7}).Public()
	seen := map[Capability]string{}
	for _, pair := range [][2]string{{"", "AB"}, {"A", "B"}, {"AB", ""}, {"", ""}, {"\x01A", ""}, {"", "\x01A"}} {
		c := ProveCapability(key, []byte(pair[0]), []byte(pair[1]))
		if prev, ok := seen[c]; ok {
			t.Errorf("pairs %q and %q have the same proof", prev, pair)
		}
		seen[c] = pair[0] + "|" + pair[1]
	}
}
