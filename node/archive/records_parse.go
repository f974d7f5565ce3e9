package archive

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/steledb/stele/graphdb"
)

// A RecordFormat is the syntax of a file of records.
type RecordFormat int

// Record formats.
const (
	CSV   RecordFormat = iota + 1 // a header line naming the fields, then one record per line (RFC 4180)
	JSONL                         // one JSON object per line (JSON Lines, NDJSON)
)

// RecordFormatOf picks the format from a file name's extension: .csv, or
// .jsonl / .ndjson.
func RecordFormatOf(name string) (RecordFormat, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: want a .csv, .jsonl or .ndjson file", name)
}

// A record is one line of a file: its fields' raw values (CSV: the text
// of non-empty cells; JSONL: decoded JSON, json.Number for numbers,
// without nulls).
type record struct {
	line   int
	fields map[string]any
}

// maxRecordLine bounds one JSONL line or CSV record.
const maxRecordLine = 16 << 20

// parseRecords reads every record of r.
func parseRecords(r io.Reader, format RecordFormat) ([]record, error) {
	switch format {
	case CSV:
		return parseCSV(r)
	case JSONL:
		return parseJSONL(r)
	}
	return nil, fmt.Errorf("unknown record format %d", format)
}

func parseCSV(r io.Reader) ([]record, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("CSV: no header line naming the fields")
	}
	if err != nil {
		return nil, fmt.Errorf("CSV: %w", err)
	}
	seen := map[string]bool{}
	for _, h := range header {
		if h == "" || seen[h] {
			return nil, fmt.Errorf("CSV header: field names must be distinct and not empty, got %q", header)
		}
		seen[h] = true
	}
	var out []record
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rec := record{line: line, fields: map[string]any{}}
		for i, cell := range row {
			if cell != "" {
				rec.fields[header[i]] = cell
			}
		}
		out = append(out, rec)
	}
}

func parseJSONL(r io.Reader) ([]record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxRecordLine)
	var out []record
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			return nil, fmt.Errorf("JSONL line %d: want one JSON object per line", line)
		}
		rec := record{line: line, fields: map[string]any{}}
		for k, v := range obj {
			if v != nil {
				rec.fields[k] = v
			}
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("JSONL: %w", err)
	}
	return out, nil
}

// inferKind returns the value type of a field from its values in every
// record (see the package doc): CSV cells are longs if all are integers
// in canonical form, doubles if all are numbers, booleans if all are true
// or false, strings otherwise; JSON values keep their JSON type, integers
// and fractions together making doubles, objects and arrays being stored
// as their JSON text.
func inferKind(recs []record, field string, format RecordFormat) (graphdb.Kind, error) {
	kind, firstLine := graphdb.KindInvalid, 0
	for _, rec := range recs {
		v, ok := rec.fields[field]
		if !ok {
			continue
		}
		k := rawKind(v, format)
		switch {
		case kind == graphdb.KindInvalid:
			kind, firstLine = k, rec.line
		case kind == k:
		case isNumber(kind) && isNumber(k):
			kind = graphdb.KindDouble
		case format == CSV:
			kind = graphdb.KindString
		default:
			return 0, fmt.Errorf("field %q holds a %s at line %d and a %s at line %d: one field needs one type", field, kind, firstLine, k, rec.line)
		}
	}
	return kind, nil
}

func isNumber(k graphdb.Kind) bool { return k == graphdb.KindLong || k == graphdb.KindDouble }

// rawKind is the type a single raw value suggests.
func rawKind(v any, format RecordFormat) graphdb.Kind {
	switch v := v.(type) {
	case string:
		if format == JSONL {
			return graphdb.KindString
		}
		if _, ok := canonicalLong(v); ok {
			return graphdb.KindLong
		}
		if _, ok := plainDouble(v); ok {
			return graphdb.KindDouble
		}
		if v == "true" || v == "false" {
			return graphdb.KindBool
		}
		return graphdb.KindString
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err == nil {
			return graphdb.KindLong
		}
		return graphdb.KindDouble
	case bool:
		return graphdb.KindBool
	}
	return graphdb.KindString // objects and arrays
}

// canonicalLong parses an integer written as strconv would write it, so
// "007" and "+7" (identifiers, codes) stay strings.
func canonicalLong(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && strconv.FormatInt(n, 10) == s
}

// plainDouble parses a number written in JSON's syntax ("1.5", "-2e3";
// not "007", "+1", ".5", "NaN" or hexadecimal), finite as a float64.
func plainDouble(s string) (float64, bool) {
	if !isJSONNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// isJSONNumber reports whether s is -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if n := digits(); n == 0 || n > 1 && s[i-n] == '0' {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// toValue converts a raw value to the field's declared type. Text
// converts to other types only from CSV: in JSON, "42" is a string.
func toValue(v any, kind graphdb.Kind, format RecordFormat) (graphdb.Value, error) {
	text, isText := v.(string)
	if isText && format == JSONL && kind != graphdb.KindString {
		return graphdb.Value{}, fmt.Errorf("%s is not a %s", describeRaw(v), kind)
	}
	switch kind {
	case graphdb.KindString:
		if isText {
			return graphdb.String(text), nil
		}
		if _, isNum := v.(json.Number); !isNum {
			if _, isBool := v.(bool); !isBool {
				b, err := json.Marshal(v)
				return graphdb.String(string(b)), err
			}
		}
	case graphdb.KindLong:
		if n, ok := v.(json.Number); ok {
			text, isText = n.String(), true
		}
		if i, err := strconv.ParseInt(text, 10, 64); isText && err == nil {
			return graphdb.Long(i), nil
		}
	case graphdb.KindDouble:
		if n, ok := v.(json.Number); ok {
			text, isText = n.String(), true
		}
		if f, ok := plainDouble(text); isText && ok {
			return graphdb.Double(f), nil
		}
	case graphdb.KindBool:
		if b, ok := v.(bool); ok {
			return graphdb.Bool(b), nil
		}
		if isText && (text == "true" || text == "false") {
			return graphdb.Bool(text == "true"), nil
		}
	default:
		return graphdb.Value{}, fmt.Errorf("the attribute's type is %s, which import cannot write", kind)
	}
	return graphdb.Value{}, fmt.Errorf("%s is not a %s", describeRaw(v), kind)
}

func describeRaw(v any) string {
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
