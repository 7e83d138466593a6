package exec

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

func TestWindowsFor(t *testing.T) {
	for _, tc := range []struct {
		size, advance, ts int64
		want              []int64
	}{
		{size: 10, advance: 10, ts: 0, want: []int64{0}},
		{size: 10, advance: 10, ts: 9, want: []int64{0}},
		{size: 10, advance: 10, ts: 10, want: []int64{10}},
		{size: 30000, advance: 30000, ts: 86412022, want: []int64{86400000}},
		{size: 10, advance: 5, ts: 12, want: []int64{5, 10}},
		{size: 10, advance: 5, ts: 10, want: []int64{5, 10}},
		{size: 10, advance: 3, ts: 10, want: []int64{3, 6, 9}},
		// Windows never start before 0, as in Kafka Streams.
		{size: 10, advance: 5, ts: 3, want: []int64{0}},
	} {
		w := &WindowSpec{Size: tc.size, Advance: tc.advance}
		if got := w.windowsFor(tc.ts, nil); !slices.Equal(got, tc.want) {
			t.Errorf("size %d advance %d ts %d: windows %v, want %v", tc.size, tc.advance, tc.ts, got, tc.want)
		}
	}
}

// TestAggregateWindowedLate counts hopping windows over out-of-order
// records and compares the changelog with a reference model: one update
// per (record, open window) in window order, records for windows closed
// past the grace period dropped and counted.
func TestAggregateWindowedLate(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "counts", 1, broker.DurabilityNone)
	db := openTestState(t, dir)

	w := &WindowSpec{Size: 100, Advance: 40, Grace: 50}
	var recs []broker.Record
	ts := int64(0)
	for i := 0; i < 500; i++ {
		r := reading(i % 4) // four keys
		ts += int64(rng.IntN(20))
		// Out of order; the log stamps a zero timestamp with the time of
		// the append, so times start at 1.
		r.Timestamp = max(1, ts-int64(rng.IntN(200)))
		recs = append(recs, r)
	}
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
		t.Fatal(err)
	}

	// The model.
	type update struct {
		key   string
		start int64
		cnt   int64
	}
	var want []update
	counts := map[string]int64{}
	streamTime, late := int64(math.MinInt64), int64(0)
	for _, r := range recs {
		streamTime = max(streamTime, r.Timestamp)
		for _, s := range w.windowsFor(r.Timestamp, nil) {
			if s+w.Size+w.Grace <= streamTime {
				late++
				continue
			}
			k := fmt.Sprintf("%s/%d", r.Key, s)
			counts[k]++
			want = append(want, update{string(r.Key), s, counts[k]})
		}
	}
	if late == 0 {
		t.Fatal("the input has no late records: the test proves little")
	}

	spec, agg := windowedCountSpec(t, "CTAS_W_0", "counts", w, false)
	rt := NewRuntime(l, RuntimeOptions{State: db})
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	rt.Close()

	out := readAll(t, l, "counts")
	if len(out) != len(want) {
		for i := 0; i < 5 && i < len(out); i++ {
			t.Logf("out %d: %q %s ts %d; want %+v", i, out[i].Key, out[i].Value, out[i].Timestamp, want[i])
		}
		t.Fatalf("%d updates, model %d", len(out), len(want))
	}
	for i, r := range out {
		key := []byte(r.Key)
		inner, start := string(key[:len(key)-8]), int64(binary.BigEndian.Uint64(key[len(key)-8:]))
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			t.Fatal(err)
		}
		if got := (update{inner, start, v.CNT}); got != want[i] {
			t.Fatalf("update %d: %+v, model %+v", i, got, want[i])
		}
	}
	if got := agg.LateRecords(); got != late {
		t.Fatalf("%d late records counted, model %d", got, late)
	}
}

