package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// AnalyzeCreateSource validates CREATE [OR REPLACE] [SOURCE] STREAM/TABLE
// and returns the source to register: column types resolved (custom types
// included), key rules checked, WITH properties validated and defaulted
// (formats from Options.Properties), formats validated for the key and
// value columns. It does not check whether the name is taken: that depends
// on the engine's state (IF NOT EXISTS, OR REPLACE).
func AnalyzeCreateSource(s *ast.CreateSource, cat Catalog, o Options) (*Source, error) {
	return analyzeCreateSource(s, cat, o)
}

// AnalyzeAlterSource validates ALTER STREAM/TABLE ... ADD COLUMN against the
// current definition and returns the new one.
func AnalyzeAlterSource(s *ast.AlterSource, cat Catalog) (*Source, error) {
	return analyzeAlterSource(s, cat)
}

// PlanQuery plans a transient push query (SELECT ... EMIT CHANGES): a
// QuerySpec without sink whose rows go to the caller, with the LIMIT.
func PlanQuery(q *ast.Query, cat Catalog, o Options) (*QueryPlan, error) {
	return planTransient(q, cat, o)
}

// PlanCreateAsSelect plans CREATE STREAM/TABLE ... AS SELECT: the new
// source (QueryPlan.Sink) with its inherited or given formats, topic and
// partitions, and the persistent query that fills it. It does not check
// whether the name is taken.
func PlanCreateAsSelect(s *ast.CreateAsSelect, cat Catalog, o Options) (*QueryPlan, error) {
	return planCreateAsSelect(s, cat, o)
}

// PlanInsertInto plans INSERT INTO target SELECT ...: the query's output
// must match the target's schema (names, types, key columns), and the plan
// writes to the target's topic with its formats.
func PlanInsertInto(s *ast.InsertInto, cat Catalog, o Options) (*QueryPlan, error) {
	return planInsertInto(s, cat, o)
}

// PlanInsertValues types and coerces INSERT INTO ... VALUES into one row of
// the target.
func PlanInsertValues(s *ast.InsertValues, cat Catalog, o Options) (*InsertRow, error) {
	return planInsertValues(s, cat, o)
}

// ResolveType resolves a written type to a types.Type: aliases (INT,
// VARCHAR), DECIMAL parameters, nested types, and custom types registered
// with CREATE TYPE (through cat, which may be nil when none exist).
func ResolveType(t *ast.Type, cat Catalog) (*types.Type, error) {
	return resolveType(t, cat)
}

// Explain renders a plan for EXPLAIN: the logical plan, one step per line
// from sink to source with each step's schema, then the physical topology
// (source topic and serdes, operators, sink topic and serdes).
func Explain(p *QueryPlan) string {
	return explain(p)
}

// CompileExpression types and compiles a scalar expression over rows of the
// given columns followed by exec.PseudoColumns (the layout every operator
// evaluates on). Unqualified column references resolve by name; the engine
// uses it for expressions outside queries and tests use it to evaluate SQL
// expressions on a row.
func CompileExpression(e ast.Expr, columns []types.Column, o Options) (exec.Evaluator, *types.Type, error) {
	return compileStandalone(e, columns, o)
}
