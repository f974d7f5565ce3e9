package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/graphdb"
	"github.com/steledb/stele/graphdb/edn"
	"github.com/steledb/stele/graphdb/query"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
)

// timeFlags are the time-travel options of query.
type timeFlags struct {
	asOf, since int64
	history     bool
}

func (tf *timeFlags) add(cmd *cobra.Command) {
	cmd.Flags().Int64Var(&tf.asOf, "as-of", -1, "query the database as of version N (its first N entries)")
	cmd.Flags().Int64Var(&tf.since, "since", -1, "query only what was asserted at version N or later")
	cmd.Flags().BoolVar(&tf.history, "history", false, "query every datom ever asserted or retracted (patterns may bind ?tx ?added)")
}

// view applies the time flags to db.
func (tf *timeFlags) view(db *graphdb.DB) (*graphdb.DB, error) {
	if tf.asOf > db.Basis() {
		return nil, fmt.Errorf("--as-of %d is past the database's latest version %d", tf.asOf, db.Basis())
	}
	if tf.asOf >= 0 {
		db = db.AsOf(tf.asOf)
	}
	if tf.since >= 0 {
		db = db.Since(tf.since)
	}
	if tf.history {
		db = db.History()
	}
	return db, nil
}

// queryInputs parses a query and the EDN inputs that follow $.
func queryInputs(text string, args []string) (*query.Query, []any, error) {
	q, err := query.Parse([]byte(text))
	if err != nil {
		return nil, nil, err
	}
	inputs := make([]any, 0, len(args))
	for i, arg := range args {
		v, err := edn.Parse([]byte(arg))
		if err != nil {
			return nil, nil, fmt.Errorf("input %d %q: %w", i+1, arg, err)
		}
		inputs = append(inputs, v)
	}
	return q, inputs, nil
}

func newQueryCmd(a *app) *cobra.Command {
	var asJSON bool
	var tf timeFlags
	cmd := &cobra.Command{
		Use:   "query FEED QUERY [INPUT...]",
		Short: "Run a Datalog query (the Datomic/DataScript dialect) on a feed's database",
		Long: `Run a Datalog query on the graph database of FEED: the dialect of Datomic
and DataScript, in EDN ([:find ... :in ... :where ...]), so a query written
for DataScript runs unchanged. INPUTs are EDN values bound to the query's
:in after $. Results print as EDN (--json: JSON arrays). --as-of, --since
and --history query the database at a version, since one, or its whole
history.`,
		Example: `  stele query people '[:find ?n :where [?e :person/name ?n]]'
  stele query people '[:find ?e . :in $ ?n :where [?e :person/name ?n]]' '"Ann"'
  stele query people '[:find ?a ?tx ?added :where [?e :person/age ?a ?tx ?added]]' --history --json`,
		Args: minArgs(2, "FEED QUERY [INPUT...]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			q, inputs, err := queryInputs(args[1], args[2:])
			if err != nil {
				return usagef("%v", err)
			}
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				db, err := d.DB()
				if err != nil {
					return err
				}
				if db, err = tf.view(db); err != nil {
					return err
				}
				res, err := q.Run(append([]any{db}, inputs...)...)
				if err != nil {
					return err
				}
				return a.printEDN(res, asJSON)
			})
		}),
	}
	tf.add(cmd)
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newGraphPullCmd(a *app) *cobra.Command {
	var asJSON bool
	var asOf int64
	cmd := &cobra.Command{
		Use:   "pull FEED PATTERN ENTITY",
		Short: "Pull an entity's attributes by a pattern (nested and reverse refs included)",
		Long: `Pull ENTITY (an ID, a lookup ref or an ident) from FEED's database by a pull
pattern, as Datomic and DataScript do: attributes, nested patterns for
refs, reverse refs (:person/_friend), wildcards (*), limits and defaults.`,
		Example: `  stele pull people '[*]' '[:person/name "Ann"]'
  stele pull people '[:person/name {:person/friend [:person/name]}]' 1 --json`,
		Args: exactArgs(3, "FEED PATTERN ENTITY"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			form, err := edn.Parse([]byte(args[1]))
			if err != nil {
				return usagef("pattern: %v", err)
			}
			pattern, err := query.ParsePull(form)
			if err != nil {
				return usagef("%v", err)
			}
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				db, err := d.DB()
				if err != nil {
					return err
				}
				if asOf >= 0 {
					db = db.AsOf(asOf)
				}
				e, err := resolveEntity(db, args[2])
				if err != nil {
					return err
				}
				res, err := query.PullEntity(db, pattern, int64(e))
				if err != nil {
					return err
				}
				return a.printEDN(res, asJSON)
			})
		}),
	}
	cmd.Flags().Int64Var(&asOf, "as-of", -1, "pull from the database as of version N")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newWatchCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "watch FEED QUERY [INPUT...]",
		Short: "Print a query's result, then its changes as each transaction arrives, until interrupted",
		Long: `Register QUERY as a live query on FEED's database: print its result, then,
as each new transaction is materialized (appended here, or replicated from
the swarm), the rows added (+) and removed (-). Transactions that cannot
affect the query do not re-run it. Runs until interrupted.`,
		Example: `  stele watch people '[:find ?n :where [?e :person/name ?n]]'
  stele watch people '[:find (count ?e) . :where [?e :person/name]]' --json`,
		Args: minArgs(2, "FEED QUERY [INPUT...]"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			q, inputs, err := queryInputs(args[1], args[2:])
			if err != nil {
				return usagef("%v", err)
			}
			ctx, stop := a.interruptible()
			defer stop()
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				return a.watch(ctx, d, q, inputs, asJSON)
			})
		}),
	}
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// watch runs a live query until ctx ends.
func (a *app) watch(ctx context.Context, d *dbs.Database, q *query.Query, inputs []any, asJSON bool) error {
	changed := d.Feed().Watch()
	db, err := d.DB()
	if err != nil {
		return err
	}
	live, res, err := query.NewLive(q, nil, append([]any{db}, inputs...)...)
	if err != nil {
		return err
	}
	if err := a.printEDN(res, asJSON); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
		changed = d.Feed().Watch()
		reports, err := d.ReportsSince(db.Basis())
		if err != nil {
			return err
		}
		if len(reports) > 0 {
			db = reports[len(reports)-1].After
		}
		for _, r := range reports {
			ch, err := live.Apply(r)
			if err != nil {
				return err
			}
			if err := a.printChange(ch, asJSON); err != nil {
				return err
			}
		}
	}
}

