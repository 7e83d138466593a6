package planner

import (
	"fmt"

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

// hiddenBound reports whether `*` leaves out column c: a persistent query
// over a windowed source keeps the window in its output's key, so the
// bounds are no value columns of the result (ksqlDB's CREATE ... AS
// SELECT * over a windowed source has the source's schema), while a push
// query shows them.
func (a *analysis) hiddenBound(c types.Column) bool {
	return a.persistent && a.src.Window != nil && isWindowBound(c)
}

// checkWindowedRepartition refuses PARTITION BY on a windowed source unless
// it names the source's one key column, which changes nothing: ksqlDB
// cannot rekey a windowed stream (the new key would lose its window).
func (a *analysis) checkWindowedRepartition() error {
	if a.src.Window == nil || (a.partitionBy == nil && !a.partitionNull) {
		return nil
	}
	keys := a.src.KeyColumns()
	if !a.partitionNull && len(keys) == 1 && len(a.partitionBy) == 1 {
		if r, ok := a.unqualify(a.partitionBy[0]).(*ast.ColumnRef); ok && r.Source == "" && r.Name == keys[0].Name {
			return nil
		}
	}
	pos := a.q.Pos
	if len(a.q.PartitionBy) > 0 {
		pos = a.q.PartitionBy[0].Position()
	}
	return errorf(pos, "Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.")
}

// Names of the hidden projection columns that carry a windowed source's
// bounds to the sink; `$` keeps them apart from any SQL name.
const (
	hiddenWindowStart = "$WINDOWSTART"
	hiddenWindowEnd   = "$WINDOWEND"
)

// windowBoundsProjection returns the hidden columns and evaluators a
// persistent query over a windowed source appends to its projection: the
// bounds read from the input row (schema is the projection's input), which
// the sink appends to each record key as the aggregation's sink does.
func (a *analysis) windowBoundsProjection(schema *types.Schema) ([]types.Column, []exec.Evaluator, error) {
	if !a.persistent || a.src.Window == nil {
		return nil, nil, nil
	}
	start, end := schema.Index("WINDOWSTART"), schema.Index("WINDOWEND")
	if start < 0 || end < 0 {
		return nil, nil, fmt.Errorf("planner: windowed source %s without window bounds in its rows", a.src.Name)
	}
	cols := []types.Column{{Name: hiddenWindowStart, Type: types.BigintType}, {Name: hiddenWindowEnd, Type: types.BigintType}}
	return cols, []exec.Evaluator{exec.ColumnRef(start), exec.ColumnRef(end)}, nil
}

// windowedSink makes a persistent query over a windowed source write
// windowed keys: its output keeps the source's window, the bounds coming
// from the hidden columns windowBoundsProjection placed right after the
// visible ones.
func (a *analysis) windowedSink(p *QueryPlan) {
	if !a.persistent || a.src.Window == nil {
		return
	}
	s := p.Spec.Sink
	s.Windowed, s.WindowStartColumn, s.WindowEndColumn = true, len(p.Columns), len(p.Columns)+1
	s.SessionWindowed = a.src.Window.Kind == ast.SessionWindow
}

// sameWindow reports whether two sources' keys carry the same window: both
// unwindowed, or the same window kind and size.
func sameWindow(x, y *WindowInfo) bool {
	if x == nil || y == nil {
		return x == y
	}
	return *x == *y
}

// windowText names a source's windowing in the INSERT INTO message:
// "SESSION windowed", "TUMBLING windowed (size 1000 ms)", "not windowed".
func windowText(w *WindowInfo) string {
	if w == nil {
		return "not windowed"
	}
	if w.Kind == ast.SessionWindow {
		return fmt.Sprintf("%s windowed", w.Kind)
	}
	return fmt.Sprintf("%s windowed (size %d ms)", w.Kind, w.SizeMs)
}
