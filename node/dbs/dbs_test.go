package dbs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/txedn"
)

func transact(t *testing.T, d *Database, text string) *graphdb.Report {
	t.Helper()
	db, err := d.DB()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := txedn.Parse(db, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.Transact(ops)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func name(t *testing.T, db *graphdb.DB, e graphdb.EID) string {
	t.Helper()
	a, ok := db.Ident(":person/name")
	if !ok {
		t.Fatal("no :person/name")
	}
	v, _ := db.Value(e, a)
	return v.Str()
}

func TestTransactSnapshotReopen(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := feed.Open(filepath.Join(dir, "feeds"), feed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := s.Create("people")
	m := New(s, filepath.Join(dir, "graphs"), func() time.Time { return clock })
	d, err := m.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	transact(t, d, `[{:db/ident :person/name :db/valueType :db.type/string :db/unique :db.unique/identity}]`)
	r := transact(t, d, `[{:db/id "ann" :person/name "Ann"}]`)
	ann := r.TempIDs[graphdb.Temp("ann")]
	if r.Tx != 1 || f.Len() != 2 {
		t.Fatalf("second transaction at %d, feed length %d; want 1, 2", r.Tx, f.Len())
	}
	at, _ := r.After.Ident(":db/txInstant")
	if v, _ := r.After.Value(graphdb.TxEID(r.Tx), at); !v.Time().Equal(clock) {
		t.Errorf(":db/txInstant = %v, want %v", v, clock)
	}
	m.Close()
	if _, err := os.Stat(filepath.Join(dir, "graphs", f.Address()+".snapshot")); err != nil {
		t.Fatalf("no snapshot after Close: %v", err)
	}
	s.Close()

	s, _ = feed.Open(filepath.Join(dir, "feeds"), feed.Options{})
	defer s.Close()
	f, _ = s.Lookup("people")
	m = New(s, filepath.Join(dir, "graphs"), nil)
	d, err = m.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := d.DB()
	if db.Basis() != 2 || name(t, db, ann) != "Ann" {
		t.Fatalf("reopened database at %d: %q", db.Basis(), name(t, db, ann))
	}
	r = transact(t, d, `[[:db/add [:person/name "Ann"] :person/name "Anne"]]`)
	if r.Tx != 2 || name(t, r.After, ann) != "Anne" {
		t.Fatalf("transaction after reopen at %d: %q", r.Tx, name(t, r.After, ann))
	}
}

// TestReplicaCatchesUp: a replica's database follows the entries it holds,
// and waits at a gap.
func TestReplicaCatchesUp(t *testing.T) {
	dir := t.TempDir()
	sa, _ := feed.Open(filepath.Join(dir, "a"), feed.Options{})
	defer sa.Close()
	author, _ := sa.Create("")
	da, _ := New(sa, filepath.Join(dir, "ga"), nil).Open(author)
	transact(t, da, `[{:db/ident :person/name :db/valueType :db.type/string}]`)
	for _, n := range []string{"a", "b", "c"} {
		transact(t, da, `[{:person/name "`+n+`"}]`)
	}
	sb, _ := feed.Open(filepath.Join(dir, "b"), feed.Options{})
	defer sb.Close()
	replica, _ := sb.Replicate(author.PublicKey(), "")
	cp, _ := author.Latest()
	if _, err := replica.ApplyCheckpoint(cp.Note, nil); err != nil {
		t.Fatal(err)
	}
	give := func(lo, hi int64) {
		data, _ := author.GetRange(lo, hi)
		proof, _ := author.ProveRange(lo, hi, cp.Size)
		if err := replica.ApplyRange(lo, data, cp.Size, proof); err != nil {
			t.Fatal(err)
		}
	}
	give(0, 2)
	give(3, 4)
	db := New(sb, filepath.Join(dir, "gb"), nil)
	d, err := db.Open(replica)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := d.DB()
	if got.Basis() != 2 {
		t.Fatalf("replica database at %d, want 2 (entry 2 missing)", got.Basis())
	}
	give(2, 3)
	if got, _ = d.DB(); got.Basis() != 4 {
		t.Fatalf("replica database at %d after the gap filled, want 4", got.Basis())
	}
	if _, err := d.Transact(nil); err == nil {
		t.Fatal("a replica transacted")
	}
}
