package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// Accumulator is the running state of one aggregate call for one group,
// as package functions implements it. exec only adds rows, reads the result
// and keeps the state in a store between records, so it needs no more.
type Accumulator interface {
	Add(args []any) error
	Result() (any, error)
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// AggregateCall is one aggregate function call of a GROUP BY query: a
// factory of fresh accumulators and the evaluators of its arguments over
// the aggregate's input row.
type AggregateCall struct {
	New  func() Accumulator
	Args []Evaluator
}

// AggregateSpec describes a non-windowed aggregation over a stream. The
// operator evaluates GroupBy over each input row, folds the row into the
// group's accumulators, and evaluates Having and Project over the result
// row: the group-by values, then one result per call, then
// PseudoColumns (ROWTIME is the newest input time of the group).
type AggregateSpec struct {
	// Schema is the output schema, one column per Project evaluator.
	Schema  *types.Schema
	GroupBy []Evaluator
	Calls   []AggregateCall
	// Having is the HAVING predicate, or nil.
	Having  Evaluator
	Project []Evaluator
	// Operator names the operator's store (StoreName(query, Operator,
	// partition)); Changelog is the compacted topic that backs it, with a
	// partition per input partition.
	Operator  string
	Changelog string
	// Window makes the aggregation windowed; nil aggregates each group
	// forever.
	Window *WindowSpec
	// Transient marks a push query's aggregation: its state lives only
	// as long as the query (no changelog, no recovery, dropped on close).
	Transient bool
	// Table, when set, aggregates a table's changelog instead of a
	// stream (aggregate_table.go).
	Table *TableInput
	// Regrouped, when set, aggregates a table's changes regrouped by a
	// TableRegroup stage (repartition_table.go).
	Regrouped *RegroupedInput
	// Final (EMIT FINAL, windowed only) emits one row per window when it
	// closes instead of one per input row. It needs grouping values the
	// store key can give back (see KeyDecodable).
	Final bool
}

// KeyDecodable reports whether grouping values of type t survive the
// store key encoding, which EMIT FINAL needs to rebuild a closed window's
// row from the store alone.
func KeyDecodable(t *types.Type) bool {
	switch t.Kind {
	case types.String, types.Integer, types.Bigint, types.Double, types.Boolean:
		return true
	}
	return false
}

// Aggregate is the GROUP BY operator over a stream. It emits one table
// update per input row (ksqlDB's output with record caching off): the new
// row of the row's group, or a tombstone when HAVING turns false for a
// group that had a row. Accumulators live in a key-value store of the
// task; their changes reach the store's changelog and the store's
// checkpoint in the task's commit (CommitHook), so state, output and input
// offsets stay in agreement across crashes.
type Aggregate struct {
	spec *AggregateSpec
	// topics has the first task create the changelog topics and the
	// others wait for them.
	topics changelogTopics
	// late counts the records dropped because their window had closed.
	late atomic.Int64
}

// LateRecords returns how many records arrived after their window closed
// (past the grace period) and were dropped, over all tasks.
func (a *Aggregate) LateRecords() int64 { return a.late.Load() }

// NewAggregate returns the aggregation template the tasks instantiate.
func NewAggregate(spec *AggregateSpec) *Aggregate { return &Aggregate{spec: spec} }

// Schema implements Operator.
func (a *Aggregate) Schema() *types.Schema { return a.spec.Schema }

// Process implements Operator; only the per-task instances process rows.
func (a *Aggregate) Process(*TaskContext, *types.Batch, func(*types.Batch) error) error {
	return errors.New("exec: aggregate used without ForTask")
}

// ForTask implements TaskLocal: it opens the task's state, creates the
// changelog topic on first use, and recovers the state against the log
// (package state's recovery rule) before any record is processed.
func (a *Aggregate) ForTask(tc *TaskContext) (Operator, error) {
	if tc.State == nil || tc.Broker == nil {
		return nil, errors.New("exec: aggregation needs a state store (RuntimeOptions.State)")
	}
	ctx := context.Background()
	if !a.spec.Transient {
		err := a.topics.ensure(func() error {
			if err := ensureAggregateChangelog(ctx, tc.Broker, a.spec.Changelog, tc, a.spec.Window); err != nil {
				return err
			}
			if a.spec.Table != nil {
				return ensureChangelog(ctx, tc.Broker, a.spec.Table.Changelog, tc)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	cl, err := openChangelogStore(tc, a.spec.Operator, "aggregate")
	if err != nil {
		return nil, err
	}
	st := cl.task
	op := &aggregateTask{
		parent: a, spec: a.spec, cl: cl, streamTime: math.MinInt64,
		lastClose: math.MinInt64, maxStart: math.MinInt64,
		bb:   types.NewBatchBuilder(batchAllocator, a.spec.Schema),
		accs: make([]Accumulator, len(a.spec.Calls)),
		args: make([][]any, len(a.spec.Calls)),
	}
	name := state.StoreName(tc.QueryID, a.spec.Operator, tc.Partition)
	if w := a.spec.Window; w != nil && w.Session {
		// Sessions live while their end is at least the newest end minus
		// gap and grace (Kafka Streams' rule).
		op.sessions, err = st.SessionStore(name, state.SessionOptions{Retention: max(w.Retention, w.Size+w.Grace) + 1})
	} else if w != nil {
		// A window lives while its start is at least the newest start
		// minus the retention (Kafka Streams' rule), one more
		// millisecond than the state package's cutoff.
		op.windows, err = st.WindowStore(name, state.WindowOptions{Size: w.Size, Retention: max(w.Retention, w.Size+w.Grace) + 1})
	} else {
		op.store, err = st.KeyValueStore(name)
	}
	if err != nil {
		op.bb.Release()
		st.Close()
		return nil, fmt.Errorf("exec: aggregate store: %w", err)
	}
	// The group store's changelog comes first: changes of any store
	// without one of its own go there.
	cl.track(name, a.spec.Changelog)
	if a.spec.Table != nil {
		if op.table, err = openTableState(tc, st, a.spec.Table); err != nil {
			op.bb.Release()
			st.Close()
			return nil, err
		}
		cl.track(op.table.rows.Name(), a.spec.Table.Changelog)
	}
	if a.spec.Transient {
		// A push query starts from nothing and keeps nothing: it never
		// commits with the log, so its changelogs are never written.
		op.db = tc.State
		for _, l := range cl.logs {
			op.transient = append(op.transient, l.store)
		}
		return op, nil
	}
	if err := cl.recover(ctx, tc); err != nil {
		op.Close()
		return nil, err
	}
	if op.sessions != nil {
		op.maxStart = op.sessions.StreamTime()
		op.streamTime = op.maxStart // the newest session end: the newest record time
	}
	if op.windows != nil {
		if err := op.recoverStreamTime(); err != nil {
			op.Close()
			return nil, err
		}
		if op.streamTime != math.MinInt64 {
			// Windows closed at the committed stream time were emitted
			// in the same transaction.
			op.lastClose = op.streamTime - a.spec.Window.Grace
		}
	}
	return op, nil
}

// ensureChangelog creates the compacted changelog topic with one partition
// per input partition, unless it exists.
func ensureChangelog(ctx context.Context, log broker.Log, topic string, tc *TaskContext) error {
	d, err := log.DescribeTopic(ctx, tc.Topic)
	if err != nil {
		return fmt.Errorf("exec: aggregate input %s: %w", tc.Topic, err)
	}
	err = log.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: len(d.Partitions), CleanupPolicy: broker.CleanupCompact})
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return fmt.Errorf("exec: aggregate changelog %s: %w", topic, err)
	}
	return nil
}

// aggregateTask is one task's aggregation: its store and the changelog
// position its checkpoint records.
type aggregateTask struct {
	parent *Aggregate
	spec   *AggregateSpec
	// cl is the task's state and its changelogs: the group store's, then
	// the table rows store's (table aggregations).
	cl *changelogStore
	// db and transient are set for a push query's aggregation: the DB and
	// the stores to drop when the task closes.
	db        *state.DB
	transient []string
	// store holds a non-windowed aggregation's groups, windows a windowed
	// one's; streamTime is the newest record time seen (windowed only).
	store      *state.KVStore
	windows    *state.WindowStore
	sessions   *state.SessionStore
	streamTime int64
	// maxStart is the newest window start written: the store's stream
	// time, which decides retention. Kafka Streams' window stores advance
	// theirs by the window starts they are written, not by record times,
	// and ksqlDB's results (EMIT FINAL in particular) depend on it.
	maxStart int64
	// lastClose is the close time (stream time minus grace) up to which
	// EMIT FINAL has emitted the closed windows.
	lastClose int64
	starts    []int64
	closed    []closedWindow

	bb   *types.BatchBuilder
	accs []Accumulator
	key  []byte
	keys []any
	args [][]any
	// table is the state of a table aggregation (aggregate_table.go).
	table    *tableState
	undoArgs [][]any
	post     []any
	out      []any
	val      []byte
}

// Schema implements Operator.
func (t *aggregateTask) Schema() *types.Schema { return t.spec.Schema }

// Close implements io.Closer: uncommitted state is dropped with the task.
func (t *aggregateTask) Close() error {
	t.bb.Release()
	if t.table != nil {
		t.table.close()
	}
	err := t.cl.task.Close()
	if t.db != nil {
		// A push query's state: never committed, so only its store
		// registrations remain to drop.
		for _, name := range t.transient {
			err = errors.Join(err, t.db.DropStore(name))
		}
		err = errors.Join(err, t.db.DropTask(t.cl.task.ID()))
	}
	return err
}

// Process implements Operator.
func (t *aggregateTask) Process(tc *TaskContext, in *types.Batch, next func(*types.Batch) error) error {
	if t.cl.failed != nil {
		return t.cl.failed
	}
	n := in.NumRows()
	emitted := 0
	for i := 0; i < n; i++ {
		m := in.Meta(i)
		if t.table != nil || t.spec.Regrouped != nil {
			if err := t.addTableRow(tc, in, i, m, &emitted); err != nil {
				t.bb.Discard()
				return err
			}
			continue
		}
		if m.Change == types.Delete {
			continue // a stream's null value: ksqlDB ignores it
		}
		row := tc.InputRow(in, i)
		if err := t.add(tc, in, i, row, m, &emitted); err != nil {
			t.bb.Discard()
			return err
		}
	}
	if t.db != nil && t.cl.task.NeedsCommit() {
		// A push query never commits with the log: write its state down
		// when it outgrows the memory budget.
		if err := t.cl.task.Commit(state.Checkpoint{}); err != nil {
			return fmt.Errorf("exec: aggregate state: %w", err)
		}
	}
	if t.windows != nil && t.maxStart != math.MinInt64 {
		if err := t.windows.Expire(t.maxStart); err != nil {
			return fmt.Errorf("exec: aggregate expire: %w", err)
		}
	}
	if t.sessions != nil && t.maxStart != math.MinInt64 {
		if err := t.sessions.Expire(t.maxStart); err != nil {
			return fmt.Errorf("exec: aggregate expire: %w", err)
		}
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

// add folds row i into its group (into each of its windows) and appends
// the new output rows (or tombstones) to the builder.
func (t *aggregateTask) add(tc *TaskContext, in *types.Batch, i int, row []any, m types.RowMeta, emitted *int) error {
	t.keys = t.keys[:0]
	t.key = t.key[:0]
	for _, g := range t.spec.GroupBy {
		v, err := g.Eval(row)
		if err != nil {
			tc.reportRowError(in, i, err)
			return nil
		}
		if v == nil {
			// ksqlDB drops rows whose grouping key is NULL.
			tc.reportRowError(in, i, errors.New("exec: group-by column with NULL value"))
			return nil
		}
		t.keys = append(t.keys, v)
		t.key = appendKeyValue(t.key, v)
	}
	for c, call := range t.spec.Calls {
		t.args[c] = t.args[c][:0]
		for _, a := range call.Args {
			v, err := a.Eval(row)
			if err != nil {
				tc.reportRowError(in, i, err)
				v = nil
			}
			t.args[c] = append(t.args[c], v)
		}
	}
	w := t.spec.Window
	if w == nil {
		return t.update(tc, in, i, m, 0, false, false, true, emitted)
	}
	t.streamTime = max(t.streamTime, m.Rowtime)
	if w.Session {
		return t.updateSession(tc, in, i, m, emitted)
	}
	t.starts = w.windowsFor(m.Rowtime, t.starts)
	for _, start := range t.starts {
		if start+w.Size+w.Grace <= t.streamTime {
			t.parent.late.Add(1) // the window has closed
			continue
		}
		if err := t.update(tc, in, i, m, start, true, false, true, emitted); err != nil {
			return err
		}
	}
	if t.spec.Final {
		return t.emitClosed(tc, in, i, emitted)
	}
	return nil
}

// results fills the result row from t.keys and t.accs and evaluates
// HAVING on it.
func (t *aggregateTask) results(tc *TaskContext, in *types.Batch, i int, start, end int64, windowed bool, rowtime int64) bool {
	m := in.Meta(i)
	t.post = append(t.post[:0], t.keys...)
	for _, acc := range t.accs {
		r, err := acc.Result()
		if err != nil {
			tc.reportRowError(in, i, err)
			r = nil
		}
		t.post = append(t.post, r)
	}
	if windowed {
		t.post = append(t.post, start, end)
	} else {
		t.post = append(t.post, nil, nil)
	}
	t.post = append(t.post, rowtime, m.Partition, m.Offset)
	if t.spec.Having == nil {
		return true
	}
	v, err := t.spec.Having.Eval(t.post)
	if err != nil {
		tc.reportRowError(in, i, err)
		return false
	}
	b, _ := v.(bool)
	return b
}

// project appends the output row of the result row; false if it could
// not be built.
func (t *aggregateTask) project(tc *TaskContext, in *types.Batch, i int, meta types.RowMeta) bool {
	t.out = t.out[:0]
	for _, p := range t.spec.Project {
		v, err := p.Eval(t.post)
		if err != nil {
			tc.reportRowError(in, i, err)
			v = nil
		}
		t.out = append(t.out, v)
	}
	if err := t.bb.AppendRow(meta, t.out); err != nil {
		tc.reportRowError(in, i, err)
		return false
	}
	return true
}

// update retracts t.undoArgs (undo) and folds in t.args (add) in the
// group t.key (in the window at start when windowed) and emits the
// group's new row.
func (t *aggregateTask) update(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, start int64, windowed, undo, add bool, emitted *int) error {
	var old []byte
	var found bool
	var err error
	if windowed {
		old, found, err = t.windows.Get(t.key, start)
	} else {
		old, found, err = t.store.Get(t.key)
	}
	if err != nil {
		return fmt.Errorf("exec: aggregate read: %w", err)
	}
	hadOutput, rowtime := false, int64(math.MinInt64)
	for c, call := range t.spec.Calls {
		t.accs[c] = call.New()
	}
	if found {
		if hadOutput, rowtime, err = decodeAggValue(old, t.accs); err != nil {
			return err
		}
	}
	for c := range t.spec.Calls {
		if undo {
			if err := t.accs[c].(Undoer).Undo(t.undoArgs[c]); err != nil {
				tc.reportRowError(in, i, err)
			}
		}
		if add {
			if err := t.accs[c].Add(t.args[c]); err != nil {
				tc.reportRowError(in, i, err)
			}
		}
	}
	rowtime = max(rowtime, m.Rowtime)
	if t.spec.Final {
		// EMIT FINAL: the row leaves when the window closes.
		return t.save(start, windowed, false, rowtime)
	}
	var end int64
	if windowed {
		end = start + t.spec.Window.Size
	}
	keep := t.results(tc, in, i, start, end, windowed, rowtime)
	meta := types.RowMeta{Rowtime: rowtime, Partition: m.Partition, Offset: m.Offset}
	switch {
	case keep:
		if t.project(tc, in, i, meta) {
			*emitted++
		} else {
			keep = hadOutput
		}
	case hadOutput:
		// HAVING turned false: the group leaves the table. The sink
		// encodes only the key (and window) of a delete; a push query
		// shows a tombstone row with its key columns.
		t.out = t.out[:0]
		for j, p := range t.spec.Project {
			var v any
			if c := t.spec.Schema.Columns[j]; c.Key || strings.HasPrefix(c.Name, "$") {
				v, _ = p.Eval(t.post)
			}
			t.out = append(t.out, v)
		}
		meta.Change = types.Delete
		if err := t.bb.AppendRow(meta, t.out); err != nil {
			tc.reportRowError(in, i, err)
		} else {
			*emitted++
		}
	}
	return t.save(start, windowed, keep, rowtime)
}

// save writes the group's accumulators back.
func (t *aggregateTask) save(start int64, windowed, hasOutput bool, rowtime int64) error {
	var err error
	t.val, err = encodeAggValue(t.val[:0], hasOutput, rowtime, t.accs)
	if err != nil {
		return err
	}
	if windowed {
		t.maxStart = max(t.maxStart, start)
		err = t.windows.Put(t.key, start, t.val)
		if err == nil {
			// The store's stream time moves with each write, as Kafka
			// Streams' does.
			err = t.windows.Expire(t.maxStart)
		}
		if errors.Is(err, state.ErrExpired) {
			t.parent.late.Add(1)
			return nil
		}
	} else {
		err = t.store.Put(t.key, t.val)
	}
	if err != nil {
		return fmt.Errorf("exec: aggregate write: %w", err)
	}
	return nil
}

// PrepareCommit implements CommitHook: the stores' changes since the last
// commit go to their changelog partitions inside the task's transaction.
func (t *aggregateTask) PrepareCommit(ctx context.Context, p broker.Producer) error {
	return t.cl.prepareCommit(ctx, p)
}

// Committed implements CommitHook: the log transaction is durable, so the
// state and the same offsets are committed to pebble. A failure here
// leaves the log ahead of pebble, which recovery rolls forward; the task
// restarts to get there.
func (t *aggregateTask) Committed(pos int64) { t.cl.committed(pos) }

// DropQueryState deletes what the aggregations and table filters of spec
// keep for query spec.ID, once it is terminated for good: each task's
// state (checkpoint and stores) in db and the changelog topics in log. A
// query that restarts later would otherwise resume from state of another
// definition.
func DropQueryState(ctx context.Context, spec *QuerySpec, db *state.DB, log broker.Log) error {
	var errs []error
	for _, op := range spec.Operators {
		if f, ok := op.(*TableFilter); ok {
			errs = append(errs, f.dropState(ctx, spec, db, log))
			continue
		}
		a, ok := op.(*Aggregate)
		if !ok {
			continue
		}
		errs = append(errs, a.spec.Regrouped.drop(ctx, db, log))
		stores, topics := []string{a.spec.Operator}, []string{a.spec.Changelog}
		if a.spec.Table != nil {
			stores, topics = append(stores, tableRowsOperator), append(topics, a.spec.Table.Changelog)
		}
		errs = append(errs, dropChangelogState(ctx, db, log, spec.ID, a.spec.Operator, spec.Source.Partitions, stores, topics))
	}
	return errors.Join(errs...)
}
