package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of the shell.
type Format int

// The output formats. Tabular is for people; JSON (one object per line) and
// CSV are for scripts, which is why they keep status messages off stdout.
const (
	Tabular Format = iota
	JSON
	CSV
)

// ParseFormat reads a format name as --output and OUTPUT accept it.
func ParseFormat(s string) (Format, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TABULAR", "TABLE", "":
		return Tabular, nil
	case "JSON":
		return JSON, nil
	case "CSV":
		return CSV, nil
	}
	return Tabular, fmt.Errorf("cli: unknown output format %q (want TABULAR, JSON or CSV)", s)
}

// String returns the format's name as OUTPUT shows it.
func (f Format) String() string {
	switch f {
	case JSON:
		return "JSON"
	case CSV:
		return "CSV"
	}
	return "TABULAR"
}

// renderer writes results. Data goes to out; in the JSON and CSV formats
// messages go to msg so that out stays machine-readable.
type renderer struct {
	out    io.Writer
	msg    io.Writer
	format Format
	// width is the terminal width that streamed tables are fitted to.
	width int
}

// result renders one finished result; streams go through stream.
func (r *renderer) result(res Result) {
	switch res := res.(type) {
	case *Message:
		r.message(res)
	case *Table:
		switch r.format {
		case JSON:
			for _, row := range res.Rows {
				r.jsonLine(stringObject(res.Columns, row))
			}
		case CSV:
			r.csv(res.Columns, res.Rows)
		default:
			writeListing(r.out, res)
		}
	case *Rows:
		switch r.format {
		case JSON:
			for _, row := range res.Rows {
				r.jsonLine(rowObject(res.Columns, row))
			}
		case CSV:
			r.csv(columnNames(res.Columns), csvRows(res.Rows))
		default:
			b := newBox(res.Columns, naturalWidths(res.Columns, res.Rows), r.width)
			b.header(r.out)
			for _, row := range res.Rows {
				b.row(r.out, row)
			}
			b.border(r.out)
			fmt.Fprintf(r.out, "%s\n", rowCount(len(res.Rows)))
		}
	case *Doc:
		switch r.format {
		case JSON:
			r.jsonLine(docObject(res))
		case CSV:
			for _, s := range res.Sections {
				if s.Pairs != nil {
					rows := make([][]string, len(s.Pairs))
					for i, p := range s.Pairs {
						rows[i] = []string{p[0], p[1]}
					}
					r.csv([]string{"name", "value"}, rows)
				}
				if s.Table != nil {
					r.csv(s.Table.Columns, s.Table.Rows)
				}
			}
		default:
			writeDoc(r.out, res)
		}
	}
}

func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

func (r *renderer) message(m *Message) {
	w := r.out
	if r.format != Tabular {
		w = r.msg
	}
	text := m.Text
	if m.Warning {
		text = "Warning: " + text
	}
	if r.format == Tabular && !m.Warning {
		writeMessageBox(w, text)
		return
	}
	fmt.Fprintln(w, text)
}

// stream renders a push query as its rows arrive and returns how it ended.
// It closes the stream before returning.
func (r *renderer) stream(ctx context.Context, s *Stream) error {
	defer s.Close()
	var b *box
	switch r.format {
	case Tabular:
		b = newBox(s.Columns, streamWidths(s.Columns), r.width)
		b.header(r.out)
	case CSV:
		r.csvRow(columnNames(s.Columns))
	}
	for {
		row, ok := s.Next(ctx)
		if !ok {
			break
		}
		tomb := s.tombstone()
		switch r.format {
		case Tabular:
			if tomb {
				b.tombstone(r.out, row)
			} else {
				b.row(r.out, row)
			}
		case JSON:
			o := rowObject(s.Columns, row)
			if tomb {
				o.Keys = append(o.Keys, "tombstone")
				o.Values = append(o.Values, true)
			}
			r.jsonLine(o)
		case CSV:
			if tomb {
				r.csvRow(tombstoneCells(csvRow(row), row))
			} else {
				r.csvRow(csvRow(row))
			}
		}
	}
	if b != nil {
		b.border(r.out)
	}
	return r.streamEnd(ctx, s.Err(), s.Limited)
}

