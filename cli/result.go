package cli

import (
	"bytes"
	"context"
	"encoding/json"
)

// Result is what one statement produced, in the shell's own model. Backends
// translate engine results or REST entities into it so the renderers never
// need to know where a result came from.
type Result interface {
	// statement returns the statement text the result is for.
	statement() string
}

// Message is a one-line outcome: a status ("Stream created"), a warning,
// or a client-side command's acknowledgement.
type Message struct {
	Statement string
	Text      string
	// Warning marks a statement that did nothing and says why.
	Warning bool
}

// Table is a listing with string cells (SHOW STREAMS, SHOW QUERIES...).
// Cells are already text because listings have no typed values worth
// keeping for JSON or CSV output.
type Table struct {
	Statement string
	// Title, when set, is printed above the table (" Stream Name | ...").
	Title   string
	Columns []string
	Rows    [][]string
}

// Column names a column of a query result with its SQL type, which the
// renderers show in the header of JSON output and use to size cells.
type Column struct {
	Name string
	Type string
}

// Rows is a finished set of query rows (a pull query). Values are in the
// JSON model (nil, bool, json.Number, string, []any, *Object) so that rows
// from the engine and from a server render identically.
type Rows struct {
	Statement string
	QueryID   string
	Columns   []Column
	Rows      [][]any
}

// Doc is a readable description: DESCRIBE, EXPLAIN, DESCRIBE FUNCTION. It is
// a list of sections, each a set of name/value pairs, a table or free text,
// which is how ksqlDB's CLI lays those out.
type Doc struct {
	Statement string
	Sections  []Section
}

// Section is one part of a Doc. Exactly one of Pairs, Table and Text is
// normally set; Heading is printed above it when not empty.
type Section struct {
	Heading string
	Pairs   [][2]string
	Table   *Table
	Text    string
}

// Stream is a running push query. Rows arrive through Next until it
// returns false (LIMIT reached, the query ended, or ctx was cancelled);
// Err then says whether that was a failure. Close stops the query on the
// backend and is safe to call more than once.
type Stream struct {
	Statement string
	QueryID   string
	Columns   []Column
	Next      func(ctx context.Context) ([]any, bool)
	Err       func() error
	Close     func()
	// Limited reports that the query has a LIMIT, so its natural end is
	// "Limit Reached" rather than the server ending it.
	Limited bool
	// Tombstone reports whether the row Next returned last is a table
	// row's deletion (its key columns set, the others NULL), which the
	// renderers mark as ksqlDB's CLI does; nil means no row is one.
	Tombstone func() bool
}

// tombstone reports whether the row Next returned last is a tombstone.
func (s *Stream) tombstone() bool { return s.Tombstone != nil && s.Tombstone() }

// Lines is a running PRINT: formatted records, one line each.
type Lines struct {
	Statement string
	Next      func(ctx context.Context) (string, bool)
	Err       func() error
	Close     func()
}

func (r *Message) statement() string { return r.Statement }
func (r *Table) statement() string   { return r.Statement }
func (r *Rows) statement() string    { return r.Statement }
func (r *Doc) statement() string     { return r.Statement }
func (r *Stream) statement() string  { return r.Statement }
func (r *Lines) statement() string   { return r.Statement }

// Object is a JSON object that keeps its keys in order: a STRUCT's fields
// or a MAP's entries are shown in the order the row had them, which a Go
// map would lose.
type Object struct {
	Keys   []string
	Values []any
}

// MarshalJSON writes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeJSON(&b, k); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeJSON(&b, o.Values[i]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeJSON writes v as JSON without escaping <, > and &: the output is
// read by people and scripts, not embedded in HTML, and a type such as
// MAP<STRING, INT> should read as written.
func encodeJSON(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// marshalJSON is json.Marshal without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeJSON(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
