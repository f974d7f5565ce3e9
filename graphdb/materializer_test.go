package graphdb

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// feedLog is an in-memory Log.
type feedLog struct{ entries [][]byte }

func (l *feedLog) Len() int64 { return int64(len(l.entries)) }

func (l *feedLog) Scan(lo, hi int64, fn func(int64, []byte) error) error {
	for i := lo; i < hi; i++ {
		if err := fn(i, l.entries[i]); err != nil {
			return err
		}
	}
	return nil
}

var randomSchema = []Entity{
	attrDef(":p/name", ":db/valueType", typeString, ":db/unique", identity),
	attrDef(":p/tags", ":db/cardinality", many),
	attrDef(":p/friends", ":db/valueType", typeRef, ":db/cardinality", many),
	attrDef(":p/profile", ":db/valueType", typeRef, ":db/isComponent", true),
	attrDef(":p/age", ":db/valueType", typeLong, ":db/index", true),
}

// randomOps builds a random valid transaction against db.
func randomOps(rng *rand.Rand, db *DB, pos int64) []Op {
	name := func() string { return fmt.Sprintf("n%d", rng.IntN(30)) }
	existing := func() any { return EID(1 + rng.IntN(int(max(db.nextUser-1, 1)))) }
	ops := []Op{Entity{":db/id": TxEntity, ":db/txInstant": time.UnixMilli(1_700_000_000_000 + pos)}}
	for range 1 + rng.IntN(5) {
		switch rng.IntN(8) {
		case 0, 1:
			ops = append(ops, Entity{":p/name": name(), ":p/age": rng.IntN(90),
				":p/tags":    Many{fmt.Sprint("t", rng.IntN(5)), Keyword(fmt.Sprint(":k/", rng.IntN(3)))},
				":p/profile": Entity{":bio": fmt.Sprint("bio", rng.IntN(100))}})
		case 2:
			ops = append(ops, Add{LookupRef{":p/name", name()}, ":p/age", rng.IntN(90)})
		case 3:
			ops = append(ops, Add{existing(), ":p/friends", existing()})
		case 4:
			ops = append(ops, Retract{E: existing(), A: ":p/tags"})
		case 5:
			ops = append(ops, RetractEntity{existing()})
		case 6:
			ops = append(ops, Add{existing(), ":p/note", rng.Float64()})
		default:
			ops = append(ops, Entity{":db/id": existing(), ":p/tags": Many{"x", fmt.Sprint("t", rng.IntN(5))}})
		}
	}
	return ops
}

// buildFeed transacts n random transactions and returns every version and
// the feed of entries.
func buildFeed(t testing.TB, seed uint64, n int) ([]*DB, *feedLog) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	db := NewDB(FeedKey{5})
	log := &feedLog{}
	versions := []*DB{db}
	commit := func(r *Report) {
		log.entries = append(log.entries, r.Entry)
		db = r.After
		versions = append(versions, db)
	}
	ops := make([]Op, len(randomSchema))
	for i, a := range randomSchema {
		ops[i] = a
	}
	commit(mustTransact(t, db, ops...))
	for len(log.entries) < n {
		r, err := db.Transact(randomOps(rng, db, db.Basis()))
		if err != nil {
			var opErr *OpError
			if errors.As(err, &opErr) {
				continue // e.g. a lookup ref to a name nobody has
			}
			t.Fatal(err)
		}
		commit(r)
	}
	return versions, log
}

// sameDB compares two databases through their public reads.
func sameDB(t *testing.T, what string, a, b *DB) {
	t.Helper()
	if a.Basis() != b.Basis() || a.nextUser != b.nextUser || a.nextIdent != b.nextIdent ||
		a.DatomCount() != b.DatomCount() || !slices.Equal(a.feeds, b.feeds) || !slices.Equal(a.Invalid(), b.Invalid()) {
		t.Fatalf("%s: headers differ: basis %d/%d next %d,%d/%d,%d datoms %d/%d invalid %v/%v", what,
			a.Basis(), b.Basis(), a.nextUser, a.nextIdent, b.nextUser, b.nextIdent, a.DatomCount(), b.DatomCount(), a.Invalid(), b.Invalid())
	}
	sameDatoms(t, what+" history", collect(a.History().Datoms(EAVT)), collect(b.History().Datoms(EAVT)))
	for _, idx := range []Index{EAVT, AEVT, AVET, VAET} {
		sameDatoms(t, what+" "+idx.String(), collect(a.Datoms(idx)), collect(b.Datoms(idx)))
	}
	sameDatoms(t, what+" history VAET", collect(a.History().Datoms(VAET)), collect(b.History().Datoms(VAET)))
	sameDatoms(t, what+" history AVET", collect(a.History().Datoms(AVET)), collect(b.History().Datoms(AVET)))
	if !slices.Equal(a.Attributes(), b.Attributes()) {
		t.Fatalf("%s: schemas differ", what)
	}
	for pos := range a.Basis() {
		sameDatoms(t, fmt.Sprintf("%s tx %d", what, pos), a.TxDatoms(pos), b.TxDatoms(pos))
	}
}

