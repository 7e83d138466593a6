package exec

import (
	"github.com/sluicedb/sluice/types"
)

// Typed kernels: the operators' hot paths that move column values without
// boxing them into interfaces. Boxing a row to evaluate one predicate was
// the largest cost in the pipeline's profile (a heap allocation per value,
// plus a copy per string, and the garbage collector's share of both).

// ColumnReader is implemented by Evaluators that know which row positions
// they read (batch columns and pseudo columns, as in Eval's row). Operators
// then fill only those positions and leave the others nil, instead of
// boxing the whole row. The planner's compiled expressions implement it;
// an Evaluator without it gets every position.
type ColumnReader interface {
	ReadsColumns() []int
}

// ColumnRef is an Evaluator that returns a batch column unchanged. Project
// copies such columns with typed kernels, with no per-row evaluation; the
// planner compiles bare column references to it.
type ColumnRef int

// Eval implements Evaluator.
func (c ColumnRef) Eval(row []any) (any, error) { return row[c], nil }

// ReadsColumns implements ColumnReader.
func (c ColumnRef) ReadsColumns() []int { return []int{int(c)} }

// readsColumns returns the union of the positions evs read, and false when
// one of them does not say (then the whole row is needed).
func readsColumns(evs ...Evaluator) ([]int, bool) {
	var cols []int
	seen := map[int]bool{}
	for _, e := range evs {
		cr, ok := e.(ColumnReader)
		if !ok {
			return nil, false
		}
		for _, c := range cr.ReadsColumns() {
			if !seen[c] {
				seen[c] = true
				cols = append(cols, c)
			}
		}
	}
	return cols, true
}

// rowFiller fills an operator's evaluation row with the positions its
// evaluators read.
type rowFiller struct {
	cols []int // nil with all set: every position
	all  bool
	row  []any
}

func newRowFiller(width int, evs ...Evaluator) rowFiller {
	cols, ok := readsColumns(evs...)
	return rowFiller{cols: cols, all: !ok, row: make([]any, width+len(PseudoColumns))}
}

// fill returns row i of b as Eval expects it. Strings are views into the
// batch, valid only while it is: evaluators must not keep row values past
// the call (results are copied into builders).
func (f *rowFiller) fill(tc *TaskContext, b *types.Batch, i int) []any {
	if f.all {
		return tc.InputRow(b, i)
	}
	width := b.Schema().Len()
	for _, c := range f.cols {
		switch {
		case c < width:
			f.row[c] = cellView(b, c, i)
		case c == width:
			f.row[c] = b.Meta(i).Rowtime
		case c == width+1:
			f.row[c] = b.Meta(i).Partition
		case c == width+2:
			f.row[c] = b.Meta(i).Offset
		}
	}
	return f.row
}

// cellView is Batch.Value without the string copy.
func cellView(b *types.Batch, c, i int) any {
	if b.IsNull(c, i) {
		return nil
	}
	if b.Schema().Columns[c].Type.Kind == types.String {
		return b.StringView(c, i)
	}
	return b.Value(c, i)
}

// copyColumn appends rows sel of column c of b to dst (every row when sel
// is nil). dst has the column's type.
func copyColumn(dst *types.ColumnBuilder, b *types.Batch, c int, sel []int) {
	n := b.NumRows()
	count := n
	if sel != nil {
		count = len(sel)
	}
	row := func(k int) int {
		if sel == nil {
			return k
		}
		return sel[k]
	}
	nulls := b.Column(c).NullN() > 0
	switch b.Schema().Columns[c].Type.Kind {
	case types.Bigint:
		vals := b.Int64s(c)
		for k := 0; k < count; k++ {
			if i := row(k); nulls && b.IsNull(c, i) {
				dst.AppendNull()
			} else {
				dst.AppendInt64(vals[i])
			}
		}
	case types.Integer:
		vals := b.Int32s(c)
		for k := 0; k < count; k++ {
			if i := row(k); nulls && b.IsNull(c, i) {
				dst.AppendNull()
			} else {
				dst.AppendInt32(vals[i])
			}
		}
	case types.Double:
		vals := b.Float64s(c)
		for k := 0; k < count; k++ {
			if i := row(k); nulls && b.IsNull(c, i) {
				dst.AppendNull()
			} else {
				dst.AppendFloat64(vals[i])
			}
		}
	case types.String:
		for k := 0; k < count; k++ {
			if i := row(k); nulls && b.IsNull(c, i) {
				dst.AppendNull()
			} else {
				dst.AppendString(b.StringView(c, i))
			}
		}
	default:
		for k := 0; k < count; k++ {
			// Value and dst share the column's type, so this cannot fail.
			_ = dst.AppendValue(b.Value(c, row(k)))
		}
	}
}

// appendMetas appends the metadata of rows sel of b (all when nil).
func appendMetas(bb *types.BatchBuilder, b *types.Batch, sel []int) {
	if sel == nil {
		for i := 0; i < b.NumRows(); i++ {
			bb.AppendMeta(b.Meta(i))
		}
		return
	}
	for _, i := range sel {
		bb.AppendMeta(b.Meta(i))
	}
}

// EvalReading adapts f to an Evaluator that declares the row positions it
// reads (ColumnReader).
func EvalReading(cols []int, f EvalFunc) Evaluator { return readingEval{cols, f} }

type readingEval struct {
	cols []int
	f    EvalFunc
}

func (e readingEval) Eval(row []any) (any, error) { return e.f(row) }
func (e readingEval) ReadsColumns() []int         { return e.cols }
