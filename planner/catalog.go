package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// Source is a stream or table as the catalog knows it: its schema and where
// and how its records are stored.
type Source struct {
	// Name is the source name after identifier normalisation.
	Name string
	Kind ast.SourceKind
	// Columns are the declared columns in declaration order; Key marks key
	// columns (KEY for streams, PRIMARY KEY for tables) and Headers marks
	// HEADERS/HEADER('k') columns. Pseudo columns (ROWTIME, ROWPARTITION,
	// ROWOFFSET, WINDOWSTART, WINDOWEND) are not listed; the planner adds
	// them to every scan.
	Columns []types.Column
	// HeaderKeys gives, for a column declared HEADER('k'), its header key;
	// columns declared HEADERS (all headers) are absent.
	HeaderKeys map[string]string
	// Topic is the log topic holding the records.
	Topic string
	// Partitions is the topic's partition count; 0 when a CREATE
	// statement did not say (the topic must then exist, and the engine
	// fills in its count).
	Partitions int
	// Replicas is the REPLICAS property (accepted, meaningful once topics
	// are replicated); 0 when not given.
	Replicas int
	// KeyFormat and ValueFormat name the serdes (format.Lookup) with their
	// options.
	KeyFormat    string
	ValueFormat  string
	KeyOptions   format.Options
	ValueOptions format.Options
	// TimestampColumn, when set, is the column whose value is the row's
	// event time instead of the record timestamp (WITH TIMESTAMP=...);
	// TimestampFormat parses it when it is a STRING.
	TimestampColumn string
	TimestampFormat string
	// Window describes the key of a windowed table (one produced by a
	// windowed aggregation, or declared with WINDOW_TYPE); nil otherwise.
	Window *WindowInfo
	// IsSource marks a read-only source (CREATE SOURCE STREAM/TABLE).
	IsSource bool
	// FromQuery marks a source created by CREATE ... AS SELECT, whose
	// schema belongs to its query (ALTER refuses it).
	FromQuery bool
	// Statement is the statement text that created the source.
	Statement string
}

// WindowInfo describes windowed keys: every key carries the window's start
// (and, for session windows, end).
type WindowInfo struct {
	Kind ast.WindowKind
	// SizeMs is the window size (tumbling, hopping); 0 for session windows.
	SizeMs int64
}

// KeyColumns returns the key columns in declaration order.
func (s *Source) KeyColumns() []types.Column {
	var out []types.Column
	for _, c := range s.Columns {
		if c.Key {
			out = append(out, c)
		}
	}
	return out
}

// ValueColumns returns the columns stored in the record value: neither key
// nor header columns.
func (s *Source) ValueColumns() []types.Column {
	var out []types.Column
	for _, c := range s.Columns {
		if !c.Key && !c.Headers {
			out = append(out, c)
		}
	}
	return out
}

// Catalog is what the planner needs to know about the world. Lookups are by
// exact (normalised) name. Implementations must be safe for concurrent use.
type Catalog interface {
	// Source returns a stream or table.
	Source(name string) (*Source, bool)
	// Type returns a type registered with CREATE TYPE.
	Type(name string) (*types.Type, bool)
}
