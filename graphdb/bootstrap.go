package graphdb

// The bootstrap schema: attributes and idents present in every database at
// fixed db-partition numbers (below firstUserIdent). These numbers are part
// of the on-feed encoding and never change.
const (
	attrIdent       = 1 // :db/ident, keyword, unique identity
	attrValueType   = 2 // :db/valueType, ref to a :db.type/* ident
	attrCardinality = 3 // :db/cardinality, ref to :db.cardinality/one or many
	attrUnique      = 4 // :db/unique, ref to :db.unique/identity or value
	attrIsComponent = 5 // :db/isComponent, boolean
	attrDoc         = 6 // :db/doc, string
	attrIndex       = 7 // :db/index, boolean
	attrTxInstant   = 8 // :db/txInstant, instant

	identTypeBase       = 19 // :db.type/<kind> is identTypeBase + kind (20 .. 28)
	identCardOne        = 30 // :db.cardinality/one
	identCardMany       = 31 // :db.cardinality/many
	identUniqueIdentity = 32 // :db.unique/identity
	identUniqueValue    = 33 // :db.unique/value
)

// Unique is the uniqueness of an attribute.
type Unique uint8

const (
	UniqueNone     Unique = iota
	UniqueIdentity        // :db.unique/identity: one entity per value, upserts
	UniqueValue           // :db.unique/value: one entity per value, conflicts are errors
)

// bootstrapAttr describes one attribute of the bootstrap schema.
type bootstrapAttr struct {
	num   uint32
	ident string
	kind  Kind
	uniq  Unique
	doc   string
}

var bootstrapAttrs = []bootstrapAttr{
	{attrIdent, ":db/ident", KindKeyword, UniqueIdentity, "The unique name of an entity."},
	{attrValueType, ":db/valueType", KindRef, UniqueNone, "The type of the values of an attribute."},
	{attrCardinality, ":db/cardinality", KindRef, UniqueNone, "Whether an attribute holds one value or many."},
	{attrUnique, ":db/unique", KindRef, UniqueNone, "Whether values of an attribute identify one entity."},
	{attrIsComponent, ":db/isComponent", KindBool, UniqueNone, "Whether a ref attribute owns its target."},
	{attrDoc, ":db/doc", KindString, UniqueNone, "Documentation."},
	{attrIndex, ":db/index", KindBool, UniqueNone, "Whether an attribute is in the AVET index."},
	{attrTxInstant, ":db/txInstant", KindInstant, UniqueNone, "The time of a transaction, as given by its author."},
}

// bootstrapIdents are the enum idents of the bootstrap schema.
func bootstrapIdents() map[uint32]string {
	m := map[uint32]string{
		identCardOne:        ":db.cardinality/one",
		identCardMany:       ":db.cardinality/many",
		identUniqueIdentity: ":db.unique/identity",
		identUniqueValue:    ":db.unique/value",
	}
	for k := KindString; k < numKinds; k++ {
		m[identTypeBase+uint32(k)] = ":db.type/" + k.String()
	}
	return m
}

// isSchemaAttr reports whether datoms of attribute a change the schema.
func isSchemaAttr(a uint32) bool {
	return a >= attrIdent && a <= attrIndex
}
