// Package graphdb is the temporal datom store of stele: it turns the
// transaction entries of feeds into databases that answer questions as of
// any version, and tells subscribers what each transaction changed.
//
// # Datoms and versions
//
// A fact is a datom [E A V Tx Added]: entity E has value V for attribute A,
// asserted (Added) or retracted by the transaction Tx. Tx is the feed
// position (0-based entry index) of the transaction entry. The database "as
// of version N" is the result of the transactions at positions < N, so
// version 0 is the empty database (bootstrap schema only), version 1 holds
// the first transaction, and a feed of length N materializes to version N.
// The bootstrap schema is present in every version; its datoms have Tx -1.
//
// # Entity IDs
//
// An EID is a uint64:
//
//	 63         48 47  44 43                                   0
//	+-------------+------+--------------------------------------+
//	|  feed slot  | part |            local number              |
//	+-------------+------+--------------------------------------+
//
// The feed slot says whose entity it is: 0 is the feed of the database, k >
// 0 the k-th other feed the database's transactions referenced (DB.Feed(k)
// gives its key). The partition says what the entity is:
//
//	part 0  user entities, numbered 1, 2, 3, ... by the transactor, so the
//	        first entities of a feed have the small IDs DataScript users expect
//	part 1  attributes and other entities with a :db/ident (enums), numbered
//	        from 1024 up; 1 .. 1023 hold the bootstrap schema at fixed numbers
//	part 2  transactions: the entity of the transaction at feed position N is
//	        2<<44 | N (TxEID); its attributes (e.g. :db/txInstant) are the
//	        transaction's metadata
//
// A database holds the entities of its own feed and may reference entities
// of other feeds: a ref into feed X is stored with X's slot, and the on-feed
// encoding names X by its 32-byte key, so slots are local to one database
// and assigned in order of first reference (deterministically).
//
// # Values
//
// A Value is one of: string, long (int64), double (float64), boolean,
// instant (milliseconds since the Unix epoch, as in Datomic), uuid (16
// bytes), keyword (its text with the leading colon, ":status/active"),
// bytes, ref (an EID). Values of different kinds order by kind (in that
// list's order), values of one kind by number or bytewise.
//
// # On-feed encoding of a transaction (version 1)
//
// A transaction entry holds the resolved datoms of a transaction: tempids,
// lookup refs, upserts and idents are resolved by the transactor before
// the entry is appended, so that every replica materializes the same
// state. All integers are minimal unsigned LEB128 varints unless said
// otherwise; a decoder rejects any other form, so decoding then encoding
// gives back the same bytes.
//
//	entry   = "stx" version:0x01 flags nfeeds feed* ndatoms datom*
//	flags   = byte; bit 0 set: schema migration allowed; other bits zero
//	nfeeds  = varint; feed = 32-byte key of another feed, slot 1, 2, ...
//	ndatoms = varint
//	datom   = op eid attr value
//	op      = byte: 0x80 if asserted (0 if retracted) | kind (1 .. 9)
//	eid     = varint of the EID, with its slot field meaning the entry's
//	          feed list; 0 means the entity of this transaction
//	attr    = varint: the db-partition number of the attribute (1 .. 2^28-1)
//	value   = string, keyword, bytes: varint length, bytes
//	          uuid:            16 bytes
//	          long, instant:   zigzag varint (n<<1 ^ n>>63)
//	          double:          8 bytes, little-endian IEEE 754 bits
//	          boolean:         0x00 or 0x01
//	          ref:             eid
//
// Kinds: 1 string, 2 long, 3 double, 4 boolean, 5 instant, 6 uuid, 7
// keyword, 8 bytes, 9 ref. Worked example (testdata/tx_v1.hex): a
// transaction with a :db/txInstant (attribute 8), entity 1 getting name
// "Ann" (attribute 1024) and a ref (attribute 1025) to entity 5 of another
// feed with key aabb00..00, and entity 2 losing name "Bob":
//
//	737478 01 00                       "stx", version 1, no flags
//	01 aabb00...00                     one other feed: slot 1
//	04                                 four datoms
//	85 00 08 80f8b4c0e663              + [tx :db/txInstant #inst 2024-05-01T12:00Z]
//	81 01 8008 03 416e6e               + [1 1024 "Ann"]
//	89 01 8108 85808080808040          + [1 1025 ref slot 1, entity 5 (1<<48|5)]
//	01 02 8008 03 426f62               - [2 1024 "Bob"]
//
// The materializer checks every entry (DB.ApplyTx): each datom must change
// the state (no redundant assertion, no retraction of an absent datom), the
// result must respect the schema (value types, cardinality one, unique
// values), and schema changes of declared attributes need the migration
// flag. An entry that is validly signed but fails these checks is skipped
// as a whole (the version still advances) and reported with its position.
package graphdb