// windowedCountSpec is COUNTS with a WINDOW clause (and EMIT FINAL).
func windowedCountSpec(tb testing.TB, id, out string, w *WindowSpec, final bool) (*QuerySpec, *Aggregate) {
	spec, err := newCountSpec(id, "readings", out, 1, 1, 0)
	if err != nil {
		tb.Fatal(err)
	}
	agg := spec.Operators[0].(*Aggregate)
	agg.spec.Window, agg.spec.Final = w, final
	agg.spec.Schema = types.MustSchema(append(append([]types.Column(nil), countCols...), types.Column{Name: "$WINDOWSTART", Type: types.BigintType})...)
	// The result row: K, COUNT, SUM, WINDOWSTART, WINDOWEND, pseudo columns.
	agg.spec.Project = append(agg.spec.Project, EvalFunc(func(row []any) (any, error) { return row[3], nil }))
	spec.Sink.Windowed, spec.Sink.WindowStartColumn = true, 3
	return spec, agg
}

// TestAggregateEmitFinalRestart checks EMIT FINAL: each window is emitted
// once, after it closes, with its complete count; and a run stopped and
// resumed (state and emission progress recovered from the store) emits
// exactly what an uninterrupted run does.
func TestAggregateEmitFinalRestart(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	var recs []broker.Record
	ts := int64(1)
	for i := 0; i < 600; i++ {
		r := reading(i % 4)
		ts += int64(rng.IntN(10))
		r.Timestamp = max(1, ts-int64(rng.IntN(30)))
		recs = append(recs, r)
	}
	w := &WindowSpec{Size: 50, Advance: 50, Grace: 20}
	run := func(out string, db *state.DB) {
		spec, _ := windowedCountSpec(t, "CTAS_"+out, out, w, true)
		rt := NewRuntime(l, RuntimeOptions{State: db})
		defer rt.Close()
		q, err := rt.Start(context.Background(), spec)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.WaitCaughtUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	openDB := func(name string) *state.DB {
		db, err := state.Open(filepath.Join(dir, name), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	appendRecs := func(rs []broker.Record) {
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, rs); err != nil {
			t.Fatal(err)
		}
	}
	createTopic(t, l, "whole", 1, broker.DurabilityNone)
	createTopic(t, l, "split", 1, broker.DurabilityNone)
	appendRecs(recs[:300])
	dbSplit := openDB("split")
	run("split", dbSplit)
	dbSplit.Close()
	appendRecs(recs[300:])
	dbSplit = openDB("split")
	defer dbSplit.Close()
	run("split", dbSplit)
	dbWhole := openDB("whole")
	defer dbWhole.Close()
	run("whole", dbWhole)

	whole, split := readAll(t, l, "whole"), readAll(t, l, "split")
	if len(whole) == 0 {
		t.Fatal("no window was emitted")
	}
	seen := map[string]bool{}
	for i, r := range whole {
		if seen[r.Key] {
			t.Fatalf("window %q emitted twice", r.Key)
		}
		seen[r.Key] = true
		if i >= len(split) || split[i].Key != r.Key || split[i].Value != r.Value || split[i].Timestamp != r.Timestamp {
			t.Fatalf("update %d: uninterrupted %q %s, stopped and resumed %v", i, r.Key, r.Value, split[min(i, len(split)-1)])
		}
	}
	if len(split) != len(whole) {
		t.Fatalf("%d final rows after a restart, %d without", len(split), len(whole))
	}
	// Every emitted count is the window's complete count over the input
	// that was not late when it arrived.
	counts := map[string]int64{}
	streamTime := int64(math.MinInt64)
	for _, r := range recs {
		streamTime = max(streamTime, r.Timestamp)
		for _, s := range w.windowsFor(r.Timestamp, nil) {
			if s+w.Size+w.Grace > streamTime {
				counts[fmt.Sprintf("%s/%d", r.Key, s)]++
			}
		}
	}
	for _, r := range whole {
		key := []byte(r.Key)
		k := fmt.Sprintf("%s/%d", key[:len(key)-8], int64(binary.BigEndian.Uint64(key[len(key)-8:])))
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			t.Fatal(err)
		}
		if v.CNT != counts[k] {
			t.Fatalf("window %s: final count %d, model %d", k, v.CNT, counts[k])
		}
	}
}
