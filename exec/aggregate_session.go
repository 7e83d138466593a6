package exec

import (
	"errors"
	"fmt"
	"math"

	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// updateSession folds the current row into its group's session windows,
// as Kafka Streams' session aggregation does: the sessions of the group
// that lie within the gap of the row's time merge with it into one, the
// merged-away sessions leave the table (tombstones, for those that had a
// row) and the merged session's row is emitted. A merged session that
// ends before stream time minus grace minus gap is late: the row is
// dropped and counted. Session rows carry the session's end as their
// time. With EMIT FINAL the merge emits nothing; the sessions the stream
// time closed are emitted afterwards (aggregate_session_final.go), late
// record or not, as Kafka Streams does.
func (t *aggregateTask) updateSession(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, emitted *int) error {
	if !t.spec.Final {
		return t.mergeSession(tc, in, i, m, emitted)
	}
	// The store's stream time before this record: the newest session end,
	// which is the newest record time (a late record never raises it).
	prev := t.maxStart
	if err := t.mergeSession(tc, in, i, m, emitted); err != nil {
		return err
	}
	return t.emitClosedSessions(tc, in, i, prev, emitted)
}

// mergeSession is updateSession without EMIT FINAL's emission.
func (t *aggregateTask) mergeSession(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, emitted *int) error {
	w := t.spec.Window
	ts := m.Rowtime
	found, err := t.sessions.FindSessions(t.key, ts-w.Size, ts+w.Size)
	if err != nil {
		return fmt.Errorf("exec: aggregate read: %w", err)
	}
	start, end := ts, ts
	for _, s := range found {
		start, end = min(start, s.Start), max(end, s.End)
	}
	if end < t.streamTime-w.Grace-w.Size {
		t.parent.late.Add(1)
		return nil
	}
	for c, call := range t.spec.Calls {
		t.accs[c] = call.New()
	}
	rowtime := int64(math.MinInt64)
	merged := make([]Accumulator, len(t.spec.Calls))
	for _, s := range found {
		for c, call := range t.spec.Calls {
			merged[c] = call.New()
		}
		hadOutput, rt, err := decodeAggValue(s.Value, merged)
		if err != nil {
			return err
		}
		rowtime = max(rowtime, rt)
		for c := range t.spec.Calls {
			into, ok1 := t.accs[c].(functions.Accumulator)
			from, ok2 := merged[c].(functions.Accumulator)
			if !ok1 || !ok2 {
				return errors.New("exec: aggregate: session windows need accumulators that merge")
			}
			if err := into.Merge(from); err != nil {
				tc.reportRowError(in, i, err)
			}
		}
		if hadOutput && !t.spec.Transient && !t.spec.Final {
			t.sessionTombstone(tc, in, i, m, s, emitted)
		}
		if err := t.sessions.Remove(t.key, s.Start, s.End); err != nil {
			return fmt.Errorf("exec: aggregate write: %w", err)
		}
	}
	for c := range t.spec.Calls {
		if err := t.accs[c].Add(t.args[c]); err != nil {
			tc.reportRowError(in, i, err)
		}
	}
	rowtime = max(rowtime, ts)
	// EMIT FINAL: the row leaves when the session closes.
	keep := !t.spec.Final && t.results(tc, in, i, start, end, true, rowtime)
	if keep {
		meta := types.RowMeta{Rowtime: end, Partition: m.Partition, Offset: m.Offset}
		if t.project(tc, in, i, meta) {
			*emitted++
		} else {
			keep = false
		}
	}
	t.val, err = encodeAggValue(t.val[:0], keep, rowtime, t.accs)
	if err != nil {
		return err
	}
	t.maxStart = max(t.maxStart, end)
	err = t.sessions.Put(t.key, start, end, t.val)
	if err == nil {
		// The store's stream time moves with each write, as Kafka
		// Streams' does: later lookups no longer see expired sessions.
		err = t.sessions.Expire(t.maxStart)
	}
	if errors.Is(err, state.ErrExpired) {
		// Already past retention: emitted, as Kafka Streams does, but
		// not kept.
		t.parent.late.Add(1)
		return nil
	}
	if err != nil {
		return fmt.Errorf("exec: aggregate write: %w", err)
	}
	return nil
}

// sessionTombstone emits the deletion of session s of the current group.
func (t *aggregateTask) sessionTombstone(tc *TaskContext, in *types.Batch, i int, m types.RowMeta, s state.Window, emitted *int) {
	t.post = append(t.post[:0], t.keys...)
	for range t.spec.Calls {
		t.post = append(t.post, nil)
	}
	t.post = append(t.post, s.Start, s.End, s.End, m.Partition, m.Offset)
	t.out = t.out[:0]
	for j, p := range t.spec.Project {
		var v any
		if c := t.spec.Schema.Columns[j]; c.Key || len(c.Name) > 0 && c.Name[0] == '$' {
			v, _ = p.Eval(t.post)
		}
		t.out = append(t.out, v)
	}
	meta := types.RowMeta{Rowtime: s.End, Partition: m.Partition, Offset: m.Offset, Change: types.Delete}
	if err := t.bb.AppendRow(meta, t.out); err != nil {
		tc.reportRowError(in, i, err)
		return
	}
	*emitted++
}
