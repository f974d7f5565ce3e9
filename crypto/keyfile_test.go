package crypto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fastKDF makes FormatKeyFile use tiny argon2id costs for one test.
func fastKDF(t testing.TB) {
	saved := keyFileKDF
	keyFileKDF = kdfParams{time: 1, memory: 8, threads: 1}
	t.Cleanup(func() { keyFileKDF = saved })
}

// fixedRand is deterministic randomness for salts and nonces.
func fixedRand(b byte) *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, 64)) }

func mustFormatKeyFile(t testing.TB, k PrivateKey, passphrase string) []byte {
	t.Helper()
	data, err := FormatKeyFile(k, []byte(passphrase), fixedRand(9))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestKeyFileRoundTrip(t *testing.T) {
	fastKDF(t)
	k := NewKeyFromSeed([32]byte{5, 6, 7})
	for _, passphrase := range []string{"", "hunter2", "ünïcødé passphrase with spaces"} {
		data := mustFormatKeyFile(t, k, passphrase)
		if got := KeyFileEncrypted(data); got != (passphrase != "") {
			t.Errorf("KeyFileEncrypted = %v with passphrase %q", got, passphrase)
		}
		back, err := ParseKeyFile(data, []byte(passphrase))
		if err != nil {
			t.Fatalf("passphrase %q: %v\n%s", passphrase, err, data)
		}
		if back.Seed() != k.Seed() {
			t.Fatalf("passphrase %q: seed %x, want %x", passphrase, back.Seed(), k.Seed())
		}
		if !bytes.Contains(data, []byte("address "+k.Public().String()+"\n")) {
			t.Errorf("file does not show the address:\n%s", data)
		}
	}
}

func TestKeyFileEncryptedHidesSeed(t *testing.T) {
	fastKDF(t)
	k := NewKeyFromSeed([32]byte{5, 6, 7})
	plain := mustFormatKeyFile(t, k, "")
	seedLine := bytes.Split(plain, []byte("\n"))[3]
	enc1 := mustFormatKeyFile(t, k, "pw")
	enc2, err := FormatKeyFile(k, []byte("pw"), fixedRand(10))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc1, seedLine[len("key "):]) {
		t.Fatal("encrypted file contains the plain seed")
	}
	if bytes.Equal(enc1, enc2) {
		t.Fatal("two encryptions with different randomness are equal")
	}
}

func TestKeyFilePassphraseIgnoredWhenPlain(t *testing.T) {
	k := NewKeyFromSeed([32]byte{1})
	if _, err := ParseKeyFile(mustFormatKeyFile(t, k, ""), []byte("unused")); err != nil {
		t.Fatal(err)
	}
}

func TestKeyFileFormatShortRand(t *testing.T) {
	_, err := FormatKeyFile(NewKeyFromSeed([32]byte{}), []byte("pw"), bytes.NewReader(make([]byte, 39)))
	if err == nil {
		t.Fatal("FormatKeyFile with 39 bytes of randomness succeeded (needs 40)")
	}
}

// replaceLine returns data with its line i (0-based) replaced.
func replaceLine(data []byte, i int, line string) []byte {
	lines := strings.Split(string(data), "\n")
	lines[i] = line
	return []byte(strings.Join(lines, "\n"))
}

// alterKeyByte returns the file with one byte of the decoded key line flipped.
func alterKeyByte(t testing.TB, data []byte, at int) []byte {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	key, err := b64.DecodeString(strings.TrimPrefix(lines[3], "key "))
	if err != nil {
		t.Fatal(err)
	}
	key[at] ^= 0x01
	return replaceLine(data, 3, "key "+b64.EncodeToString(key))
}

