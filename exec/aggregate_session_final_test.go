package exec

import (
	"cmp"
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

// sessionFinalSpec is COUNTS over session windows with EMIT FINAL.
func sessionFinalSpec(tb testing.TB, id, out string, w *WindowSpec) *QuerySpec {
	spec, agg := windowedCountSpec(tb, id, out, w, true)
	agg.spec.Schema = types.MustSchema(append(append([]types.Column(nil), countCols...),
		types.Column{Name: "$WINDOWSTART", Type: types.BigintType}, types.Column{Name: "$WINDOWEND", Type: types.BigintType})...)
	agg.spec.Project = append(agg.spec.Project, EvalFunc(func(row []any) (any, error) { return row[4], nil }))
	spec.Sink.SessionWindowed, spec.Sink.WindowEndColumn = true, 4
	return spec
}

// modelSessionFinals is an independent model of Kafka Streams' session
// aggregation with the on-window-close emit strategy: per record, merge
// the live sessions within the gap (or drop the record as late), then emit
// the sessions whose end passed into [close before, close now), ordered by
// end, start and key. Times stay below one store segment, so retention
// never drops a segment here.
func modelSessionFinals(recs []broker.Record, w *WindowSpec) []string {
	type session struct {
		key        string
		start, end int64
		n          int64
	}
	var live []session
	var out []string
	st := int64(math.MinInt64)
	closeOf := func(st int64) int64 {
		if st == math.MinInt64 {
			return math.MinInt64
		}
		return st - w.Grace - w.Size
	}
	for _, r := range recs {
		k, ts := string(r.Key), r.Timestamp
		prev := st
		st = max(st, ts)
		merged := session{k, ts, ts, 1}
		var keep, found []session
		for _, s := range live {
			// The store finds sessions still live before this record.
			if s.key == k && s.end >= ts-w.Size && s.start <= ts+w.Size && (prev == math.MinInt64 || s.end >= prev-w.Size-w.Grace) {
				found = append(found, s)
				merged = session{k, min(merged.start, s.start), max(merged.end, s.end), merged.n + s.n}
				continue
			}
			keep = append(keep, s)
		}
		if merged.end >= closeOf(st) {
			live = append(keep, merged)
		}
		lower, upper := max(closeOf(prev), 0), closeOf(st)-1
		if closeOf(st) == math.MinInt64 || upper < lower {
			continue
		}
		var closed []session
		for _, s := range live {
			if s.end >= lower && s.end <= upper {
				closed = append(closed, s)
			}
		}
		slices.SortFunc(closed, func(a, b session) int {
			return cmp.Or(cmp.Compare(a.end, b.end), cmp.Compare(a.start, b.start), cmp.Compare(a.key, b.key))
		})
		for _, s := range closed {
			out = append(out, fmt.Sprintf("%s [%d, %d] %d @%d", s.key, s.start, s.end, s.n, s.end))
		}
	}
	return out
}

// sessionFinalRows decodes the output of sessionFinalSpec.
func sessionFinalRows(tb testing.TB, recs []outRecord) []string {
	var out []string
	for _, r := range recs {
		key := []byte(r.Key)
		n := len(key)
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			tb.Fatalf("final row %q: %v", r.Value, err)
		}
		out = append(out, fmt.Sprintf("%s [%d, %d] %d @%d", key[:n-16],
			int64(binary.BigEndian.Uint64(key[n-8:])), int64(binary.BigEndian.Uint64(key[n-16:n-8])), v.CNT, r.Timestamp))
	}
	return out
}