func (a *app) printChange(ch query.Change, asJSON bool) error {
	if !ch.Changed() {
		return nil
	}
	if asJSON {
		return writeJSONLine(a.stdout, map[string]any{"tx": ch.Tx, "added": toJSONList(ch.Added), "removed": toJSONList(ch.Removed)})
	}
	for _, row := range ch.Removed {
		fmt.Fprintf(a.stdout, "- %s\n", edn.Format(row))
	}
	for _, row := range ch.Added {
		fmt.Fprintf(a.stdout, "+ %s\n", edn.Format(row))
	}
	return nil
}

func toJSONList(vs []edn.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = ednToJSON(v)
	}
	return out
}

// printEDN prints a result as EDN (pretty when long) or JSON.
func (a *app) printEDN(v edn.Value, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, ednToJSON(v))
	}
	_, err := fmt.Fprintf(a.stdout, "%s\n", edn.FormatPretty(v, 100))
	return err
}

// ednToJSON converts a result to JSON values: collections to arrays, maps
// to objects (keys printed as EDN when not strings), keywords to ":ns/name"
// strings, instants to RFC 3339, bytes to base64.
func ednToJSON(v edn.Value) any {
	switch v := v.(type) {
	case nil, bool, string, int64, float64:
		return v
	case *big.Int:
		return v.String()
	case edn.Keyword, edn.Symbol, edn.UUID, edn.Char, edn.BigDecimal:
		return string(edn.Format(v))
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case edn.Vector:
		return toJSONList(v)
	case edn.List:
		return toJSONList(v)
	case *edn.Set:
		return toJSONList(v.Elements())
	case *edn.Map:
		obj := make(map[string]any, v.Len())
		for _, kv := range v.Entries() {
			key, ok := kv.Key.(string)
			if !ok {
				key = string(edn.Format(kv.Key))
			}
			obj[key] = ednToJSON(kv.Value)
		}
		return obj
	case edn.Tagged:
		return ednToJSON(v.Value)
	}
	return string(edn.Format(v))
}

// writeJSONLine writes v as one line of JSON (for streams of changes).
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// newPullCmd is one "pull" for two jobs, told apart by their arguments:
// "pull [DIR]" brings an archive clone up to date (issue 5), "pull FEED
// PATTERN ENTITY" pulls an entity from a feed's graph (issue 3).
func newPullCmd(a *app) *cobra.Command {
	cmd := newArchivePullCmd(a)
	graph := newGraphPullCmd(a)
	archiveRun, archiveArgs := cmd.RunE, cmd.Args
	cmd.Use = "pull [DIR] | pull FEED PATTERN ENTITY"
	cmd.Short = "Bring an archive clone up to date, or pull an entity from a feed's graph by a pattern"
	cmd.Long += "\n\nWith three arguments, FEED PATTERN ENTITY:\n\n" + graph.Long
	cmd.Example += "\n" + graph.Example
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 3 {
			return nil
		}
		return archiveArgs(c, args)
	}
	cmd.Flags().AddFlagSet(graph.Flags())
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 3 {
			return graph.RunE(c, args)
		}
		return archiveRun(c, args)
	}
	return cmd
}
