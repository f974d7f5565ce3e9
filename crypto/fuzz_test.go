package crypto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode"
)

// canonicalAddressInput is what FormatAddress must give back for an input
// that ParseAddress accepts: trimmed, without the scheme, lowercase.
func canonicalAddressInput(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= len(AddressScheme) && strings.EqualFold(s[:len(AddressScheme)], AddressScheme) {
		s = s[len(AddressScheme):]
	}
	return strings.Map(unicode.ToLower, s)
}

func FuzzParseAddress(f *testing.F) {
	for _, v := range loadVectors(f).Keys {
		f.Add(v.Address)
		f.Add("stele://" + v.Address)
	}
	f.Add(" K51QZI5UQU5DHNWE629WDLNCPQL6FRPPDPWNZ4WTLCW816AYSD5WWLK63G4WMH\n")
	f.Add("k2k4r8jl0yz8qjgqbmc2cdu5hkqek5rj6flgnlkyywynci20j0iuyfuj")
	f.Add("bafkreiapst2hcplnlje6bchpco7tdtsi62dpexms7e4ohddvtr3og26tim")
	f.Add("")
	f.Add("k")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseAddress(s)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("ParseAddress(%q) error %v does not wrap ErrBadAddress", s, err)
			}
			return
		}
		if got, want := FormatAddress(p), canonicalAddressInput(s); got != want {
			t.Fatalf("ParseAddress(%q) then FormatAddress = %q, want %q", s, got, want)
		}
	})
}

func FuzzParseDiscoveryID(f *testing.F) {
	for _, v := range loadVectors(f).Keys {
		f.Add(v.DiscoveryID)
	}
	f.Add("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")
	f.Add("bafkqaaa")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDiscoveryID(s)
		if err != nil {
			return
		}
		if got, want := d.String(), strings.TrimSpace(s); got != want {
			t.Fatalf("ParseDiscoveryID(%q) then String = %q, want %q", s, got, want)
		}
	})
}

func FuzzParseKeyFile(f *testing.F) {
	fastKDF(f)
	v := loadVectors(f)
	for _, key := range v.Keys {
		f.Add([]byte(key.KeyFile), []byte(nil))
	}
	k := NewKeyFromSeed([32]byte{1})
	f.Add(mustFormatKeyFile(f, k, "pw"), []byte("pw"))
	f.Add(mustFormatKeyFile(f, k, "pw"), []byte("wrong"))
	f.Add(mustFormatKeyFile(f, k, "pw"), []byte(nil))
	f.Add([]byte("stele-key v1\n"), []byte(nil))
	f.Fuzz(func(t *testing.T, data, passphrase []byte) {
		k, err := ParseKeyFile(data, passphrase)
		if err != nil {
			return
		}
		if KeyFileEncrypted(data) {
			if len(passphrase) == 0 {
				t.Fatalf("encrypted file parsed without a passphrase:\n%s", data)
			}
			return
		}
		again, err := FormatKeyFile(k, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("ParseKeyFile then FormatKeyFile:\n%q\nwant\n%q", again, data)
		}
	})
}
