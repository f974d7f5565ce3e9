package archive

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/node/dbs"
)

// ImportOptions say how to import a file of records.
type ImportOptions struct {
	Format RecordFormat
	// Dataset is the namespace of the records' attributes (:Dataset/field).
	Dataset string
	// Key is the field that identifies a record: :Dataset/Key is a
	// :db.unique/identity attribute, so records upsert by it.
	Key     string
	Message string
}

// An ImportResult says what an import changed.
type ImportResult struct {
	Version                 int64 // the new version, or the unchanged latest one
	Changed                 bool
	Records                 int // records in the file
	Added, Updated, Removed int
	Declared                []string // attributes declared by this import
}

// ImportRecords makes the graph of d (an archive's metadata database, or
// any database of a feed authored here) hold exactly the records of r
// for the dataset, as one transaction: each record is the entity whose
// key attribute has the record's key; fields whose value changed are
// asserted (the old value is retracted), fields no longer present are
// retracted, and entities whose key is no longer in the file are
// retracted. A file that changes nothing makes no transaction. See the
// package doc for names and value types.
func ImportRecords(d *dbs.Database, r io.Reader, opts ImportOptions) (ImportResult, error) {
	if err := checkDataset(opts.Dataset); err != nil {
		return ImportResult{}, err
	}
	recs, err := parseRecords(r, opts.Format)
	if err != nil {
		return ImportResult{}, err
	}
	db, err := d.DB()
	if err != nil {
		return ImportResult{}, err
	}
	im := &importer{db: db, opts: opts, recs: recs, res: ImportResult{Records: len(recs)}}
	ops, err := im.ops()
	if err != nil {
		return ImportResult{}, fmt.Errorf("import into %s: %w", d.Feed().Address(), err)
	}
	if !im.changed {
		im.res.Version = db.Basis()
		return im.res, nil
	}
	if opts.Message != "" {
		ops = append(ops, graphdb.Entity{":db/id": graphdb.TxEntity, attrMessage: opts.Message})
	}
	rep, err := d.Transact(ops)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import into %s: %w", d.Feed().Address(), err)
	}
	im.res.Version, im.res.Changed = rep.Tx+1, true
	return im.res, nil
}

// checkDataset refuses dataset names that are not keyword namespaces or
// that would mix records with stele's or the database's own attributes.
func checkDataset(name string) error {
	if name == "" || attrName(name) != name {
		return fmt.Errorf("dataset name %q: use letters, digits, '-', '_' and '.', starting with a letter", name)
	}
	if name == "db" || strings.HasPrefix(name, "db.") || strings.HasPrefix(name, "stele") {
		return fmt.Errorf("dataset name %q is reserved", name)
	}
	return nil
}

// attrName turns a field name into the name part of a keyword: characters
// other than ASCII letters, digits, '-', '_' and '.' become '_', and a
// name that does not start with a letter gets the prefix "f-" (a leading
// '_' would make :ds/_name a reverse reference).
func attrName(field string) string {
	var b strings.Builder
	for _, r := range field {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		s = "f-" + s
	}
	return s
}

// An importer builds the operations of one import.
type importer struct {
	db      *graphdb.DB
	opts    ImportOptions
	recs    []record
	res     ImportResult
	changed bool

	idents map[string]string       // field -> ident
	kinds  map[string]graphdb.Kind // field -> value type
}

func (im *importer) ops() ([]graphdb.Op, error) {
	ops, err := im.schema()
	if err != nil {
		return nil, err
	}
	keyIdent := im.idents[im.opts.Key]
	keyAttr, keyExists := im.db.Ident(keyIdent)
	seen := map[graphdb.Value]int{}
	for _, rec := range im.recs {
		desired, err := im.values(rec)
		if err != nil {
			return nil, err
		}
		key, ok := desired[keyIdent]
		if !ok {
			return nil, fmt.Errorf("line %d: no value for the key field %q", rec.line, im.opts.Key)
		}
		if first, dup := seen[key]; dup {
			return nil, fmt.Errorf("lines %d and %d have the same key %s", first, rec.line, key)
		}
		seen[key] = rec.line
		e, exists := graphdb.EID(0), false
		if keyExists {
			e, exists = im.db.Lookup(keyAttr, key)
		}
		if !exists {
			ent := graphdb.Entity{}
			for a, v := range desired {
				ent[a] = v
			}
			ops = append(ops, ent)
			im.res.Added++
			continue
		}
		if changes := diffOps(e, im.current(e), desired); len(changes) > 0 {
			ops = append(ops, changes...)
			im.res.Updated++
		}
	}
	if keyExists {
		for d := range im.db.Datoms(graphdb.AEVT, graphdb.Ref(keyAttr)) {
			if _, kept := seen[d.V]; !kept {
				ops = append(ops, graphdb.RetractEntity{E: d.E})
				im.res.Removed++
			}
		}
	}
	im.changed = im.res.Added+im.res.Updated+im.res.Removed > 0
	return ops, nil
}

