package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// windowedGroupBy checks GROUP BY over a windowed source as ksqlDB plans it.
// ksqlDB always regroups such a source through a repartition: the rows
// carry WINDOWSTART and WINDOWEND as columns, the source's window leaves
// the key, and the result is keyed by the GROUP BY values (windowed again
// only by the query's own WINDOW). Grouping a stream by its one key column
// would need no repartition, a path ksqlDB does not have for windowed
// keys, so it refuses it with its message. A table is always regrouped by
// ksqlDB (KTable.groupBy, whatever the GROUP BY), so every grouping of a
// windowed table is allowed; its rows are told apart by key and window
// (windowedRowKey).
func windowedGroupBy(q *ast.Query, src *Source, rel ast.AliasedSource) error {
	if src.Kind == ast.TableSource {
		return nil
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

// windowedRowKey returns the positions that identify a row of a table
// whose primary key columns are at keys: for a windowed table, the key
// and the window bounds, since every window of a key is a row of its own
// (an update of the key in one window must not retract its row in
// another). keys is not modified.
func windowedRowKey(keys []int, w *exec.SourceWindow) []int {
	out := append([]int(nil), keys...)
	if w != nil {
		out = append(out, w.StartColumn, w.EndColumn)
	}
	return out
}

// columnNames names the columns of schema at positions at, as the plan
// shows which columns identify a table row.
func columnNames(schema *types.Schema, at []int) []string {
	names := make([]string, len(at))
	for i, c := range at {
		names[i] = schema.Columns[c].Name
	}
	return names
}
