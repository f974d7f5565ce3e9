package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// noteAlgEd25519 is the signed-note signature type of Ed25519 keys.
const noteAlgEd25519 = 0x01

// NoteSigner returns a signer of C2SP signed notes for k under the key name
// name (for checkpoints, the log origin "stele/<address>"). Its key hash is
// the one [note.NewEd25519VerifierKey] computes for the same name and key.
func NoteSigner(k PrivateKey, name string) (note.Signer, error) {
	if err := checkNoteKeyName(name); err != nil {
		return nil, err
	}
	return noteSigner{name: name, hash: noteKeyHash(name, k.Public()), key: k}, nil
}

// NoteVerifier returns the verifier matching [NoteSigner](k, name) for the
// public key p of k.
func NoteVerifier(p PublicKey, name string) (note.Verifier, error) {
	if err := checkNoteKeyName(name); err != nil {
		return nil, err
	}
	return noteVerifier{name: name, hash: noteKeyHash(name, p), key: p}, nil
}

// noteKeyHash is the first four bytes, big-endian, of
// SHA-256(name || "\n" || 0x01 || public key), as the signed-note spec defines.
func noteKeyHash(name string, p PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{noteAlgEd25519})
	h.Write(p[:])
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// checkNoteKeyName applies the signed-note rule: a key name is non-empty
// UTF-8 without spaces or "+".
func checkNoteKeyName(name string) error {
	if name == "" || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsSpace) || strings.Contains(name, "+") {
		return fmt.Errorf("note key name %q: must be non-empty UTF-8 without spaces or '+'", name)
	}
	return nil
}

type noteSigner struct {
	name string
	hash uint32
	key  PrivateKey
}

func (s noteSigner) Name() string                    { return s.name }
func (s noteSigner) KeyHash() uint32                 { return s.hash }
func (s noteSigner) Sign(msg []byte) ([]byte, error) { return s.key.Sign(msg), nil }

type noteVerifier struct {
	name string
	hash uint32
	key  PublicKey
}

func (v noteVerifier) Name() string    { return v.name }
func (v noteVerifier) KeyHash() uint32 { return v.hash }
func (v noteVerifier) Verify(msg, sig []byte) bool {
	return len(sig) == ed25519.SignatureSize && v.key.Verify(msg, sig)
}
