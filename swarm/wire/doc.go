// Package wire encodes the messages of stele's sync protocol
// /stele/sync/1.0.0 (specified in package swarm's doc) and frames them on
// a byte stream. It is pure: no I/O beyond the io.Reader and io.Writer a
// caller passes, no goroutines, no clocks.
//
// # Messages
//
// A [Message] is one of *[Hello], *[HelloAck], *[Status], *[Have],
// *[Request], *[Data], *[Error], *[Checkpoint], *[Fork], *[Cancel] and
// *[Ping]. On the wire it is the protobuf message
//
//	message Message { oneof body { Hello hello = 1; ... Ping ping = 11; } }
//
// encoded by hand with protowire (there is no generated code), so a peer
// written with protoc reads and writes the same bytes.
//
// # Canonical encoding
//
// [Marshal] writes fields in field-number order, leaves out scalar and
// bytes fields that hold their zero value (as proto3 does), and writes
// every element of a repeated field. Its output is therefore a function of
// the message's value, and [Unmarshal] followed by Marshal gives back the
// same bytes for any input Marshal could have produced. A 3-entry Data
// answering request 7 for entries [5, 8) of a tree of 8, with one left and
// one right proof hash, is
//
//	32 <len>                   field 6 (data), length-delimited
//	   08 07                   id = 7
//	   10 05                   lo = 5
//	   18 08                   size = 8
//	   22 20 <32 bytes>        left[0]
//	   2a 20 <32 bytes>        right[0]
//	   32 01 61  32 01 62 ...  entries "a", "b", "c"
//
// # Strict decoding
//
// Unmarshal follows protobuf where it must (unknown fields are skipped, so
// a later version may add fields; a repeated scalar's last value wins) and
// is stricter everywhere else, returning an error that names the message
// and field:
//
//   - a known field with the wrong wire type, a truncated field, a length
//     running past the end;
//   - a Message with no body, or more than one body field;
//   - a hash (proof, left, right, discovery_id, capability) that is not
//     exactly 32 bytes, or more than [MaxHashes] hashes in one field;
//   - a size or index above [merkle.MaxTreeSize], a code above 2^32-1, an
//     Error message that is not UTF-8;
//   - more than [MaxRanges] ranges in a Status or Have.
//
// Bytes fields of a decoded message (entries, checkpoint, evidence) alias
// the input buffer; the caller must not reuse it while the message is in
// use. [ReadMsg] allocates a fresh buffer per frame, so its messages are
// safe to keep.
//
// # Framing
//
// A frame is uvarint(len(body)) followed by the body, as go-libp2p's pbio
// writes delimited messages. [ReadMsg] refuses a frame longer than the
// caller's limit before allocating anything ([ErrFrameTooLarge]), so a
// peer cannot make a reader allocate more than the limit.
package wire