// TestAggregateSessionFinal checks EMIT FINAL on session windows against
// the model, for an uninterrupted run, a run stopped in the middle and
// resumed on its state, and a run resumed on a lost state directory
// (rebuilt from the changelog): all three emit the same final rows, each
// closed session once, and no session a later record merged away.
func TestAggregateSessionFinal(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	var recs []broker.Record
	ts := int64(0)
	for i := 0; i < 500; i++ {
		r := reading(i % 5)
		ts += int64(rng.IntN(12))
		r.Timestamp = max(1, ts-int64(rng.IntN(40))) // zero would mean "now"
		recs = append(recs, r)
	}
	w := &WindowSpec{Size: 15, Advance: 15, Grace: 10, Session: true}
	want := modelSessionFinals(recs, w)
	if len(want) < 10 {
		t.Fatalf("seed %d: the model closes only %d sessions", seed, len(want))
	}

	openDB := func(name string) *state.DB {
		db, err := state.Open(filepath.Join(dir, name), state.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	run := func(out, dbName string) {
		db := openDB(dbName)
		defer db.Close()
		rt := NewRuntime(l, RuntimeOptions{State: db})
		defer rt.Close()
		q, err := rt.Start(context.Background(), sessionFinalSpec(t, "CTAS_"+out, out, w))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.WaitCaughtUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	appendRecs := func(rs []broker.Record) {
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, rs); err != nil {
			t.Fatal(err)
		}
	}
	for _, out := range []string{"whole", "split", "rebuilt"} {
		createTopic(t, l, out, 1, broker.DurabilityNone)
	}
	half := 200 + rng.IntN(100)
	appendRecs(recs[:half])
	run("split", "split")
	run("rebuilt", "rebuilt-a")
	appendRecs(recs[half:])
	run("split", "split")
	run("rebuilt", "rebuilt-b") // a new directory: the state comes from the changelog
	run("whole", "whole")

	for _, out := range []string{"whole", "split", "rebuilt"} {
		got := sessionFinalRows(t, readAll(t, l, out))
		if !slices.Equal(got, want) {
			for i := range max(len(got), len(want)) {
				g, m := "-", "-"
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					m = want[i]
				}
				if g != m {
					t.Fatalf("seed %d, %s run: final row %d is %s, model %s (%d rows, model %d)", seed, out, i, g, m, len(got), len(want))
				}
			}
		}
	}
}

// TestAggregateSessionFinalCorpusShape runs the shape of ksqlDB's
// suppress case for session windows: gap 5, grace 6, an out-of-order
// record that merges, and a late one that is dropped.
func TestAggregateSessionFinalCorpusShape(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir)
	defer l.Close()
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "finals", 1, broker.DurabilityNone)
	var recs []broker.Record
	for _, ts := range []int64{0, 4, 8, 12, 14, 30, 29, 17, 42} {
		r := reading(0)
		r.Timestamp = 1000 + ts // a zero timestamp would mean "now"
		recs = append(recs, r)
	}
	if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
		t.Fatal(err)
	}
	db := openTestState(t, dir)
	w := &WindowSpec{Size: 5, Advance: 5, Grace: 6, Session: true}
	spec := sessionFinalSpec(t, "CTAS_FINALS", "finals", w)
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
	got := sessionFinalRows(t, readAll(t, l, "finals"))
	want := []string{"sensor-0 [1000, 1014] 5 @1014", "sensor-0 [1029, 1030] 2 @1030"}
	if !slices.Equal(got, want) {
		t.Fatalf("final rows %q, want %q", got, want)
	}
	if n := spec.Operators[0].(*Aggregate).LateRecords(); n != 1 {
		t.Fatalf("%d late records, want 1 (the record at 17)", n)
	}
}

// BenchmarkSessionFinal is
//
//	CREATE TABLE T AS SELECT K, COUNT(*), SUM(TEMP) FROM READINGS
//	  WINDOW SESSION (500 MILLISECONDS) GROUP BY K EMIT FINAL;
//
// over SLUICE_SESSION_BENCH_EVENTS events (default 100,000), one per
// millisecond, from 1,000 keys in turn: every event starts a session that
// closes 500 ms later, so every event emits one final row.
func BenchmarkSessionFinal(b *testing.B) {
	n := int(envInt("SLUICE_SESSION_BENCH_EVENTS", 100_000))
	const keys = 1000
	dir := b.TempDir()
	l := openLog(b, dir)
	defer l.Close()
	createTopic(b, l, "readings", 1, broker.DurabilityNone)
	var recs []broker.Record
	for i := 0; i < n; i++ {
		r := reading(i)
		r.Key = []byte(fmt.Sprintf("sensor-%d", i%keys))
		r.Timestamp = 1 + int64(i)
		recs = append(recs, r)
		if len(recs) == 4096 || i == n-1 {
			if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	w := &WindowSpec{Size: 500, Advance: 500, Session: true}
	b.ResetTimer()
	var elapsed time.Duration
	for it := 0; it < b.N; it++ {
		out := fmt.Sprintf("t%d", it)
		createTopic(b, l, out, 1, broker.DurabilityNone)
		db, err := state.Open(filepath.Join(dir, "state-"+out), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rt := NewRuntime(l, RuntimeOptions{State: db})
		start := time.Now()
		q, err := rt.Start(context.Background(), sessionFinalSpec(b, "CTAS_"+out, out, w))
		if err != nil {
			b.Fatal(err)
		}
		if err := q.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		// Every session but those of the last 501 ms has closed. The
		// session ending on the last millisecond of a store segment (one a
		// minute) closes as retention drops its segment and is lost, as in
		// Kafka Streams.
		if got, want := q.Metrics().RecordsOut, int64(n-501); got > want || got < want-int64(n/60_000)-1 {
			b.Fatalf("%d final rows, want %d less one a minute", got, want)
		}
		rt.Close()
		db.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
}
