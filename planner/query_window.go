package planner

import (
	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// windowedView is how a push query sees a windowed source: its key
// columns, then WINDOWSTART and WINDOWEND (BIGINT, from the windowed key),
// then its other columns, the layout ksqlDB gives such a query's rows.
func windowedView(src *Source) *Source {
	view := *src
	view.Columns = PullTableSchema(src)
	return &view
}

// isWindowBound reports whether c is one of the bounds windowedView adds.
func isWindowBound(c types.Column) bool {
	return !c.Key && !c.Headers && (c.Name == "WINDOWSTART" || c.Name == "WINDOWEND")
}

// windowedSpec makes the source read windowed keys: the bounds are no
// value columns but come from the key (exec.SourceWindow).
func windowedSpec(spec *exec.SourceSpec, src *Source) {
	w := &exec.SourceWindow{Session: src.Window.Kind == ast.SessionWindow, SizeMs: src.Window.SizeMs}
	w.StartColumn = spec.Schema.Index("WINDOWSTART")
	w.EndColumn = spec.Schema.Index("WINDOWEND")
	var vals []types.Column
	for _, c := range spec.Value.Columns {
		if !isWindowBound(c) {
			vals = append(vals, c)
		}
	}
	spec.Value.Columns = vals
	spec.Window = w
}
