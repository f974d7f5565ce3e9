package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/node/archive"
	"github.com/steledb/stele/node/dbs"
	"github.com/steledb/stele/node/repo"
)

func newArchiveImportCmd(a *app) *cobra.Command {
	var key, dataset, message string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import ARCHIVE FILE.csv|FILE.jsonl --key FIELD",
		Short: "Import records into an archive's graph: one entity per record, upserted by key",
		Long: `Make the graph of ARCHIVE (an archive, or any feed you author) hold exactly
the records of a CSV file (a header line naming the fields) or a JSON
Lines file (one object per line), as one new version.

Each record is an entity; its fields are the attributes :DATASET/FIELD
(DATASET defaults to the file's name without extension) and the key field
is a unique identity, so importing again updates records in place:
changed fields replace the old values, fields gone are retracted, and
records no longer in the file are retracted. Importing a file that
changes nothing makes no version. The history of every record, and
Datalog queries over the records, work as for any graph.

Value types are inferred by the first import that sees a field, and
declared: CSV cells that are all integers (written canonically: "007"
stays a string) are longs, all numbers doubles, all true/false booleans,
otherwise strings; JSON values keep their JSON type (integers and
fractions together are doubles; objects and arrays are stored as JSON
text). Empty cells and nulls are no value. Later imports must fit the
declared types.`,
		Example: `  stele import weather stations.csv --key id
  stele import weather readings.jsonl --key reading_id --dataset reading -m "March readings"`,
		Args: exactArgs(2, "ARCHIVE and FILE"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return usagef("--key FIELD is required: the field that identifies a record")
			}
			format, err := archive.RecordFormatOf(args[1])
			if err != nil {
				return usageError{err}
			}
			if dataset == "" {
				dataset = archive.DatasetOf(args[1])
			}
			if message == "" {
				message = "import " + filepath.Base(args[1])
			}
			file, err := os.Open(a.abs(args[1]))
			if err != nil {
				return err
			}
			defer file.Close()
			return a.withDatabase(args[0], func(_ *repo.Repo, d *dbs.Database) error {
				res, err := archive.ImportRecords(d, file, archive.ImportOptions{Format: format, Dataset: dataset, Key: key, Message: message})
				if err != nil {
					return explainTooLarge(err)
				}
				return printImport(a, d, res, asJSON)
			})
		}),
	}
	cmd.Flags().StringVar(&key, "key", "", "the field that identifies a record (required)")
	cmd.Flags().StringVar(&dataset, "dataset", "", "the attribute namespace (default: the file's name)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "what the version is about (default: import FILE)")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

type recordImportJSON struct {
	Feed     string   `json:"feed"`
	Version  int64    `json:"version"`
	Changed  bool     `json:"changed"`
	Records  int      `json:"records"`
	Added    int      `json:"added"`
	Updated  int      `json:"updated"`
	Removed  int      `json:"removed"`
	Declared []string `json:"declared"`
}

func printImport(a *app, d *dbs.Database, res archive.ImportResult, asJSON bool) error {
	if asJSON {
		declared := res.Declared
		if declared == nil {
			declared = []string{}
		}
		return writeJSON(a.stdout, recordImportJSON{d.Feed().Address(), res.Version, res.Changed, res.Records,
			res.Added, res.Updated, res.Removed, declared})
	}
	if !res.Changed {
		fmt.Fprintf(a.stdout, "%d records: nothing changed (version %d)\n", res.Records, res.Version)
		return nil
	}
	fmt.Fprintf(a.stdout, "%d records: version %d: %d added, %d updated, %d removed\n", res.Records, res.Version, res.Added, res.Updated, res.Removed)
	for _, attr := range res.Declared {
		fmt.Fprintf(a.stdout, "  declared %s\n", attr)
	}
	return nil
}
