package exec

import (
	"strings"

	"github.com/sluicedb/sluice/types"
)

// Filter keeps the rows whose predicate is TRUE; FALSE, NULL and a failed
// evaluation drop the row (the failure goes to the processing log). It is
// the stream filter: a row whose record value was null (Change Delete)
// never passes, whatever the predicate, as ksqlDB drops null rows in WHERE.
// Tables filter their changelog with the stateful operators instead.
type Filter struct {
	schema *types.Schema
	pred   Evaluator
	keep   []int
	bb     *types.BatchBuilder
	rf     rowFiller
}

// NewFilter returns a filter over batches of schema s.
func NewFilter(s *types.Schema, pred Evaluator) *Filter {
	return &Filter{schema: s, pred: pred, bb: types.NewBatchBuilder(batchAllocator, s),
		rf: newRowFiller(s.Len(), pred)}
}

// ForTask implements TaskLocal: each task gets its own builder.
func (f *Filter) ForTask(*TaskContext) (Operator, error) { return NewFilter(f.schema, f.pred), nil }

// Close implements io.Closer, releasing the builder.
func (f *Filter) Close() error { f.bb.Release(); return nil }

// Schema implements Operator: a filter does not change the schema.
func (f *Filter) Schema() *types.Schema { return f.schema }

// Process implements Operator.
func (f *Filter) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	n := in.NumRows()
	f.selection(tc, in)
	switch len(f.keep) {
	case 0:
		return nil
	case n:
		in.Retain()
		return next(in)
	}
	// Copy the kept rows column by column with typed kernels.
	f.bb.Reserve(len(f.keep))
	for c := range f.schema.Columns {
		copyColumn(f.bb.Col(c), in, c, f.keep)
	}
	appendMetas(f.bb, in, f.keep)
	out, err := f.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

// selection evaluates the predicate and leaves the passing rows in f.keep.
func (f *Filter) selection(tc *TaskContext, in *types.Batch) {
	f.keep = f.keep[:0]
	n := in.NumRows()
	for i := 0; i < n; i++ {
		if in.Meta(i).Change == types.Delete {
			continue
		}
		v, err := f.pred.Eval(f.rf.fill(tc, in, i))
		if err != nil {
			tc.reportRowError(in, i, err)
			continue
		}
		if b, ok := v.(bool); ok && b {
			f.keep = append(f.keep, i)
		}
	}
}

// Project computes a new row per input row: one evaluator per output
// column. It also carries the row metadata over; Rowtime can be replaced by
// an output column (the sink's TIMESTAMP).
type Project struct {
	out   *types.Schema
	exprs []Evaluator
	bb    *types.BatchBuilder

	// Compiled for the input schema on the first batch: refs[j] is the
	// input column output j copies (-1 when it is evaluated), evals the
	// outputs evaluated per row. onDelete[k] says whether evals[k] is
	// evaluated for a delete (a table's tombstone, a stream's null value):
	// key columns, plain column references and expressions that read no
	// value column (a TIMESTAMP computed from ROWTIME) are; the others are
	// NULL, since the row has no values to compute them from (the sink
	// writes no value for a delete, a push query shows NULL there), and a
	// function that fails on NULL must not fill the processing log for a
	// row that is only a delete.
	in       *types.Schema
	refs     []int
	evals    []int
	onDelete []bool
	rf       rowFiller
}

// NewProject returns a projection producing schema out, column i computed
// by exprs[i].
func NewProject(out *types.Schema, exprs []Evaluator) *Project {
	return &Project{out: out, exprs: exprs, bb: types.NewBatchBuilder(batchAllocator, out)}
}

// ForTask implements TaskLocal: each task gets its own builder.
func (p *Project) ForTask(*TaskContext) (Operator, error) { return NewProject(p.out, p.exprs), nil }

// Close implements io.Closer, releasing the builder.
func (p *Project) Close() error { p.bb.Release(); return nil }

// Schema implements Operator.
func (p *Project) Schema() *types.Schema { return p.out }

// Process implements Operator. Outputs that are input columns unchanged
// are copied with typed kernels; the others are evaluated row by row, and a
// value that fails (or does not fit its column) becomes NULL and goes to the
// processing log.
func (p *Project) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	return p.process(tc, in, nil, next)
}