// lines renders a PRINT as its records arrive.
func (r *renderer) lines(ctx context.Context, l *Lines) error {
	defer l.Close()
	for {
		line, ok := l.Next(ctx)
		if !ok {
			break
		}
		fmt.Fprintln(r.out, line)
	}
	return r.streamEnd(ctx, l.Err(), false)
}

// streamEnd reports why a stream stopped, as ksqlDB's CLI does.
func (r *renderer) streamEnd(ctx context.Context, err error, limited bool) error {
	w := r.out
	if r.format != Tabular {
		w = r.msg
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(w, "Query terminated")
		return nil
	case err != nil:
		return err
	case limited:
		fmt.Fprintln(w, "Limit Reached")
	}
	fmt.Fprintln(w, "Query terminated")
	return nil
}

func (r *renderer) jsonLine(v any) {
	b, err := marshalJSON(v)
	if err != nil {
		fmt.Fprintf(r.msg, "cli: cannot render row as JSON: %v\n", err)
		return
	}
	r.out.Write(append(b, '\n'))
}

// display renders a JSON-model value for a table cell or CSV field:
// strings as they are, containers as compact JSON.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case json.Number:
		return string(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	default:
		b, err := marshalJSON(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
}

func displayRow(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = display(v)
	}
	return out
}

// tombstoneMark is what a tombstone shows in the columns it has no value
// for, as ksqlDB's CLI shows a table's deletes.
const tombstoneMark = "<TOMBSTONE>"

// tombstoneCells marks the NULL cells of a tombstone's rendered row.
func tombstoneCells(cells []string, row []any) []string {
	for i, v := range row {
		if v == nil && i < len(cells) {
			cells[i] = tombstoneMark
		}
	}
	return cells
}

// csvRow renders a row for CSV, where NULL is an empty field as most CSV
// readers expect.
func csvRow(row []any) []string {
	out := displayRow(row)
	for i, v := range row {
		if v == nil {
			out[i] = ""
		}
	}
	return out
}

func csvRows(rows [][]any) [][]string {
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = csvRow(row)
	}
	return out
}

func columnNames(cs []Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func rowObject(cs []Column, row []any) *Object {
	o := &Object{Keys: columnNames(cs)}
	o.Values = make([]any, len(cs))
	copy(o.Values, row)
	return o
}

func stringObject(cols []string, row []string) *Object {
	o := &Object{Keys: cols, Values: make([]any, len(cols))}
	for i := range cols {
		if i < len(row) {
			o.Values[i] = row[i]
		}
	}
	return o
}

// docObject turns a Doc into one JSON object: pairs become fields, tables
// arrays of objects under their heading (or "fields"), text a string.
func docObject(d *Doc) *Object {
	o := &Object{}
	for i, s := range d.Sections {
		for _, p := range s.Pairs {
			o.Keys = append(o.Keys, p[0])
			o.Values = append(o.Values, p[1])
		}
		key := s.Heading
		if key == "" {
			key = fmt.Sprintf("section%d", i)
			if s.Table != nil && len(s.Table.Columns) > 0 && s.Table.Columns[0] == "Field" {
				key = "fields"
			}
		}
		if s.Table != nil {
			rows := make([]any, len(s.Table.Rows))
			for j, row := range s.Table.Rows {
				rows[j] = stringObject(s.Table.Columns, row)
			}
			o.Keys = append(o.Keys, key)
			o.Values = append(o.Values, rows)
		}
		if s.Text != "" {
			o.Keys = append(o.Keys, key)
			o.Values = append(o.Values, s.Text)
		}
	}
	return o
}
