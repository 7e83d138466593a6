package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// PullTableSchema returns the columns a pull query sees on a table, in
// order: its key columns, WINDOWSTART and WINDOWEND (BIGINT) when it is
// windowed, then its value columns. These are the rows the engine reads
// from the table's materialised state and PlanPullTable's plan filters
// and projects.
func PullTableSchema(src *Source) []types.Column {
	cols := append([]types.Column(nil), src.KeyColumns()...)
	if src.Window != nil {
		cols = append(cols,
			types.Column{Name: "WINDOWSTART", Type: types.BigintType},
			types.Column{Name: "WINDOWEND", Type: types.BigintType})
	}
	for _, c := range src.Columns {
		if !c.Key {
			cols = append(cols, c)
		}
	}
	return cols
}

// PlanPullTable plans a pull query (SELECT without EMIT CHANGES) on a
// materialised table: the plan's Spec.Source.Schema is
// PullTableSchema(table) and its operators are the query's WHERE filter
// and projection over those rows. The spec is never started: the engine
// reads the rows from state and runs them through the operators
// (exec.ApplyOperators). WINDOWSTART and WINDOWEND are ordinary columns
// here, as ksqlDB shows them in a pull query on a windowed table.
func PlanPullTable(q *ast.Query, cat Catalog, o Options) (p *QueryPlan, err error) {
	defer recoverInternal(&err)
	rel := q.From.Left
	src, ok := cat.Source(rel.Name)
	if !ok {
		return nil, errorf(rel.Pos, "Source `%s` does not exist.", rel.Name)
	}
	view := *src
	view.Kind = ast.StreamSource
	view.Window = nil
	view.Columns = PullTableSchema(src)
	view.TimestampColumn = ""
	view.TimestampFormat = ""
	a, err := analyzeSelect(q, pullCatalog{Catalog: cat, src: &view}, o, false, "")
	if err != nil {
		return nil, err
	}
	if p, err = a.build(o); err != nil {
		return nil, err
	}
	p.Root = &Node{Op: "Output", Detail: "pull", Schema: p.Columns, Input: p.Root}
	return p, nil
}

// pullCatalog shows one source as the pull query's view of it.
type pullCatalog struct {
	Catalog
	src *Source
}

func (c pullCatalog) Source(name string) (*Source, bool) {
	if name == c.src.Name {
		return c.src, true
	}
	return c.Catalog.Source(name)
}
