package graphdb

import (
	"encoding/hex"
	"fmt"
)

// EID is an entity ID: 16 bits of feed slot, 4 bits of partition and 44 bits
// of feed-local number (see the package documentation).
type EID uint64

// Partition groups entity IDs by what the entities are.
type Partition uint8

const (
	// PartUser holds the entities created by transactions.
	PartUser Partition = 0
	// PartDB holds attributes and other entities with a :db/ident.
	PartDB Partition = 1
	// PartTx holds one entity per transaction: the local number is the feed
	// position of the transaction.
	PartTx Partition = 2
)

const (
	localBits = 44
	partBits  = 4
	slotShift = localBits + partBits
	localMask = 1<<localBits - 1

	// maxSlot is the largest feed slot: a feed can reference at most this
	// many other feeds.
	maxSlot = 1<<16 - 1
	// maxAttr bounds the local numbers of the db partition, so that an
	// attribute fits in 28 bits of the stored datom.
	maxAttr = 1<<28 - 1
	// firstUserIdent is the first db-partition number handed out to
	// attributes and idents created by transactions; lower numbers are the
	// bootstrap schema.
	firstUserIdent = 1024
)

// MakeEID builds an entity ID from its parts. It panics if slot or local is
// out of range, which is a programming error.
func MakeEID(slot int, part Partition, local uint64) EID {
	if slot < 0 || slot > maxSlot || part >= 1<<partBits || local > localMask {
		panic(fmt.Sprintf("graphdb: MakeEID(%d, %d, %d) out of range", slot, part, local))
	}
	return EID(uint64(slot)<<slotShift | uint64(part)<<localBits | local)
}

// TxEID returns the entity of the transaction at feed position pos.
func TxEID(pos int64) EID { return MakeEID(0, PartTx, uint64(pos)) }

// Slot is the feed slot: 0 for the feed of the database, k > 0 for the k-th
// other feed that the database references (see DB.Feed).
func (e EID) Slot() int { return int(e >> slotShift) }

// Part is the partition of e.
func (e EID) Part() Partition { return Partition(e >> localBits & (1<<partBits - 1)) }

// Local is the feed-local number of e.
func (e EID) Local() uint64 { return uint64(e) & localMask }

// withSlot returns e moved to another feed slot.
func (e EID) withSlot(slot int) EID { return EID(uint64(e)&(1<<slotShift-1) | uint64(slot)<<slotShift) }

// String formats e as a decimal number, the form DataScript users know.
func (e EID) String() string { return fmt.Sprint(uint64(e)) }

// attrEID is the entity ID of the attribute with db-partition number a.
func attrEID(a uint32) EID { return EID(uint64(PartDB)<<localBits | uint64(a)) }

// attrNum returns the db-partition number of e if e is an attribute-capable
// entity of the database's own feed.
func attrNum(e EID) (uint32, bool) {
	if e.Slot() != 0 || e.Part() != PartDB || e.Local() == 0 || e.Local() > maxAttr {
		return 0, false
	}
	return uint32(e.Local()), true
}

// FeedKey is the 32-byte public key that names a feed.
type FeedKey [32]byte

// String returns the key in hex.
func (k FeedKey) String() string { return hex.EncodeToString(k[:]) }
