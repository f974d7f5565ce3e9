package crypto

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// The vector of BRIEF section 1, spelled out here as well as in testdata so
// that a damaged vectors.json cannot hide a change.
const (
	briefPublicKey = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
	briefAddress   = "k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh"
)

func TestBriefVector(t *testing.T) {
	k := NewKeyFromSeed([32]byte{})
	p := k.Public()
	if got := hex.EncodeToString(p[:]); got != briefPublicKey {
		t.Fatalf("public key of zero seed = %s, want %s", got, briefPublicKey)
	}
	if got := FormatAddress(p); got != briefAddress {
		t.Fatalf("FormatAddress = %s, want %s", got, briefAddress)
	}
	if got := p.String(); got != briefAddress {
		t.Fatalf("PublicKey.String = %s, want %s", got, briefAddress)
	}
	for _, s := range []string{briefAddress, "stele://" + briefAddress} {
		got, err := ParseAddress(s)
		if err != nil || got != p {
			t.Errorf("ParseAddress(%q) = %x, %v; want %x", s, got, err, p)
		}
	}
}

// TestBriefDiscoveryIndependent recomputes the discovery ID of the BRIEF key
// with sha256 and go-cid's own builder, sharing no code with Discovery.
func TestBriefDiscoveryIndependent(t *testing.T) {
	pub, _ := hex.DecodeString(briefPublicKey)
	input := append([]byte("stele/discovery/v1\n"), pub...)
	want, err := cid.Prefix{Version: 1, Codec: cid.Raw, MhType: multihash.SHA2_256, MhLength: -1}.Sum(input)
	if err != nil {
		t.Fatal(err)
	}
	d := Discovery(PublicKey(pub))
	if !d.CID().Equals(want) {
		t.Fatalf("Discovery CID = %s, want %s", d.CID(), want)
	}
	if d.String() != want.String() || !strings.HasPrefix(want.String(), "bafkrei") {
		t.Fatalf("Discovery string = %s, want %s", d, want)
	}
	if sum := sha256.Sum256(input); sum != [32]byte(d) {
		t.Fatalf("Discovery digest = %x, want %x", d[:], sum)
	}
}

type vectorFile struct {
	Keys []struct {
		Name            string
		Seed            string
		PublicKey       string `json:"public_key"`
		Address         string
		AddressBytes    string `json:"address_bytes"`
		DiscoveryDigest string `json:"discovery_digest"`
		DiscoveryID     string `json:"discovery_id"`
		Capabilities    []struct{ Prover, Verifier, Proof string }
		NoteName        string `json:"note_name"`
		NoteKeyHash     string `json:"note_key_hash"`
		KeyFile         string `json:"key_file"`
		Message         *string
		Signature       string
	}
	EncryptedKeyFile struct{ Seed, Passphrase, File string } `json:"encrypted_key_file"`
}

func loadVectors(t testing.TB) vectorFile {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Keys) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t).Keys {
		t.Run(v.Name, func(t *testing.T) {
			k := NewKeyFromSeed([32]byte(unhex(t, v.Seed)))
			p := k.Public()
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %s, want %s", what, got, want)
				}
			}
			check("public key", hex.EncodeToString(p[:]), v.PublicKey)
			check("address", FormatAddress(p), v.Address)
			check("address bytes", hex.EncodeToString(AddressBytes(p)), v.AddressBytes)
			d := Discovery(p)
			check("discovery digest", hex.EncodeToString(d[:]), v.DiscoveryDigest)
			check("discovery ID", d.String(), v.DiscoveryID)
			for _, c := range v.Capabilities {
				got := ProveCapability(p, unhex(t, c.Prover), unhex(t, c.Verifier))
				check("capability "+c.Prover+"->"+c.Verifier, hex.EncodeToString(got[:]), c.Proof)
			}
			signer, err := NoteSigner(k, v.NoteName)
			if err != nil {
				t.Fatal(err)
			}
			check("note key hash", hex.EncodeToString(be32(signer.KeyHash())), v.NoteKeyHash)
			file, err := FormatKeyFile(k, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			check("key file", string(file), v.KeyFile)
			if v.Message != nil {
				check("signature", hex.EncodeToString(k.Sign([]byte(*v.Message))), v.Signature)
				if !p.Verify([]byte(*v.Message), unhex(t, v.Signature)) {
					t.Error("Verify rejects the RFC 8032 signature")
				}
			}
		})
	}
}

func be32(x uint32) []byte { return []byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)} }

// TestEncryptedKeyFileVector decrypts the stored file with the primitives
// directly, following the doc, then with ParseKeyFile.
func TestEncryptedKeyFileVector(t *testing.T) {
	v := loadVectors(t).EncryptedKeyFile
	lines := strings.Split(v.File, "\n")
	salt64, ok := strings.CutPrefix(lines[2], "kdf argon2id t=3 m=65536 p=2 salt=")
	if !ok {
		t.Fatalf("vector kdf line %q has other parameters than this test assumes", lines[2])
	}
	key64 := strings.TrimPrefix(lines[3], "key ")
	address := strings.TrimPrefix(lines[1], "address ")
	salt, _ := base64.StdEncoding.DecodeString(salt64)
	sealed, _ := base64.StdEncoding.DecodeString(key64)
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(v.Passphrase), salt, 3, 64<<10, 2, 32))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := aead.Open(nil, sealed[:24], sealed[24:], []byte(address))
	if err != nil {
		t.Fatalf("independent decryption: %v", err)
	}
	if !bytes.Equal(seed, unhex(t, v.Seed)) {
		t.Fatalf("seed = %x, want %s", seed, v.Seed)
	}
	k, err := ParseKeyFile([]byte(v.File), []byte(v.Passphrase))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Seed(); !bytes.Equal(got[:], seed) {
		t.Fatalf("ParseKeyFile seed = %x, want %x", got, seed)
	}
}
