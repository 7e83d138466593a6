// Package exec runs queries: the operators of a dataflow (source, filter,
// project, flat-map, repartition, sink, and later window, aggregate and
// join), the tasks that drive them (one per input partition, single
// threaded), scheduling over the cores, event time, and the commit protocol
// that makes each task's output records, state and input offsets visible
// together or not at all (../shared/DESIGN.md, Exactly once).
//
// exec knows nothing of SQL: the planner compiles expressions into
// Evaluators and lays a query out as a QuerySpec; exec only calls them. It
// sees the log only through broker.Log.
//
// The runtime (runtime.go, query.go, task.go): a Runtime runs queries over
// one log; each query has a task per input partition. A task reads its
// partition (read-committed, long-polling when idle), decodes each fetch
// into batches (source.go), runs the operators, encodes the output
// (sink.go) and hands it to its appender (appender.go), which owns the
// task's transactional producer. On the commit interval, and at once when
// the task has caught up, the task commits: state hooks (commit.go), the
// input offsets and the output records become visible in one transaction.
// A failed step aborts the transaction and restarts the task from the
// committed offsets, so after a crash every output is there exactly once.
package exec

import (
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"

	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// PseudoColumns are appended, in this order, to every operator's input row
// after the batch's own columns: the planner compiles references to ROWTIME,
// ROWPARTITION and ROWOFFSET as reads of these positions.
var PseudoColumns = []types.Column{
	{Name: "ROWTIME", Type: types.BigintType},
	{Name: "ROWPARTITION", Type: types.IntegerType},
	{Name: "ROWOFFSET", Type: types.BigintType},
}

// Evaluator is a compiled scalar expression. One Evaluator serves every
// task of a query, so Eval must be safe for concurrent use. Eval reads the row (the input
// batch's columns followed by PseudoColumns) and returns a value in the Go
// representation of package types. A value-level failure (a function error,
// an overflow, a bad cast) is returned as an error: the operator records it
// in the processing log and carries on with NULL.
type Evaluator interface {
	Eval(row []any) (any, error)
}

// EvalFunc adapts a function to Evaluator.
type EvalFunc func(row []any) (any, error)

// Eval calls f.
func (f EvalFunc) Eval(row []any) (any, error) { return f(row) }

// Operator is one stage of a task's pipeline. Process consumes an input
// batch (it does not keep it past the call without Retain) and hands zero or
// more output batches, each of Schema(), to next; next takes ownership of
// the batches it is given.
type Operator interface {
	Schema() *types.Schema
	Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error
}

// ProcessingLog receives the row-level errors of a query: records that could
// not be deserialized, expressions that failed on a value, records that could
// not be serialized. The engine writes them to the processing log stream.
type ProcessingLog interface {
	Record(e ProcessingError)
}

// ProcessingError is one entry of the processing log.
type ProcessingError struct {
	QueryID string
	// Topic, Partition and Offset locate the input record.
	Topic     string
	Partition int32
	Offset    int64
	// Kind says which stage failed: "deserialization", "expression",
	// "serialization", "production".
	Kind string
	// Message describes the failure; Err is the underlying error.
	Message string
	Err     error
	// Record is the raw record value, when available.
	Record []byte
}

// TaskContext is what a task's operators see: who they run for and where
// row-level errors go.
type TaskContext struct {
	QueryID   string
	Topic     string
	Partition int32
	Log       ProcessingLog
	// State is the runtime's state DB (RuntimeOptions.State) and Broker
	// its log: what stateful operators open their stores on and restore
	// them from. State is nil when the runtime has none.
	State  *state.DB
	Broker broker.Log
	// row is reused by operators to evaluate expressions without
	// allocating per row.
	row []any
}

// InputRow fills the task's reusable row with row i of b followed by the
// pseudo columns, and returns it. The slice is valid until the next call.
func (tc *TaskContext) InputRow(b *types.Batch, i int) []any {
	tc.row = b.Row(i, tc.row)
	m := b.Meta(i)
	tc.row = append(tc.row, m.Rowtime, m.Partition, m.Offset)
	return tc.row
}

// reportRowError sends a failed expression to the processing log.
func (tc *TaskContext) reportRowError(b *types.Batch, i int, err error) {
	if tc.Log == nil {
		return
	}
	m := b.Meta(i)
	tc.Log.Record(ProcessingError{
		QueryID: tc.QueryID, Topic: tc.Topic, Partition: m.Partition, Offset: m.Offset,
		Kind: "expression", Message: err.Error(), Err: err,
	})
}

// SerdeSpec names a format, its options and the columns it carries.
type SerdeSpec struct {
	Format  string
	Options format.Options
	Columns []types.Column
}

// SourceSpec describes a query's input: a topic and how to turn its records
// into batches.
type SourceSpec struct {
	Topic      string
	Partitions int
	// Schema is the schema of the batches the source emits: the source's
	// columns in declaration order (key, value and header columns mixed as
	// declared).
	Schema *types.Schema
	// Key and Value are the serdes of the record key and value; their
	// columns are subsets of Schema.
	Key   SerdeSpec
	Value SerdeSpec
	// HeaderColumns maps Schema positions of header columns to the header
	// key they read ("" for a HEADERS column, which takes all headers).
	HeaderColumns map[int]string
	// TimestampColumn is the Schema position whose value becomes ROWTIME,
	// or -1 to use the record timestamp; TimestampFormat parses strings.
	TimestampColumn int
	TimestampFormat string
	// FromBeginning starts a query without committed offsets at the
	// earliest offset (auto.offset.reset=earliest) rather than the end.
	FromBeginning bool
	// ThrowOnInvalidTimestamp is ksql.timestamp.throw.on.invalid: a
	// TIMESTAMP column that is NULL, negative or unparseable stops the
	// query (ErrInvalidTimestamp) instead of sending the record to the
	// processing log and skipping it.
	ThrowOnInvalidTimestamp bool
	// Window, when set, marks windowed keys (source_window.go).
	Window *SourceWindow
}

// SinkSpec describes a persistent query's output topic.
type SinkSpec struct {
	Topic      string
	Partitions int
	// KeyColumns and ValueColumns are positions, in the final operator's
	// schema, of the columns the key and value serdes encode.
	KeyColumns   []int
	ValueColumns []int
	Key          SerdeSpec
	Value        SerdeSpec
	// TimestampColumn is the position whose value becomes the record
	// timestamp, or -1 to keep ROWTIME.
	TimestampColumn int
	// Windowed marks a time-windowed table: each record key is followed by
	// the window start (BIGINT column WindowStartColumn), as ksqlDB
	// encodes windowed keys.
	Windowed          bool
	WindowStartColumn int
	// SessionWindowed marks session windows, whose keys carry the window
	// end (column WindowEndColumn) before the start.
	SessionWindowed bool
	WindowEndColumn int
	// NullKeysWithoutValue are indexes into KeyColumns of keys computed
	// from more than the input's key (PARTITION BY over value columns or
	// ROWTIME). For a stream record whose value is null they are written
	// NULL, as ksqlDB does: it has no value to evaluate them on.
	NullKeysWithoutValue []int
}

// QuerySpec is a complete, runnable query: a source, a pipeline of operators
// and either a sink topic (persistent queries) or none (transient queries,
// whose rows go to the caller).
type QuerySpec struct {
	ID        string
	Source    SourceSpec
	Operators []Operator
	Sink      *SinkSpec
	// Limit stops a transient query after this many rows; 0 means none.
	Limit int64
	// CommitInterval is the query's commit.interval.ms; 0 takes the
	// runtime's default.
	CommitInterval time.Duration
}

// OutputSchema returns the schema of the rows the query produces.
func (q *QuerySpec) OutputSchema() *types.Schema {
	if n := len(q.Operators); n > 0 {
		return q.Operators[n-1].Schema()
	}
	return q.Source.Schema
}