func TestParseKeyFileErrors(t *testing.T) {
	fastKDF(t)
	k := NewKeyFromSeed([32]byte{5, 6, 7})
	other := NewKeyFromSeed([32]byte{8}).Public().String()
	plain := mustFormatKeyFile(t, k, "")
	enc := mustFormatKeyFile(t, k, "right")
	kdf := strings.Split(string(enc), "\n")[2]
	salt := kdf[strings.Index(kdf, "salt="):]
	tests := []struct {
		name       string
		data       []byte
		passphrase string
		wantErr    error
		want       string
	}{
		{"wrong passphrase", enc, "wrong", ErrWrongPassphrase, ""},
		{"missing passphrase", enc, "", ErrPassphraseRequired, ""},
		{"tampered nonce", alterKeyByte(t, enc, 0), "right", ErrWrongPassphrase, ""},
		{"tampered ciphertext", alterKeyByte(t, enc, 30), "right", ErrWrongPassphrase, ""},
		{"tampered tag", alterKeyByte(t, enc, 71), "right", ErrWrongPassphrase, ""},
		{"tampered salt", replaceLine(enc, 2, "kdf argon2id t=1 m=8 p=1 salt=AAAAAAAAAAAAAAAAAAAAAA=="), "right", ErrWrongPassphrase, ""},
		{"tampered kdf cost", replaceLine(enc, 2, "kdf argon2id t=2 m=8 p=1 "+salt), "right", ErrWrongPassphrase, ""},
		{"encrypted address swapped", replaceLine(enc, 1, "address "+other), "right", ErrWrongPassphrase, ""},
		{"address mismatch", replaceLine(plain, 1, "address "+other), "", nil, "does not match the key inside"},
		{"address not canonical", replaceLine(plain, 1, "address "+strings.ToUpper(k.Public().String())), "", nil, "line 2: address not in canonical form"},
		{"address with scheme", replaceLine(plain, 1, "address stele://"+k.Public().String()), "", nil, "line 2: address not in canonical form"},
		{"bad address", replaceLine(plain, 1, "address k51"), "", ErrBadAddress, "line 2: bad feed address"},
		{"empty", nil, "", nil, "not a stele key file"},
		{"not a key file", []byte("-----BEGIN PRIVATE KEY-----\n"), "", nil, "not a stele key file"},
		{"future version", replaceLine(plain, 0, "stele-key v2"), "", nil, `unsupported version "stele-key v2"`},
		{"missing final newline", plain[:len(plain)-1], "", nil, "3 complete lines, want 4"},
		{"extra line", append(bytes.Clone(plain), "comment\n"...), "", nil, "5 complete lines"},
		{"CRLF", bytes.ReplaceAll(plain, []byte("\n"), []byte("\r\n")), "", nil, "line 1: unsupported version"},
		{"CR before last newline", replaceLine(plain, 3, strings.Split(string(plain), "\n")[3]+"\r"), "", nil, "not in canonical form"},
		{"fields swapped", replaceLine(replaceLine(plain, 2, "key x"), 3, "kdf none"), "", nil, `line 3: want "kdf ..."`},
		{"double space", replaceLine(plain, 2, "kdf  none"), "", nil, "line 3: kdf"},
		{"unknown kdf", replaceLine(plain, 2, "kdf scrypt N=32768"), "", nil, `line 3: kdf: want "none" or "argon2id`},
		{"seed bad base64", replaceLine(plain, 3, "key !!!!"), "", nil, "line 4: base64"},
		{"seed short", replaceLine(plain, 3, "key AAAA"), "", nil, "line 4: seed is 3 bytes, want 32"},
		{"seed unpadded", replaceLine(plain, 3, "key "+strings.TrimRight(strings.Split(string(plain), "\n")[3][4:], "=")), "", nil, "line 4: base64"},
		{"encrypted key short", replaceLine(enc, 3, "key AAAA"), "right", nil, "line 4: encrypted key is 3 bytes, want 72"},
		{"time too large", replaceLine(enc, 2, "kdf argon2id t=17 m=8 p=1 "+salt), "right", nil, "t=17 out of range [1, 16]"},
		{"time zero", replaceLine(enc, 2, "kdf argon2id t=0 m=8 p=1 "+salt), "right", nil, "t=0 out of range"},
		{"memory too large", replaceLine(enc, 2, "kdf argon2id t=1 m=4294967295 p=1 "+salt), "right", nil, "m=4294967295 out of range [8, 262144]"},
		{"memory below lanes", replaceLine(enc, 2, "kdf argon2id t=1 m=8 p=2 "+salt), "right", nil, "m=8 out of range [16, 262144]"},
		{"lanes too many", replaceLine(enc, 2, "kdf argon2id t=1 m=8 p=255 "+salt), "right", nil, "p=255 out of range [1, 16]"},
		{"leading zero", replaceLine(enc, 2, "kdf argon2id t=01 m=8 p=1 "+salt), "right", nil, `want t=<decimal>, found "t=01"`},
		{"plus sign", replaceLine(enc, 2, "kdf argon2id t=+1 m=8 p=1 "+salt), "right", nil, `want t=<decimal>`},
		{"fields reordered", replaceLine(enc, 2, "kdf argon2id m=8 t=1 p=1 "+salt), "right", nil, `want t=<decimal>`},
		{"salt short", replaceLine(enc, 2, "kdf argon2id t=1 m=8 p=1 salt=AAAA"), "right", nil, "salt must be 16 bytes"},
		{"salt missing", replaceLine(enc, 2, "kdf argon2id t=1 m=8 p=1 pepper=AAAA"), "right", nil, "want salt=<base64>"},
		{"too large", bytes.Repeat([]byte("stele-key v1\n"), 100), "", nil, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeyFile(tc.data, []byte(tc.passphrase))
			if err == nil {
				t.Fatalf("ParseKeyFile succeeded on\n%s", tc.data)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q, want it to wrap %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestParseKeyFileTruncated cuts a valid file at every length.
func TestParseKeyFileTruncated(t *testing.T) {
	fastKDF(t)
	k := NewKeyFromSeed([32]byte{5})
	for _, passphrase := range []string{"", "pw"} {
		data := mustFormatKeyFile(t, k, passphrase)
		for n := range len(data) {
			if _, err := ParseKeyFile(data[:n], []byte(passphrase)); err == nil {
				t.Fatalf("ParseKeyFile accepted the first %d of %d bytes", n, len(data))
			}
		}
	}
}

func TestKeyFileEncrypted(t *testing.T) {
	fastKDF(t)
	k := NewKeyFromSeed([32]byte{5})
	enc := mustFormatKeyFile(t, k, "pw")
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"plain", mustFormatKeyFile(t, k, ""), false},
		{"encrypted", enc, true},
		{"encrypted header only", bytes.Join(bytes.SplitAfter(enc, []byte("\n"))[:3], nil), true},
		{"empty", nil, false},
		{"other format", []byte("x\ny\nkdf argon2id\n"), false},
	}
	for _, tc := range tests {
		if got := KeyFileEncrypted(tc.data); got != tc.want {
			t.Errorf("%s: KeyFileEncrypted = %v, want %v", tc.name, got, tc.want)
		}
	}
}
