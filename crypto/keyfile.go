package crypto

import (
	"bytes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Errors of [ParseKeyFile] that a caller acts on by asking the user again.
var (
	ErrPassphraseRequired = errors.New("key file is encrypted: passphrase required")
	// ErrWrongPassphrase also covers an altered address, KDF line, nonce or
	// ciphertext: authenticated encryption cannot tell these apart.
	ErrWrongPassphrase = errors.New("wrong passphrase, or the key file was altered")
)

const (
	keyFileMagic   = "stele-key v1"
	keyFileMaxSize = 1024 // a real file is under 300 bytes
	saltSize       = 16
)

// b64 is standard padded base64 that refuses nonzero padding bits, so that
// each key file has exactly one spelling.
var b64 = base64.StdEncoding.Strict()

// kdfParams are argon2id costs: passes, memory in KiB and lanes.
type kdfParams struct {
	time, memory uint32
	threads      uint8
}

// keyFileKDF is what FormatKeyFile uses: the RFC 9106 second recommended
// option with two lanes (t=3, m=64 MiB): 75 ms per parse in
// BenchmarkParseKeyFileEncrypted on a 2-core server.
// Tests lower it through this variable so that the suite stays fast.
var keyFileKDF = kdfParams{time: 3, memory: 64 << 10, threads: 2}

// Limits on the costs ParseKeyFile accepts, so that a hostile file cannot
// make it allocate more than 256 MiB or compute for more than a few seconds.
const (
	maxKDFTime    = 16
	maxKDFMemory  = 256 << 10 // KiB
	maxKDFThreads = 16
)

// FormatKeyFile returns the key file holding k (see the package doc). With
// a non-empty passphrase the seed is encrypted, and rand supplies the salt
// and nonce; without one rand is not read and the seed is stored in the clear.
func FormatKeyFile(k PrivateKey, passphrase []byte, rand io.Reader) ([]byte, error) {
	address := FormatAddress(k.Public())
	seed := k.Seed()
	defer clear(seed[:])
	if len(passphrase) == 0 {
		return formatKeyFile(address, "none", seed[:]), nil
	}
	var random [saltSize + chacha20poly1305.NonceSizeX]byte
	if _, err := io.ReadFull(rand, random[:]); err != nil {
		return nil, fmt.Errorf("format key file: read randomness: %w", err)
	}
	salt, nonce := random[:saltSize], random[saltSize:]
	kdf := formatKDF(keyFileKDF, salt)
	sealed := seal(keyFileKDF, passphrase, salt, nonce, seed[:], address)
	return formatKeyFile(address, kdf, sealed), nil
}

func formatKeyFile(address, kdf string, key []byte) []byte {
	return fmt.Appendf(nil, "%s\naddress %s\nkdf %s\nkey %s\n", keyFileMagic, address, kdf, b64.EncodeToString(key))
}

func formatKDF(p kdfParams, salt []byte) string {
	return fmt.Sprintf("argon2id t=%d m=%d p=%d salt=%s", p.time, p.memory, p.threads, b64.EncodeToString(salt))
}

// seal returns nonce || XChaCha20-Poly1305(argon2id(passphrase, salt), seed)
// with the address as associated data.
func seal(p kdfParams, passphrase, salt, nonce, seed []byte, address string) []byte {
	aead := newKeyFileAEAD(p, passphrase, salt)
	return aead.Seal(bytes.Clone(nonce), nonce, seed, []byte(address))
}

// newKeyFileAEAD derives the file key with argon2id: this is the slow step.
func newKeyFileAEAD(p kdfParams, passphrase, salt []byte) cipher.AEAD {
	key := argon2.IDKey(passphrase, salt, p.time, p.memory, p.threads, chacha20poly1305.KeySize)
	defer clear(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic("crypto: XChaCha20-Poly1305 refused a 32-byte key: " + err.Error())
	}
	return aead
}

// KeyFileEncrypted reports whether data looks like a key file whose seed is
// encrypted, so that a caller knows to ask for a passphrase before parsing.
func KeyFileEncrypted(data []byte) bool {
	lines := strings.SplitN(string(data), "\n", 4)
	return len(lines) >= 3 && lines[0] == keyFileMagic &&
		strings.HasPrefix(lines[2], "kdf ") && lines[2] != "kdf none"
}

// ParseKeyFile parses a key file made by [FormatKeyFile]. The passphrase is
// ignored for an unencrypted file; an encrypted one without a passphrase
// gives [ErrPassphraseRequired], and a failed decryption [ErrWrongPassphrase].
// A file whose address line does not match its key is refused.
func ParseKeyFile(data, passphrase []byte) (PrivateKey, error) {
	f, err := splitKeyFile(data)
	if err != nil {
		return PrivateKey{}, err
	}
	var seed [32]byte
	defer clear(seed[:])
	if f.kdf == "none" {
		if len(f.key) != len(seed) {
			return PrivateKey{}, fmt.Errorf("key file line 4: seed is %d bytes, want 32", len(f.key))
		}
		copy(seed[:], f.key)
		clear(f.key)
	} else if err := openSeed(f, passphrase, seed[:]); err != nil {
		return PrivateKey{}, err
	}
	k := NewKeyFromSeed(seed)
	if k.Public() != f.public {
		return PrivateKey{}, fmt.Errorf("key file: address line %s does not match the key inside, whose address is %s",
			f.address, FormatAddress(k.Public()))
	}
	return k, nil
}

// openSeed decrypts the seed of an encrypted key file into seed.
func openSeed(f keyFile, passphrase, seed []byte) error {
	params, salt, err := parseKDF(f.kdf)
	if err != nil {
		return fmt.Errorf("key file line 3: %w", err)
	}
	const sealedLen = chacha20poly1305.NonceSizeX + 32 + chacha20poly1305.Overhead
	if len(f.key) != sealedLen {
		return fmt.Errorf("key file line 4: encrypted key is %d bytes, want %d", len(f.key), sealedLen)
	}
	if len(passphrase) == 0 {
		return ErrPassphraseRequired
	}
	nonce, ciphertext := f.key[:chacha20poly1305.NonceSizeX], f.key[chacha20poly1305.NonceSizeX:]
	plain, err := newKeyFileAEAD(params, passphrase, salt).Open(nil, nonce, ciphertext, []byte(f.address))
	if err != nil {
		return ErrWrongPassphrase
	}
	copy(seed, plain)
	clear(plain)
	return nil
}

// keyFile holds the fields of a key file, checked for syntax only.
type keyFile struct {
	address string
	public  PublicKey // parsed from address
	kdf     string    // "none" or the argon2id parameters
	key     []byte    // decoded base64 of the key line
}

// splitKeyFile checks the four lines of a key file and decodes the fields.
func splitKeyFile(data []byte) (keyFile, error) {
	if len(data) > keyFileMaxSize {
		return keyFile{}, fmt.Errorf("key file: %d bytes, too large (at most %d)", len(data), keyFileMaxSize)
	}
	text := string(data)
	if !strings.HasPrefix(text, "stele-key ") {
		return keyFile{}, fmt.Errorf("key file: not a stele key file (want first line %q)", keyFileMagic)
	}
	lines := strings.Split(text, "\n")
	if lines[0] != keyFileMagic {
		return keyFile{}, fmt.Errorf("key file line 1: unsupported version %q, want %q", lines[0], keyFileMagic)
	}
	if n := len(lines) - 1; n != 4 || lines[4] != "" {
		return keyFile{}, fmt.Errorf("key file: truncated or malformed: %d complete lines, want 4 each ending in a newline", n)
	}
	var f keyFile
	var fields [3]string
	for i, name := range []string{"address", "kdf", "key"} {
		value, ok := strings.CutPrefix(lines[i+1], name+" ")
		if !ok {
			return keyFile{}, fmt.Errorf("key file line %d: want %q, found %q", i+2, name+" ...", lines[i+1])
		}
		fields[i] = value
	}
	f.address, f.kdf = fields[0], fields[1]
	var err error
	if f.public, err = ParseAddress(f.address); err != nil {
		return keyFile{}, fmt.Errorf("key file line 2: %w", err)
	}
	if f.address != FormatAddress(f.public) {
		return keyFile{}, fmt.Errorf("key file line 2: address not in canonical form, want %s", FormatAddress(f.public))
	}
	if f.key, err = decodeBase64(fields[2]); err != nil {
		return keyFile{}, fmt.Errorf("key file line 4: %w", err)
	}
	return f, nil
}

// parseKDF parses "argon2id t=<passes> m=<KiB> p=<lanes> salt=<base64>",
// accepting only the canonical spelling and bounded costs.
func parseKDF(s string) (kdfParams, []byte, error) {
	fields := strings.Split(s, " ")
	if len(fields) != 5 || fields[0] != "argon2id" {
		return kdfParams{}, nil, fmt.Errorf(`kdf: want "none" or "argon2id t=<n> m=<KiB> p=<n> salt=<base64>", found %q`, s)
	}
	t, err1 := parseParam(fields[1], "t", 1, maxKDFTime)
	p, err2 := parseParam(fields[3], "p", 1, maxKDFThreads)
	m, err3 := parseParam(fields[2], "m", 8*p, maxKDFMemory)
	if err := errors.Join(err1, err2, err3); err != nil {
		return kdfParams{}, nil, fmt.Errorf("kdf: %w", err)
	}
	salt64, ok := strings.CutPrefix(fields[4], "salt=")
	if !ok {
		return kdfParams{}, nil, fmt.Errorf("kdf: want salt=<base64>, found %q", fields[4])
	}
	salt, err := decodeBase64(salt64)
	if err != nil || len(salt) != saltSize {
		return kdfParams{}, nil, fmt.Errorf("kdf: salt must be %d bytes in base64, found %q", saltSize, salt64)
	}
	return kdfParams{time: t, memory: m, threads: uint8(p)}, salt, nil
}

// parseParam parses "<name>=<decimal>" with lo <= value <= hi, refusing
// signs and leading zeros so that the file has one spelling.
func parseParam(field, name string, lo, hi uint32) (uint32, error) {
	digits, ok := strings.CutPrefix(field, name+"=")
	v, err := strconv.ParseUint(digits, 10, 32)
	if !ok || err != nil || strconv.FormatUint(v, 10) != digits {
		return 0, fmt.Errorf("want %s=<decimal>, found %q", name, field)
	}
	if v < uint64(lo) || v > uint64(hi) {
		return 0, fmt.Errorf("%s=%d out of range [%d, %d]", name, v, lo, hi)
	}
	return uint32(v), nil
}

// decodeBase64 decodes canonical padded base64. Go's decoders skip CR and LF
// even in strict mode, so the round trip is what proves the spelling unique.
func decodeBase64(s string) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	if b64.EncodeToString(b) != s {
		return nil, fmt.Errorf("base64: not in canonical form (stray line breaks?)")
	}
	return b, nil
}
