package wire

import (
	"fmt"

	"github.com/steledb/stele/crypto"
	"github.com/steledb/stele/merkle"
)

// Limits on what one message may carry, beyond the frame size.
const (
	// MaxHashes is the most hashes a proof, left or right field may hold:
	// a compact range of a tree of at most 2^62 leaves has at most two
	// nodes per level, and a consistency proof fewer.
	MaxHashes = 128
	// MaxRanges is the most ranges a Status or Have may hold.
	MaxRanges = 1 << 16
)

// A Message is one message of the sync protocol: a pointer to one of the
// body types below.
type Message interface {
	// field is the body's field number in Message.
	field() int
	// size returns the length of the body's encoding.
	size() int
	// appendTo appends the body's encoding (without tag or length).
	appendTo(b []byte) []byte
}

// Hello is the opener's first message on a stream.
type Hello struct {
	DiscoveryID crypto.DiscoveryID // the feed wanted
	Capability  crypto.Capability  // proof that the opener knows the feed's key
	Latest      int64              // size of the opener's latest checkpoint, 0 if none
}

// HelloAck is the responder's answer to a Hello it accepts.
type HelloAck struct {
	Capability crypto.Capability
	Latest     int64
}

// Status is sent by each side once, after the handshake.
type Status struct {
	Checkpoint []byte        // the sender's latest signed checkpoint; empty if none
	Proof      []merkle.Hash // consistency proof from the other side's latest (see package swarm)
	Ranges     []Range       // the entries the sender holds
}

// A Range is the half-open interval of entry indexes [Lo, Hi).
type Range struct {
	Lo, Hi int64
}

func (r Range) String() string { return fmt.Sprintf("%d:%d", r.Lo, r.Hi) }

// Have announces ranges that the sender now also holds.
type Have struct {
	Ranges []Range
}

// Request asks for entries [Lo, Hi) proven against the checkpoint of Size.
type Request struct {
	ID           uint64
	Lo, Hi, Size int64
}

// Data answers a Request with entries Lo, Lo+1, ... and their range proof
// against the checkpoint of Size.
type Data struct {
	ID          uint64
	Lo, Size    int64
	Left, Right []merkle.Hash
	Entries     [][]byte
}

// An ErrorCode says why a request was not served.
type ErrorCode uint32

// Error codes of the sync protocol.
const (
	CodeNotHeld     ErrorCode = 1 // the entries are not held
	CodeCannotProve ErrorCode = 2 // they cannot be proven against that size
	CodeRefused     ErrorCode = 3 // refused by the upload limit
	CodeBadRequest  ErrorCode = 4 // the request is malformed
	CodeCancelled   ErrorCode = 5 // the requester cancelled it first
)

// Error answers a request that cannot be served.
type Error struct {
	ID      uint64
	Code    ErrorCode
	Message string
}

// Checkpoint pushes a newer checkpoint, with a consistency proof from the
// receiver's latest size From.
type Checkpoint struct {
	Checkpoint []byte
	Proof      []merkle.Hash
	From       int64
}

// Fork carries fork evidence (feed.FormatForkEvidence's encoding).
type Fork struct {
	Evidence []byte
}

// Cancel withdraws a request.
type Cancel struct {
	ID uint64
}

// Ping keeps an idle stream alive.
type Ping struct{}

// Field numbers of the bodies in Message.
const (
	fieldHello = 1 + iota
	fieldHelloAck
	fieldStatus
	fieldHave
	fieldRequest
	fieldData
	fieldError
	fieldCheckpoint
	fieldFork
	fieldCancel
	fieldPing
)

func (*Hello) field() int      { return fieldHello }
func (*HelloAck) field() int   { return fieldHelloAck }
func (*Status) field() int     { return fieldStatus }
func (*Have) field() int       { return fieldHave }
func (*Request) field() int    { return fieldRequest }
func (*Data) field() int       { return fieldData }
func (*Error) field() int      { return fieldError }
func (*Checkpoint) field() int { return fieldCheckpoint }
func (*Fork) field() int       { return fieldFork }
func (*Cancel) field() int     { return fieldCancel }
func (*Ping) field() int       { return fieldPing }

// Name returns the protobuf name of m's body ("hello", "data", ...), for
// logs and errors.
func Name(m Message) string { return bodyNames[m.field()] }

var bodyNames = [...]string{
	fieldHello: "hello", fieldHelloAck: "hello_ack", fieldStatus: "status", fieldHave: "have",
	fieldRequest: "request", fieldData: "data", fieldError: "error", fieldCheckpoint: "checkpoint",
	fieldFork: "fork", fieldCancel: "cancel", fieldPing: "ping",
}
