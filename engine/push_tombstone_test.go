package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// TestPushTableTombstoneSkipsProjection: a push query over a table shows a
// delete as a tombstone row (key kept, other columns NULL) without
// evaluating the projection on it, so that an expression failing on the
// deleted row's NULLs writes nothing to the processing log. A later row
// that does fail is logged: it bounds the wait for an entry that must not
// appear.
func TestPushTableTombstoneSkipsProjection(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE TABLE tt (id STRING PRIMARY KEY, s STRING) WITH (kafka_topic='tt', value_format='JSON', partitions=1);")
	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	rs := mustExec(t, env, "SELECT id, CAST(CONCAT(s, '') AS INT) AS n FROM tt EMIT CHANGES;")
	st := rs[0].(*RowStream)
	defer st.Close()
	tp := broker.TopicPartition{Topic: "tt"}
	appendRecs := func(recs ...broker.Record) {
		t.Helper()
		if _, err := env.log.Append(env.ctx, tp, recs); err != nil {
			t.Fatal(err)
		}
	}
	appendRecs(
		broker.Record{Key: []byte("a"), Value: []byte(`{"S":"5"}`)},
		broker.Record{Key: []byte("a")}, // delete
		broker.Record{Key: []byte("b"), Value: []byte(`{"S":"not a number"}`)},
	)
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	want := []struct {
		tombstone bool
		id, n     any
	}{{false, "a", int32(5)}, {true, "a", nil}, {false, "b", nil}}
	for i, w := range want {
		row, ok := st.NextRow(ctx)
		if !ok {
			t.Fatalf("row %d: stream ended: %v", i, st.Err())
		}
		if row.Tombstone != w.tombstone || row.Values[0] != w.id || row.Values[1] != w.n {
			t.Fatalf("row %d: %+v, want %+v", i, row, w)
		}
	}
	// The failing row's entry is the only one.
	var entries []broker.Record
	for len(entries) == 0 {
		if ctx.Err() != nil {
			t.Fatal("no processing-log entry for the failing row")
		}
		entries = readTopic(t, env, ProcessingLogTopic)
		time.Sleep(5 * time.Millisecond) // polling, bounded by ctx
	}
	if len(entries) != 1 {
		for _, e := range entries {
			t.Logf("entry: %s", e.Value)
		}
		t.Fatalf("%d processing-log entries, want 1 (the tombstone's projection was evaluated)", len(entries))
	}
}

// readTopic returns every committed record of partition 0 of topic.
func readTopic(t *testing.T, env *testEnv, topic string) []broker.Record {
	t.Helper()
	r, err := env.log.NewReader(broker.TopicPartition{Topic: topic}, broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: broker.ReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []broker.Record
	for {
		recs, err := r.Fetch(env.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
	}
}

// TestPushAggregateHavingTombstones: a push aggregation is a table, so a
// group whose HAVING turns false after it was in the result leaves it as
// a tombstone row that keeps the projected GROUP BY columns (and window
// bounds) and NULLs the others, as ksqlDB's push queries show it; a group
// that never matched gives no row. Covered with and without a window and
// through a repartition stage (GROUP BY a value column over 4 partitions).
func TestPushAggregateHavingTombstones(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM hv (k STRING KEY, g STRING, v INT) WITH (kafka_topic='hv', value_format='JSON', partitions=4);")
	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	// Group "a": 10 (in), -20 (out: tombstone), 21 (in). Group "b": -1
	// (never in: no row), then 5 (in).
	for _, r := range []struct {
		g string
		v int
	}{{"a", 10}, {"b", -1}, {"a", -20}, {"a", 21}, {"b", 6}} {
		// One key, one partition: the input order is the order of the
		// updates whichever way the query groups.
		rec := broker.Record{Key: []byte("k"), Value: []byte(fmt.Sprintf(`{"G":%q,"V":%d}`, r.g, r.v)), Timestamp: 500}
		if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "hv", Partition: 2}, []broker.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		tombstone bool
		vals      string
	}
	for _, tc := range []struct {
		name, sql string
		want      []row
	}{
		{"regrouped", "SELECT g, SUM(v) AS s FROM hv GROUP BY g HAVING SUM(v) > 0 EMIT CHANGES LIMIT 4;",
			[]row{{false, "[a 10]"}, {true, "[a <nil>]"}, {false, "[a 11]"}, {false, "[b 5]"}}},
		{"key not projected", "SELECT SUM(v) AS s FROM hv GROUP BY g HAVING SUM(v) > 0 EMIT CHANGES LIMIT 4;",
			[]row{{false, "[10]"}, {true, "[<nil>]"}, {false, "[11]"}, {false, "[5]"}}},
		{"windowed", "SELECT WINDOWSTART, g, SUM(v) AS s, WINDOWEND FROM hv WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY g HAVING SUM(v) > 0 EMIT CHANGES LIMIT 4;",
			[]row{{false, "[0 a 10 1000]"}, {true, "[0 a <nil> 1000]"}, {false, "[0 a 11 1000]"}, {false, "[0 b 5 1000]"}}},
		// Sums 10, 9, -11, 10, 16: out at 9, no row at -11 (already out).
		{"by key", "SELECT k, SUM(v) AS s FROM hv GROUP BY k HAVING SUM(v) > 9 EMIT CHANGES LIMIT 4;",
			[]row{{false, "[k 10]"}, {true, "[k <nil>]"}, {false, "[k 10]"}, {false, "[k 16]"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := mustExec(t, env, tc.sql)[0].(*RowStream)
			defer st.Close()
			ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
			defer cancel()
			var got []row
			for {
				r, ok := st.NextRow(ctx)
				if !ok {
					break
				}
				got = append(got, row{r.Tombstone, fmt.Sprint(r.Values)})
			}
			if st.Err() != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("rows %v (err %v), want %v", got, st.Err(), tc.want)
			}
		})
	}
}
