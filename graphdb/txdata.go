package graphdb

import (
	"fmt"
	"strconv"
)

// Op is one operation of a transaction: Add, Retract, RetractEntity or an
// Entity map.
type Op interface{ isOp() }

// Add asserts that entity E has value V for attribute A ([:db/add e a v]).
// E is an entity reference (see Entity); A an attribute ident such as
// ":person/name"; V a value (see Entity).
type Add struct {
	E any
	A string
	V any
}

// Retract retracts value V of attribute A of entity E ([:db/retract e a
// v]); with V nil it retracts every value of A.
type Retract struct {
	E any
	A string
	V any
}

// RetractEntity retracts every datom of entity E, every ref to E, and,
// recursively, the entities E owns through component attributes
// ([:db/retractEntity e]). Refs to E and components asserted earlier in the
// same transaction are not followed: it works from the database before the
// transaction (and E's own attributes as the transaction left them).
type RetractEntity struct {
	E any
}

// Entity is an entity map: attribute idents to values, with the entity
// itself under ":db/id" (a new entity if absent). A key ":ns/_name" sets
// the reverse reference :ns/name from the value to this entity.
//
// Entity references (":db/id", Add.E, ref values) may be:
//
//	EID                   an existing entity (or a DataScript-style number)
//	int, int64            a positive EID, or a negative tempid like -1
//	string, TempID        a tempid, resolved to one new entity per name
//	LookupRef             the entity with a unique attribute value
//	Keyword(":x/y")       the entity with that :db/ident
//	ForeignRef            an entity of another feed
//	TxEntity              the entity of this transaction
//
// Values may be Value, string, int, int64, float64, bool, time.Time,
// []byte, [16]byte (uuid), an entity reference (for ref attributes; for
// them strings and numbers are tempids and EIDs, keywords are idents), a
// nested Entity (a ref to a new or upserted entity), or Many for several
// values of a cardinality-many attribute.
type Entity map[string]any

// Many holds several values of a cardinality-many attribute.
type Many []any

func (Add) isOp()           {}
func (Retract) isOp()       {}
func (RetractEntity) isOp() {}
func (Entity) isOp()        {}

// TempID names a new entity within one transaction.
type TempID struct {
	name string
	num  int64
}

// Temp returns the tempid called name.
func Temp(name string) TempID { return TempID{name: name} }

// TempNum returns the numeric tempid n (negative, as in DataScript's -1).
func TempNum(n int64) TempID { return TempID{num: n} }

func (t TempID) String() string {
	if t.name != "" || t.num == 0 {
		return strconv.Quote(t.name)
	}
	return strconv.FormatInt(t.num, 10)
}

// LookupRef names the entity whose unique attribute Attr has value V.
type LookupRef struct {
	Attr string
	V    any
}

func (l LookupRef) String() string { return fmt.Sprintf("[%s %v]", keywordText(l.Attr), l.V) }

// ForeignRef names entity E of the feed with key Feed; E is the EID as that
// feed's own database numbers it (slot 0).
type ForeignRef struct {
	Feed FeedKey
	E    EID
}

// TxEntity stands for the entity of the transaction being built (DataScript
// :db/current-tx, Datomic "datomic.tx"), to attach metadata such as
// :db/txInstant.
var TxEntity = txEntity{}

type txEntity struct{}
