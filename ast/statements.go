package ast

// SourceKind distinguishes streams from tables wherever a statement applies
// to either.
type SourceKind uint8

// Kinds of source.
const (
	StreamSource SourceKind = iota
	TableSource
)

// String returns STREAM or TABLE.
func (k SourceKind) String() string {
	if k == TableSource {
		return "TABLE"
	}
	return "STREAM"
}

// Property is one `NAME = value` entry of a WITH clause. Names are
// case-insensitive and stored upper-cased; the value is a literal.
type Property struct {
	Pos
	Name  string
	Value Expr
}

// ConstraintKind is the role of a column in a CREATE STREAM/TABLE element list.
type ConstraintKind uint8

// Column roles.
const (
	ValueColumn ConstraintKind = iota
	KeyColumn
	PrimaryKeyColumn
	HeadersColumn
	HeaderColumn
)

var constraintNames = [...]string{"VALUE", "KEY", "PRIMARY KEY", "HEADERS", "HEADER"}

// String names the column role.
func (k ConstraintKind) String() string { return constraintNames[k] }

// TableElement is one column of a CREATE STREAM/TABLE or ALTER statement.
type TableElement struct {
	Pos
	Name       string
	Type       *Type
	Constraint ConstraintKind
	// HeaderKey is the header named by HEADER('key').
	HeaderKey string
}

// EmitKind is the result materialisation of a query.
type EmitKind uint8

// Result materialisations. EmitNone is a pull query (or a persistent
// query's default).
const (
	EmitNone EmitKind = iota
	EmitChanges
	EmitFinal
)

var emitNames = [...]string{"NONE", "CHANGES", "FINAL"}

// String names the materialisation.
func (k EmitKind) String() string { return emitNames[k] }

// Query is a SELECT.
type Query struct {
	Pos
	Select      []SelectItem
	From        *Relation
	Window      *Window
	Where       Expr
	GroupBy     []Expr
	PartitionBy []Expr
	Having      Expr
	Emit        EmitKind
	// Limit is the LIMIT row count; nil when absent.
	Limit *int64
}

// SelectItem is one item of a select list: *SelectExpr, *SelectAll or
// *SelectStructAll.
type SelectItem interface {
	Node
	selectItemNode()
}

// SelectExpr is `expr [AS alias]`. Alias is empty when none was written.
type SelectExpr struct {
	Pos
	Expr  Expr
	Alias string
}

// SelectAll is `*` (Source empty) or `source.*`.
type SelectAll struct {
	Pos
	Source string
}

// SelectStructAll is `expr->*`: every field of a struct.
type SelectStructAll struct {
	Pos
	Expr Expr
}

func (*SelectExpr) selectItemNode()      {}
func (*SelectAll) selectItemNode()       {}
func (*SelectStructAll) selectItemNode() {}

// AliasedSource is a stream or table in a FROM clause, with optional alias.
type AliasedSource struct {
	Pos
	Name  string
	Alias string
}

// JoinType is the kind of a join.
type JoinType uint8

// Join kinds.
const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
)

var joinTypeNames = [...]string{"INNER", "LEFT", "RIGHT", "FULL"}

// String returns the SQL keyword of the join kind.
func (j JoinType) String() string { return joinTypeNames[j] }

// JoinWindow is the WITHIN clause of a stream-stream join. A single size is
// stored with Before == After and Symmetric set.
type JoinWindow struct {
	Pos
	Symmetric bool
	Before    Duration
	After     Duration
	Grace     *Duration
}

// Join is one `[type] JOIN source [WITHIN ...] ON condition`.
type Join struct {
	Pos
	Type   JoinType
	Right  AliasedSource
	Within *JoinWindow
	On     Expr
}

// Relation is the FROM clause: a source and the joins applied to it, left
// to right.
type Relation struct {
	Pos
	Left  AliasedSource
	Joins []*Join
}

// WindowKind is the kind of a window.
type WindowKind uint8

// Window kinds.
const (
	TumblingWindow WindowKind = iota
	HoppingWindow
	SessionWindow
)

