package crypto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
)

// ErrBadAddress is wrapped by every error of [ParseAddress].
var ErrBadAddress = errors.New("bad feed address")

// AddressScheme is the optional URL-like prefix of an address.
const AddressScheme = "stele://"

const (
	codecLibp2pKey  = 0x72 // multicodec libp2p-key
	keyTypeEd25519  = 1    // libp2p crypto.pb KeyType
	addressLen      = 40   // bytes, see addressPrefix
	addressChars    = 62   // "k" and 61 base36 digits, for every key
	maxAddressChars = 200  // longest input decoded, enough for an RSA key's CID
)

// addressPrefix is the CID header in front of the public key:
// CIDv1, libp2p-key, identity multihash of 36 bytes, then the protobuf
// PublicKey message: field 1 (Type) = 1 (Ed25519), field 2 (Data) of 32 bytes.
var addressPrefix = [8]byte{0x01, codecLibp2pKey, 0x00, 0x24, 0x08, keyTypeEd25519, 0x12, 0x20}

// AddressBytes returns the 40 bytes of the CID that the address encodes.
func AddressBytes(p PublicKey) []byte {
	b := make([]byte, 0, addressLen)
	b = append(b, addressPrefix[:]...)
	return append(b, p[:]...)
}

// FormatAddress returns the feed address of p: "k" and the lowercase
// base36 digits of [AddressBytes], always 62 characters.
func FormatAddress(p PublicKey) string {
	s, err := multibase.Encode(multibase.Base36, AddressBytes(p))
	if err != nil {
		panic("crypto: base36 encoding is not available: " + err.Error())
	}
	return s
}

// ParseAddress parses a feed address, with or without the "stele://"
// prefix, ignoring surrounding whitespace (users paste). Base36 is
// case-insensitive, as in DNS labels it was chosen for; [FormatAddress]
// prints lowercase. Every error wraps [ErrBadAddress] and says what is wrong;
// positions are 0-based byte offsets into s.
func ParseAddress(s string) (PublicKey, error) {
	start := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	body := strings.TrimSpace(s)
	if len(body) >= len(AddressScheme) && strings.EqualFold(body[:len(AddressScheme)], AddressScheme) {
		body = body[len(AddressScheme):]
		start += len(AddressScheme)
	}
	if body == "" {
		return PublicKey{}, badAddress("empty")
	}
	if err := checkMultibasePrefix(body); err != nil {
		return PublicKey{}, err
	}
	if i := strings.IndexFunc(body[1:], isNotBase36); i >= 0 {
		r, _ := utf8.DecodeRuneInString(body[1+i:])
		return PublicKey{}, badAddress("bad base36 character %q at position %d", r, start+1+i)
	}
	// The bound keeps the quadratic base36 decoder cheap on hostile input.
	if len(body) == 1 || len(body) > maxAddressChars {
		return PublicKey{}, wrongAddressLength(body)
	}
	_, b, err := multibase.Decode("k" + strings.ToLower(body[1:]))
	if err != nil { // unreachable after the checks above; keep the cause anyway
		return PublicKey{}, badAddress("base36: %v", err)
	}
	p, err := parseAddressBytes(b)
	// Base36 is one big number: a digit too many or too few garbles every
	// byte, so the CID fields say nothing. But a CIDv1 of another kind (an
	// RSA key's IPNS name, say) deserves an error naming what it is.
	if len(body) != addressChars && (len(b) == 0 || b[0] != 1) {
		return PublicKey{}, wrongAddressLength(body)
	}
	return p, err
}

func wrongAddressLength(body string) error {
	return badAddress("wrong length: %d characters, want %d", len(body), addressChars)
}

// checkMultibasePrefix explains the common ways to paste the wrong thing.
func checkMultibasePrefix(body string) error {
	switch {
	case body[0] == 'k' || body[0] == 'K':
		return nil
	case strings.HasPrefix(body, "bafkrei"):
		return badAddress("address must start with k (base36); this looks like a discovery ID, which does not reveal the address")
	case strings.HasPrefix(body, "12D3KooW") || strings.HasPrefix(body, "Qm"):
		return badAddress("address must start with k (base36); this looks like a libp2p peer ID or CIDv0")
	}
	if name, ok := multibase.EncodingToStr[multibase.Encoding(body[0])]; ok {
		return badAddress("address must start with k (base36), found %s prefix %q", name, body[0])
	}
	r, _ := utf8.DecodeRuneInString(body)
	return badAddress("address must start with k (base36), found %q", r)
}

