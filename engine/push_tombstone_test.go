package engine

import (
	"context"
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