// process projects rows sel of in (all of them when sel is nil).
func (p *Project) process(tc *TaskContext, in *types.Batch, sel []int, next func(*types.Batch) error) error {
	if in.Schema() != p.in {
		p.compile(in.Schema())
	}
	n := in.NumRows()
	if sel != nil {
		n = len(sel)
	}
	p.bb.Reserve(n)
	for j, c := range p.refs {
		if c >= 0 {
			copyColumn(p.bb.Col(j), in, c, sel)
		}
	}
	if len(p.evals) > 0 {
		for k := 0; k < n; k++ {
			i := k
			if sel != nil {
				i = sel[k]
			}
			deleted := in.Meta(i).Change == types.Delete
			row := p.rf.fill(tc, in, i)
			for e, j := range p.evals {
				var v any
				if !deleted || p.onDelete[e] {
					var err error
					if v, err = p.exprs[j].Eval(row); err != nil {
						tc.reportRowError(in, i, err)
						v = nil
					}
				}
				if err := p.bb.Col(j).AppendValue(v); err != nil {
					tc.reportRowError(in, i, err)
					p.bb.Col(j).AppendNull()
				}
			}
		}
	}
	appendMetas(p.bb, in, sel)
	if p.bb.Len() == 0 {
		return nil
	}
	out, err := p.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

// compile splits the outputs into copied columns and evaluated ones for an
// input schema.
func (p *Project) compile(in *types.Schema) {
	p.in = in
	p.refs, p.evals, p.onDelete = p.refs[:0], p.evals[:0], p.onDelete[:0]
	var evs []Evaluator
	for j, e := range p.exprs {
		c, isRef := e.(ColumnRef)
		if isRef && int(c) < in.Len() && in.Columns[c].Type.Equal(p.out.Columns[j].Type) {
			p.refs = append(p.refs, int(c))
			continue
		}
		p.refs = append(p.refs, -1)
		p.evals = append(p.evals, j)
		out := p.out.Columns[j]
		p.onDelete = append(p.onDelete, isRef || out.Key || strings.HasPrefix(out.Name, "$") || !readsValue(e, in))
		evs = append(evs, e)
	}
	p.rf = newRowFiller(in.Len(), evs...)
}

// readsValue reports whether e may read a value column of in: one that is
// neither a key nor a header column, and so NULL in a delete. An evaluator
// that does not say what it reads may read anything.
func readsValue(e Evaluator, in *types.Schema) bool {
	cr, ok := e.(ColumnReader)
	if !ok {
		return true
	}
	for _, c := range cr.ReadsColumns() {
		if c < in.Len() && !in.Columns[c].Key && !in.Columns[c].Headers {
			return true
		}
	}
	return false
}

// FlatMap applies table functions: for each input row it evaluates the
// generators (each returns a []any, or nil for none), zips their results as
// ksqlDB does (the longest decides the row count; shorter ones pad with
// NULL) and emits one row per position: the input row's columns followed by
// one column per generator.
type FlatMap struct {
	out  *types.Schema
	gens []Evaluator
	bb   *types.BatchBuilder
	vals []any
	res  [][]any
}

// NewFlatMap returns a flat-map whose output schema out is the input
// schema followed by one column per generator.
func NewFlatMap(out *types.Schema, gens []Evaluator) *FlatMap {
	return &FlatMap{out: out, gens: gens, bb: types.NewBatchBuilder(batchAllocator, out)}
}

// ForTask implements TaskLocal: each task gets its own builder.
func (f *FlatMap) ForTask(*TaskContext) (Operator, error) { return NewFlatMap(f.out, f.gens), nil }

// Close implements io.Closer, releasing the builder.
func (f *FlatMap) Close() error { f.bb.Release(); return nil }

// Schema implements Operator.
func (f *FlatMap) Schema() *types.Schema { return f.out }

// Process implements Operator.
func (f *FlatMap) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	n := in.NumRows()
	width := in.Schema().Len()
	for i := 0; i < n; i++ {
		row := tc.InputRow(in, i)
		f.res = f.res[:0]
		longest := 0
		failed := false
		for _, g := range f.gens {
			v, err := g.Eval(row)
			if err != nil {
				tc.reportRowError(in, i, err)
				failed = true
				break
			}
			list, _ := v.([]any)
			f.res = append(f.res, list)
			longest = max(longest, len(list))
		}
		if failed {
			continue
		}
		for k := 0; k < longest; k++ {
			f.vals = append(f.vals[:0], row[:width]...)
			for _, list := range f.res {
				var v any
				if k < len(list) {
					v = list[k]
				}
				f.vals = append(f.vals, v)
			}
			if err := f.bb.AppendRow(in.Meta(i), f.vals); err != nil {
				tc.reportRowError(in, i, err)
			}
		}
	}
	if f.bb.Len() == 0 {
		return nil
	}
	out, err := f.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}
