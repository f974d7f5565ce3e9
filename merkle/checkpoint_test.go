package merkle

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "stele/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh"

// testKey returns a note signer and verifier for name from a fixed seed.
func testKey(t testing.TB, name string, seed byte) (note.Signer, note.Verifier) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	vkey, err := note.NewEd25519VerifierKey(name, priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return ed25519Signer{name, v.KeyHash(), priv}, v
}

// ed25519Signer is a note.Signer over an Ed25519 private key.
type ed25519Signer struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

func (s ed25519Signer) Name() string                    { return s.name }
func (s ed25519Signer) KeyHash() uint32                 { return s.hash }
func (s ed25519Signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.key, msg), nil }

func testCheckpoint() Checkpoint {
	f, _ := NewFrontier(0, nil)
	for i := range 21 {
		f.Append(LeafHash(testEntry(i)), nil)
	}
	return Checkpoint{Origin: testOrigin, Size: f.Size(), Root: f.Root(), Time: 1767225600}
}

func TestFormatCheckpoint(t *testing.T) {
	root := LeafHash([]byte("x"))
	for _, tc := range []struct {
		c    Checkpoint
		want string
	}{
		{Checkpoint{"example.com/log", 0, EmptyRoot(), 0}, "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"},
		{Checkpoint{"o", 21, root, 1767225600}, "o\n21\n" + root.String() + "\ntime 1767225600\n"},
	} {
		got := FormatCheckpoint(tc.c)
		if string(got) != tc.want {
			t.Errorf("FormatCheckpoint(%+v) = %q, want %q", tc.c, got, tc.want)
		}
		c, err := ParseCheckpoint(got)
		if err != nil || c != tc.c {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v, want %+v", got, c, err, tc.c)
		}
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	root := EmptyRoot().String()
	for _, text := range []string{
		"",
		"o\n1\n" + root,                   // no final newline
		"o\n1\n",                          // no root
		"o\n1\n" + root + "\n\n",          // empty extension line
		"o\n1\n" + root + "\ntime 5\nx\n", // five lines
		"o\n1\n" + root + "\nother 5\n",   // unknown extension
		"o\n1\n" + root + "\ntime 0\n",    // time 0 is written as no line
		"o\n1\n" + root + "\ntime -5\n",   // negative time
		"o\n1\n" + root + "\ntime 05\n",   // leading zero
		"o\n1\n" + root + "\ntime  5\n",   // two spaces
		"o\n1\n" + root + "\ntime 5 \n",   // trailing space
		"o\n1\n" + root + "\ntime 99999999999999999999\n",
		"o\n-1\n" + root + "\n", // negative size
		"o\n+1\n" + root + "\n", // sign
		"o\n01\n" + root + "\n", // leading zero
		"o\n1 \n" + root + "\n", // trailing space
		"o\n\n" + root + "\n",   // empty size
		"o\n9223372036854775808\n" + root + "\n",
		"o\n1\n" + strings.TrimSuffix(root, "=") + "\n",      // no padding
		"o\n1\n" + root[:42] + "V=\n",                        // non-zero padding bits
		"o\n1\n" + strings.Repeat("A", 44) + "\n",            // 33 bytes
		"o\n1\nAAAA\n",                                       // short
		"o\n1\n" + strings.ReplaceAll(root, "+", "-") + "\n", // URL alphabet
		"\n1\n" + root + "\n",                                // empty origin
		"a b\n1\n" + root + "\n",                             // space in origin
		"a+b\n1\n" + root + "\n",                             // plus in origin
		"a\tb\n1\n" + root + "\n",                            // tab in origin
		"a\x01b\n1\n" + root + "\n",                          // control character
		"a\xffb\n1\n" + root + "\n",                          // invalid UTF-8
		"o\r\n1\n" + root + "\n",                             // CR
		"o\n1\n" + root + "\n" + strings.Repeat("x", maxCheckpointSize),
	} {
		if c, err := ParseCheckpoint([]byte(text)); err == nil {
			t.Errorf("ParseCheckpoint(%q) = %+v, want error", text, c)
		}
	}
}

func TestValidateCheckpoint(t *testing.T) {
	good := testCheckpoint()
	if err := ValidateCheckpoint(good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Checkpoint{
		{Origin: "", Size: 1},
		{Origin: "a b", Size: 1},
		{Origin: "a+b", Size: 1},
		{Origin: "o", Size: -1},
		{Origin: "o", Size: 1, Time: -1},
	} {
		if err := ValidateCheckpoint(c); err == nil {
			t.Errorf("ValidateCheckpoint(%+v): no error", c)
		}
	}
}

func TestSignOpenCheckpoint(t *testing.T) {
	signer, verifier := testKey(t, testOrigin, 1)
	c := testCheckpoint()
	msg, err := SignCheckpoint(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg, append(FormatCheckpoint(c), "\n— "+testOrigin+" "...)) {
		t.Fatalf("signed note is not body, blank line, signature:\n%s", msg)
	}
	got, err := OpenCheckpoint(msg, verifier)
	if err != nil || got != c {
		t.Fatalf("OpenCheckpoint = %+v, %v, want %+v", got, err, c)
	}

	// A witness cosignature alongside the author's is ignored.
	witness, _ := testKey(t, "witness.example", 2)
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, witness)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OpenCheckpoint(cosigned, verifier); err != nil || got != c {
		t.Errorf("OpenCheckpoint(cosigned) = %+v, %v", got, err)
	}
}

func TestOpenCheckpointRejects(t *testing.T) {
	signer, verifier := testKey(t, testOrigin, 1)
	_, otherVerifier := testKey(t, testOrigin, 3) // same name, other key
	otherSigner, _ := testKey(t, testOrigin, 3)
	witness, _ := testKey(t, "witness.example", 2)
	c := testCheckpoint()
	msg, err := SignCheckpoint(c, signer)
	if err != nil {
		t.Fatal(err)
	}
	body := FormatCheckpoint(c)
	onlyWitness, _ := note.Sign(&note.Note{Text: string(body)}, witness)
	byOther, _ := note.Sign(&note.Note{Text: string(body)}, otherSigner)
	sigLine := msg[len(body)+1:]

	// A bad signature with the author's key hash fails even next to a
	// good one.
	badSig := append([]byte(nil), sigLine...)
	badSig[len(badSig)-5] ^= 1
	if bytes.Equal(badSig, sigLine) {
		t.Fatal("corruption did nothing")
	}
	badThenGood := append(append(append(append([]byte(nil), body...), '\n'), badSig...), sigLine...)

	// A checkpoint whose origin is not the key name.
	wrongOrigin := c
	wrongOrigin.Origin = "stele/other"
	otherOriginMsg, _ := note.Sign(&note.Note{Text: string(FormatCheckpoint(wrongOrigin))}, signer)

	// A well-signed note whose text is not a strict checkpoint.
	loose := append(append([]byte(nil), body...), "extra line\n"...)
	looseMsg, _ := note.Sign(&note.Note{Text: string(loose)}, signer)

	for _, tc := range []struct {
		name string
		msg  []byte
		v    note.Verifier
	}{
		{"wrong key", msg, otherVerifier},
		{"signed by another key of the same name", byOther, verifier},
		{"only a witness signature", onlyWitness, verifier},
		{"missing signature", append(append([]byte(nil), body...), '\n'), verifier},
		{"no blank line", body, verifier},
		{"bad signature", append(append(append([]byte(nil), body...), '\n'), badSig...), verifier},
		{"bad then good signature", badThenGood, verifier},
		{"origin is not the key name", otherOriginMsg, verifier},
		{"not a strict checkpoint", looseMsg, verifier},
	} {
		if got, err := OpenCheckpoint(tc.msg, tc.v); err == nil {
			t.Errorf("%s: OpenCheckpoint = %+v, want error", tc.name, got)
		}
	}

	// Every altered body byte breaks the signature.
	for i := range body {
		altered := append([]byte(nil), msg...)
		altered[i] ^= 0x01
		if got, err := OpenCheckpoint(altered, verifier); err == nil {
			t.Errorf("body byte %d altered: OpenCheckpoint = %+v, want error", i, got)
		}
	}

	var invalid *note.InvalidSignatureError
	if _, err := OpenCheckpoint(badThenGood, verifier); !errors.As(err, &invalid) {
		t.Errorf("bad signature: error %v does not wrap *note.InvalidSignatureError", err)
	}
}

func TestSignCheckpointRejects(t *testing.T) {
	signer, _ := testKey(t, testOrigin, 1)
	c := testCheckpoint()
	other := c
	other.Origin = "stele/other"
	if _, err := SignCheckpoint(other, signer); err == nil {
		t.Error("signed a checkpoint whose origin is not the key name")
	}
	bad := c
	bad.Size = -1
	if _, err := SignCheckpoint(bad, signer); err == nil {
		t.Error("signed a checkpoint with a negative size")
	}
}

// ExampleFormatCheckpoint prints the checkpoint body of the package doc.
func ExampleFormatCheckpoint() {
	f, _ := NewFrontier(0, nil)
	for i := range 21 {
		f.Append(LeafHash(fmt.Appendf(nil, "entry %d", i)), nil)
	}
	c := Checkpoint{
		Origin: "stele/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh",
		Size:   f.Size(),
		Root:   f.Root(),
		Time:   1767225600,
	}
	fmt.Printf("%s", FormatCheckpoint(c))
	// Output:
	// stele/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh
	// 21
	// Svea78FcRz5nsuDIk+L3vD1cxCHH7bm4Q7d2/bhAboM=
	// time 1767225600
}