func TestRebuildEqualsIncremental(t *testing.T) {
	versions, log := buildFeed(t, 1, 120)
	m := NewMaterializer(NewDB(FeedKey{5}))
	reports, err := m.CatchUp(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(log.entries) {
		t.Fatalf("%d reports for %d entries", len(reports), len(log.entries))
	}
	for _, r := range reports {
		if r.Invalid != nil {
			t.Fatalf("entry %d skipped: %v", r.Tx, r.Invalid)
		}
	}
	sameDB(t, "rebuilt", m.DB(), versions[len(versions)-1])
	for _, v := range []int64{0, 1, 30, 77} {
		sameDB(t, fmt.Sprintf("as of %d", v), m.DB().AsOf(v).Current(), m.DB().AsOf(v).Current())
		sameDatoms(t, fmt.Sprintf("as of %d", v), collect(m.DB().AsOf(v).Datoms(EAVT)), collect(versions[v].Datoms(EAVT)))
	}
}

func TestMaterializerGapsAndCommit(t *testing.T) {
	versions, log := buildFeed(t, 2, 40)
	m := NewMaterializer(NewDB(FeedKey{5}))
	order := rand.New(rand.NewPCG(3, 3)).Perm(len(log.entries))
	applied := 0
	for _, i := range order {
		applied += len(m.Apply(int64(i), log.entries[i]))
		if lo, hi, ok := m.Missing(); ok && (lo != m.Next() || hi <= lo) {
			t.Fatalf("Missing() = [%d, %d)", lo, hi)
		}
	}
	if applied != len(log.entries) {
		t.Fatalf("applied %d of %d entries", applied, len(log.entries))
	}
	if _, _, ok := m.Missing(); ok {
		t.Fatal("a gap remains")
	}
	if again := m.Apply(3, log.entries[3]); again != nil {
		t.Fatal("an old entry was applied again")
	}
	sameDB(t, "shuffled", m.DB(), versions[len(versions)-1])

	// Local transactions: Commit adopts the transactor's database.
	r := mustTransact(t, m.DB(), Add{"n", ":p/name", "local"})
	if _, err := m.Commit(r); err != nil {
		t.Fatal(err)
	}
	if m.DB() != r.After {
		t.Fatal("Commit did not adopt the report's database")
	}
	if _, err := m.Commit(r); !errors.Is(err, ErrStale) {
		t.Fatalf("second Commit: %v", err)
	}
}

func TestMaterializerSkipsInvalidEntries(t *testing.T) {
	_, log := buildFeed(t, 4, 20)
	bad := [][]byte{
		[]byte("not an entry"),
		EncodeTx(&TxEntry{Datoms: []Datom{{E: 1, A: attrEID(firstUserIdent), V: String("never asserted")}}}),
		EncodeTx(&TxEntry{Datoms: []Datom{{E: 1, A: attrEID(firstUserIdent), V: Long(1), Added: true}}}), // :p/name is a string
		EncodeTx(&TxEntry{Datoms: []Datom{{E: 1, A: attrEID(999), V: Long(1), Added: true}}}),
	}
	entries := slices.Clone(log.entries)
	for i, b := range bad {
		pos := 5 + 3*i
		entries = slices.Insert(entries, pos, b)
	}
	run := func() *Materializer {
		m := NewMaterializer(NewDB(FeedKey{5}))
		if _, err := m.CatchUp(&feedLog{entries}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m1, m2 := run(), run()
	inv := m1.DB().Invalid()
	if len(inv) != len(bad) {
		t.Fatalf("invalid entries = %v", inv)
	}
	for i, e := range inv {
		if e.Pos != int64(5+3*i) {
			t.Fatalf("invalid entry %d at position %d", i, e.Pos)
		}
	}
	if m1.DB().Basis() != int64(len(entries)) {
		t.Fatalf("basis %d, want %d", m1.DB().Basis(), len(entries))
	}
	sameDB(t, "replicas", m1.DB(), m2.DB())
}

func TestSnapshotRoundTrip(t *testing.T) {
	versions, log := buildFeed(t, 5, 80)
	for _, v := range []int{0, 1, 40, 80} {
		db := versions[v]
		var buf bytes.Buffer
		if err := WriteSnapshot(&buf, db); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), FeedKey{5})
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		sameDB(t, fmt.Sprintf("snapshot of version %d", v), got, db)
		var again bytes.Buffer
		if err := WriteSnapshot(&again, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Fatalf("version %d: snapshot of a restored snapshot differs", v)
		}
		// Resume from the snapshot: the same as never stopping.
		m := NewMaterializer(got)
		if _, err := m.CatchUp(log); err != nil {
			t.Fatal(err)
		}
		sameDB(t, fmt.Sprintf("resumed from version %d", v), m.DB(), versions[len(versions)-1])
	}
}

func TestSnapshotFile(t *testing.T) {
	versions, _ := buildFeed(t, 6, 30)
	db := versions[len(versions)-1]
	path := filepath.Join(t.TempDir(), "feed.snapshot")
	if err := SaveSnapshot(path, db); err != nil {
		t.Fatal(err)
	}
	if err := SaveSnapshot(path, db); err != nil { // replaces the old one
		t.Fatal(err)
	}
	got, err := LoadSnapshot(path, FeedKey{5})
	if err != nil {
		t.Fatal(err)
	}
	sameDB(t, "loaded", got, db)
	if _, err := LoadSnapshot(path, FeedKey{6}); err == nil {
		t.Fatal("loaded the snapshot of another feed")
	}
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSnapshot(path, FeedKey{5}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupted snapshot: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func FuzzParseSnapshot(f *testing.F) {
	versions, _ := buildFeed(f, 7, 8)
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, versions[len(versions)-1]); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes()[:buf.Len()-32])
	f.Add([]byte(snapshotMagic + "\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := parseSnapshot(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteSnapshot(&out, db); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSnapshot(&out, db.Self()); err != nil {
			t.Fatalf("a parsed snapshot does not read back: %v", err)
		}
	})
}

