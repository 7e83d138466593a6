package engine

import (
	"context"

	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// The listing and description results. Like Status, Rows and RowStream
// they mirror ksqlDB's REST entities (StreamsList, Queries, KafkaTopicsList,
// SourceDescription, ...) so the server can render them without knowing
// the statements, and the shell can print them as tables.

// Warning is a statement that did nothing and says why (UNDEFINE of an
// unknown variable, DROP ... IF EXISTS of a missing source).
type Warning struct {
	Statement string
	Message   string
}

// StatementText implements Result.
func (r *Warning) StatementText() string { return r.Statement }

// PropertyChange is the result of SET and UNSET.
type PropertyChange struct {
	Statement string
	Name      string
	Value     string
	Unset     bool
	Message   string
}

// StatementText implements Result.
func (r *PropertyChange) StatementText() string { return r.Statement }

// ScriptResult holds the results of the statements of a RUN SCRIPT file.
type ScriptResult struct {
	Statement string
	Results   []Result
}

// StatementText implements Result.
func (r *ScriptResult) StatementText() string { return r.Statement }

// SourceInfo is one row of SHOW STREAMS/TABLES.
type SourceInfo struct {
	Name        string
	Kind        string // STREAM or TABLE
	Topic       string
	KeyFormat   string
	ValueFormat string
	IsWindowed  bool
}

// SourceList is SHOW STREAMS or SHOW TABLES (Kind says which); with
// EXTENDED, Descriptions holds a description per source instead.
type SourceList struct {
	Statement    string
	Kind         string // STREAMS or TABLES
	Sources      []SourceInfo
	Descriptions []*SourceDescription
}

// StatementText implements Result.
func (r *SourceList) StatementText() string { return r.Statement }

// QueryInfo is one row of SHOW QUERIES and part of a source description.
type QueryInfo struct {
	ID        string
	Statement string
	// Sinks and SinkTopics name the source and topic the query writes.
	Sinks      []string
	SinkTopics []string
	// Type is PERSISTENT (or PUSH for a running push query).
	Type string
	// State is RUNNING, PAUSED or ERROR.
	State string
}

// QueryList is SHOW QUERIES.
type QueryList struct {
	Statement string
	Queries   []QueryInfo
}

// StatementText implements Result.
func (r *QueryList) StatementText() string { return r.Statement }

// TopicInfo is one row of SHOW TOPICS.
type TopicInfo struct {
	Name       string
	Partitions int
	// Replicas is always 1 on the built-in log.
	Replicas int
}

// TopicList is SHOW [ALL] TOPICS [EXTENDED].
type TopicList struct {
	Statement string
	Topics    []TopicInfo
}

// StatementText implements Result.
func (r *TopicList) StatementText() string { return r.Statement }

// FunctionList is SHOW FUNCTIONS.
type FunctionList struct {
	Statement string
	Functions []functions.Summary
}

// StatementText implements Result.
func (r *FunctionList) StatementText() string { return r.Statement }

// FunctionDescription is DESCRIBE FUNCTION.
type FunctionDescription struct {
	Statement   string
	Description functions.Description
}

// StatementText implements Result.
func (r *FunctionDescription) StatementText() string { return r.Statement }

// TypeList is SHOW TYPES: custom types by name with their SQL spelling.
type TypeList struct {
	Statement string
	Types     map[string]*types.Type
}

// StatementText implements Result.
func (r *TypeList) StatementText() string { return r.Statement }

// Property is one row of SHOW PROPERTIES.
type Property struct {
	Name  string
	Value string
	// Scope is where the value comes from: "SESSION" (SET), "SERVER"
	// (configuration or ALTER SYSTEM) or "DEFAULT".
	Scope string
}

// PropertyList is SHOW PROPERTIES.
type PropertyList struct {
	Statement  string
	Properties []Property
}

// StatementText implements Result.
func (r *PropertyList) StatementText() string { return r.Statement }

// Variable is one row of SHOW VARIABLES.
type Variable struct {
	Name  string
	Value string
}

// VariableList is SHOW VARIABLES.
type VariableList struct {
	Statement string
	Variables []Variable
}

// StatementText implements Result.
func (r *VariableList) StatementText() string { return r.Statement }

// FieldInfo is one column of a source description.
type FieldInfo struct {
	Name string
	Type string
	// Role is "KEY", "PRIMARY KEY", "HEADERS", "HEADER('k')" or "" for a
	// value column.
	Role string
}

// SourceDescription is DESCRIBE source [EXTENDED].
type SourceDescription struct {
	Statement   string
	Name        string
	Kind        string // STREAM or TABLE
	Fields      []FieldInfo
	Topic       string
	Partitions  int
	Replicas    int
	KeyFormat   string
	ValueFormat string
	Timestamp   string
	Windowed    bool
	WindowType  string
	IsSource    bool
	// SourceStatement is the statement that created the source.
	SourceStatement string
	// ReadQueries and WriteQueries are the persistent queries reading and
	// writing the source.
	ReadQueries  []QueryInfo
	WriteQueries []QueryInfo
	// Extended is set for DESCRIBE ... EXTENDED; Metrics then sums the
	// live metrics of the queries writing the source, and ErrorStats the
	// processing errors of those reading it.
	Extended   bool
	Metrics    exec.QueryMetrics
	ErrorStats int64
}

// StatementText implements Result.
func (r *SourceDescription) StatementText() string { return r.Statement }

// Explanation is EXPLAIN: the plan of a statement or a running query.
type Explanation struct {
	Statement string
	QueryID   string
	// QueryStatement is the statement the plan is for.
	QueryStatement string
	// Plan is the logical plan and topology as text.
	Plan string
	// State is the running query's state (EXPLAIN query-id), else "".
	State   string
	Metrics exec.QueryMetrics
}

// StatementText implements Result.
func (r *Explanation) StatementText() string { return r.Statement }

// PrintStream is a running PRINT: formatted records of a topic, one line
// each, in ksqlDB's format.
type PrintStream struct {
	Statement string
	Topic     string
	// Next blocks for the next line; ok=false once the LIMIT is reached,
	// the stream is closed or the engine stops (Err says why).
	Next  func(ctx context.Context) (line string, ok bool)
	Err   func() error
	Close func()
}

// StatementText implements Result.
func (r *PrintStream) StatementText() string { return r.Statement }

// AssertResult is a successful ASSERT TOPIC.
type AssertResult struct {
	Statement string
	Topic     string
	Exists    bool
}

// StatementText implements Result.
func (r *AssertResult) StatementText() string { return r.Statement }
