package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// TableFilterSpec describes WHERE over a table's changelog.
type TableFilterSpec struct {
	// Schema is the layout of the batches filtered (and passed on).
	Schema *types.Schema
	// Where is the predicate; only TRUE keeps a row.
	Where Evaluator
	// KeyColumns are the positions of the columns that identify a row of
	// the table: its primary key columns and, for a windowed table, the
	// window bounds.
	KeyColumns []int
	// Operator names the store of keys in the output
	// (state.StoreName(query, Operator, partition)); Changelog is the
	// compacted topic backing it, one partition per input partition.
	Operator  string
	Changelog string
	// Transient marks a push query's filter: its state lives as long as
	// the query (no changelog, no recovery, dropped on close).
	Transient bool
}

// TableFilter is WHERE over a table's changelog, with ksqlDB's semantics:
// Kafka Streams' KTableFilter over a materialized parent, which sends old
// values and so forwards a delete only for a key whose previous row passed.
// A row whose predicate is TRUE passes as it is. A row the predicate
// rejects (FALSE, NULL, or a failed evaluation, which also goes to the
// processing log) and an input tombstone become a tombstone for the key
// if the key is in the filter's output, and are dropped otherwise: a
// consumer never sees a delete for a row it was never given.
//
// Which keys are in the output is state, kept in a key-value store of the
// task whose changes reach a compacted changelog and the store's
// checkpoint in the task's commit (CommitHook), like an aggregation's, so
// the filter stays exact across restarts and crashes.
type TableFilter struct {
	spec *TableFilterSpec
	// topics has the first task create the changelog topic and the others
	// wait for it.
	topics changelogTopics
}

// NewTableFilter returns the filter template the tasks instantiate.
func NewTableFilter(spec *TableFilterSpec) *TableFilter { return &TableFilter{spec: spec} }

// Spec returns the filter's description.
func (f *TableFilter) Spec() *TableFilterSpec { return f.spec }

// Schema implements Operator: a filter does not change the schema.
func (f *TableFilter) Schema() *types.Schema { return f.spec.Schema }

// Process implements Operator; only the per-task instances process rows.
func (f *TableFilter) Process(*TaskContext, *types.Batch, func(*types.Batch) error) error {
	return errors.New("exec: table filter used without ForTask")
}

// ForTask implements TaskLocal: it opens the task's store of output keys,
// creates the changelog on first use and recovers the store against the
// log before any record is processed.
func (f *TableFilter) ForTask(tc *TaskContext) (Operator, error) {
	if tc.State == nil || (tc.Broker == nil && !f.spec.Transient) {
		return nil, errors.New("exec: a filter over a table needs a state store (RuntimeOptions.State)")
	}
	ctx := context.Background()
	if !f.spec.Transient {
		err := f.topics.ensure(func() error { return ensureChangelog(ctx, tc.Broker, f.spec.Changelog, tc) })
		if err != nil {
			return nil, err
		}
	}
	cl, err := openChangelogStore(tc, f.spec.Operator, "table filter")
	if err != nil {
		return nil, err
	}
	name := state.StoreName(tc.QueryID, f.spec.Operator, tc.Partition)
	keys, err := cl.task.KeyValueStore(name)
	if err != nil {
		cl.task.Close()
		return nil, fmt.Errorf("exec: table filter store: %w", err)
	}
	ft := &tableFilterTask{
		spec: f.spec, cl: cl, keys: keys,
		bb: types.NewBatchBuilder(batchAllocator, f.spec.Schema),
		rf: newRowFiller(f.spec.Schema.Len(), f.spec.Where),
	}
	if f.spec.Transient {
		// A push query starts from nothing and keeps nothing.
		ft.db, ft.store = tc.State, name
		return ft, nil
	}
	cl.track(name, f.spec.Changelog)
	if err := cl.recover(ctx, tc); err != nil {
		ft.Close()
		return nil, err
	}
	return ft, nil
}

// dropState deletes what the filter of query spec.ID keeps: each
// partition's store and checkpoint, and the changelog topic.
func (f *TableFilter) dropState(ctx context.Context, spec *QuerySpec, db *state.DB, log broker.Log) error {
	var topics []string
	if f.spec.Changelog != "" {
		topics = []string{f.spec.Changelog}
	}
	return dropChangelogState(ctx, db, log, spec.ID, f.spec.Operator, spec.Source.Partitions, []string{f.spec.Operator}, topics)
}

