package planner

import (
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// tableFilterOperator names the store of the keys a table filter has
// output (exec.TableFilter), and with it the store's changelog topic.
const tableFilterOperator = "TableFilter-Keys"

// tableFilterSpec describes WHERE over a table source: the predicate, the
// columns that identify a row (the primary key and, for a windowed table,
// the window bounds), and where the filter keeps the keys it output so
// that it sends a tombstone only for those.
func (a *analysis) tableFilterSpec(o Options, schema *types.Schema, w *exec.SourceWindow) *exec.TableFilterSpec {
	var keys []int
	for i, c := range schema.Columns {
		if c.Key {
			keys = append(keys, i)
		}
	}
	if w != nil {
		keys = append(keys, w.StartColumn, w.EndColumn)
	}
	spec := &exec.TableFilterSpec{
		Schema: schema, Where: guarded(a.where), KeyColumns: keys,
		Operator: tableFilterOperator, Transient: !a.persistent,
	}
	if a.persistent {
		spec.Changelog = changelogTopic(o, tableFilterOperator)
	}
	return spec
}