// parseAddressBytes checks the CID field by field, so that the error names
// the first field that differs from [addressPrefix].
func parseAddressBytes(b []byte) (PublicKey, error) {
	version, b, err := readUvarint(b, "CID version")
	if err != nil {
		return PublicKey{}, err
	}
	if version != 1 {
		return PublicKey{}, badAddress("wrong CID version %d, want 1", version)
	}
	codec, b, err := readUvarint(b, "codec")
	if err != nil {
		return PublicKey{}, err
	}
	if codec != codecLibp2pKey {
		return PublicKey{}, badAddress("wrong codec %s, want libp2p-key (0x72)", codecName(codec))
	}
	hashCode, b, err := readUvarint(b, "multihash code")
	if err != nil {
		return PublicKey{}, err
	}
	if hashCode != multihash.IDENTITY {
		return PublicKey{}, badAddress("wrong multihash %s, want identity (0x00)", multihashName(hashCode))
	}
	digestLen, b, err := readUvarint(b, "multihash length")
	if err != nil {
		return PublicKey{}, err
	}
	if digestLen != uint64(len(b)) {
		return PublicKey{}, badAddress("wrong length: multihash says %d bytes, %d follow", digestLen, len(b))
	}
	return parseLibp2pPublicKey(b)
}

// parseLibp2pPublicKey parses the protobuf message
// PublicKey{Type KeyType = 1; Data bytes = 2} holding an Ed25519 key.
// libp2p requires the deterministic encoding, so the fields are fixed.
func parseLibp2pPublicKey(b []byte) (PublicKey, error) {
	if len(b) < 2 || b[0] != 0x08 {
		return PublicKey{}, badAddress("malformed libp2p public key: want key type field (0x08) first")
	}
	keyType, b, err := readUvarint(b[1:], "key type")
	if err != nil {
		return PublicKey{}, err
	}
	if keyType != keyTypeEd25519 {
		return PublicKey{}, badAddress("wrong key type %s, want Ed25519 (1)", keyTypeName(keyType))
	}
	if len(b) < 2 || b[0] != 0x12 {
		return PublicKey{}, badAddress("malformed libp2p public key: want key data field (0x12) after the type")
	}
	keyLen, b, err := readUvarint(b[1:], "key length")
	if err != nil {
		return PublicKey{}, err
	}
	if keyLen != 32 || len(b) != 32 {
		return PublicKey{}, badAddress("wrong length: Ed25519 key of %d bytes (%d present), want 32", keyLen, len(b))
	}
	return PublicKey(b), nil
}

// readUvarint reads a minimally encoded unsigned varint, as multiformats
// require; a non-minimal one would give a second spelling of an address.
func readUvarint(b []byte, field string) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, badAddress("truncated or overlong varint in %s", field)
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		return 0, nil, badAddress("varint in %s is not minimally encoded", field)
	}
	return v, b[n:], nil
}

func badAddress(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadAddress, fmt.Sprintf(format, args...))
}

func isNotBase36(r rune) bool {
	return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
}

// codecNames names the multicodecs someone might plausibly paste.
var codecNames = map[uint64]string{
	0x55: "raw", 0x70: "dag-pb", 0x71: "dag-cbor", 0x72: "libp2p-key",
	0x78: "git-raw", 0x85: "dag-jose", 0x0129: "dag-json", 0x0200: "json", 0xe5: "ipns-record",
}

// keyTypeNames are the libp2p crypto.pb KeyType values.
var keyTypeNames = map[uint64]string{0: "RSA", 1: "Ed25519", 2: "Secp256k1", 3: "ECDSA"}

func codecName(c uint64) string {
	if name, ok := codecNames[c]; ok {
		return fmt.Sprintf("%s (0x%02x)", name, c)
	}
	return fmt.Sprintf("0x%02x", c)
}

func multihashName(c uint64) string {
	if name, ok := multihash.Codes[c]; ok {
		return fmt.Sprintf("%s (0x%02x)", name, c)
	}
	return fmt.Sprintf("0x%02x", c)
}

func keyTypeName(t uint64) string {
	if name, ok := keyTypeNames[t]; ok {
		return fmt.Sprintf("%s (%d)", name, t)
	}
	return fmt.Sprintf("%d", t)
}
