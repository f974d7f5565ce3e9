package main

import (
	"encoding/json"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
)

// addJSONFlag gives a command the --json flag.
func addJSONFlag(cmd *cobra.Command, on *bool) {
	cmd.Flags().BoolVar(on, "json", false, "print the result as JSON")
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// newTable returns a writer that aligns tab-separated columns; Flush it.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// formatTime prints a checkpoint time (Unix seconds, 0 = unknown) in UTC.
func formatTime(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

// checkpointJSON is a checkpoint in --json output.
type checkpointJSON struct {
	Size int64  `json:"size"`
	Time string `json:"time,omitempty"` // RFC 3339, UTC; absent if unknown
	Root string `json:"root"`           // base64, as in the signed note
}

func toCheckpointJSON(cp feed.SignedCheckpoint) checkpointJSON {
	c := checkpointJSON{Size: cp.Size, Root: cp.Root.String()}
	if cp.Time != 0 {
		c.Time = formatTime(cp.Time)
	}
	return c
}

// rangeJSON is a range [lo, hi) of entries in --json output.
type rangeJSON struct {
	Lo int64 `json:"lo"`
	Hi int64 `json:"hi"`
}

func toRangesJSON(rs feed.RangeSet) []rangeJSON {
	out := make([]rangeJSON, len(rs))
	for i, r := range rs {
		out[i] = rangeJSON{r.Lo, r.Hi}
	}
	return out
}

// formatRanges prints a range set for humans ("none" when empty).
func formatRanges(rs feed.RangeSet) string {
	if len(rs) == 0 {
		return "none"
	}
	return rs.String()
}