// inOutput is the store value of a key in the filter's output; absent
// keys are not in it.
var inOutput = []byte{1}

// tableFilterTask is one task's filter: its store of output keys and the
// changelog position its checkpoint records.
type tableFilterTask struct {
	spec *TableFilterSpec
	// cl is the task's state and the keys store's changelog.
	cl   *changelogStore
	keys *state.KVStore
	// db and store are set for a push query's filter: what to drop when
	// the task closes.
	db    *state.DB
	store string

	bb    *types.BatchBuilder
	rf    rowFiller
	key   []byte
	sel   []int
	metas []types.RowMeta
}

// Schema implements Operator.
func (t *tableFilterTask) Schema() *types.Schema { return t.spec.Schema }

// Close implements io.Closer: uncommitted state is dropped with the task.
func (t *tableFilterTask) Close() error {
	t.bb.Release()
	err := t.cl.task.Close()
	if t.db != nil {
		err = errors.Join(err, t.db.DropStore(t.store), t.db.DropTask(t.cl.task.ID()))
	}
	return err
}

// Process implements Operator.
func (t *tableFilterTask) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	if t.cl.failed != nil {
		return t.cl.failed
	}
	n := in.NumRows()
	if n == 0 {
		return nil
	}
	t.sel, t.metas = t.sel[:0], t.metas[:0]
	changed := false
	for i := 0; i < n; i++ {
		m := in.Meta(i)
		keep := m.Change != types.Delete && t.passes(tc, in, i)
		t.key = t.key[:0]
		for _, c := range t.spec.KeyColumns {
			t.key = appendKeyValue(t.key, cellView(in, c, i))
		}
		_, present, err := t.keys.Get(t.key)
		if err != nil {
			return fmt.Errorf("exec: table filter read: %w", err)
		}
		switch {
		case keep:
			if !present {
				if err := t.keys.Put(t.key, inOutput); err != nil {
					return fmt.Errorf("exec: table filter write: %w", err)
				}
			}
		case present:
			// The key leaves the output: a tombstone.
			if err := t.keys.Delete(t.key); err != nil {
				return fmt.Errorf("exec: table filter write: %w", err)
			}
			if m.Change != types.Delete {
				m.Change = types.Delete
				changed = true
			}
		default:
			// Never output (or already deleted): nothing to say.
			changed = true
			continue
		}
		t.sel = append(t.sel, i)
		t.metas = append(t.metas, m)
	}
	if t.db != nil && t.cl.task.NeedsCommit() {
		// A push query never commits with the log: write its state down
		// when it outgrows the memory budget.
		if err := t.cl.task.Commit(state.Checkpoint{}); err != nil {
			return fmt.Errorf("exec: table filter state: %w", err)
		}
	}
	if !changed {
		in.Retain()
		return next(in)
	}
	if len(t.sel) == 0 {
		return nil
	}
	t.bb.Reserve(len(t.sel))
	for c := range t.spec.Schema.Columns {
		copyColumn(t.bb.Col(c), in, c, t.sel)
	}
	for _, m := range t.metas {
		t.bb.AppendMeta(m)
	}
	out, err := t.bb.NewBatch()
	if err != nil {
		return err
	}
	return next(out)
}

// passes evaluates the predicate on row i: only TRUE passes.
func (t *tableFilterTask) passes(tc *TaskContext, in *types.Batch, i int) bool {
	v, err := t.spec.Where.Eval(t.rf.fill(tc, in, i))
	if err != nil {
		tc.reportRowError(in, i, err)
		return false
	}
	b, ok := v.(bool)
	return ok && b
}

// PrepareCommit implements CommitHook: the store's changes since the last
// commit go to its changelog partition inside the task's transaction.
func (t *tableFilterTask) PrepareCommit(ctx context.Context, p broker.Producer) error {
	return t.cl.prepareCommit(ctx, p)
}

// Committed implements CommitHook: the log transaction is durable, so the
// state and the same offsets are committed to pebble. A failure leaves
// the log ahead of pebble, which recovery rolls forward; the task
// restarts to get there.
func (t *tableFilterTask) Committed(pos int64) {
	if t.db != nil {
		return // a push query commits nothing
	}
	t.cl.committed(pos)
}
