package planner

import "github.com/sluicedb/sluice/ast"

// implicitGroupBy returns q grouped by a constant when it is a push query
// that aggregates without GROUP BY (SELECT COUNT(*) FROM s EMIT CHANGES):
// ksqlDB answers such a query with one running result over every row, the
// aggregate of a single group. It returns nil for any other query, which
// includes pull queries (one answer, not a running one), windowed ones
// (refused with ksqlDB's message elsewhere) and joins.
func implicitGroupBy(q *ast.Query, o Options) *ast.Query {
	if q == nil || q.Emit == ast.EmitNone || len(q.GroupBy) > 0 || q.Window != nil || q.From == nil || len(q.From.Joins) > 0 {
		return nil
	}
	found := false
	for _, it := range q.Select {
		if se, ok := it.(*ast.SelectExpr); ok && len(aggregateCalls(se.Expr, o.registry())) > 0 {
			found = true
		}
	}
	if q.Having != nil && len(aggregateCalls(q.Having, o.registry())) > 0 {
		found = true
	}
	if !found {
		return nil
	}
	g := *q
	g.GroupBy = []ast.Expr{&ast.IntegerLiteral{Pos: q.Pos, Value: 1}}
	return &g
}