// schema names every field's attribute, takes the value types of those
// already declared, infers and declares the others.
func (im *importer) schema() ([]graphdb.Op, error) {
	fields := map[string]bool{im.opts.Key: true}
	for _, rec := range im.recs {
		for f := range rec.fields {
			fields[f] = true
		}
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	im.idents, im.kinds = map[string]string{}, map[string]graphdb.Kind{}
	byIdent := map[string]string{}
	var ops []graphdb.Op
	for _, f := range names {
		ident := ":" + im.opts.Dataset + "/" + attrName(f)
		if other, clash := byIdent[ident]; clash {
			return nil, fmt.Errorf("fields %q and %q both become the attribute %s", other, f, ident)
		}
		byIdent[ident], im.idents[f] = f, ident
		op, err := im.declare(f, ident)
		if err != nil {
			return nil, err
		}
		if op != nil {
			ops = append(ops, op)
			im.res.Declared = append(im.res.Declared, ident)
		}
	}
	return ops, nil
}

// declare finds or infers the type of field f's attribute, returning the
// operation declaring it if it is new.
func (im *importer) declare(f, ident string) (graphdb.Op, error) {
	isKey := f == im.opts.Key
	if attr, ok := im.db.AttributeByIdent(ident); ok {
		if isKey && attr.Unique != graphdb.UniqueIdentity {
			return nil, fmt.Errorf("the key attribute %s exists and is not :db.unique/identity", ident)
		}
		if attr.ValueType != graphdb.KindInvalid {
			im.kinds[f] = attr.ValueType
			return nil, nil
		}
	}
	kind, err := inferKind(im.recs, f, im.opts.Format)
	if err != nil {
		return nil, err
	}
	if kind == graphdb.KindInvalid {
		return nil, fmt.Errorf("the key field %q has no values", f)
	}
	im.kinds[f] = kind
	ent := graphdb.Entity{":db/ident": graphdb.Keyword(ident), ":db/valueType": graphdb.Keyword(":db.type/" + kind.String()),
		":db/cardinality": graphdb.Keyword(":db.cardinality/one")}
	if isKey {
		ent[":db/unique"] = graphdb.Keyword(":db.unique/identity")
	}
	return ent, nil
}

// values converts a record's fields to attribute values.
func (im *importer) values(rec record) (map[string]graphdb.Value, error) {
	out := make(map[string]graphdb.Value, len(rec.fields))
	for f, raw := range rec.fields {
		v, err := toValue(raw, im.kinds[f], im.opts.Format)
		if err != nil {
			return nil, fmt.Errorf("line %d, field %q: %w (%s is declared %s)", rec.line, f, err, im.idents[f], im.kinds[f])
		}
		out[im.idents[f]] = v
	}
	return out, nil
}

// current returns e's values of the dataset's attributes.
func (im *importer) current(e graphdb.EID) map[string]graphdb.Value {
	prefix := ":" + im.opts.Dataset + "/"
	out := map[string]graphdb.Value{}
	for d := range im.db.Datoms(graphdb.EAVT, graphdb.Ref(e)) {
		if ident, ok := im.db.IdentOf(d.A); ok && strings.HasPrefix(ident, prefix) {
			out[ident] = d.V
		}
	}
	return out
}

// DatasetOf derives a dataset name from a file name: its base name
// without extension, made a keyword namespace as field names are
// ("daily weather.csv" is the dataset daily_weather).
func DatasetOf(filename string) string {
	base := filepath.Base(filename)
	return attrName(strings.TrimSuffix(base, filepath.Ext(base)))
}
