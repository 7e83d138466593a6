// Package planner turns statements into plans: it resolves names against the
// catalog, types every expression with ksqlDB's rules, rejects what ksqlDB
// rejects with positioned messages, compiles expressions into evaluators, and
// lays a query out as a logical plan (scan, filter, project, flat-map,
// repartition, sink) and then as the physical pipeline that package exec runs.
//
// The planner holds no state between statements. It reads the catalog through
// the small Catalog interface, which package engine implements, so planner
// tests use a map-backed catalog.
//
// Entry points, one per statement kind the engine must analyse:
//
//   - AnalyzeCreateSource: CREATE [OR REPLACE] [SOURCE] STREAM/TABLE -> *Source
//   - AnalyzeAlterSource: ALTER STREAM/TABLE ... ADD COLUMN -> the new *Source
//   - PlanQuery: a transient SELECT ... EMIT CHANGES -> *QueryPlan (no sink)
//   - PlanCreateAsSelect: CSAS/CTAS -> *QueryPlan whose Sink is the new source
//   - PlanInsertInto: INSERT INTO ... SELECT -> *QueryPlan writing the target
//   - PlanInsertValues: INSERT INTO ... VALUES -> *InsertRow
//   - ResolveType: a written type, custom types included -> *types.Type
//   - Explain: the readable logical plan and topology of a *QueryPlan
//
// A query is laid out as scan -> filter (WHERE) -> flat-map (table
// functions of the select list) -> project, the same order as ksqlDB.
// PARTITION BY is a logical step (EXPLAIN shows it) but physically part of
// the projection: the new key columns are computed there and the sink
// partitions records by their key. Evaluators read rows laid out as the
// operator's input columns, then exec.PseudoColumns (ROWTIME,
// ROWPARTITION, ROWOFFSET), then lambda parameters while a lambda runs;
// each evaluator reports the positions it reads (exec.ColumnReader) and
// bare column projections compile to exec.ColumnRef.
//
// Evaluation follows ksqlDB rather than textbook SQL where they differ,
// because its test corpus is the judge: a comparison, BETWEEN or IN with a
// NULL operand is FALSE (never NULL); AND, OR and NOT use three-valued
// logic; a function argument or constructor element that fails to
// evaluate is passed as NULL; arithmetic on an untyped NULL literal is a
// planning error; a string literal compared with ROWTIME is read as a
// timestamp.
//
// Catalog existence checks that depend on the engine's state (a source
// already exists, IF NOT EXISTS, OR REPLACE of a running query) stay with the
// engine; everything that depends only on the statement and the sources it
// reads is checked here. Every user error is an *Error carrying the position
// of the offending node.
package planner
