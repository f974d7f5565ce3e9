package crypto

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"
)

// base36Address encodes arbitrary bytes as an address would be, to build
// well-formed base36 around malformed CIDs.
func base36Address(t testing.TB, b []byte) string {
	t.Helper()
	s, err := multibase.Encode(multibase.Base36, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// referenceAddress is a naive FormatAddress: the CID bytes as one big
// number written in base 36 with math/big.
func referenceAddress(p PublicKey) string {
	cid := append([]byte{0x01, 0x72, 0x00, 0x24, 0x08, 0x01, 0x12, 0x20}, p[:]...)
	return "k" + new(big.Int).SetBytes(cid).Text(36)
}

func TestFormatAddressMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []PublicKey{{}, PublicKey(bytes.Repeat([]byte{0xff}, 32))}
	for range 200 {
		var p PublicKey
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		keys = append(keys, p)
	}
	for _, p := range keys {
		got := FormatAddress(p)
		if want := referenceAddress(p); got != want {
			t.Fatalf("FormatAddress(%x) = %s, want %s", p[:], got, want)
		}
		if len(got) != addressChars {
			t.Fatalf("FormatAddress(%x) has %d characters, want %d", p[:], len(got), addressChars)
		}
		back, err := ParseAddress(got)
		if err != nil || back != p {
			t.Fatalf("ParseAddress(FormatAddress(%x)) = %x, %v", p[:], back[:], err)
		}
	}
}

func TestParseAddressAccepts(t *testing.T) {
	for _, s := range []string{
		briefAddress,
		"stele://" + briefAddress,
		"STELE://" + briefAddress,
		"  " + briefAddress + "\n",
		"\tstele://" + briefAddress + " \r\n",
		strings.ToUpper(briefAddress),
		"K" + briefAddress[1:],
	} {
		p, err := ParseAddress(s)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", s, err)
			continue
		}
		if got := FormatAddress(p); got != briefAddress {
			t.Errorf("ParseAddress(%q) gives %s, want %s", s, got, briefAddress)
		}
	}
}

func TestParseAddressErrors(t *testing.T) {
	pub := NewKeyFromSeed([32]byte{}).Public()
	// cidWith returns the address bytes with bytes [i, j) replaced by repl.
	cidWith := func(i, j int, repl ...byte) string {
		b := AddressBytes(pub)
		b = append(b[:i:i], append(repl, b[j:]...)...)
		return base36Address(t, b)
	}
	base32, _ := multibase.Encode(multibase.Base32, AddressBytes(pub))
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"only space", " \t\n", "empty"},
		{"only scheme", "stele://", "empty"},
		{"base32 CID", base32, "address must start with k (base36), found base32 prefix 'b'"},
		{"base58", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "found base58btc prefix 'z'"},
		{"discovery ID", Discovery(pub).String(), "looks like a discovery ID"},
		{"peer ID", "12D3KooWDpJ7As7BWAwRMfu1VU2xdaJd7rx4tpXvJa5iGSaGzRjm", "looks like a libp2p peer ID"},
		{"unknown prefix", "éx", `address must start with k (base36), found 'é'`},
		{"bad character", briefAddress[:40] + "!" + briefAddress[41:], `bad base36 character '!' at position 40`},
		{"bad character after scheme", " stele://" + briefAddress[:5] + "-" + briefAddress[6:], `bad base36 character '-' at position 14`},
		{"non-ASCII character", briefAddress[:61] + "é", `bad base36 character 'é' at position 61`},
		{"inner space", briefAddress[:30] + " " + briefAddress[30:], `bad base36 character ' ' at position 30`},
		{"only k", "k", "wrong length: 1 characters, want 62"},
		{"truncated", briefAddress[:61], "wrong length: 61 characters, want 62"},
		{"one extra", briefAddress + "a", "wrong length: 63 characters, want 62"},
		{"huge", "k" + strings.Repeat("1", 5000), "wrong length: 5001 characters"},
		{"CID version 0 (leading zero digit)", cidWith(0, 1, 0x00), "wrong length: 63 characters, want 62"},
		{"CID version 3", cidWith(0, 1, 0x03), "wrong CID version 3, want 1"},
		{"CID version 2", cidWith(0, 1, 0x02), "wrong CID version 2, want 1"},
		{"codec dag-pb", cidWith(1, 2, 0x70), "wrong codec dag-pb (0x70), want libp2p-key (0x72)"},
		{"codec raw", cidWith(1, 2, 0x55), "wrong codec raw (0x55)"},
		{"codec unknown", cidWith(1, 2, 0x80, 0x40), "wrong codec 0x2000"},
		{"non-minimal codec varint", cidWith(1, 2, 0xf2, 0x00), "varint in codec is not minimally encoded"},
		{"multihash sha2-256", cidWith(2, 3, 0x12), "wrong multihash sha2-256 (0x12), want identity (0x00)"},
		{"multihash length long", cidWith(3, 4, 0x25), "wrong length: multihash says 37 bytes, 36 follow"},
		{"multihash length short", cidWith(3, 4, 0x23), "wrong length: multihash says 35 bytes, 36 follow"},
		{"key type RSA", cidWith(5, 6, 0x00), "wrong key type RSA (0), want Ed25519 (1)"},
		{"key type secp256k1", cidWith(5, 6, 0x02), "wrong key type Secp256k1 (2)"},
		{"protobuf fields swapped", cidWith(4, 6, 0x12, 0x20), "want key type field (0x08) first"},
		{"protobuf no data field", cidWith(6, 7, 0x1a), "want key data field (0x12)"},
		{"key too short", cidWith(3, 40, append([]byte{0x23, 0x08, 0x01, 0x12, 0x1f}, pub[:31]...)...), "Ed25519 key of 31 bytes (31 present), want 32"},
		{"key length lies", cidWith(7, 8, 0x1f), "Ed25519 key of 31 bytes (32 present)"},
		{"key longer", cidWith(3, 40, append([]byte{0x25, 0x08, 0x01, 0x12, 0x21, 0x00}, pub[:]...)...), "Ed25519 key of 33 bytes (33 present)"},
		{"RSA IPNS name length", "k2k4r8jl0yz8qjgqbmc2cdu5hkqek5rj6flgnlkyywynci20j0iuyfuj", "wrong multihash sha2-256 (0x12)"},
		{"truncated varint", base36Address(t, []byte{0x01, 0x80}), "truncated or overlong varint in codec"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAddress(tc.in)
			if err == nil {
				t.Fatalf("ParseAddress(%q) succeeded, want error %q", tc.in, tc.want)
			}
			if !errors.Is(err, ErrBadAddress) {
				t.Errorf("error %v does not wrap ErrBadAddress", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseAddress(%q) error = %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}
