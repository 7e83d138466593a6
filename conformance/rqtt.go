package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sluicedb/sluice/types"
)

// REST cases (RQTT) expect, besides topic outputs, the responses of their
// statements: an admin entity per DDL statement and, per SELECT, a header
// with the schema, the rows and a final message. The runner checks that the
// statements are accepted and compares each SELECT's schema and rows; the
// admin entities' content and the final message are protocol details of
// the REST layer, which its own tests cover.

// restResponse is one expected entry of an RQTT case's responses, matched
// to the statements by position.
type restResponse struct {
	Admin json.RawMessage `json:"admin"`
	Query []struct {
		Header *struct {
			Schema string `json:"schema"`
		} `json:"header"`
		Row *struct {
			Columns   []json.RawMessage `json:"columns"`
			Tombstone bool              `json:"tombstone"`
		} `json:"row"`
		FinalMessage string `json:"finalMessage"`
	} `json:"query"`
}

// expectedQuery is what one SELECT must return: rows[i] is a tombstone
// (a table row's deletion, ksqlDB's "tombstone": true) when tombstones[i].
type expectedQuery struct {
	schema     string
	rows       [][]any
	tombstones []bool
}

func decodeResponses(raws []json.RawMessage) ([]*expectedQuery, error) {
	out := make([]*expectedQuery, len(raws))
	for i, raw := range raws {
		var r restResponse
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("conformance: response %d: %w", i, err)
		}
		if r.Query == nil {
			continue
		}
		q := &expectedQuery{}
		for _, e := range r.Query {
			switch {
			case e.Header != nil:
				q.schema = e.Header.Schema
			case e.Row != nil:
				row := make([]any, len(e.Row.Columns))
				for j, c := range e.Row.Columns {
					v, err := parseJSON(c)
					if err != nil {
						return nil, fmt.Errorf("conformance: response %d: %w", i, err)
					}
					row[j] = v
				}
				q.rows = append(q.rows, row)
				q.tombstones = append(q.tombstones, e.Row.Tombstone)
			}
		}
		out[i] = q
	}
	return out, nil
}

// rowWait bounds the wait for one row of a push query whose inputs have
// all been processed.
const rowWait = 10 * time.Second

// checkQuery reads a SELECT's rows and compares them with the expected
// response; ordered says whether row order matters (verifyOrder).
func checkQuery(ctx context.Context, n int, rows *Rows, want *expectedQuery, ordered bool) string {
	if want.schema != "" {
		if d := compareQuerySchema(want.schema, rows.Columns); d != "" {
			return fmt.Sprintf("statement %d: %s", n, d)
		}
	}
	var got [][]any
	var gotTomb []bool
	for len(got) < len(want.rows) {
		rctx, cancel := context.WithTimeout(ctx, rowWait)
		row, ok := rows.Next(rctx)
		cancel()
		if !ok {
			return fmt.Sprintf("statement %d: %d rows, want %d; first missing: %s", n, len(got), len(want.rows),
				renderRow(want.rows[len(got)], want.tombstones[len(got)]))
		}
		got = append(got, genericRow(row))
		gotTomb = append(gotTomb, rows.Tombstone != nil && rows.Tombstone())
	}
	// One more row would be one too many: a LIMIT query ends here, a
	// query without one gets a short grace to show an extra row.
	rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	extra, ok := rows.Next(rctx)
	cancel()
	if ok {
		return fmt.Sprintf("statement %d: more than %d rows; first extra: %s", n, len(want.rows),
			renderRow(genericRow(extra), rows.Tombstone != nil && rows.Tombstone()))
	}
	colType := func(j int) *types.Type {
		if j < len(rows.Columns) {
			return rows.Columns[j].Type
		}
		return nil
	}
	rowDiff := func(w, g []any, wt, gt bool) string {
		switch {
		case wt && !gt:
			return "a row, want a tombstone"
		case gt && !wt:
			return "a tombstone, want a row"
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%d columns, want %d", len(g), len(w))
		}
		for j := range w {
			if d := compareValue(fmt.Sprintf("column %d", j+1), w[j], g[j], colType(j)); d != "" {
				return d
			}
		}
		return ""
	}
	if ordered {
		for i := range want.rows {
			if d := rowDiff(want.rows[i], got[i], want.tombstones[i], gotTomb[i]); d != "" {
				return fmt.Sprintf("statement %d row %d: %s (got %s; want %s)", n, i, d,
					renderRow(got[i], gotTomb[i]), renderRow(want.rows[i], want.tombstones[i]))
			}
		}
		return ""
	}
	used := make([]bool, len(got))
	for i, w := range want.rows {
		found := false
		for j, g := range got {
			if !used[j] && rowDiff(w, g, want.tombstones[i], gotTomb[j]) == "" {
				used[j], found = true, true
				break
			}
		}
		if !found {
			gots := make([]string, len(got))
			for j := range got {
				gots[j] = renderRow(got[j], gotTomb[j])
			}
			return fmt.Sprintf("statement %d: expected row %d not returned: %s (got %s)", n, i,
				renderRow(w, want.tombstones[i]), strings.Join(gots, ", "))
		}
	}
	return ""
}

// renderRow renders a row of a query's response, marking a tombstone.
func renderRow(row []any, tombstone bool) string {
	if tombstone {
		return render(row) + " (tombstone)"
	}
	return render(row)
}

func genericRow(row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = generic(v)
	}
	return out
}

// compareQuerySchema compares a response header's schema ("`K` STRING,
// `ID` INTEGER") with a query's columns by name and parsed type.
func compareQuerySchema(schema string, cols []types.Column) string {
	want, err := parseSchema(schema)
	if err != nil {
		return fmt.Sprintf("cannot parse expected schema %q: %v", schema, err)
	}
	render := func() string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = "`" + c.Name + "` " + c.Type.String()
		}
		return strings.Join(parts, ", ")
	}
	if len(want) != len(cols) {
		return fmt.Sprintf("schema is %s, want %s", render(), schema)
	}
	for i, w := range want {
		if cols[i].Name != w.col.Name || !cols[i].Type.Equal(w.col.Type) {
			return fmt.Sprintf("schema is %s, want %s", render(), schema)
		}
	}
	return ""
}
