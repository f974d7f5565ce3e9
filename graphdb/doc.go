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
// flag. An entry that is validly signed but fails these checks, or does not
// decode, is skipped as a whole (the version still advances, so every
// replica agrees on positions) and reported with its position.
//
// # Schema
//
// Attributes are entities of the db partition with a :db/ident, and the
// schema is their datoms: :db/valueType (a ref to :db.type/string, long,
// double, boolean, instant, uuid, keyword, bytes, ref), :db/cardinality
// (:db.cardinality/one or many), :db/unique (:db.unique/identity or value),
// :db/isComponent, :db/index, :db/doc. The bootstrap attributes and idents
// have fixed numbers (bootstrap.go); :db/txInstant (8) holds transaction
// times, which the caller supplies: nothing here reads a clock.
//
// Schema is optional. An attribute used without a schema is created on
// first use (an entity with just a :db/ident) and behaves as in
// DataScript: cardinality one, values of any kind. Adding attributes, and
// declaring properties of an attribute without data, is always allowed.
// Changing a declared value type, cardinality or uniqueness, or
// constraining an attribute that has data, is a migration: DB.Migrate
// checks the existing data against the new schema and fails naming an
// offending datom; the entry carries the migration flag, without which a
// replica rejects the change.
//
// # Transactions
//
// DB.Transact takes operations (Add, Retract, RetractEntity, Entity maps;
// see Entity for the accepted references and values), resolves them
// against the database and returns a Report: the new database, the
// datoms, the tempid mapping and the encoded entry to append at position
// Report.Tx. Resolution follows DataScript: tempids (negative numbers and
// strings) become new entities, numbered in order of first use; a tempid
// whose entity asserts a :db.unique/identity value held by an existing
// entity becomes that entity (upsert), tempids asserting the same new
// identity value become one entity, and a tempid bound to two entities is
// an error; lookup refs [attr value] and idents resolve against the
// database before the transaction; operations apply in order to the
// current values, so the last value of a cardinality-one attribute wins
// and replaces the old one (which is retracted), redundant assertions
// vanish, and an assertion retracted later in the same transaction
// cancels out; RetractEntity retracts the entity's datoms, the refs to it
// and, recursively, its components. Attributes defined by entity maps in
// the transaction can be used by its other operations. Errors name the
// operation (OpError) or the datom (DatomError) and the reason, and
// nothing is appended.
//
// # Indices and time
//
// A DB is an immutable value: a reader holds one and reads without locks
// while new versions are derived from it. All structures are persistent
// and copy-on-write; a transaction stamps the nodes it copies with its own
// token and changes them in place afterwards, so it copies each node once.
//
//	EAVT  entity -> current datoms (16-byte cells: attribute|kind, tx,
//	      value or arena offset), in a radix trie over entity numbers;
//	      past datoms (spans: value, asserted at, retracted at) apart
//	AEVT  attribute -> bitmaps of the entities with a current value and of
//	      those that ever had one, in radix tries; values from EAVT
//	AVET  attribute -> B-tree of (value, entity, tx) for unique and
//	      :db/index attributes; past ones in a second B-tree
//	VAET  entity -> the refs to it (attribute, referencing entity, tx),
//	      current and past
//
// The bytes of an entity's current strings, keywords, bytes and uuids (up
// to 256 bytes each) sit in the memory block of its cells, so a point read
// touches one block; past values, longer ones and those of very large
// entities live in an append-only arena shared by the versions of a
// database. Stored datoms hold no pointers. The current state never looks
// at history: Value and Datoms of an unfiltered DB read cells, bitmaps and
// current trees only.
//
// AsOf(N) is the state after positions < N; Since(N) keeps the datoms
// asserted at positions >= N; History() yields assertions and retractions
// with their tx (bootstrap included, unless Since); they combine. Diff(v1,
// v2) gives the datoms of v2 missing from v1 (Added) and of v1 missing from
// v2 (not Added, with the position of their retraction).
//
// # Materializing feeds
//
// A Materializer applies the verified entries of one feed in order
// (Apply, or CatchUp from a Log such as *feed.Feed), holds entries that
// arrive past a gap until the gap is filled, and adopts the databases of
// local transactions (Commit) without applying their entries again. A
// rebuild from scratch gives the same state as incremental application.
// To restart without replaying the feed, SaveSnapshot writes the database
// (EAVT with history; the other indices are derived on loading) to a
// versioned, checksummed file atomically (temporary file, fsync, rename,
// directory fsync); LoadSnapshot reads it back and materialization resumes
// at its Basis.
//
// # Snapshot file format (version 1)
//
// A snapshot holds the EAVT index with its history; AEVT, AVET, VAET, the
// schema and the transaction records are derived from it on loading, which
// costs a fraction of replaying the transactions. Integers are minimal
// varints, values are encoded as in entries (refs as raw EIDs).
//
//	snapshot = "stelegdb" version:0x01 header entities sha256
//	header   = self:32 basis nextUser nextIdent
//	           nfeeds feed:32*  ninvalid (pos reasonLen reason)*
//	entities = nentities (eid ncells cell* nspans span*)*   by increasing eid
//	cell     = attr kind:byte tx value          tx: stored, position + 1
//	span     = attr kind:byte from to value     asserted at from, retracted at to
//	sha256   = SHA-256 of everything before it
//
// Cells are in EAVT order, spans in attribute, retraction, value order;
// the bootstrap schema is not written. A snapshot that does not check out
// fails with ErrCorrupt, and the node rebuilds from the feed.
//
// # Reactivity
//
// Every Report lists the sorted attributes it touched (Attrs, Touches), so
// a live query can skip transactions that cannot affect it. Subscriptions
// matches reports against attribute and entity patterns; it is a state
// machine the node drives from one goroutine.
//
// # Several feeds
//
// A View combines the databases of several feeds: EIDs get view slots
// (the first database keeps slot 0), refs into another feed resolve to
// that feed's entities, facts that several feeds assert about one entity
// meet under one EID, and index scans merge in index order. The feed of a
// datom is the slot of its attribute.
//
// # Limits
//
// Per feed: 2^32 - 2 transactions, 2^44 entities per partition, 2^28 - 1
// attributes and idents, 65,535 other feeds referenced. Instants have
// millisecond precision. An entity with more than 64 values of one
// cardinality-many attribute finds a string, keyword, bytes or uuid value
// among them by a linear scan (numbers and refs by binary search).
package graphdb
