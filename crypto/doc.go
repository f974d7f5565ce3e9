// Package crypto defines the keys, names and proofs of a stele feed: the
// feed address, the discovery ID announced in the DHT, the capability proof
// exchanged on each connection, signed-note keys for checkpoints, and the
// key file an author keeps. It is pure: no I/O, no clocks, and randomness
// only from an io.Reader the caller passes in.
//
// # Keys
//
// A feed is identified by an Ed25519 key pair ([PublicKey], [PrivateKey]).
// The private key is the RFC 8032 32-byte seed. The author's feed key is
// never the node's libp2p host key: an address must not reveal which
// network endpoint its author runs.
//
// # Feed address
//
// The address is the public key written as an IPNS name: a CIDv1 with
// multicodec libp2p-key (0x72) and an identity multihash over the
// protobuf-encoded libp2p Ed25519 public key, in lowercase base36 with the
// multibase prefix "k". The 40 bytes ([AddressBytes]) are
//
//	01            CID version 1
//	72            multicodec libp2p-key
//	00 24         identity multihash, 36 bytes:
//	08 01         protobuf field 1 (KeyType) = 1 (Ed25519)
//	12 20         protobuf field 2 (Data), 32 bytes:
//	<32 bytes>    the public key
//
// and every address is 62 characters long. For the seed of 32 zero bytes,
// the public key is
//
//	3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29
//
// and the address is
//
//	k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh
//
// [ParseAddress] also accepts "stele://k51...", surrounding whitespace, and
// uppercase digits (base36 is case-insensitive, as the DNS labels it was made
// for), and nothing else: no other multibase, no non-minimal varints. Its
// errors wrap [ErrBadAddress] and name the first thing wrong, for example
//
//	bad feed address: address must start with k (base36), found base58btc prefix 'z'
//	bad feed address: bad base36 character '-' at position 17
//	bad feed address: wrong codec dag-pb (0x70), want libp2p-key (0x72)
//	bad feed address: wrong key type RSA (0), want Ed25519 (1)
//
// Like every IPNS name, an address has no checksum: a mistyped digit gives
// another valid key, whose feed is simply not found.
//
// Knowing the address is the capability to read the feed, so the address
// itself never goes into the DHT.
//
// # Discovery ID
//
// A feed is announced under its [DiscoveryID]
//
//	SHA-256("stele/discovery/v1\n" || public key)
//
// as a CIDv1 with codec raw (0x55) and a sha2-256 multihash, printed in
// lowercase base32. For the zero-seed key above it is
//
//	bafkreiapst2hcplnlje6bchpco7tdtsi62dpexms7e4ohddvtr3og26tim
//
// A DHT observer learns the discovery ID but cannot derive the address from it.
//
// # Capability proof
//
// Before serving a feed on a connection, each side sends a [Capability]:
//
//	HMAC-SHA256(key = public key,
//	    "stele/capability/v1\n" || uvarint(len(prover)) || prover || uvarint(len(verifier)) || verifier)
//
// where prover is the binary peer ID of the sender and verifier that of the
// receiver. Only a peer that knows the public key can compute it; binding
// both peer IDs in order means a proof cannot be replayed on another
// connection nor reflected back to its sender. For the zero-seed key,
// prover "A" and verifier "B" (as bytes), the proof is
//
//	2d214130629dab75fb04a11cc631515eec7f98e37ec7d7192276a29ae08efe29
//
// # Checkpoint signatures
//
// Checkpoints are C2SP signed notes with Ed25519 signatures (algorithm
// 0x01). [NoteSigner] and [NoteVerifier] adapt a key to
// golang.org/x/mod/sumdb/note under a key name, normally the checkpoint
// origin "stele/<address>". The key hash is the signed-note one,
// SHA-256(name || "\n" || 0x01 || public key)[:4]; for the zero-seed key
// under "stele/k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh"
// it is b388ea86.
//
// # Key file
//
// A key file is UTF-8 text of exactly four lines, each ending in "\n":
//
//	stele-key v1
//	address <the feed address, canonical lowercase form>
//	kdf <none | argon2id t=<passes> m=<KiB> p=<lanes> salt=<base64>>
//	key <base64>
//
// Base64 is the standard padded alphabet. With "kdf none" the key line is
// the 32-byte seed in the clear. The seed of 32 zero bytes gives:
//
//	stele-key v1
//	address k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh
//	kdf none
//	key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
//
// With a passphrase, the key line is the 24-byte random nonce followed by
// the XChaCha20-Poly1305 ciphertext of the seed (48 bytes, tag included),
// sealed under the key argon2id(passphrase, salt, t, m, p, 32 bytes) with
// the address (the 62 characters after "address ") as associated data. The
// salt is 16 random bytes. [FormatKeyFile] writes t=3, m=65536 (64 MiB),
// p=2 (the RFC 9106 second recommendation, with two lanes); [ParseKeyFile]
// accepts the parameters in the file up to t=16, m=262144 (256 MiB), p=16,
// so that a hostile file cannot exhaust memory. The same seed, with
// passphrase "correct horse" and salt and nonce bytes all 0x07:
//
//	stele-key v1
//	address k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh
//	kdf argon2id t=3 m=65536 p=2 salt=BwcHBwcHBwcHBwcHBwcHBw==
//	key BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHN3TzMrj9sOr5+F5yf+E5iRYcVgJXpX5FE1clRfRid/r/JRNvYI3afNtEZjWwsp12
//
// The address line lets a user see which feed a file holds without the
// passphrase; [ParseKeyFile] refuses a file whose address does not match the
// key inside. The passphrase is used as raw bytes (no Unicode
// normalization). A wrong passphrase and an altered salt, nonce, address or
// ciphertext are indistinguishable and all give [ErrWrongPassphrase].
//
// Every field has one spelling (no other whitespace, no CR, no leading
// zeros, no noncanonical base64), so parsing an unencrypted file and
// formatting the key again gives back the same bytes. Keeping the file
// private (permissions) is the caller's business; this package does no I/O.
package crypto
