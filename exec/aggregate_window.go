package exec

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// WindowSpec describes tumbling (Advance == Size) and hopping windows.
// Times are milliseconds. A window closes when the task's stream time (the
// newest record time it has seen) reaches its end plus Grace; records for
// closed windows are dropped and counted. Retention is how long the store
// keeps windows after they end, at least Size+Grace.
type WindowSpec struct {
	Size, Advance    int64
	Grace, Retention int64
	// Session makes Size the inactivity gap of session windows
	// (aggregate_session.go).
	Session bool
}

// windowsFor returns the starts of the windows containing time ts, in
// ascending order.
func (w *WindowSpec) windowsFor(ts int64, dst []int64) []int64 {
	dst = dst[:0]
	first := ts - w.Size + 1
	start := first - mod(first, w.Advance)
	if start < first {
		start += w.Advance
	}
	for ; start <= ts; start += w.Advance {
		if start >= 0 {
			dst = append(dst, start)
		}
	}
	return dst
}

// mod is the non-negative remainder.
func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// recoverStreamTime restores the task's stream time after a restart. The
// store's own stream time is the newest window start (see maxStart); the
// newest record time is the largest row time stored in the windows that
// can hold it, which start within one window size of that.
func (t *aggregateTask) recoverStreamTime() error {
	t.maxStart = t.windows.StreamTime()
	if t.maxStart == math.MinInt64 {
		return nil
	}
	return t.windows.Scan(t.maxStart-t.spec.Window.Size, t.maxStart, func(w state.Window) error {
		if len(w.Value) >= 9 {
			t.streamTime = max(t.streamTime, int64(binary.BigEndian.Uint64(w.Value[1:9])))
		}
		return nil
	})
}

// closedWindow is a window EMIT FINAL is about to emit.
type closedWindow struct {
	key   []byte
	start int64
	value []byte
}

// emitClosed emits, once, the final row of every window that the current
// stream time closed (end + grace <= stream time) since the last call, in
// window order. Windows that fell out of retention first are gone, as in
// Kafka Streams, whose window store drops them before the final results
// are fetched.
func (t *aggregateTask) emitClosed(tc *TaskContext, in *types.Batch, i int, emitted *int) error {
	w := t.spec.Window
	closeAt := t.streamTime - w.Grace
	if closeAt <= t.lastClose {
		return nil
	}
	if t.maxStart != math.MinInt64 {
		if err := t.windows.Expire(t.maxStart); err != nil {
			return fmt.Errorf("exec: aggregate expire: %w", err)
		}
	}
	from := int64(0) // windows never start before 0
	if t.lastClose != math.MinInt64 {
		from = t.lastClose - w.Size + 1
	}
	t.closed = t.closed[:0]
	err := t.windows.Scan(from, closeAt-w.Size, func(win state.Window) error {
		t.closed = append(t.closed, closedWindow{key: slices.Clone(win.Key), start: win.Start, value: slices.Clone(win.Value)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("exec: aggregate scan: %w", err)
	}
	t.lastClose = closeAt
	slices.SortStableFunc(t.closed, func(a, b closedWindow) int { return cmp.Compare(a.start, b.start) })
	for _, cw := range t.closed {
		keys, err := decodeKeyValues(cw.key, t.keys[:0])
		if err != nil {
			return err
		}
		t.keys = keys
		for c, call := range t.spec.Calls {
			t.accs[c] = call.New()
		}
		_, rowtime, err := decodeAggValue(cw.value, t.accs)
		if err != nil {
			return err
		}
		if !t.results(tc, in, i, cw.start, cw.start+w.Size, true, rowtime) {
			continue
		}
		meta := types.RowMeta{Rowtime: rowtime, Partition: in.Meta(i).Partition, Offset: in.Meta(i).Offset}
		if t.project(tc, in, i, meta) {
			*emitted++
		}
	}
	return nil
}
