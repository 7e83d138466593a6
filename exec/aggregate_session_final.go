package exec

import (
	"fmt"
	"math"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// EMIT FINAL on session windows follows Kafka Streams' session aggregation
// with the on-window-close emit strategy, which ksqlDB's EMIT FINAL uses: a
// session closes once its end is before stream time minus gap minus grace
// (the same bound that makes a record late), and after every record the
// sessions that closed since the previous record are read back from the
// session store and emitted, ordered by end, start and key. A session that
// a record merged into another was removed from the store before it
// closed, so it is never emitted. The pending finals are simply the
// store's sessions not closed yet, and what has been emitted follows from
// the store's stream time, so state, output and input offsets commit
// together and a restart neither repeats nor loses a final row. The store
// finds the closed sessions through an in-memory index by end
// (state.SessionStore.PopEnded), rebuilt from the store when a task opens.

// sessionCloseTime is the close time at stream time st: sessions ending
// before it are closed. Stream time unknown gives math.MinInt64.
func (t *aggregateTask) sessionCloseTime(st int64) int64 {
	if st == math.MinInt64 {
		return math.MinInt64
	}
	return st - t.spec.Window.Grace - t.spec.Window.Size
}

// emitClosedSessions emits the final row of every session whose end is in
// [close(prev), close(now)), where prev is the stream time before the
// current record. Sessions never end before 0 as far as emission goes
// (Kafka Streams starts its range at 0), so the first range starts there.
func (t *aggregateTask) emitClosedSessions(tc *TaskContext, in *types.Batch, i int, prev int64, emitted *int) error {
	closeAt := t.sessionCloseTime(t.streamTime)
	lower := max(t.sessionCloseTime(prev), 0)
	upper := closeAt - 1
	if closeAt == math.MinInt64 || upper < lower {
		return nil
	}
	m := in.Meta(i)
	err := t.sessions.PopEnded(lower, upper, func(s state.Window) error {
		keys, err := decodeKeyValues(s.Key, t.keys[:0])
		if err != nil {
			return err
		}
		t.keys = keys
		for c, call := range t.spec.Calls {
			t.accs[c] = call.New()
		}
		_, rowtime, err := decodeAggValue(s.Value, t.accs)
		if err != nil {
			return err
		}
		if !t.results(tc, in, i, s.Start, s.End, true, rowtime) {
			return nil // HAVING rejects the final row
		}
		// Session rows carry the session's end as their time.
		meta := types.RowMeta{Rowtime: s.End, Partition: m.Partition, Offset: m.Offset}
		if t.project(tc, in, i, meta) {
			*emitted++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("exec: aggregate final sessions: %w", err)
	}
	return nil
}
