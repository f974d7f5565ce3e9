package archive

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/steledb/stele/graphdb"
)

var update = flag.Bool("update", false, "rewrite testdata/worked_example.txt")

// TestWorkedExample publishes the package doc's worked example and
// compares the transactions with testdata/worked_example.txt, which the
// package doc quotes.
func TestWorkedExample(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	tr := newTree(t)
	tr.mkdir("docs", 0o755)
	tr.write("hello.txt", []byte("hello\n"), 0o644)
	tr.symlink("docs/link", "../hello.txt")
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	ctx := context.Background()
	if _, err := a.Publish(ctx, tr.root, PublishOptions{Message: "first", Now: now}); err != nil {
		t.Fatal(err)
	}
	tr.rename("hello.txt", "greeting.txt")
	tr.write("docs/copy.txt", []byte("hello\n"), 0o600)
	tr.remove("docs/link")
	if _, err := a.Publish(ctx, tr.root, PublishOptions{Message: "second", Now: now}); err != nil {
		t.Fatal(err)
	}
	db, _ := a.Database().DB()
	var b strings.Builder
	for pos := int64(1); pos < db.Basis(); pos++ {
		fmt.Fprintf(&b, "version %d (transaction at position %d):\n", pos+1, pos)
		for _, d := range db.TxDatoms(pos) {
			fmt.Fprintf(&b, "  %s\n", formatDatom(db, d))
		}
	}
	got := b.String()
	const golden = "testdata/worked_example.txt"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("worked example changed (go test -run WorkedExample -update):\n%s", got)
	}
}

// formatDatom writes a datom with attribute idents and bytes in hex.
func formatDatom(db *graphdb.DB, d graphdb.Datom) string {
	op := ":db/retract"
	if d.Added {
		op = ":db/add"
	}
	e := fmt.Sprint(d.E)
	if d.E.Part() == graphdb.PartTx {
		e = "tx"
	}
	attr, _ := db.IdentOf(d.A)
	v := d.V.String()
	if d.V.Kind() == graphdb.KindBytes {
		v = fmt.Sprintf("#hex %x", d.V.Bytes())
	}
	return fmt.Sprintf("[%s %s %s %s]", op, e, attr, v)
}
