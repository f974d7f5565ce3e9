package crypto

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
)

func TestGenerateKeyUsesReader(t *testing.T) {
	seed := bytes.Repeat([]byte{0x42}, 32)
	k, err := GenerateKey(bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Seed(); !bytes.Equal(got[:], seed) {
		t.Fatalf("Seed = %x, want %x", got, seed)
	}
	want := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	if p := k.Public(); !bytes.Equal(p[:], want) {
		t.Fatalf("Public = %x, want %x", p, want)
	}
}

func TestGenerateKeyShortReader(t *testing.T) {
	if _, err := GenerateKey(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Fatal("GenerateKey with 31 bytes of randomness succeeded")
	}
}

func TestSignVerify(t *testing.T) {
	k := NewKeyFromSeed([32]byte{1})
	other := NewKeyFromSeed([32]byte{2}).Public()
	msg := []byte("checkpoint")
	sig := k.Sign(msg)
	tests := []struct {
		name string
		key  PublicKey
		msg  []byte
		sig  []byte
		want bool
	}{
		{"valid", k.Public(), msg, sig, true},
		{"wrong key", other, msg, sig, false},
		{"wrong message", k.Public(), []byte("checkpoinT"), sig, false},
		{"altered signature", k.Public(), msg, flipBit(sig, 100), false},
		{"short signature", k.Public(), msg, sig[:63], false},
		{"long signature", k.Public(), msg, append(bytes.Clone(sig), 0), false},
		{"nil signature", k.Public(), msg, nil, false},
	}
	for _, tc := range tests {
		if got := tc.key.Verify(tc.msg, tc.sig); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func flipBit(b []byte, bit int) []byte {
	b = bytes.Clone(b)
	b[bit/8] ^= 1 << (bit % 8)
	return b
}

func TestPrivateKeyPrintsNoSecret(t *testing.T) {
	var seed [32]byte
	copy(seed[:], "0123456789abcdef0123456789abcdef")
	k := NewKeyFromSeed(seed)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, k)
		if strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "48 49 50") || strings.Contains(out, "0x30") {
			t.Errorf("Sprintf(%s, key) = %q leaks the seed", verb, out)
		}
		if !strings.Contains(out, k.Public().String()) {
			t.Errorf("Sprintf(%s, key) = %q, want it to name the address", verb, out)
		}
	}
	if got := fmt.Sprint(PrivateKey{}); got != "PrivateKey(zero)" {
		t.Errorf("zero key prints %q", got)
	}
}

func TestZeroPrivateKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Sign with the zero PrivateKey did not panic")
		}
	}()
	PrivateKey{}.Sign([]byte("x"))
}
