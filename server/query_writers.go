package server

import (
	"net/http"
	"time"

	"github.com/sluicedb/sluice/types"
)

// queryWriter writes one query's response in an endpoint's wire format.
// Every method flushes, so a row reaches the client when the engine
// delivers it rather than when a buffer fills.
type queryWriter interface {
	header(queryID string, cols []types.Column) error
	// row is one row; tombstone marks a table row's deletion (its key
	// columns set, the others NULL), which each format shows its way.
	row(vals []any, tombstone bool) error
	// line is one PRINT record.
	line(text string) error
	// final ends the response of a query that completed (finalMessage on
	// /query; nothing more on /query-stream).
	final(msg string) error
	// fail ends the response with an error after the header was sent.
	fail(body *errorBody) error
	// finish closes the response's framing (the closing bracket of a JSON
	// array).
	finish() error
}

// flusher writes bytes and pushes them to the client. Each write has a
// deadline (Options.WriteTimeout): a client that stops reading gets its
// stream ended instead of holding a push query (and its slot) forever.
type flusher struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (s *Server) newFlusher(w http.ResponseWriter) flusher {
	return flusher{w: w, rc: http.NewResponseController(w), timeout: s.opts.WriteTimeout}
}

func (f flusher) write(b []byte) error {
	if f.timeout > 0 {
		_ = f.rc.SetWriteDeadline(time.Now().Add(f.timeout))
	}
	if _, err := f.w.Write(b); err != nil {
		return err
	}
	return f.rc.Flush()
}

// queryArrayWriter is /query's format: a JSON array streamed element by
// element, {"header":...}, {"row":{"columns":[...]}}..., then
// {"finalMessage":...} or {"errorMessage":...}. Each element ends its own
// line (the separating comma included), so a client reading lines gets
// every element as soon as it is sent; the last element closes the array.
// PRINT has no array: its records are plain text lines, as ksqlDB writes
// them.
type queryArrayWriter struct {
	f       flusher
	started bool
	closed  bool
	print   bool
	buf     []byte
}

// element writes one element that more will follow.
func (q *queryArrayWriter) element(el []byte) error {
	q.buf = q.buf[:0]
	if !q.started {
		q.buf = append(q.buf, '[')
		q.started = true
	}
	q.buf = append(append(q.buf, el...), ",\n"...)
	return q.f.write(q.buf)
}

// last writes the closing element and the end of the array.
func (q *queryArrayWriter) last(el []byte) error {
	q.buf = q.buf[:0]
	if !q.started {
		q.buf = append(q.buf, '[')
		q.started = true
	}
	q.closed = true
	q.buf = append(append(q.buf, el...), "]\n"...)
	return q.f.write(q.buf)
}

func (q *queryArrayWriter) header(id string, cols []types.Column) error {
	return q.element(marshal(map[string]any{"header": struct {
		QueryID string `json:"queryId"`
		Schema  string `json:"schema"`
	}{id, schemaString(cols)}}))
}

func (q *queryArrayWriter) row(vals []any, tombstone bool) error {
	return q.element(appendStreamedRow(nil, vals, tombstone))
}

// appendStreamedRow appends ksqlDB's StreamedRow form of a row,
// {"row":{"columns":[...]}}, with "tombstone":true for a deletion.
func appendStreamedRow(b []byte, vals []any, tombstone bool) []byte {
	b = appendRow(append(b, `{"row":{"columns":`...), vals)
	if tombstone {
		b = append(b, `,"tombstone":true`...)
	}
	return append(b, "}}"...)
}

func (q *queryArrayWriter) line(text string) error {
	q.print = true
	return q.f.write([]byte(text + "\n"))
}

func (q *queryArrayWriter) final(msg string) error {
	if q.print {
		return nil
	}
	return q.last(append(appendJSONString([]byte(`{"finalMessage":`), msg), '}'))
}

