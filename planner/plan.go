package planner

import (
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// QueryPlan is a planned SELECT: what the engine runs (Spec), what it
// registers (Sink), and what EXPLAIN and DESCRIBE show (Root, Columns).
type QueryPlan struct {
	// Spec is the runnable query; Spec.ID is Options.QueryID and Spec.Sink
	// is set for persistent queries (CSAS, INSERT INTO).
	Spec *exec.QuerySpec
	// Stages are queries that must run beside Spec and feed it through
	// internal topics (their sinks), which the engine creates: the
	// repartition of a GROUP BY whose key is not the source's.
	Stages []*exec.QuerySpec
	// Columns are the output columns in order, Key marking the columns the
	// sink writes to the record key. For a transient query they are the
	// rows' columns (Spec.OutputSchema() without the key flags).
	Columns []types.Column
	// Sink is, for CREATE ... AS SELECT, the new source to register (its
	// topic to create with Sink.Partitions); for INSERT INTO, the existing
	// target; nil for a transient query.
	Sink *Source
	// Inputs names the sources the query reads.
	Inputs []string
	// Root is the logical plan, sink (or output) first.
	Root *Node
	// RequestedQueryID is the QUERY_ID an INSERT INTO asked for in its
	// WITH clause (upper-cased, as ksqlDB stores it); empty otherwise. The
	// engine uses it instead of generating an id, after checking it is
	// free.
	RequestedQueryID string
}

// Node is one step of a logical plan, as EXPLAIN prints it.
type Node struct {
	// Op is the step: Source, FlatMap, Filter, Project, Repartition, Sink,
	// Output.
	Op string
	// Detail is the step's argument in SQL (a predicate, the expressions of
	// a projection, the source name).
	Detail string
	// Schema is the step's output columns.
	Schema []types.Column
	// Input is the step that feeds this one; nil for the scan.
	Input *Node
}

// InsertRow is a planned INSERT INTO ... VALUES: one row of the target,
// typed and coerced, for the engine to encode with the target's formats and
// append to its topic.
type InsertRow struct {
	Target *Source
	// Values holds one value per Target.Columns entry, in the same order;
	// columns the statement leaves out are nil.
	Values []any
	// Rowtime is the record timestamp when the statement set ROWTIME (or
	// the source's TIMESTAMP column); HasRowtime is false when the engine
	// should use the current time.
	Rowtime    int64
	HasRowtime bool
}

// Key returns the key column values in key column order, the input of the
// target's key encoder.
func (r *InsertRow) Key() []any { return r.pick(func(c types.Column) bool { return c.Key }) }

// Value returns the value column values in column order, the input of the
// target's value encoder.
func (r *InsertRow) Value() []any {
	return r.pick(func(c types.Column) bool { return !c.Key && !c.Headers })
}

func (r *InsertRow) pick(keep func(types.Column) bool) []any {
	var out []any
	for i, c := range r.Target.Columns {
		if keep(c) {
			out = append(out, r.Values[i])
		}
	}
	return out
}
