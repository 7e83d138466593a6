package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// The change flags a TableRegroup writes with each row (the last column
// of its output) and an aggregation over RegroupedInput reads. A table
// row that moves from one group to another is two records: its old
// version subtracted from the old group, then its new version added to
// the new one. When both versions fall in the same group, the subtract
// is flagged ChangeReplace: the aggregate retracts it without emitting
// and emits once, after the add, as Kafka Streams' table aggregations do
// (an update within a group is one change of the result, never a dip).
const (
	ChangeAdd      int32 = 1
	ChangeSubtract int32 = -1
	ChangeReplace  int32 = 0
)

// changeFlag reads the change flag column of a regrouped row: a record
// of the repartition topic written by another build, or by hand, may
// carry anything there, and only the three flags mean a change.
func changeFlag(v any) (int32, error) {
	f, ok := v.(int32)
	if !ok || f < ChangeSubtract || f > ChangeAdd {
		return 0, fmt.Errorf("exec: regrouped row with change flag %v", v)
	}
	return f, nil
}

// RegroupColumns are the columns a regrouping stage appends to each row
// after the source's columns and the GROUP BY values: the ROWTIME,
// ROWPARTITION and ROWOFFSET the row had in the source (so aggregate
// arguments that read them see the row's own values, and a subtract
// retracts exactly what its add added), then the change flag. Because the
// pseudo columns come right after the GROUP BY values, an aggregation
// compiled with its pseudo columns at that position reads them.
var RegroupColumns = []types.Column{
	{Name: "ROWTIME", Type: types.BigintType},
	{Name: "ROWPARTITION", Type: types.IntegerType},
	{Name: "ROWOFFSET", Type: types.BigintType},
	{Name: "SLUICE_CHANGE", Type: types.IntegerType},
}

// RegroupSpec describes the first stage of a GROUP BY over a table with
// several partitions, Kafka Streams' KTable.groupBy: a task per table
// partition keeps the table's current rows (so it knows each key's
// previous version) and turns every change into records for the
// aggregation, partitioned by the new group (a repartition topic).
type RegroupSpec struct {
	// Input is the table's columns, the layout of the operator's input;
	// KeyColumns the positions that identify a row (TableInput.KeyColumns:
	// the primary key, and the window bounds of a windowed table). A
	// record whose primary key is null is dropped before this stage
	// (DropNullKeys).
	Input      *types.Schema
	KeyColumns []int
	// Where filters rows (nil for none): a row that stops passing leaves
	// its group.
	Where Evaluator
	// GroupBy are the grouping expressions over the input row.
	GroupBy []Evaluator
	// Schema is the output: Input's columns, one column per GroupBy
	// value, then RegroupColumns.
	Schema *types.Schema
	// Operator names the store of current rows (StoreName(query,
	// Operator, partition)); Changelog is its compacted changelog topic.
	Operator  string
	Changelog string
}

// TableRegroup is the operator of a regrouping stage (RegroupSpec). Its
// store of current rows commits with the stage's transaction (CommitHook)
// like an aggregation's, so the records it wrote and the rows it keeps
// agree after a crash: a change is never subtracted twice or lost.
type TableRegroup struct {
	spec *RegroupSpec
	// topics has the first task create the changelog topic and the others
	// wait for it.
	topics changelogTopics
}

// NewTableRegroup returns the regrouping template the tasks instantiate.
func NewTableRegroup(spec *RegroupSpec) *TableRegroup { return &TableRegroup{spec: spec} }

// Schema implements Operator.
func (r *TableRegroup) Schema() *types.Schema { return r.spec.Schema }

// Process implements Operator; only the per-task instances process rows.
func (r *TableRegroup) Process(*TaskContext, *types.Batch, func(*types.Batch) error) error {
	return errors.New("exec: table regroup used without ForTask")
}

