package crypto

import (
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
)

func TestDiscoveryRoundTrip(t *testing.T) {
	for seed := range byte(20) {
		d := Discovery(NewKeyFromSeed([32]byte{seed}).Public())
		s := d.String()
		if len(s) != discoveryChars || !strings.HasPrefix(s, "bafkrei") {
			t.Fatalf("Discovery string %q: want %d characters starting bafkrei", s, discoveryChars)
		}
		for _, in := range []string{s, " " + s + "\n"} {
			got, err := ParseDiscoveryID(in)
			if err != nil || got != d {
				t.Fatalf("ParseDiscoveryID(%q) = %x, %v; want %x", in, got[:], err, d[:])
			}
		}
	}
}

func TestDiscoveryDiffersFromKey(t *testing.T) {
	p := NewKeyFromSeed([32]byte{}).Public()
	if d := Discovery(p); [32]byte(d) == [32]byte(p) {
		t.Fatal("discovery ID equals the public key")
	}
}

func TestParseDiscoveryIDErrors(t *testing.T) {
	d := Discovery(NewKeyFromSeed([32]byte{}).Public())
	s := d.String()
	encode := func(c cid.Cid, base multibase.Encoding) string {
		out, err := c.StringOfBase(base)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mh := func(code uint64, digest []byte) multihash.Multihash {
		m, err := multihash.Encode(digest, code)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct{ name, in, want string }{
		{"empty", "  ", "empty"},
		{"uppercase base32", strings.ToUpper(s), "must start with b (base32), found 'B'"},
		{"base36", encode(d.CID(), multibase.Base36), "must start with b (base32), found 'k'"},
		{"address", briefAddress, "must start with b"},
		{"truncated", s[:58], "wrong length: 58 characters, want 59"},
		{"long", s + "a", "wrong length: 60 characters"},
		{"bad character", s[:20] + "1" + s[21:], "discovery ID:"},
		{"dag-pb", encode(cid.NewCidV1(cid.DagProtobuf, mh(multihash.SHA2_256, d[:])), multibase.Base32), "wrong codec dag-pb (0x70), want raw (0x55)"},
		{"identity multihash", encode(cid.NewCidV1(cid.Raw, mh(multihash.IDENTITY, d[:])), multibase.Base32), "wrong multihash identity (0x00) of 32 bytes"},
		{"padding bits", s[:58] + "n", "non-canonical base32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDiscoveryID(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseDiscoveryID(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}
