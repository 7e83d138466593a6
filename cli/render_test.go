package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// TestRenderGolden renders hand-built results, including shapes the engine
// cannot produce yet (pull-query rows), in every format and at a narrow
// width, into testdata/cli/render.golden.
func TestRenderGolden(t *testing.T) {
	obj := &Object{Keys: []string{"CITY", "ZIP"}, Values: []any{"Zürich", json.Number("8001")}}
	rows := &Rows{Statement: "SELECT * FROM users WHERE id IN (1, 2, 3);", Columns: []Column{{"ID", "INTEGER KEY"}, {"NAME", "STRING"}, {"ADDRESS", "STRUCT<CITY STRING, ZIP INTEGER>"}, {"TAGS", "ARRAY<STRING>"}},
		Rows: [][]any{
			{json.Number("1"), "Ana", obj, []any{"a", "b"}},
			{json.Number("2"), "tab\tand\nnewline", nil, []any{}},
			{json.Number("3"), "ünïcödé is counted in runes, not bytes", nil, nil},
		}}
	results := []Result{
		rows,
		&Rows{Statement: "SELECT * FROM users WHERE id = 99;", Columns: []Column{{"ID", "INTEGER"}}},
		&Table{Statement: "SHOW TOPICS;", Columns: []string{"Kafka Topic", "Partitions"}, Rows: [][]string{{"orders", "4"}, {"a,b", "1"}}},
		&Doc{Statement: "EXPLAIN Q;", Sections: []Section{
			{Pairs: [][2]string{{"ID", "Q"}, {"Query", "SELECT *\nFROM s\nEMIT CHANGES"}}},
			{Heading: "Execution plan", Text: "> SOURCE s\n  > OUTPUT"},
			{Heading: "Queries that read from this STREAM", Table: &Table{Columns: []string{"Query ID"}}},
		}},
		&Message{Text: "Stream created"},
		&Message{Text: "Source X does not exist.", Warning: true},
	}
	var out bytes.Buffer
	for _, f := range []Format{Tabular, JSON, CSV} {
		for _, width := range []int{0, 40} {
			if f != Tabular && width != 0 {
				continue
			}
			fmt.Fprintf(&out, "=== %s width=%d\n", f, width)
			r := &renderer{out: &out, msg: &out, format: f, width: width}
			for _, res := range results {
				fmt.Fprintf(&out, "--- %s\n", res.statement())
				r.result(res)
			}
			// A stream: rows as they come, then how it ended.
			fmt.Fprintf(&out, "--- stream\n")
			i := 0
			s := &Stream{Columns: rows.Columns, Limited: true,
				Next: func(context.Context) ([]any, bool) {
					if i == len(rows.Rows) {
						return nil, false
					}
					i++
					return rows.Rows[i-1], true
				},
				Err: func() error { return nil }, Close: func() {}}
			if err := r.stream(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			// A table's stream: a row, its deletion (key only), a row.
			fmt.Fprintf(&out, "--- stream with a tombstone\n")
			table := [][]any{{json.Number("1"), "Ana", obj, nil}, {json.Number("1"), nil, nil, nil}, {json.Number("2"), "Bo", nil, nil}}
			i = 0
			s = &Stream{Columns: rows.Columns,
				Next: func(context.Context) ([]any, bool) {
					if i == len(table) {
						return nil, false
					}
					i++
					return table[i-1], true
				},
				Tombstone: func() bool { return i == 2 },
				Err:       func() error { return nil }, Close: func() {}}
			if err := r.stream(context.Background(), s); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkGolden(t, "../testdata/cli/render.golden", out.String())
}
