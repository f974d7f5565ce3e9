package wire

import (
	"encoding/binary"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/steledb/stele/merkle"
)

// Marshal returns the canonical encoding of m.
func Marshal(m Message) []byte {
	return AppendMarshal(make([]byte, 0, sizeOf(m)), m)
}

// AppendMarshal appends the canonical encoding of m to b.
func AppendMarshal(b []byte, m Message) []byte {
	b = protowire.AppendTag(b, protowire.Number(m.field()), protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(m.size()))
	return m.appendTo(b)
}

// AppendFrame appends m as a frame, uvarint(length) then the encoding.
func AppendFrame(b []byte, m Message) []byte {
	b = binary.AppendUvarint(b, uint64(sizeOf(m)))
	return AppendMarshal(b, m)
}

// Size returns the length of m's encoding (without the frame prefix).
func Size(m Message) int { return sizeOf(m) }

func sizeOf(m Message) int {
	return protowire.SizeTag(protowire.Number(m.field())) + protowire.SizeBytes(m.size())
}

// Field helpers. Scalars and optional bytes are left out when zero;
// repeated elements and required fields are always written.

func sizeUint(num int, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(protowire.Number(num)) + protowire.SizeVarint(v)
}

func appendUint(b []byte, num int, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, protowire.Number(num), protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func sizeBytes(num, n int) int {
	return protowire.SizeTag(protowire.Number(num)) + protowire.SizeBytes(n)
}

func appendBytes(b []byte, num int, v []byte) []byte {
	b = protowire.AppendTag(b, protowire.Number(num), protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func sizeOptBytes(num int, v []byte) int {
	if len(v) == 0 {
		return 0
	}
	return sizeBytes(num, len(v))
}

func appendOptBytes(b []byte, num int, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return appendBytes(b, num, v)
}

func sizeHashes(num int, hs []merkle.Hash) int {
	return len(hs) * sizeBytes(num, merkle.HashSize)
}

func appendHashes(b []byte, num int, hs []merkle.Hash) []byte {
	for i := range hs {
		b = appendBytes(b, num, hs[i][:])
	}
	return b
}

func (r Range) size() int { return sizeUint(1, uint64(r.Lo)) + sizeUint(2, uint64(r.Hi)) }

func sizeRanges(num int, rs []Range) int {
	n := 0
	for _, r := range rs {
		n += sizeBytes(num, r.size())
	}
	return n
}

func appendRanges(b []byte, num int, rs []Range) []byte {
	for _, r := range rs {
		b = protowire.AppendTag(b, protowire.Number(num), protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(r.size()))
		b = appendUint(b, 1, uint64(r.Lo))
		b = appendUint(b, 2, uint64(r.Hi))
	}
	return b
}

func (m *Hello) size() int {
	return sizeBytes(1, len(m.DiscoveryID)) + sizeBytes(2, len(m.Capability)) + sizeUint(3, uint64(m.Latest))
}

func (m *Hello) appendTo(b []byte) []byte {
	b = appendBytes(b, 1, m.DiscoveryID[:])
	b = appendBytes(b, 2, m.Capability[:])
	return appendUint(b, 3, uint64(m.Latest))
}

func (m *HelloAck) size() int {
	return sizeBytes(1, len(m.Capability)) + sizeUint(2, uint64(m.Latest))
}

func (m *HelloAck) appendTo(b []byte) []byte {
	b = appendBytes(b, 1, m.Capability[:])
	return appendUint(b, 2, uint64(m.Latest))
}

func (m *Status) size() int {
	return sizeOptBytes(1, m.Checkpoint) + sizeHashes(2, m.Proof) + sizeRanges(3, m.Ranges)
}

func (m *Status) appendTo(b []byte) []byte {
	b = appendOptBytes(b, 1, m.Checkpoint)
	b = appendHashes(b, 2, m.Proof)
	return appendRanges(b, 3, m.Ranges)
}

func (m *Have) size() int                { return sizeRanges(1, m.Ranges) }
func (m *Have) appendTo(b []byte) []byte { return appendRanges(b, 1, m.Ranges) }

func (m *Request) size() int {
	return sizeUint(1, m.ID) + sizeUint(2, uint64(m.Lo)) + sizeUint(3, uint64(m.Hi)) + sizeUint(4, uint64(m.Size))
}

func (m *Request) appendTo(b []byte) []byte {
	b = appendUint(b, 1, m.ID)
	b = appendUint(b, 2, uint64(m.Lo))
	b = appendUint(b, 3, uint64(m.Hi))
	return appendUint(b, 4, uint64(m.Size))
}

func (m *Data) size() int {
	n := sizeUint(1, m.ID) + sizeUint(2, uint64(m.Lo)) + sizeUint(3, uint64(m.Size)) +
		sizeHashes(4, m.Left) + sizeHashes(5, m.Right)
	for _, e := range m.Entries {
		n += sizeBytes(6, len(e))
	}
	return n
}

func (m *Data) appendTo(b []byte) []byte {
	b = appendUint(b, 1, m.ID)
	b = appendUint(b, 2, uint64(m.Lo))
	b = appendUint(b, 3, uint64(m.Size))
	b = appendHashes(b, 4, m.Left)
	b = appendHashes(b, 5, m.Right)
	for _, e := range m.Entries {
		b = appendBytes(b, 6, e)
	}
	return b
}

func (m *Error) size() int {
	return sizeUint(1, m.ID) + sizeUint(2, uint64(m.Code)) + sizeOptBytes(3, []byte(m.Message))
}

func (m *Error) appendTo(b []byte) []byte {
	b = appendUint(b, 1, m.ID)
	b = appendUint(b, 2, uint64(m.Code))
	return appendOptBytes(b, 3, []byte(m.Message))
}

func (m *Checkpoint) size() int {
	return sizeOptBytes(1, m.Checkpoint) + sizeHashes(2, m.Proof) + sizeUint(3, uint64(m.From))
}

func (m *Checkpoint) appendTo(b []byte) []byte {
	b = appendOptBytes(b, 1, m.Checkpoint)
	b = appendHashes(b, 2, m.Proof)
	return appendUint(b, 3, uint64(m.From))
}

func (m *Fork) size() int                { return sizeOptBytes(1, m.Evidence) }
func (m *Fork) appendTo(b []byte) []byte { return appendOptBytes(b, 1, m.Evidence) }

func (m *Cancel) size() int                { return sizeUint(1, m.ID) }
func (m *Cancel) appendTo(b []byte) []byte { return appendUint(b, 1, m.ID) }

func (*Ping) size() int                { return 0 }
func (*Ping) appendTo(b []byte) []byte { return b }

// A Data's entries are its last fields, so a server can encode them as it
// reads them from its store and put the rest of the frame in front once
// it has the proof, rather than gather them and copy them into a frame:
//
//	AppendDataHead(b, m, n) + AppendDataEntry(..., e) for each entry e
//
// (the entries' encodings taking n bytes) is AppendFrame(b, m) of m with
// those entries.

// DataHeadMax bounds what AppendDataHead appends for any Data a peer
// accepts (at most MaxHashes hashes on each side of its proof).
const DataHeadMax = 2*binary.MaxVarintLen64 + 2 + 3*(1+binary.MaxVarintLen64) + 2*MaxHashes*(2+merkle.HashSize)

// AppendDataEntry appends entry encoded as one of a Data's entries.
func AppendDataEntry(b, entry []byte) []byte { return appendBytes(b, 6, entry) }

// AppendDataHead appends the frame prefix and the fields of m before its
// entries, for entries whose encodings take n bytes; m.Entries must be
// empty.
func AppendDataHead(b []byte, m *Data, n int) []byte {
	if len(m.Entries) > 0 {
		panic("wire: AppendDataHead of a Data with entries")
	}
	fields := m.size() + n
	b = binary.AppendUvarint(b, uint64(protowire.SizeTag(protowire.Number(m.field()))+protowire.SizeBytes(fields)))
	b = protowire.AppendTag(b, protowire.Number(m.field()), protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(fields))
	return m.appendTo(b)
}
