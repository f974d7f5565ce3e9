package archive

import (
	"context"
	"strings"
	"testing"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/node/dbs"
)

func importText(t *testing.T, d *dbs.Database, format RecordFormat, text string) (ImportResult, error) {
	t.Helper()
	return ImportRecords(d, strings.NewReader(text), ImportOptions{Format: format, Dataset: "people", Key: "id", Message: "import"})
}

func mustImport(t *testing.T, d *dbs.Database, format RecordFormat, text string) ImportResult {
	t.Helper()
	res, err := importText(t, d, format, text)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// value reads attribute ident of the record with key id.
func value(t *testing.T, d *dbs.Database, id graphdb.Value, ident string) (graphdb.Value, bool) {
	t.Helper()
	db, _ := d.DB()
	key, _ := db.Ident(":people/id")
	e, ok := db.Lookup(key, id)
	if !ok {
		return graphdb.Value{}, false
	}
	a, ok := db.Ident(ident)
	if !ok {
		return graphdb.Value{}, false
	}
	return db.Value(e, a)
}

func TestImportCSV(t *testing.T) {
	s := testArchives(t)
	a := newArchive(t, s)
	d := a.Database()
	v1 := "\xef\xbb\xbfid,name,age,score,active,zip\n1,Ann,41,1.5,true,007\n2,Bob,35,2,false,10115\n3,Cy,,3,true,\n"
	res := mustImport(t, d, CSV, v1)
	if !res.Changed || res.Added != 3 || res.Records != 3 || strings.Join(res.Declared, " ") != ":people/active :people/age :people/id :people/name :people/score :people/zip" {
		t.Fatalf("first import: %+v", res)
	}
	db, _ := d.DB()
	for ident, kind := range map[string]graphdb.Kind{":people/id": graphdb.KindLong, ":people/name": graphdb.KindString,
		":people/age": graphdb.KindLong, ":people/score": graphdb.KindDouble, ":people/active": graphdb.KindBool, ":people/zip": graphdb.KindString} {
		if attr, _ := db.AttributeByIdent(ident); attr.ValueType != kind {
			t.Errorf("%s: type %s, want %s", ident, attr.ValueType, kind)
		}
	}
	if v, ok := value(t, d, graphdb.Long(1), ":people/zip"); !ok || v != graphdb.String("007") {
		t.Errorf("zip of 1: %v", v)
	}
	if _, ok := value(t, d, graphdb.Long(3), ":people/age"); ok {
		t.Error("an empty cell made a value")
	}

	// The same file again changes nothing and appends nothing.
	before := d.Feed().Len()
	if res := mustImport(t, d, CSV, v1); res.Changed || d.Feed().Len() != before {
		t.Errorf("re-import of the same file: %+v, feed %d -> %d", res, before, d.Feed().Len())
	}

	// Ann ages, Bob loses his score, Cy leaves, Dee arrives.
	v2 := "id,name,age,score,active,zip\n1,Ann,42,1.5,true,007\n2,Bob,35,,false,10115\n4,Dee,29,4.25,false,\n"
	res = mustImport(t, d, CSV, v2)
	if !res.Changed || res.Added != 1 || res.Updated != 2 || res.Removed != 1 || len(res.Declared) != 0 {
		t.Errorf("second import: %+v", res)
	}
	if d.Feed().Len() != before+1 {
		t.Errorf("the change took %d transactions", d.Feed().Len()-before)
	}
	if v, _ := value(t, d, graphdb.Long(1), ":people/age"); v != graphdb.Long(42) {
		t.Errorf("Ann's age: %v", v)
	}
	if _, ok := value(t, d, graphdb.Long(2), ":people/score"); ok {
		t.Error("Bob's removed score is still there")
	}
	if _, ok := value(t, d, graphdb.Long(3), ":people/name"); ok {
		t.Error("Cy is still there")
	}
	// The version holds just the changes, and Ann's history shows both ages.
	db, _ = d.DB()
	changes := db.TxDatoms(db.Basis() - 1)
	ages := []string{}
	for _, dt := range changes {
		if ident, _ := db.IdentOf(dt.A); ident == ":people/age" && dt.E == mustLookup(t, db, 1) {
			ages = append(ages, dt.V.String())
		}
	}
	if strings.Join(ages, " ") != "41 42" {
		t.Errorf("Ann's age change in the version: %v", ages)
	}
	// Ann's age (2), Bob's score (1), Dee (5), Cy (4), time and message (2).
	if n := len(changes); n != 14 {
		t.Errorf("the version holds %d datoms, want 14", n)
	}
	versions, _ := a.Versions()
	if last := versions[len(versions)-1]; last.RecordsChanged != 4 || last.FilesChanged != 0 || last.Message != "import" {
		t.Errorf("versions: %+v", last)
	}
}

func mustLookup(t *testing.T, db *graphdb.DB, id int64) graphdb.EID {
	key, _ := db.Ident(":people/id")
	e, ok := db.Lookup(key, graphdb.Long(id))
	if !ok {
		t.Fatalf("no record %d", id)
	}
	return e
}

func TestImportJSONL(t *testing.T) {
	s := testArchives(t)
	d := newArchive(t, s).Database()
	v1 := `{"id": "a", "n": 1, "x": 1, "tags": ["p", "q"], "meta": {"k": true}, "gone": null}
{"id": "b", "n": 2, "x": 2.5, "ok": false}

{"id": "c", "n": 3}
`
	res := mustImport(t, d, JSONL, v1)
	if res.Added != 3 {
		t.Fatalf("first import: %+v", res)
	}
	db, _ := d.DB()
	for ident, kind := range map[string]graphdb.Kind{":people/id": graphdb.KindString, ":people/n": graphdb.KindLong,
		":people/x": graphdb.KindDouble, ":people/tags": graphdb.KindString, ":people/ok": graphdb.KindBool} {
		if attr, _ := db.AttributeByIdent(ident); attr.ValueType != kind {
			t.Errorf("%s: type %s, want %s", ident, attr.ValueType, kind)
		}
	}
	if _, ok := db.Ident(":people/gone"); ok {
		t.Error("a null field was declared")
	}
	if v, _ := value(t, d, graphdb.String("a"), ":people/meta"); v != graphdb.String(`{"k":true}`) {
		t.Errorf("nested object: %v", v)
	}
	if v, _ := value(t, d, graphdb.String("a"), ":people/x"); v != graphdb.Double(1) {
		t.Errorf("x of a: %v", v)
	}
	if res := mustImport(t, d, JSONL, v1); res.Changed {
		t.Errorf("re-import: %+v", res)
	}
	res = mustImport(t, d, JSONL, `{"id": "a", "n": 10, "x": 1, "tags": ["p", "q"], "meta": {"k": true}}`+"\n")
	if res.Updated != 1 || res.Removed != 2 {
		t.Errorf("second import: %+v", res)
	}
}

func TestImportErrors(t *testing.T) {
	s := testArchives(t)
	d := newArchive(t, s).Database()
	mustImport(t, d, CSV, "id,age\n1,41\n")
	for _, tt := range []struct {
		format RecordFormat
		text   string
		want   string
	}{
		{CSV, "id,age\n1,old\n", `line 2, field "age": "old" is not a long`},
		{CSV, "id,age\n1,2\n1,3\n", "lines 2 and 3 have the same key 1"},
		{CSV, "id,age\n,2\n", `line 2: no value for the key field "id"`},
		{CSV, "", "no header"},
		{CSV, "id,id\n1,2\n", "distinct"},
		{CSV, "id,age\n1,2,3\n", "wrong number of fields"},
		{JSONL, `{"id": 5, "v": "x"}` + "\n" + `{"id": 6, "v": 1}` + "\n", `field "v" holds a string at line 1 and a long at line 2`},
		{JSONL, "[1]\n", "line 1: want one JSON object"},
		{JSONL, `{"id": "1"}` + "\n", `"1" is not a long`},
		{JSONL, `{"id": 1} {"id": 2}` + "\n", "line 1"},
	} {
		if _, err := importText(t, d, tt.format, tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("import %q: %v, want %q", tt.text, err, tt.want)
		}
	}
	for _, name := range []string{"", "stele", "stele.file", "db", "1x", "a b", "_x"} {
		if _, err := ImportRecords(d, strings.NewReader("id\n1\n"), ImportOptions{Format: CSV, Dataset: name, Key: "id"}); err == nil {
			t.Errorf("dataset %q accepted", name)
		}
	}
	if _, err := ImportRecords(d, strings.NewReader("id,x\n1,2\n"), ImportOptions{Format: CSV, Dataset: "people", Key: "age"}); err == nil ||
		!strings.Contains(err.Error(), "not :db.unique/identity") {
		t.Errorf("key on a non-unique attribute: %v", err)
	}
}

func TestNumberSyntax(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "-1": true, "1.5": true, "-2e3": true, "1E+2": true, "0.0": true,
		"007": false, "+1": false, ".5": false, "1.": false, "NaN": false, "Inf": false, "0x10": false, "1e": false, "": false, "-": false, "1_000": false} {
		if _, got := plainDouble(s); got != want {
			t.Errorf("plainDouble(%q) ok = %v", s, got)
		}
	}
}