var windowKindNames = [...]string{"TUMBLING", "HOPPING", "SESSION"}

// String returns the SQL keyword of the window kind.
func (w WindowKind) String() string { return windowKindNames[w] }

// Window is the WINDOW clause of an aggregation. Size is the session gap for
// session windows; Advance is set only for hopping windows.
type Window struct {
	Pos
	Name      string
	Kind      WindowKind
	Size      Duration
	Advance   Duration
	Retention *Duration
	Grace     *Duration
}

// QueryStatement is a bare SELECT: a push query (EMIT CHANGES) or a pull
// query.
type QueryStatement struct {
	Pos
	Query *Query
}

// ShowKind is what a SHOW/LIST statement lists.
type ShowKind uint8

// Listings.
const (
	ShowStreams ShowKind = iota
	ShowTables
	ShowTopics
	ShowQueries
	ShowFunctions
	ShowTypes
	ShowProperties
	ShowVariables
	ShowConnectors
	ShowConnectorPlugins
)

var showKindNames = [...]string{"STREAMS", "TABLES", "TOPICS", "QUERIES", "FUNCTIONS", "TYPES",
	"PROPERTIES", "VARIABLES", "CONNECTORS", "CONNECTOR PLUGINS"}

// String returns the SQL words naming the listing.
func (k ShowKind) String() string { return showKindNames[k] }

// ConnectorScope restricts SHOW CONNECTORS and says which kind of connector
// CREATE CONNECTOR makes.
type ConnectorScope uint8

// Connector scopes.
const (
	AnyConnector ConnectorScope = iota
	SourceConnector
	SinkConnector
)

// Show is SHOW|LIST of streams, tables, topics, queries, and so on.
type Show struct {
	Pos
	Kind     ShowKind
	Extended bool
	// AllTopics is SHOW ALL TOPICS (internal topics included).
	AllTopics bool
	Scope     ConnectorScope
}

// DescribeSources is DESCRIBE STREAMS|TABLES [EXTENDED].
type DescribeSources struct {
	Pos
	Kind     SourceKind
	Extended bool
}

// DescribeSource is DESCRIBE name [EXTENDED].
type DescribeSource struct {
	Pos
	Name     string
	Extended bool
}

// DescribeFunction is DESCRIBE FUNCTION name.
type DescribeFunction struct {
	Pos
	Name string
}

// DescribeConnector is DESCRIBE CONNECTOR name.
type DescribeConnector struct {
	Pos
	Name string
}

// Print is PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]. Quoted
// reports whether the topic was a string literal (exact name) rather than an
// identifier.
type Print struct {
	Pos
	Topic         string
	Quoted        bool
	FromBeginning bool
	Interval      *int64
	Limit         *int64
}

// QueryControlAction is what a TERMINATE/PAUSE/RESUME statement does.
type QueryControlAction uint8

// Query control actions.
const (
	Terminate QueryControlAction = iota
	Pause
	Resume
)

var queryControlNames = [...]string{"TERMINATE", "PAUSE", "RESUME"}

// String returns the statement keyword.
func (a QueryControlAction) String() string { return queryControlNames[a] }

// QueryControl is TERMINATE|PAUSE|RESUME (query-id | ALL).
type QueryControl struct {
	Pos
	Action  QueryControlAction
	QueryID string
	All     bool
}

// SetProperty is SET 'name' = 'value' (a session property) or, with
// System, ALTER SYSTEM 'name' = 'value'.
type SetProperty struct {
	Pos
	System bool
	Name   string
	Value  string
}

// UnsetProperty is UNSET 'name'.
type UnsetProperty struct {
	Pos
	Name string
}

// DefineVariable is DEFINE name = 'value'.
type DefineVariable struct {
	Pos
	Name  string
	Value string
}

// UndefineVariable is UNDEFINE name.
type UndefineVariable struct {
	Pos
	Name string
}

// Explain is EXPLAIN statement or EXPLAIN query-id; exactly one of
// Statement and QueryID is set.
type Explain struct {
	Pos
	Statement Statement
	QueryID   string
}

