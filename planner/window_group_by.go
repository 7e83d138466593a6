package planner

import "github.com/sluicedb/sluice/ast"

// windowedGroupBy checks GROUP BY over a windowed source as ksqlDB plans it.
// ksqlDB always regroups such a source through a repartition: the rows
// carry WINDOWSTART and WINDOWEND as columns, the source's window leaves
// the key, and the result is keyed by the GROUP BY values (windowed again
// only by the query's own WINDOW). Grouping by the source's one key column
// would need no repartition, a path ksqlDB does not have for windowed keys,
// so it refuses it with its message. Windowed tables are refused until the
// aggregation over tables identifies a row by its key and its window.
func windowedGroupBy(q *ast.Query, src *Source, rel ast.AliasedSource) error {
	if src.Kind == ast.TableSource {
		return errorf(rel.Pos, "GROUP BY over a windowed table is not yet supported: %s is windowed", rel.Name)
	}
	keys := src.KeyColumns()
	if len(keys) != 1 || len(q.GroupBy) != 1 {
		return nil
	}
	r, ok := q.GroupBy[0].(*ast.ColumnRef)
	if !ok || r.Name != keys[0].Name {
		return nil
	}
	if r.Source == "" || r.Source == rel.Name || r.Source == rel.Alias {
		return errorf(r.Pos, "Group by on windowed should always require rekey")
	}
	return nil
}