func (q *queryArrayWriter) fail(body *errorBody) error {
	b := marshal(body)
	if q.print {
		return q.f.write(append(b, '\n'))
	}
	return q.last(append(append([]byte(`{"errorMessage":`), b...), '}'))
}

func (q *queryArrayWriter) finish() error {
	if q.print || q.closed {
		return nil
	}
	if !q.started {
		return q.f.write([]byte("[]\n"))
	}
	// Only reached if a stream ended without a last element; an empty
	// object keeps the array valid JSON.
	return q.f.write([]byte("{}]\n"))
}

// streamHeader is /query-stream's metadata element.
type streamHeader struct {
	QueryID     string   `json:"queryId"`
	ColumnNames []string `json:"columnNames"`
	ColumnTypes []string `json:"columnTypes"`
}

// delimitedWriter is /query-stream's default format
// (application/vnd.ksqlapi.delimited.v1): the header object on a line,
// then one JSON array per row per line, an error object on a line if the
// query fails. Clients need no streaming JSON parser to read it.
//
// ksqlDB's /query-stream drops a table's tombstones (its clients expect
// every row to be an array); so does this writer unless the client asked
// for them (tombstones, the Accept parameter tombstones=true), when a
// tombstone is a line with /query's element,
// {"row":{"columns":[...],"tombstone":true}}.
type delimitedWriter struct {
	f          flusher
	tombstones bool
	buf        []byte
}

func (d *delimitedWriter) header(id string, cols []types.Column) error {
	h := marshal(streamHeader{QueryID: id, ColumnNames: columnNames(cols), ColumnTypes: columnTypes(cols)})
	return d.f.write(append(h, '\n'))
}

func (d *delimitedWriter) row(vals []any, tombstone bool) error {
	switch {
	case tombstone && !d.tombstones:
		return nil
	case tombstone:
		d.buf = appendStreamedRow(d.buf[:0], vals, true)
	default:
		d.buf = appendRow(d.buf[:0], vals)
	}
	return d.f.write(append(d.buf, '\n'))
}

func (d *delimitedWriter) line(text string) error { return d.f.write([]byte(text + "\n")) }

func (d *delimitedWriter) final(string) error { return nil }

func (d *delimitedWriter) fail(body *errorBody) error {
	b := marshal(body)
	return d.f.write(append(b, '\n'))
}

func (d *delimitedWriter) finish() error { return nil }

// jsonArrayWriter is /query-stream with Accept: application/json: the
// same elements as the delimited format, as one JSON array, tombstones
// included (as objects) only when asked for.
type jsonArrayWriter struct {
	f          flusher
	tombstones bool
	started    bool
	buf        []byte
}

func (j *jsonArrayWriter) sep() {
	if !j.started {
		j.buf = append(j.buf[:0], '[')
		j.started = true
		return
	}
	j.buf = append(j.buf[:0], ',')
}

func (j *jsonArrayWriter) header(id string, cols []types.Column) error {
	h := marshal(streamHeader{QueryID: id, ColumnNames: columnNames(cols), ColumnTypes: columnTypes(cols)})
	j.sep()
	return j.f.write(append(j.buf, h...))
}

func (j *jsonArrayWriter) row(vals []any, tombstone bool) error {
	if tombstone && !j.tombstones {
		return nil
	}
	j.sep()
	if tombstone {
		return j.f.write(appendStreamedRow(j.buf, vals, true))
	}
	return j.f.write(appendRow(j.buf, vals))
}

func (j *jsonArrayWriter) line(string) error { return nil }

func (j *jsonArrayWriter) final(string) error { return nil }

func (j *jsonArrayWriter) fail(body *errorBody) error {
	b := marshal(body)
	j.sep()
	return j.f.write(append(j.buf, b...))
}

func (j *jsonArrayWriter) finish() error {
	if !j.started {
		return j.f.write([]byte("[]"))
	}
	return j.f.write([]byte("]"))
}
