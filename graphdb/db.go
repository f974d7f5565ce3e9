package graphdb

import (
	"errors"
	"fmt"
)

// DB is an immutable database value: the state of a feed as of one version,
// possibly seen through a time filter (AsOf, Since, History). Any number of
// goroutines may read a DB while new versions are derived from it; a DB
// never changes after it is returned.
type DB struct {
	self      FeedKey
	basis     int64 // number of feed positions materialized
	ar        *arena
	ents      idmap[*entity]    // by EID
	refs      idmap[*refList]   // by referenced EID
	attrs     idmap[*attrState] // by db-partition number
	txs       idmap[*txRecord]  // by feed position
	feeds     []FeedKey         // slot k is feeds[k-1]
	nextUser  uint64            // next user-partition number
	nextIdent uint64            // next db-partition number
	datoms    int64             // datoms ever (assertions + retractions), bootstrap excluded
	invalid   []InvalidEntry    // entries skipped, by position
	view      view
}

// view is the time filter of a DB. Stored tx numbers are feed position + 1
// (0 for the bootstrap schema), so "version N" means stored tx <= N.
type view struct {
	filtered bool   // false: the current state, no filter at all
	asOf     uint32 // datoms with stored tx <= asOf
	minT     uint32 // datoms with stored tx >= minT (Since(n) sets n+1)
	history  bool   // assertions and retractions, not just the state
}

// attrState is everything the database keeps per attribute: its schema and
// its AEVT and AVET indices.
type attrState struct {
	edit  *edit
	info  attrInfo
	bits  idmap[bitPair] // bitmaps of entities: bit e&63 of the words at e>>6
	count int64          // current datoms
	avet  *avetIndex     // nil unless the attribute is unique or indexed
}

// bitPair holds one word of an attribute's two entity bitmaps: the entities
// with a current datom, and those that ever had one (for time views). One
// trie holds both, so an assertion walks it once.
type bitPair struct{ cur, ever uint64 }

// txRecord lists the entities whose datoms a transaction changed.
type txRecord struct {
	ents []EID // sorted, distinct
}

const bitmapLocalBits = localBits - 6

// NewDB returns the empty database (version 0) of the feed with key self:
// the bootstrap schema and nothing else.
func NewDB(self FeedKey) *DB {
	db := &DB{
		self:      self,
		ar:        newArena(),
		ents:      newIDMap[*entity](localBits),
		refs:      newIDMap[*refList](localBits),
		attrs:     newIDMap[*attrState](localBits),
		txs:       newIDMap[*txRecord](localBits),
		nextUser:  1,
		nextIdent: firstUserIdent,
	}
	installBootstrap(db)
	return db
}

// Basis is the version of the database: the number of feed positions it
// has materialized, so the next transaction goes to position Basis().
func (db *DB) Basis() int64 { return db.basis }

// Self is the key of the database's own feed.
func (db *DB) Self() FeedKey { return db.self }

// Feed returns the key of feed slot k (k >= 1) and false if there is none.
func (db *DB) Feed(slot int) (FeedKey, bool) {
	if slot < 1 || slot > len(db.feeds) {
		return FeedKey{}, false
	}
	return db.feeds[slot-1], true
}

// FeedSlot returns the slot of feed key in this database: 0 for its own
// feed, and false if none of its transactions referenced that feed.
func (db *DB) FeedSlot(key FeedKey) (int, bool) {
	if key == db.self {
		return 0, true
	}
	for i, k := range db.feeds {
		if k == key {
			return i + 1, true
		}
	}
	return 0, false
}

// DatomCount is the number of datoms ever transacted (assertions and
// retractions, the history), not counting the bootstrap schema.
func (db *DB) DatomCount() int64 { return db.datoms }

// ErrFiltered is returned when a write is attempted on a time-filtered DB.
var ErrFiltered = errors.New("graphdb: cannot transact on an as-of, since or history database")

func (db *DB) ops() valueOps { return valueOps{db.ar} }

func (db *DB) entity(e EID) *entity { return db.ents.get(uint64(e)) }

func (db *DB) refList(e EID) *refList { return db.refs.get(uint64(e)) }

func (db *DB) attr(a uint32) *attrState { return db.attrs.get(uint64(a)) }

// identName returns the ident of attribute number a, or its number.
func (db *DB) identName(a uint32) string {
	if st := db.attr(a); st != nil && st.info.ident != "" {
		return st.info.ident
	}
	return fmt.Sprintf("#attr %d", a)
}

// clone starts a new version owned by ed.
func (db *DB) clone() *DB {
	c := *db
	c.view = view{}
	return &c
}

// storedTx is the stored tx number of feed position pos.
func storedTx(pos int64) uint32 { return uint32(pos + 1) }

// txPos is the feed position of stored tx t (-1 for the bootstrap).
func txPos(t uint32) int64 { return int64(t) - 1 }