var scopeNames = [...]string{"ANY", "SOURCE", "SINK"}

// String names the connector scope.
func (s ConnectorScope) String() string { return scopeNames[s] }

// CreateSource is CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS]
// name [(elements)] [WITH (...)].
type CreateSource struct {
	Pos
	Kind        SourceKind
	OrReplace   bool
	IsSource    bool
	IfNotExists bool
	Name        string
	Elements    []*TableElement
	Properties  []*Property
}

// CreateAsSelect is CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name
// [WITH (...)] AS query.
type CreateAsSelect struct {
	Pos
	Kind        SourceKind
	OrReplace   bool
	IfNotExists bool
	Name        string
	Properties  []*Property
	Query       *Query
}

// CreateConnector is CREATE SOURCE|SINK CONNECTOR [IF NOT EXISTS] name WITH (...).
type CreateConnector struct {
	Pos
	Scope       ConnectorScope
	IfNotExists bool
	Name        string
	Properties  []*Property
}

// InsertInto is INSERT INTO target [WITH (...)] query.
type InsertInto struct {
	Pos
	Target     string
	Properties []*Property
	Query      *Query
}

// InsertValues is INSERT INTO target [(columns)] VALUES (values).
type InsertValues struct {
	Pos
	Target  string
	Columns []string
	Values  []Expr
}

// DropSource is DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC].
type DropSource struct {
	Pos
	Kind        SourceKind
	IfExists    bool
	Name        string
	DeleteTopic bool
}

// DropConnector is DROP CONNECTOR [IF EXISTS] name.
type DropConnector struct {
	Pos
	IfExists bool
	Name     string
}

// DropType is DROP TYPE [IF EXISTS] name.
type DropType struct {
	Pos
	IfExists bool
	Name     string
}

// CreateType is CREATE TYPE [IF NOT EXISTS] name AS type.
type CreateType struct {
	Pos
	IfNotExists bool
	Name        string
	Type        *Type
}

// AlterSource is ALTER STREAM|TABLE name ADD [COLUMN] name type, ...
type AlterSource struct {
	Pos
	Kind    SourceKind
	Name    string
	Columns []*TableElement
}

// AssertTopic is ASSERT [NOT EXISTS] TOPIC name [WITH (...)] [TIMEOUT d].
type AssertTopic struct {
	Pos
	NotExists  bool
	Topic      string
	Properties []*Property
	Timeout    *Duration
}

// AssertSchema is ASSERT [NOT EXISTS] SCHEMA [SUBJECT name] [ID n] [TIMEOUT d].
type AssertSchema struct {
	Pos
	NotExists bool
	Subject   *string
	ID        *int64
	Timeout   *Duration
}

// RunScript is RUN SCRIPT 'path'. It is a client-side statement: the shell
// and headless mode execute the file; the server rejects it.
type RunScript struct {
	Pos
	Path string
}

func (*QueryStatement) statementNode()    {}
func (*Show) statementNode()              {}
func (*DescribeSources) statementNode()   {}
func (*DescribeSource) statementNode()    {}
func (*DescribeFunction) statementNode()  {}
func (*DescribeConnector) statementNode() {}
func (*Print) statementNode()             {}
func (*QueryControl) statementNode()      {}
func (*SetProperty) statementNode()       {}
func (*UnsetProperty) statementNode()     {}
func (*DefineVariable) statementNode()    {}
func (*UndefineVariable) statementNode()  {}
func (*Explain) statementNode()           {}
func (*CreateSource) statementNode()      {}
func (*CreateAsSelect) statementNode()    {}
func (*CreateConnector) statementNode()   {}
func (*InsertInto) statementNode()        {}
func (*InsertValues) statementNode()      {}
func (*DropSource) statementNode()        {}
func (*DropConnector) statementNode()     {}
func (*DropType) statementNode()          {}
func (*CreateType) statementNode()        {}
func (*AlterSource) statementNode()       {}
func (*AssertTopic) statementNode()       {}
func (*AssertSchema) statementNode()      {}
func (*RunScript) statementNode()         {}
