package exec

import (
	"github.com/sluicedb/sluice/types"
)

// DropNullKeys is the first operator over a table's changelog: a record
// whose key is null (every key column NULL) cannot be a row of the table,
// so ksqlDB ignores it; every other row passes unchanged.
type DropNullKeys struct {
	schema *types.Schema
	keys   []int
	keep   []int
	bb     *types.BatchBuilder
}

// NewDropNullKeys returns the operator over batches of schema s whose key
// columns are at positions keys.
func NewDropNullKeys(s *types.Schema, keys []int) *DropNullKeys {
	return &DropNullKeys{schema: s, keys: keys, bb: types.NewBatchBuilder(batchAllocator, s)}
}

// ForTask implements TaskLocal: each task gets its own builder.
func (d *DropNullKeys) ForTask(*TaskContext) (Operator, error) {
	return NewDropNullKeys(d.schema, d.keys), nil
}

// Close implements io.Closer, releasing the builder.
func (d *DropNullKeys) Close() error { d.bb.Release(); return nil }

// Schema implements Operator: the schema is unchanged.
func (d *DropNullKeys) Schema() *types.Schema { return d.schema }

// Process implements Operator.
func (d *DropNullKeys) Process(_ *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	n := in.NumRows()
	d.keep = d.keep[:0]
	for i := 0; i < n; i++ {
		if !d.nullKey(in, i) {
			d.keep = append(d.keep, i)
		}
	}
	switch len(d.keep) {
	case 0:
		return nil
	case n:
		in.Retain()
		return next(in)
	}
	d.bb.Reserve(len(d.keep))
	for c := range d.schema.Columns {
		copyColumn(d.bb.Col(c), in, c, d.keep)
	}
	appendMetas(d.bb, in, d.keep)
	out, err := d.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

func (d *DropNullKeys) nullKey(in *types.Batch, i int) bool {
	if len(d.keys) == 0 {
		return false
	}
	for _, c := range d.keys {
		if !in.IsNull(c, i) {
			return false
		}
	}
	return true
}