func TestAttrNames(t *testing.T) {
	for field, want := range map[string]string{"name": "name", "First Name": "First_Name", "_id": "f-_id", "1st": "f-1st",
		"é": "f-_", "a.b-c_d": "a.b-c_d", "": "f-"} {
		if got := attrName(field); got != want {
			t.Errorf("attrName(%q) = %q, want %q", field, got, want)
		}
	}
	if _, err := RecordFormatOf("x.txt"); err == nil {
		t.Error("x.txt has a record format")
	}
	if f, _ := RecordFormatOf("X.NDJSON"); f != JSONL {
		t.Error("X.NDJSON is not JSONL")
	}
}

// TestImportIntoPlainFeed imports into the database of a plain feed.
func TestImportIntoPlainFeed(t *testing.T) {
	s := testArchives(t)
	f, _ := s.Feeds.Create("plain")
	d, err := s.DBs.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	if res := mustImport(t, d, CSV, "id,x\n1,2\n"); res.Version != 1 {
		t.Errorf("import into an empty feed: %+v", res)
	}
	if _, err := s.Open(context.Background(), "plain"); err == nil {
		t.Error("a feed of records opened as an archive")
	}
}

// FuzzParseRecords feeds arbitrary bytes to both record parsers and the
// type inference: nothing panics, and every inferred type converts every
// value of its field.
func FuzzParseRecords(f *testing.F) {
	f.Add([]byte("id,name,age\n1,Ann,41\n2,\"B, b\",x\n"))
	f.Add([]byte(`{"id": 1, "x": [1, {"y": null}], "z": 1.5e3}` + "\n{\"id\": \"2\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []RecordFormat{CSV, JSONL} {
			recs, err := parseRecords(strings.NewReader(string(data)), format)
			if err != nil {
				continue
			}
			for _, rec := range recs {
				for field, raw := range rec.fields {
					kind, err := inferKind(recs, field, format)
					if err != nil {
						continue
					}
					if _, err := toValue(raw, kind, format); err != nil {
						t.Fatalf("%v: field %q inferred %s but %v", format, field, kind, err)
					}
				}
			}
		}
	})
}
