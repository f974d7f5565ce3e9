package crypto

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestNoteSignOpen(t *testing.T) {
	k := NewKeyFromSeed([32]byte{3})
	name := "stele/" + k.Public().String()
	signer, err := NoteSigner(k, name)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := NoteVerifier(k.Public(), name)
	if err != nil {
		t.Fatal(err)
	}
	text := name + "\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != text || len(n.Sigs) != 1 || n.Sigs[0].Name != name || n.Sigs[0].Hash != signer.KeyHash() {
		t.Fatalf("opened note = %+v", n)
	}

	// The key hash is the one x/mod computes, so its own verifier opens the note.
	pub := k.Public()
	vkey, err := note.NewEd25519VerifierKey(name, ed25519.PublicKey(pub[:]))
	if err != nil {
		t.Fatal(err)
	}
	std, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if std.KeyHash() != signer.KeyHash() || std.KeyHash() != verifier.KeyHash() {
		t.Fatalf("key hash %08x (signer) %08x (verifier), x/mod computes %08x", signer.KeyHash(), verifier.KeyHash(), std.KeyHash())
	}
	if _, err := note.Open(msg, note.VerifierList(std)); err != nil {
		t.Fatalf("x/mod verifier rejects our note: %v", err)
	}

	// And a note signed by x/mod's signer for the same key opens with ours.
	seed := k.Seed()
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, std.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{1}, seed[:]...)))
	stdSigner, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	msg2, err := note.Sign(&note.Note{Text: text}, stdSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg2, note.VerifierList(verifier)); err != nil {
		t.Fatalf("our verifier rejects x/mod's note: %v", err)
	}
}

func TestNoteWrongKey(t *testing.T) {
	name := "stele/test"
	signer, _ := NoteSigner(NewKeyFromSeed([32]byte{1}), name)
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NoteVerifier(NewKeyFromSeed([32]byte{2}).Public(), name)
	_, err = note.Open(msg, note.VerifierList(other))
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		t.Fatalf("note.Open with another key: %v, want UnverifiedNoteError", err)
	}

	// A verifier with a matching name and hash but a forged signature fails.
	forged := []byte(strings.Replace(string(msg), "hello", "hullo", 1))
	right, _ := NoteVerifier(NewKeyFromSeed([32]byte{1}).Public(), name)
	var invalid *note.InvalidSignatureError
	if _, err := note.Open(forged, note.VerifierList(right)); !errors.As(err, &invalid) {
		t.Fatalf("note.Open of altered text: %v, want InvalidSignatureError", err)
	}
}

func TestNoteBadNames(t *testing.T) {
	k := NewKeyFromSeed([32]byte{})
	for _, name := range []string{"", "a b", "a+b", "tab\t", "\xff"} {
		if _, err := NoteSigner(k, name); err == nil {
			t.Errorf("NoteSigner(%q) succeeded", name)
		}
		if _, err := NoteVerifier(k.Public(), name); err == nil {
			t.Errorf("NoteVerifier(%q) succeeded", name)
		}
	}
}