// FuzzApplyTx feeds arbitrary entries to a populated database: any entry
// must either apply or fail, never panic, and a failure must leave the
// database unchanged.
func FuzzApplyTx(f *testing.F) {
	versions, log := buildFeed(f, 8, 12)
	base := versions[6]
	for _, e := range log.entries[6:] {
		f.Add(e)
	}
	f.Add(EncodeTx(&TxEntry{Datoms: []Datom{{E: 3, A: attrEID(attrIdent), V: Keyword(":x/y"), Added: true},
		{E: 3, A: attrEID(attrValueType), V: Ref(attrEID(identTypeBase + 2)), Added: true}}}))
	f.Fuzz(func(t *testing.T, entry []byte) {
		before := collect(base.History().Datoms(EAVT))
		r, err := base.ApplyTx(base.Basis(), entry)
		if err == nil {
			if r.After.Basis() != base.Basis()+1 {
				t.Fatal("basis did not advance")
			}
			_ = collect(r.After.History().Datoms(AVET))
			_ = collect(r.After.Datoms(VAET))
		}
		sameDatoms(t, "base after ApplyTx", collect(base.History().Datoms(EAVT)), before)
	})
}

// TestConcurrentReadersAndForks runs readers of the materializer's latest
// database while it applies entries, and transactions forked from one
// database in parallel; run with -race.
func TestConcurrentReadersAndForks(t *testing.T) {
	versions, log := buildFeed(t, 9, 60)
	m := NewMaterializer(NewDB(FeedKey{5}))
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				db := m.DB()
				want := db.DatomCount()
				if got := int64(len(collect(db.History().Datoms(EAVT)))) - bootstrapDatoms(db); got != want {
					t.Errorf("version %d: %d datoms in history, want %d", db.Basis(), got, want)
					return
				}
			}
		})
	}
	for pos, e := range log.entries {
		m.Apply(int64(pos), e)
	}
	close(done)
	readers.Wait()
	sameDB(t, "materialized", m.DB(), versions[len(versions)-1])

	base := m.DB()
	var forks sync.WaitGroup
	results := make([]*Report, 8)
	for i := range results {
		forks.Go(func() {
			r, err := base.Transact([]Op{Entity{":p/name": fmt.Sprint("fork", i), ":p/tags": Many{"a", "b"}, ":p/age": i}})
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = r
		})
	}
	forks.Wait()
	for i, r := range results {
		if r == nil {
			continue
		}
		name, _ := r.After.AttributeByIdent(":p/name")
		e, ok := r.After.Lookup(name.ID, String(fmt.Sprint("fork", i)))
		if !ok {
			t.Fatalf("fork %d lost its entity", i)
		}
		for j, other := range results {
			if j != i && other != nil {
				if _, seen := other.After.Lookup(name.ID, String(fmt.Sprint("fork", i))); seen {
					t.Fatalf("fork %d sees fork %d's entity %d", j, i, e)
				}
			}
		}
	}
}

func bootstrapDatoms(db *DB) int64 {
	n := int64(0)
	for d := range db.History().Datoms(EAVT) {
		if d.Tx < 0 {
			n++
		}
	}
	return n
}
