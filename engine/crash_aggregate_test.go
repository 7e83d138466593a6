package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// crashAggEnv makes TestCrashChild run crashAggStatements instead of the
// stateless CSAS.
const crashAggEnv = "SLUICE_ENGINE_CRASH_AGG"

// crashAggStatements is the query of TestCrashWindowedAggregate: a 1 s
// tumbling COUNT and SUM per key, as SQL through the engine, with the
// window store in pebble and its changelog in the log.
var crashAggStatements = []string{
	"SET 'auto.offset.reset' = 'earliest';",
	"CREATE STREAM crash_in (k STRING KEY, id BIGINT, v BIGINT) WITH (kafka_topic='crash_in', value_format='JSON');",
	"CREATE TABLE crash_agg AS SELECT k, COUNT(*) AS c, SUM(v) AS s FROM crash_in WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k EMIT CHANGES;",
}

// TestCrashWindowedAggregate is issue 7's exactly-once demonstration: a
// tumbling-window COUNT/SUM over 200k events (SLUICE_CRASH_RECORDS), the
// engine SIGKILLed at seeded random points several times
// (SLUICE_CRASH_KILLS) and restarted on the same data directory. With
// caching off every input row gives one update of its window, so the
// committed output must hold, for every (key, window), the updates
// COUNT = 1, 2, ..., n in order, each SUM the sum of that many first
// values, and the last update must equal a batch recomputation.
func TestCrashWindowedAggregate(t *testing.T) {
	const parts, keys = 4, 100
	rng, records, kills, dir, l := crashSetup(t, 5, parts)
	ctx := context.Background()
	// Event i has time base+i ms (so 1,000 events a window) and a seeded
	// value; want holds each (key, window)'s values in input order.
	const base = 1_700_000_000_000
	type window struct {
		key   string
		start int64
	}
	want := map[window][]int64{}
	batches := make(map[int32][]broker.Record)
	flush := func(p int32) {
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "crash_in", Partition: p}, batches[p]); err != nil {
			t.Fatal(err)
		}
		batches[p] = batches[p][:0]
	}
	for i := 0; i < records; i++ {
		k := "k" + strconv.Itoa(rng.IntN(keys))
		v := rng.Int64N(1000) - 100
		p := broker.PartitionForKey([]byte(k), parts)
		batches[p] = append(batches[p], broker.Record{Key: []byte(k), Timestamp: base + int64(i),
			Value: []byte(fmt.Sprintf(`{"ID":%d,"V":%d}`, i, v))})
		if len(batches[p]) == 1000 {
			flush(p)
		}
		w := window{k, (base + int64(i)) / 1000 * 1000}
		want[w] = append(want[w], v)
	}
	for p := range batches {
		if len(batches[p]) > 0 {
			flush(p)
		}
	}
	l.Close()

	env := crashAggEnv + "=1"
	for i := 0; i < kills; i++ {
		// Kill somewhere in what is left (one output update per input).
		done := countCommitted(t, dir, "CRASH_AGG")
		target := 1 + rng.IntN(max(1, records-done))
		runCrashChild(t, dir, false, target, env)
		t.Logf("run %d killed after about %d updates this run; %d updates were committed before it", i+1, target, done)
	}
	runCrashChild(t, dir, true, 0, env)

	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	recs, err := consumeAll(ctx, l, "CRASH_AGG")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[window]int{}
	sums := map[window]int64{}
	for _, r := range recs {
		if len(r.Key) < 8 {
			t.Fatalf("output key %q is no windowed key", r.Key)
		}
		w := window{string(r.Key[:len(r.Key)-8]), int64(binary.BigEndian.Uint64(r.Key[len(r.Key)-8:]))}
		var v struct{ C, S int64 }
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("output value %q: %v", r.Value, err)
		}
		vals, n := want[w], seen[w]
		if n >= len(vals) || v.C != int64(n+1) {
			t.Fatalf("window %v: update COUNT=%d after %d updates of %d inputs: an input was lost or counted twice", w, v.C, n, len(vals))
		}
		sums[w] += vals[n]
		if v.S != sums[w] {
			t.Fatalf("window %v: update %d has SUM=%d, want %d", w, n+1, v.S, sums[w])
		}
		seen[w] = n + 1
	}
	for w, vals := range want {
		if seen[w] != len(vals) {
			t.Fatalf("window %v: %d updates, want %d (the batch COUNT)", w, seen[w], len(vals))
		}
	}
	t.Logf("%d inputs, %d windows: %d committed updates, every window's COUNT and SUM sequence exact and its final row equal to the batch result", records, len(want), len(recs))
}
