package planner

import (
	"github.com/sluicedb/sluice/ast"
)

// Temporary bodies while the implementation lands; removed before the end of
// the session.

func analyzeCreateSource(s *ast.CreateSource, cat Catalog, o Options) (*Source, error) {
	return nil, errorf(s.Pos, "CREATE %s is not yet supported", s.Kind)
}
func analyzeAlterSource(s *ast.AlterSource, cat Catalog) (*Source, error) {
	return nil, errorf(s.Pos, "ALTER is not yet supported")
}
func planTransient(q *ast.Query, cat Catalog, o Options) (*QueryPlan, error) {
	return nil, errorf(q.Pos, "queries are not yet supported")
}
func planCreateAsSelect(s *ast.CreateAsSelect, cat Catalog, o Options) (*QueryPlan, error) {
	return nil, errorf(s.Pos, "queries are not yet supported")
}
func planInsertInto(s *ast.InsertInto, cat Catalog, o Options) (*QueryPlan, error) {
	return nil, errorf(s.Pos, "queries are not yet supported")
}
func planInsertValues(s *ast.InsertValues, cat Catalog, o Options) (*InsertRow, error) {
	return nil, errorf(s.Pos, "INSERT VALUES is not yet supported")
}
func explain(p *QueryPlan) string { return "" }
