// Package engine is Sluice's one API for statements: the shell, the REST
// server, headless `.sql` files and the conformance runner all submit
// statement text to an Engine and get typed results back. The engine owns
// the catalog (streams, tables, types, queries, properties), records every
// accepted catalog change in an internal command topic so a restart rebuilds
// everything, and runs persistent and transient queries through packages
// planner and exec on a broker.Log.
package engine

import (
	"context"

	"github.com/sluicedb/sluice/types"
)

// Result is the outcome of one statement. The concrete types below mirror
// the entities of ksqlDB's REST API, so the server can render them without
// knowing the statements.
type Result interface {
	// StatementText is the statement (after variable substitution) that
	// produced the result.
	StatementText() string
}

// Status reports a statement that changed something: a created or dropped
// source, a started or terminated query, a set property.
type Status struct {
	Statement string
	// Message is ksqlDB's status message ("Stream created", "Created query
	// with ID CSAS_OUTPUT_0", ...).
	Message string
	// QueryID is the persistent query the statement started, if any.
	QueryID string
	// CommandSeq is the statement's position in the command topic, or -1
	// for statements that are not recorded there.
	CommandSeq int64
}

// StatementText implements Result.
func (s *Status) StatementText() string { return s.Statement }

// Rows is a finished result set: a pull query's rows, or the rows a push
// query with LIMIT delivered when it was run to completion.
type Rows struct {
	Statement string
	QueryID   string
	Columns   []types.Column
	Rows      [][]any
}

// StatementText implements Result.
func (r *Rows) StatementText() string { return r.Statement }

// RowStream is a running push query (SELECT ... EMIT CHANGES): rows arrive
// until the LIMIT is reached, the caller closes it, or the engine stops.
type RowStream struct {
	Statement string
	QueryID   string
	Columns   []types.Column
	// NextRow blocks until the next row, returning ok=false when the
	// stream has ended (then Err says why, nil for a LIMIT reached or
	// Close).
	NextRow func(ctx context.Context) (row StreamRow, ok bool)
	Err     func() error
	// Close stops the query and releases its readers; it is safe to call
	// more than once and from another goroutine.
	Close func()
}

// StreamRow is one row of a push query.
type StreamRow struct {
	Values []any
	// Tombstone marks the deletion of a table's row, which ksqlDB's push
	// queries over tables deliver: Values then holds the key (and window
	// bounds) in the columns that project them, NULL elsewhere. Front
	// ends must show it as a deletion, not as a row of NULLs.
	Tombstone bool
}

// Next is NextRow for callers that need only the values; a tombstone
// comes as its values.
func (r *RowStream) Next(ctx context.Context) ([]any, bool) {
	row, ok := r.NextRow(ctx)
	return row.Values, ok
}

// StatementText implements Result.
func (r *RowStream) StatementText() string { return r.Statement }
