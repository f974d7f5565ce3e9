package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
	"github.com/steledb/stele/graphdb/query"
	"github.com/steledb/stele/graphdb/txedn"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
)

// GraphsDir is where the repo keeps database snapshots.
const graphsDir = "graphs"

// withDatabase opens the repo and the graph database of a feed.
func (a *app) withDatabase(feedArg string, fn func(r *repo.Repo, d *dbs.Database) error) error {
	return a.withRepo(func(r *repo.Repo) error {
		f, err := a.lookupFeed(r, feedArg)
		if err != nil {
			return err
		}
		m := a.dbManager(r)
		d, err := m.Open(f)
		if err != nil {
			return err
		}
		err = fn(r, d)
		if a.daemon == nil {
			m.Close() // keep the snapshot for next time
		}
		return err
	})
}

// dbManager returns the daemon's database manager, or a new one.
func (a *app) dbManager(r *repo.Repo) *dbs.Manager {
	if a.daemon != nil {
		return a.daemon.dbs
	}
	return dbs.New(r.Feeds, filepath.Join(r.Path, graphsDir), nil)
}

func newTransactCmd(a *app) *cobra.Command {
	var asJSON, migrate bool
	cmd := &cobra.Command{
		Use:   "transact FEED [FILE|-]",
		Short: "Append one transaction (EDN tx-data) to a feed you author",
		Long: `Append one transaction to a feed: tx-data in the EDN syntax of Datomic and
DataScript, from FILE or standard input. Tempids, lookup refs, upserts and
retractions are resolved first; a transaction that cannot apply (unknown
lookup ref, wrong value type, unique conflict, malformed EDN) is refused
before anything is appended. Prints the transaction's position in the feed
and the entity IDs the tempids became. Changing a declared attribute's
value type, cardinality or uniqueness is a migration: pass --migrate, and
it is checked against the existing data.`,
		Example: `  echo '[{:db/ident :person/name :db/valueType :db.type/string :db/unique :db.unique/identity}]' | stele transact people
  echo '[{:db/id "ann" :person/name "Ann"}]' | stele transact people
  stele transact people changes.edn --json
  echo '[{:db/id :person/age :db/cardinality :db.cardinality/many}]' | stele transact people --migrate`,
		Args: rangeArgs(1, 2, "FEED [FILE|-]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			text, err := a.readInput(args[1:])
			if err != nil {
				return err
			}
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				db, err := d.DB()
				if err != nil {
					return err
				}
				ops, err := txedn.Parse(db, text)
				if err != nil {
					return err
				}
				transact := d.Transact
				if migrate {
					transact = d.Migrate
				}
				rep, err := transact(ops)
				if err != nil && !migrate && strings.Contains(err.Error(), "is a migration") {
					err = fmt.Errorf("%w; pass --migrate to check the change against the existing data and apply it", err)
				}
				if err != nil {
					return fmt.Errorf("transact on %s: %w", label(d.Feed()), err)
				}
				return printTxReport(a, rep, asJSON)
			})
		}),
	}
	cmd.Flags().BoolVar(&migrate, "migrate", false, "allow changes to declared attributes, checked against existing data")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// readInput reads FILE, or standard input for "-" or no argument.
func (a *app) readInput(args []string) ([]byte, error) {
	if len(args) == 0 || args[0] == "-" {
		return io.ReadAll(io.LimitReader(a.stdin, 64<<20))
	}
	return os.ReadFile(a.abs(args[0]))
}

func printTxReport(a *app, r *graphdb.Report, asJSON bool) error {
	tempids := map[string]int64{}
	for t, e := range r.TempIDs {
		tempids[t.String()] = int64(e)
	}
	if asJSON {
		return writeJSON(a.stdout, struct {
			Tx      int64            `json:"tx"`
			TempIDs map[string]int64 `json:"tempids"`
			Datoms  int              `json:"datoms"`
		}{r.Tx, tempids, len(r.Datoms)})
	}
	fmt.Fprintf(a.stdout, "transaction %d: %d datom%s\n", r.Tx, len(r.Datoms), plural(len(r.Datoms)))
	names := make([]string, 0, len(tempids))
	for n := range tempids {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(a.stdout, "  %s -> %d\n", n, tempids[n])
	}
	return nil
}

func newHistoryCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history FEED ENTITY",
		Short: "Every change to an entity: transaction, time, attribute, old and new value",
		Long: `Show every change ever made to an entity, oldest first. ENTITY is an entity
ID, a lookup ref such as '[:person/name "Ann"]', or an ident such as
:status/active.`,
		Example: `  stele history people '[:person/name "Ann"]'
  stele history people 17 --json`,
		Args: exactArgs(2, "FEED ENTITY"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				db, err := d.DB()
				if err != nil {
					return err
				}
				e, err := resolveEntity(db, args[1])
				if err != nil {
					return err
				}
				return printChanges(a, db, entityChanges(db, e), asJSON)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// A change is what one transaction did to one attribute of one entity.
type change struct {
	Tx     int64    `json:"tx"`
	Time   string   `json:"time,omitempty"`
	Entity int64    `json:"entity"`
	Attr   string   `json:"attribute"`
	Old    []string `json:"old"`
	New    []string `json:"new"`
}

// entityChanges groups the history datoms of e by transaction and attribute.
func entityChanges(db *graphdb.DB, e graphdb.EID) []change {
	var out []change
	index := map[[2]int64]int{}
	for d := range db.History().Datoms(graphdb.EAVT, graphdb.Ref(e)) {
		key := [2]int64{d.Tx, int64(d.A)}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, change{Tx: d.Tx, Time: txTime(db, d.Tx), Entity: int64(e), Attr: attrName(db, d.A)})
		}
		if d.Added {
			out[i].New = append(out[i].New, formatValue(d.V))
		} else {
			out[i].Old = append(out[i].Old, formatValue(d.V))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Tx < out[j].Tx })
	return out
}

