package crypto

import (
	"crypto/ed25519"
	"fmt"
	"io"
)

// PublicKey is an Ed25519 public key: the identity of a feed.
// Its printed form is the feed address (see [FormatAddress]).
type PublicKey [32]byte

// String returns the feed address of p.
func (p PublicKey) String() string { return FormatAddress(p) }

// Verify reports whether sig is a valid Ed25519 signature of msg by p.
func (p PublicKey) Verify(msg, sig []byte) bool {
	return ed25519.Verify(p[:], msg, sig)
}

// PrivateKey is an Ed25519 private key, the author's signing key.
// The zero PrivateKey is not a key: obtain one from [GenerateKey],
// [NewKeyFromSeed] or [ParseKeyFile]. Copies share the key material,
// which is never modified.
type PrivateKey struct {
	key ed25519.PrivateKey // seed || public key, 64 bytes
}

// GenerateKey returns a new key whose seed is the next 32 bytes of rand
// (normally crypto/rand.Reader). It reads rand itself, rather than calling
// ed25519.GenerateKey, because since Go 1.26 the standard library ignores a
// caller's reader there, and tests need determinism.
func GenerateKey(rand io.Reader) (PrivateKey, error) {
	var seed [32]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return PrivateKey{}, fmt.Errorf("generate key: read randomness: %w", err)
	}
	k := NewKeyFromSeed(seed)
	clear(seed[:])
	return k, nil
}

// NewKeyFromSeed returns the key of the RFC 8032 32-byte seed.
func NewKeyFromSeed(seed [32]byte) PrivateKey {
	return PrivateKey{key: ed25519.NewKeyFromSeed(seed[:])}
}

// Seed returns the 32-byte seed from which k is derived; it is the whole
// secret, and what a key file stores.
func (k PrivateKey) Seed() [32]byte {
	return [32]byte(k.mustKey().Seed())
}

// Public returns the public key of k.
func (k PrivateKey) Public() PublicKey {
	return PublicKey(k.mustKey()[ed25519.SeedSize:])
}

// Sign returns the 64-byte Ed25519 signature of msg.
func (k PrivateKey) Sign(msg []byte) []byte {
	return ed25519.Sign(k.mustKey(), msg)
}

// String names the key by its address and never prints the secret, so
// that a key passed to a logger or to %v by mistake leaks nothing.
func (k PrivateKey) String() string {
	if k.key == nil {
		return "PrivateKey(zero)"
	}
	return "PrivateKey(" + FormatAddress(k.Public()) + ")"
}

// GoString is String for %#v, which would otherwise print the seed.
func (k PrivateKey) GoString() string { return k.String() }

// mustKey returns the ed25519 key, panicking on the zero PrivateKey, which
// no constructor returns: using it is a programming error.
func (k PrivateKey) mustKey() ed25519.PrivateKey {
	if len(k.key) != ed25519.PrivateKeySize {
		panic("crypto: use of zero PrivateKey")
	}
	return k.key
}
