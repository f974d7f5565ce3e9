package crypto

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// discoveryTag separates discovery hashes from every other use of the key.
const discoveryTag = "stele/discovery/v1\n"

// discoveryChars is the length of every printed discovery ID:
// "b" and the unpadded base32 of 36 CID bytes.
const discoveryChars = 59

// DiscoveryID is the SHA-256 digest under which a feed is announced in the
// DHT. It is derived from the public key but does not reveal it, and knowing
// the address is what lets a peer read the feed.
type DiscoveryID [32]byte

// Discovery returns the discovery ID of p: SHA-256("stele/discovery/v1\n" || p).
func Discovery(p PublicKey) DiscoveryID {
	h := sha256.New()
	h.Write([]byte(discoveryTag))
	h.Write(p[:])
	return DiscoveryID(h.Sum(nil))
}

// CID returns d as a CIDv1 with codec raw and a sha2-256 multihash, the key
// that DHT Provide and FindProviders take.
func (d DiscoveryID) CID() cid.Cid {
	mh, err := multihash.Encode(d[:], multihash.SHA2_256)
	if err != nil {
		panic("crypto: sha2-256 multihash: " + err.Error())
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// String returns the CID in lowercase base32, "bafkrei..." (59 characters).
func (d DiscoveryID) String() string { return d.CID().String() }

// ParseDiscoveryID parses the form that [DiscoveryID.String] prints, ignoring
// surrounding whitespace. Other multibase spellings of the same CID are
// refused, so that each ID has one printed form.
func ParseDiscoveryID(s string) (DiscoveryID, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return DiscoveryID{}, fmt.Errorf("discovery ID: empty")
	case s[0] != 'b':
		return DiscoveryID{}, fmt.Errorf("discovery ID must start with b (base32), found %q", s[0])
	case len(s) != discoveryChars:
		return DiscoveryID{}, fmt.Errorf("discovery ID: wrong length: %d characters, want %d", len(s), discoveryChars)
	}
	c, err := cid.Decode(s)
	if err != nil {
		return DiscoveryID{}, fmt.Errorf("discovery ID: %w", err)
	}
	d, err := discoveryFromCID(c)
	if err != nil {
		return DiscoveryID{}, err
	}
	// base32 decoders accept nonzero padding bits in the last character.
	if d.String() != s {
		return DiscoveryID{}, fmt.Errorf("discovery ID: non-canonical base32 (want %s)", d)
	}
	return d, nil
}

func discoveryFromCID(c cid.Cid) (DiscoveryID, error) {
	if c.Version() != 1 {
		return DiscoveryID{}, fmt.Errorf("discovery ID: wrong CID version %d, want 1", c.Version())
	}
	if c.Type() != cid.Raw {
		return DiscoveryID{}, fmt.Errorf("discovery ID: wrong codec %s, want raw (0x55)", codecName(c.Type()))
	}
	mh, err := multihash.Decode(c.Hash())
	if err != nil {
		return DiscoveryID{}, fmt.Errorf("discovery ID: %w", err)
	}
	if mh.Code != multihash.SHA2_256 || len(mh.Digest) != 32 {
		return DiscoveryID{}, fmt.Errorf("discovery ID: wrong multihash %s of %d bytes, want sha2-256 (0x12) of 32",
			multihashName(mh.Code), len(mh.Digest))
	}
	return DiscoveryID(mh.Digest), nil
}
