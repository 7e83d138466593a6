package exec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/types"
)

// TestCrashAggregateExactlyOnce is TestCrashExactlyOnce for the COUNTS
// aggregation, run by crashSoak: a child process runs it with its state in
// pebble, and is SIGKILLed at seeded random moments (anywhere in
// processing, the log transaction, the changelog append or the pebble
// checkpoint) and restarted. At the end every key's updates must count 1,
// 2, 3, ... without gap or repeat and the final table must equal a batch
// recomputation. It runs by default with a small input; SLUICE_CRASH_SEED,
// SLUICE_CRASH_KILLS and SLUICE_CRASH_RECORDS scale it up.
func TestCrashAggregateExactlyOnce(t *testing.T) {
	t.Run("groups", func(t *testing.T) { crashAggregate(t, false) })
	// Tumbling windows of 1 s over the readings' times: the window store,
	// its stream time and retention go through the kills too.
	t.Run("windows", func(t *testing.T) { crashAggregate(t, true) })
}

// crashWindow is the window of the windowed crash test.
var crashWindow = &WindowSpec{Size: 1000, Advance: 1000, Grace: 0}

func crashAggregate(t *testing.T, windowed bool) {
	s := crashSoak(t, crashConfig{
		Kills: 6, Records: 30000,
		Source: crashTopic{"readings", 4, broker.DurabilityNone},
		Topics: []crashTopic{{"counts", 3, broker.DurabilityFsync}},
		Input:  crashInputOf(reading),
		Group:  "CTAS_COUNTS_0",
		Specs: func() ([]*QuerySpec, error) {
			spec, err := crashCountSpec(windowed)
			return []*QuerySpec{spec}, err
		},
	})
	l := openLog(t, s.Dir)
	defer l.Close()
	out := readAll(t, l, "counts")
	if windowed {
		checkWindowedCounts(t, out, len(s.Input), crashWindow)
	} else {
		checkCounts(t, out, len(s.Input))
	}
	t.Logf("output: %d updates, each key counting 1..n exactly once, final table equal to the batch result", len(out))
}

// crashCountSpec is COUNTS over readings, windowed by crashWindow or not.
func crashCountSpec(windowed bool) (*QuerySpec, error) {
	spec, err := newCountSpec("CTAS_COUNTS_0", "readings", "counts", 4, 3, 0)
	if err != nil || !windowed {
		return spec, err
	}
	agg := spec.Operators[0].(*Aggregate)
	agg.spec.Window = crashWindow
	agg.spec.Schema = types.MustSchema(append(append([]types.Column(nil), countCols...), types.Column{Name: "$WINDOWSTART", Type: types.BigintType})...)
	agg.spec.Project = append(agg.spec.Project, EvalFunc(func(row []any) (any, error) { return row[3], nil }))
	spec.Sink.Windowed, spec.Sink.WindowStartColumn = true, 3
	return spec, nil
}

// checkWindowedCounts is checkCounts per (key, window): the readings are
// in time order, so no record is late and every window's updates count
// 1, 2, 3, ... up to its batch count.
func checkWindowedCounts(tb testing.TB, out []outRecord, n int, w *WindowSpec) {
	tb.Helper()
	want := map[string]int64{}
	for i := 0; i < n; i++ {
		r := reading(i)
		for _, s := range w.windowsFor(r.Timestamp, nil) {
			want[fmt.Sprintf("%s@%d", r.Key, s)]++
		}
	}
	last := map[string]int64{}
	for _, r := range out {
		key := []byte(r.Key)
		k := fmt.Sprintf("%s@%d", key[:len(key)-8], int64(binary.BigEndian.Uint64(key[len(key)-8:])))
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			tb.Fatalf("output value %q: %v", r.Value, err)
		}
		if v.CNT != last[k]+1 {
			tb.Fatalf("window %s: count %d after %d: an input row was lost or applied twice", k, v.CNT, last[k])
		}
		last[k] = v.CNT
	}
	for k, c := range want {
		if last[k] != c {
			tb.Fatalf("window %s: final count %d, batch recomputation %d", k, last[k], c)
		}
	}
	if len(last) != len(want) || len(out) != n {
		tb.Fatalf("%d windows and %d updates, want %d and %d", len(last), len(out), len(want), n)
	}
}
