package graphdb

import "fmt"

// Datom is one fact: entity E has value V for attribute A, asserted
// (Added) or retracted by the transaction at feed position Tx. Datoms of the
// bootstrap schema have Tx -1.
type Datom struct {
	E     EID
	A     EID
	V     Value
	Tx    int64
	Added bool
}

// String formats d as [e a v tx added] with numeric attribute IDs.
func (d Datom) String() string {
	return fmt.Sprintf("[%d %d %s %d %t]", d.E, d.A, d.V, d.Tx, d.Added)
}

// Index names one sort order of the datoms.
type Index uint8

const (
	// EAVT orders by entity, attribute, value: all facts of an entity.
	EAVT Index = iota
	// AEVT orders by attribute, entity, value: all facts of an attribute.
	AEVT
	// AVET orders by attribute, value, entity. It holds only attributes that
	// are unique or have :db/index true.
	AVET
	// VAET orders by value, attribute, entity and holds only ref values: the
	// reverse references of an entity.
	VAET
)

var indexNames = [...]string{"eavt", "aevt", "avet", "vaet"}

func (i Index) String() string {
	if int(i) < len(indexNames) {
		return indexNames[i]
	}
	return fmt.Sprintf("index(%d)", uint8(i))
}
