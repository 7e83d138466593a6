package exec

import (
	"github.com/sluicedb/sluice/types"
)

// TableFilter is WHERE over a table's changelog, with ksqlDB's semantics
// (Kafka Streams' KTableFilter without old values): a row whose predicate
// is TRUE passes as it is; a row the predicate rejects (FALSE, NULL or a
// failed evaluation, which also goes to the processing log) becomes a
// tombstone for its key, since the key may have been output before; an
// input tombstone (Change Delete) passes on as a tombstone. Every input
// row therefore yields exactly one output row, keyed as its input.
type TableFilter struct {
	schema *types.Schema
	pred   Evaluator
	bb     *types.BatchBuilder
	rf     rowFiller
}

// NewTableFilter returns a table filter over batches of schema s.
func NewTableFilter(s *types.Schema, pred Evaluator) *TableFilter {
	return &TableFilter{schema: s, pred: pred, bb: types.NewBatchBuilder(batchAllocator, s),
		rf: newRowFiller(s.Len(), pred)}
}

// ForTask implements TaskLocal: each task gets its own builder.
func (f *TableFilter) ForTask(*TaskContext) (Operator, error) {
	return NewTableFilter(f.schema, f.pred), nil
}

// Close implements io.Closer, releasing the builder.
func (f *TableFilter) Close() error { f.bb.Release(); return nil }

// Schema implements Operator: a filter does not change the schema.
func (f *TableFilter) Schema() *types.Schema { return f.schema }

// Process implements Operator.
func (f *TableFilter) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	n := in.NumRows()
	if n == 0 {
		return nil
	}
	rejected := false
	metas := make([]types.RowMeta, n)
	for i := 0; i < n; i++ {
		m := in.Meta(i)
		if m.Change != types.Delete && !f.passes(tc, in, i) {
			m.Change = types.Delete
			rejected = true
		}
		metas[i] = m
	}
	if !rejected {
		in.Retain()
		return next(in)
	}
	// Same rows and values; only the changes of the rejected rows differ.
	f.bb.Reserve(n)
	for c := range f.schema.Columns {
		copyColumn(f.bb.Col(c), in, c, nil)
	}
	for _, m := range metas {
		f.bb.AppendMeta(m)
	}
	out, err := f.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

// passes evaluates the predicate on row i: only TRUE passes.
func (f *TableFilter) passes(tc *TaskContext, in *types.Batch, i int) bool {
	v, err := f.pred.Eval(f.rf.fill(tc, in, i))
	if err != nil {
		tc.reportRowError(in, i, err)
		return false
	}
	b, ok := v.(bool)
	return ok && b
}