func printChanges(a *app, db *graphdb.DB, changes []change, asJSON bool) error {
	if asJSON {
		if changes == nil {
			changes = []change{}
		}
		return writeJSON(a.stdout, changes)
	}
	t := newTable(a.stdout)
	fmt.Fprintln(t, "TX\tTIME\tENTITY\tATTRIBUTE\tOLD\tNEW")
	for _, c := range changes {
		fmt.Fprintf(t, "%d\t%s\t%d\t%s\t%s\t%s\n", c.Tx, orDash(c.Time), c.Entity, c.Attr, joinOrDash(c.Old), joinOrDash(c.New))
	}
	return t.Flush()
}

func joinOrDash(vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	return strings.Join(vs, " ")
}

func newDiffCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff FEED V1 V2",
		Short: "The datoms asserted and retracted between two versions of a feed's database",
		Long: `Show what changed between version V1 and version V2 (V1 <= V2) of a feed's
database: the datoms the transactions at positions V1 to V2-1 asserted (+)
and retracted (-). Version N is the database made of the feed's first N
entries.`,
		Example: `  stele diff people 3 7
  stele diff people 0 10 --json`,
		Args: exactArgs(3, "FEED V1 V2"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			v1, err1 := strconv.ParseInt(args[1], 10, 64)
			v2, err2 := strconv.ParseInt(args[2], 10, 64)
			if err1 != nil || err2 != nil || v1 < 0 || v2 < v1 {
				return usagef("versions %q %q: want 0 <= V1 <= V2", args[1], args[2])
			}
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				db, err := d.DB()
				if err != nil {
					return err
				}
				if v2 > db.Basis() {
					return fmt.Errorf("version %d is past the database's latest version %d", v2, db.Basis())
				}
				return printDatoms(a, db, db.Diff(v1, v2), asJSON)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// datomJSON is a datom in --json output.
type datomJSON struct {
	E     int64  `json:"e"`
	A     string `json:"a"`
	V     string `json:"v"`
	Tx    int64  `json:"tx"`
	Added bool   `json:"added"`
}

func printDatoms(a *app, db *graphdb.DB, ds []graphdb.Datom, asJSON bool) error {
	if asJSON {
		out := make([]datomJSON, len(ds))
		for i, d := range ds {
			out[i] = datomJSON{int64(d.E), attrName(db, d.A), formatValue(d.V), d.Tx, d.Added}
		}
		return writeJSON(a.stdout, out)
	}
	for _, d := range ds {
		op := "-"
		if d.Added {
			op = "+"
		}
		fmt.Fprintf(a.stdout, "%s [%d %s %s %d]\n", op, d.E, attrName(db, d.A), formatValue(d.V), d.Tx)
	}
	return nil
}

// resolveEntity reads an entity argument: an ID, a lookup ref or an
// ident, resolved as queries resolve them (query.EntityOf).
func resolveEntity(db *graphdb.DB, arg string) (graphdb.EID, error) {
	form, err := edn.Parse([]byte(arg))
	if err != nil {
		return 0, fmt.Errorf("entity %q: want an ID, a lookup ref or an ident: %w", arg, err)
	}
	if n, ok := form.(int64); ok && n <= 0 {
		return 0, fmt.Errorf("entity %q: IDs are positive", arg)
	}
	en, ok := query.EntityOf(db, form)
	if !ok {
		return 0, fmt.Errorf("entity %q not found", arg)
	}
	return en.ID(), nil
}

func attrName(db *graphdb.DB, a graphdb.EID) string {
	if name, ok := db.IdentOf(a); ok {
		return name
	}
	return strconv.FormatUint(uint64(a), 10)
}

// txTime is the :db/txInstant of the transaction at pos, if it has one.
func txTime(db *graphdb.DB, pos int64) string {
	a, ok := db.Ident(":db/txInstant")
	if !ok {
		return ""
	}
	v, ok := db.Value(graphdb.TxEID(pos), a)
	if !ok {
		return ""
	}
	return v.Time().Format(time.RFC3339)
}

// formatValue prints a value as EDN.
func formatValue(v graphdb.Value) string {
	return string(edn.Format(toEDN(v)))
}

// toEDN converts a stored value to its EDN form.
func toEDN(v graphdb.Value) edn.Value {
	switch v.Kind() {
	case graphdb.KindString:
		return v.Str()
	case graphdb.KindLong:
		return v.Long()
	case graphdb.KindDouble:
		return v.Double()
	case graphdb.KindBool:
		return v.Bool()
	case graphdb.KindInstant:
		return v.Time()
	case graphdb.KindUUID:
		return edn.UUID(v.UUID())
	case graphdb.KindKeyword:
		return edn.K(strings.TrimPrefix(v.Str(), ":"))
	case graphdb.KindBytes:
		return edn.Tagged{Tag: edn.Sym("stele/bytes"), Value: base64.StdEncoding.EncodeToString(v.Bytes())}
	case graphdb.KindRef:
		return int64(v.Ref())
	}
	return v.String()
}