// ForTask implements TaskLocal: it opens the task's store of current
// rows, creates its changelog on first use and recovers it against the
// log before any record is processed.
func (r *TableRegroup) ForTask(tc *TaskContext) (Operator, error) {
	if tc.State == nil || tc.Broker == nil {
		return nil, errors.New("exec: table regroup needs a state store (RuntimeOptions.State)")
	}
	ctx := context.Background()
	err := r.topics.ensure(func() error { return ensureChangelog(ctx, tc.Broker, r.spec.Changelog, tc) })
	if err != nil {
		return nil, err
	}
	cl, err := openChangelogStore(tc, r.spec.Operator, "table regroup")
	if err != nil {
		return nil, err
	}
	t := &regroupTask{spec: r.spec, cl: cl, bb: types.NewBatchBuilder(batchAllocator, r.spec.Schema)}
	if err := t.open(ctx, tc); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// regroupTask is one task's regrouping: its store of current rows and the
// changelog position its checkpoint records.
type regroupTask struct {
	spec *RegroupSpec
	// cl is the task's state and the rows store's changelog.
	cl   *changelogStore
	rows *state.KVStore

	// codec stores rows in the layout without the marker
	// (tableRowCodec).
	codec    *tableRowCodec
	bb       *types.BatchBuilder
	key, val []byte
	old, out []any
}

// open opens the store and the row codec and recovers the store.
func (t *regroupTask) open(ctx context.Context, tc *TaskContext) error {
	var err error
	name := state.StoreName(tc.QueryID, t.spec.Operator, tc.Partition)
	if t.rows, err = t.cl.task.KeyValueStore(name); err != nil {
		return fmt.Errorf("exec: table regroup store: %w", err)
	}
	if t.codec, err = newTableRowCodec(tc, t.spec.Input, t.spec.Changelog, false); err != nil {
		return fmt.Errorf("exec: table regroup row codec: %w", err)
	}
	t.cl.track(name, t.spec.Changelog)
	return t.cl.recover(ctx, tc)
}

// Schema implements Operator.
func (t *regroupTask) Schema() *types.Schema { return t.spec.Schema }

// Close implements io.Closer: uncommitted state is dropped with the task.
func (t *regroupTask) Close() error {
	t.bb.Release()
	if t.codec != nil {
		t.codec.close()
	}
	return t.cl.task.Close()
}

// Process implements Operator: each table change becomes at most two
// rows, subtract (old version) first, then add (new version).
func (t *regroupTask) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	if t.cl.failed != nil {
		return t.cl.failed
	}
	emitted := 0
	for i, n := 0, in.NumRows(); i < n; i++ {
		k, err := t.change(tc, in, i)
		if err != nil {
			t.bb.Discard()
			return err
		}
		emitted += k
	}
	if emitted == 0 {
		return nil
	}
	out, err := t.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

// change applies table record i to the store and appends its rows.
func (t *regroupTask) change(tc *TaskContext, in *types.Batch, i int) (int, error) {
	m := in.Meta(i)
	row := tc.InputRow(in, i)
	t.key = t.key[:0]
	allNull := true
	for _, c := range t.spec.KeyColumns {
		allNull = allNull && row[c] == nil
		t.key = appendKeyValue(t.key, row[c])
	}
	if allNull && len(t.spec.KeyColumns) > 0 {
		return 0, nil // a null key is no row of the table: ksqlDB ignores it
	}
	stored, found, err := t.rows.Get(t.key)
	if err != nil {
		return 0, fmt.Errorf("exec: table regroup read: %w", err)
	}
	var oldGroup, newGroup []any
	var oldKey, newKey []byte
	if found {
		var batch *types.Batch
		if batch, t.old, err = t.codec.decode(stored, m, t.old); err != nil {
			return 0, err
		}
		// The old version was checked when it was added: errors are not
		// reported twice.
		oldKey, oldGroup = tableRowGroup(nil, in, i, t.spec.Where, t.spec.GroupBy, t.old)
		defer batch.Release()
	}
	if m.Change != types.Delete {
		newKey, newGroup = tableRowGroup(tc, in, i, t.spec.Where, t.spec.GroupBy, row)
	}
	emitted := 0
	if oldGroup != nil {
		flag := ChangeSubtract
		if newGroup != nil && string(oldKey) == string(newKey) {
			flag = ChangeReplace
		}
		if t.appendRow(tc, in, i, m, t.old, oldGroup, flag) {
			emitted++
		}
	}
	if newGroup != nil {
		row = tc.InputRow(in, i) // groupOf may have reused tc's row
		if t.appendRow(tc, in, i, m, row, newGroup, ChangeAdd) {
			emitted++
		}
	}
	if m.Change == types.Delete {
		if found {
			return emitted, t.rows.Delete(t.key)
		}
		return emitted, nil
	}
	if t.val, err = t.codec.encode(t.val[:0], in, i, m); err != nil {
		tc.reportRowError(in, i, err)
		return emitted, nil
	}
	return emitted, t.rows.Put(t.key, t.val)
}

// appendRow appends one output row: row's table columns, the group
// values, row's pseudo columns and the flag. The record keeps the time of
// the change (the aggregate's result time), whichever version it carries.
func (t *regroupTask) appendRow(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, row, group []any, flag int32) bool {
	n := t.spec.Input.Len()
	t.out = append(t.out[:0], row[:n]...)
	t.out = append(t.out, group...)
	t.out = append(t.out, row[n], row[n+1], row[n+2], flag)
	if err := t.bb.AppendRow(types.RowMeta{Rowtime: m.Rowtime, Partition: m.Partition, Offset: m.Offset}, t.out); err != nil {
		tc.reportRowError(in, i, err)
		return false
	}
	return true
}

// PrepareCommit implements CommitHook: the store's changes since the last
// commit go to its changelog partition inside the task's transaction.
func (t *regroupTask) PrepareCommit(ctx context.Context, p broker.Producer) error {
	return t.cl.prepareCommit(ctx, p)
}

// Committed implements CommitHook: the log transaction is durable, so the
// rows and the same offsets are committed to pebble (see aggregateTask).
func (t *regroupTask) Committed(pos int64) { t.cl.committed(pos) }

// RegroupedInput makes an aggregation read the records of a TableRegroup
// stage instead of a stream: each row is added to or subtracted from its
// group as its change flag says (aggregate_table.go).
type RegroupedInput struct {
	// Flag is the position of the change flag in the input row.
	Flag int
	// Stage is the regrouping stage feeding the aggregation: terminating
	// the query drops its state too (DropQueryState).
	Stage *QuerySpec
}

// drop deletes what the regrouping stage keeps: its tasks' state and its
// changelog topic. The repartition topic is the stage's sink, which the
// engine deletes with the query's internal topics.
func (r *RegroupedInput) drop(ctx context.Context, db *state.DB, log broker.Log) error {
	if r == nil || r.Stage == nil {
		return nil
	}
	var errs []error
	for _, op := range r.Stage.Operators {
		if g, ok := op.(*TableRegroup); ok {
			errs = append(errs, dropChangelogState(ctx, db, log, r.Stage.ID, g.spec.Operator, r.Stage.Source.Partitions,
				[]string{g.spec.Operator}, []string{g.spec.Changelog}))
		}
	}
	return errors.Join(errs...)
}
