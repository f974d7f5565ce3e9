package merkle

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement of a log's state: the C2SP
// tlog-checkpoint body (https://c2sp.org/tlog-checkpoint) with one optional
// extension line. See the package documentation for the format.
type Checkpoint struct {
	Origin string // log identity; also the name of the note key that signs
	Size   int64  // number of leaves
	Root   Hash   // RFC 6962 root of those leaves
	Time   int64  // Unix seconds when the author signed it; 0 means absent
}

// maxCheckpointSize bounds the body ParseCheckpoint accepts. A valid body
// is far smaller; the bound keeps hostile input cheap.
const maxCheckpointSize = 4096

const timePrefix = "time "

// FormatCheckpoint returns the checkpoint body, the text that gets signed:
//
//	<origin>\n<size>\n<base64 root>\n[time <unix seconds>\n]
//
// The time line is present only when c.Time is not 0. For a checkpoint that
// [ValidateCheckpoint] accepts, ParseCheckpoint returns c again.
func FormatCheckpoint(c Checkpoint) []byte {
	b := make([]byte, 0, len(c.Origin)+80)
	b = append(b, c.Origin...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, c.Size, 10)
	b = append(b, '\n')
	b = base64.StdEncoding.AppendEncode(b, c.Root[:])
	b = append(b, '\n')
	if c.Time != 0 {
		b = append(b, timePrefix...)
		b = strconv.AppendInt(b, c.Time, 10)
		b = append(b, '\n')
	}
	return b
}

// ValidateCheckpoint reports whether c can be formatted, signed and parsed
// back: the origin must be a valid note key name (non-empty UTF-8 without
// spaces, '+' or control characters), Size must be in [0, MaxTreeSize] and
// Time must not be negative.
func ValidateCheckpoint(c Checkpoint) error {
	if !validOrigin(c.Origin) {
		return fmt.Errorf("merkle: checkpoint origin %q is not a valid note key name", c.Origin)
	}
	if !validSize(c.Size) {
		return fmt.Errorf("merkle: checkpoint %s: size %d is not in [0, MaxTreeSize]", c.Origin, c.Size)
	}
	if c.Time < 0 {
		return fmt.Errorf("merkle: checkpoint %s: negative time %d", c.Origin, c.Time)
	}
	return nil
}

// validOrigin reports whether origin can name a note key.
func validOrigin(origin string) bool {
	return origin != "" && utf8.ValidString(origin) &&
		!strings.ContainsRune(origin, '+') &&
		strings.IndexFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// ParseCheckpoint parses a checkpoint body strictly: it accepts exactly the
// texts FormatCheckpoint produces for valid checkpoints, so parse then
// format gives back the same bytes. Numbers are canonical decimal (no sign,
// no leading zeros), the root is padded standard base64 of 32 bytes, and
// the only extension line allowed is one "time <unix seconds>" with a
// positive value.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if len(text) > maxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint of %d bytes exceeds %d", len(text), maxCheckpointSize)
	}
	if !bytes.HasSuffix(text, []byte("\n")) {
		return Checkpoint{}, errors.New("merkle: checkpoint does not end with a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 || len(lines) > 4 {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint has %d lines, want 3 or 4", len(lines))
	}
	var c Checkpoint
	var err error
	c.Origin = lines[0]
	if !validOrigin(c.Origin) {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint origin %q is not a valid note key name", c.Origin)
	}
	if c.Size, err = parseDecimal(lines[1]); err != nil {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint %s: size: %w", c.Origin, err)
	}
	if c.Size > MaxTreeSize {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint %s: size %d exceeds MaxTreeSize", c.Origin, c.Size)
	}
	if c.Root, err = parseRoot(lines[2]); err != nil {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint %s: root: %w", c.Origin, err)
	}
	if len(lines) == 4 {
		if c.Time, err = parseTime(lines[3]); err != nil {
			return Checkpoint{}, fmt.Errorf("merkle: checkpoint %s: extension line %q: %w", c.Origin, lines[3], err)
		}
	}
	return c, nil
}

// parseDecimal parses a canonical non-negative decimal int64.
func parseDecimal(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("%q is not a canonical non-negative decimal", s)
	}
	return n, nil
}

// parseRoot parses the padded standard base64 of a 32-byte hash, accepting
// only the canonical encoding.
func parseRoot(s string) (Hash, error) {
	var h Hash
	if len(s) != base64.StdEncoding.EncodedLen(HashSize) {
		return h, fmt.Errorf("%q is not base64 of %d bytes", s, HashSize)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != HashSize {
		return h, fmt.Errorf("%q is not base64 of %d bytes", s, HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// parseTime parses the "time <unix seconds>" extension line.
func parseTime(line string) (int64, error) {
	s, ok := strings.CutPrefix(line, timePrefix)
	if !ok {
		return 0, errors.New(`unknown extension, want "time <unix seconds>"`)
	}
	t, err := parseDecimal(s)
	if err != nil {
		return 0, err
	}
	if t == 0 {
		// 0 means absent: a present line must carry a time.
		return 0, errors.New("time 0 must be written as no time line")
	}
	return t, nil
}

// SignCheckpoint returns the signed note of checkpoint c: its body, a blank
// line and a signature line by s. The signer's key name must equal the
// origin.
func SignCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	if err := ValidateCheckpoint(c); err != nil {
		return nil, err
	}
	if s.Name() != c.Origin {
		return nil, fmt.Errorf("merkle: signing checkpoint %s with key %q: key name must equal the origin", c.Origin, s.Name())
	}
	msg, err := note.Sign(&note.Note{Text: string(FormatCheckpoint(c))}, s)
	if err != nil {
		return nil, fmt.Errorf("merkle: signing checkpoint %s: %w", c.Origin, err)
	}
	return msg, nil
}

// OpenCheckpoint verifies the signed checkpoint msg against v and parses
// it strictly. The note must carry a valid signature by v (v's key name
// and hash); signatures by other keys, such as witness cosignatures, are
// allowed and ignored, but a signature line with v's name and key hash
// that does not verify is an error, wrapping *note.InvalidSignatureError.
// The checkpoint origin must equal v.Name().
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("merkle: opening checkpoint signed by %s: %w", v.Name(), err)
	}
	// Only v is known to Open, so a verified signature is v's; check anyway
	// rather than rely on that.
	if !signedBy(n, v) {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint is not signed by %s+%08x", v.Name(), v.KeyHash())
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("merkle: checkpoint origin %q is not the key name %q", c.Origin, v.Name())
	}
	return c, nil
}

// signedBy reports whether n has a verified signature by v.
func signedBy(n *note.Note, v note.Verifier) bool {
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			return true
		}
	}
	return false
}
