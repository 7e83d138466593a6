package exec

import (
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// Undoer is implemented by accumulators that can retract a row, which an
// aggregation over a table needs (package functions' accumulators do; the
// planner rejects those that return an error for it).
type Undoer interface {
	Undo(args []any) error
}

// TableInput makes an aggregation read a table's changelog: each record
// replaces the row with its key (a tombstone deletes it), so the operator
// keeps every current row of the table, retracts a row's previous version
// from its group and adds the new one, as Kafka Streams' table
// aggregations do with a subtractor and an adder.
type TableInput struct {
	// Schema is the table's columns, the layout of the operator's input.
	Schema *types.Schema
	// KeyColumns are the positions of the columns that identify a row:
	// the table's primary key columns and, for a windowed table, its
	// WINDOWSTART and WINDOWEND, since each window of a key is a row of
	// its own (an update in one window replaces that window's row only).
	KeyColumns []int
	// Where filters rows before they are aggregated (for a table it cannot
	// be a separate operator, which would lose the retractions); nil for
	// none.
	Where Evaluator
	// Changelog is the compacted topic backing the store of current rows.
	Changelog string
}

// tableRowsOperator names the store of a table aggregation's current rows.
const tableRowsOperator = "Aggregate-GroupBy-Source"

// tableState is one task's copy of the current table rows: the source key
// to the row, stored as its pseudo columns and JSON encoding
// (tableRowCodec, with the marker). Its changelog is the second of the
// aggregate task's changelogStore.
type tableState struct {
	spec     *TableInput
	rows     *state.KVStore
	codec    *tableRowCodec
	key, val []byte
	old      []any
}

// openTableState opens the rows store and the row codec.
func openTableState(tc *TaskContext, st *state.Task, spec *TableInput) (*tableState, error) {
	ts := &tableState{spec: spec}
	var err error
	if ts.rows, err = st.KeyValueStore(state.StoreName(tc.QueryID, tableRowsOperator, tc.Partition)); err != nil {
		return nil, fmt.Errorf("exec: aggregate store: %w", err)
	}
	if ts.codec, err = newTableRowCodec(tc, spec.Schema, spec.Changelog, true); err != nil {
		return nil, fmt.Errorf("exec: aggregate row codec: %w", err)
	}
	return ts, nil
}

func (ts *tableState) close() { ts.codec.close() }

// addTableRow applies table record i: the previous row of its key leaves
// its group, the new row (unless a tombstone) joins its group. A row
// that stays in its group updates it once.
func (t *aggregateTask) addTableRow(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, emitted *int) error {
	if t.table == nil {
		return t.addRegrouped(tc, in, i, m, emitted)
	}
	ts := t.table
	row := tc.InputRow(in, i)
	ts.key = ts.key[:0]
	for _, c := range ts.spec.KeyColumns {
		ts.key = appendKeyValue(ts.key, row[c])
	}
	stored, found, err := ts.rows.Get(ts.key)
	if err != nil {
		return fmt.Errorf("exec: aggregate read: %w", err)
	}
	// The previous version: its group and arguments.
	var oldKey []byte
	var oldKeys []any
	if found {
		// The row's own pseudo columns, so that the undo retracts what
		// the add added (rows stored by earlier builds have only
		// ROWTIME, and take the update's).
		var batch *types.Batch
		if batch, ts.old, err = ts.codec.decode(stored, m, ts.old); err != nil {
			return err
		}
		// The row's values may point into the batch: release it once
		// they have been used.
		defer batch.Release()
		if oldKey, oldKeys = tableRowGroup(tc, in, i, ts.spec.Where, t.spec.GroupBy, ts.old); oldKeys != nil {
			t.undoArgs = t.evalArgs(tc, in, i, ts.old, t.undoArgs)
		}
	}
	// The new version.
	var newKey []byte
	var newKeys []any
	if m.Change != types.Delete {
		row = tc.InputRow(in, i)
		if newKey, newKeys = tableRowGroup(tc, in, i, ts.spec.Where, t.spec.GroupBy, row); newKeys != nil {
			t.args = t.evalArgs(tc, in, i, row, t.args)
		}
	}
	switch {
	case oldKeys != nil && newKeys != nil && string(oldKey) == string(newKey):
		t.key, t.keys = append(t.key[:0], newKey...), append(t.keys[:0], newKeys...)
		if err := t.update(tc, in, i, m, 0, false, true, true, emitted); err != nil {
			return err
		}
	default:
		if oldKeys != nil {
			t.key, t.keys = append(t.key[:0], oldKey...), append(t.keys[:0], oldKeys...)
			if err := t.update(tc, in, i, m, 0, false, true, false, emitted); err != nil {
				return err
			}
		}
		if newKeys != nil {
			t.key, t.keys = append(t.key[:0], newKey...), append(t.keys[:0], newKeys...)
			if err := t.update(tc, in, i, m, 0, false, false, true, emitted); err != nil {
				return err
			}
		}
	}
	// Keep the new version for the next update of the key.
	if m.Change == types.Delete {
		if found {
			return ts.rows.Delete(ts.key)
		}
		return nil
	}
	if ts.val, err = ts.codec.encode(ts.val[:0], in, i, m); err != nil {
		tc.reportRowError(in, i, err)
		return nil
	}
	return ts.rows.Put(ts.key, ts.val)
}

// evalArgs evaluates every call's arguments over row into dst.
func (t *aggregateTask) evalArgs(tc *TaskContext, in *types.Batch, i int, row []any, dst [][]any) [][]any {
	if len(dst) < len(t.spec.Calls) {
		dst = make([][]any, len(t.spec.Calls))
	}
	for c, call := range t.spec.Calls {
		dst[c] = dst[c][:0]
		for _, a := range call.Args {
			v, err := a.Eval(row)
			if err != nil {
				tc.reportRowError(in, i, err)
				v = nil
			}
			dst[c] = append(dst[c], v)
		}
	}
	return dst
}

// addRegrouped applies row i of a regrouping stage's output
// (RegroupedInput): its group is in the row already, its change flag says
// whether the row joins the group or leaves it.
func (t *aggregateTask) addRegrouped(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, emitted *int) error {
	if m.Change == types.Delete {
		return nil // the stage writes no tombstones
	}
	row := tc.InputRow(in, i)
	flag, err := changeFlag(row[t.spec.Regrouped.Flag])
	if err != nil {
		tc.reportRowError(in, i, err)
		return nil
	}
	t.key, t.keys = t.key[:0], t.keys[:0]
	for _, g := range t.spec.GroupBy {
		v, err := g.Eval(row)
		if err != nil || v == nil {
			tc.reportRowError(in, i, errors.Join(errors.New("exec: regrouped row without its group"), err))
			return nil
		}
		t.keys = append(t.keys, v)
		t.key = appendKeyValue(t.key, v)
	}
	if flag == ChangeAdd {
		t.args = t.evalArgs(tc, in, i, row, t.args)
		return t.update(tc, in, i, m, 0, false, false, true, emitted)
	}
	t.undoArgs = t.evalArgs(tc, in, i, row, t.undoArgs)
	if flag == ChangeSubtract {
		return t.update(tc, in, i, m, 0, false, true, false, emitted)
	}
	// ChangeReplace: the add of the same group follows and emits; the
	// group keeps its row downstream until then.
	old, found, err := t.store.Get(t.key)
	if err != nil {
		return fmt.Errorf("exec: aggregate read: %w", err)
	}
	for c, call := range t.spec.Calls {
		t.accs[c] = call.New()
	}
	hadOutput, rowtime := false, m.Rowtime
	if found {
		if hadOutput, rowtime, err = decodeAggValue(old, t.accs); err != nil {
			return err
		}
	}
	for c := range t.spec.Calls {
		if err := t.accs[c].(Undoer).Undo(t.undoArgs[c]); err != nil {
			tc.reportRowError(in, i, err)
		}
	}
	return t.save(0, false, hadOutput, rowtime)
}
