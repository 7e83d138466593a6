package engine

import (
	"context"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// TestPushAndPullSkipNullValues: a stream record with a null value is no
// row for a push or pull query (ksqlDB's transient queries drop it), and
// it does not count towards LIMIT; LIMIT 0 ends at once with no row.
func TestPushAndPullSkipNullValues(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM nv (k STRING KEY, v INT) WITH (kafka_topic='nv', value_format='JSON', partitions=1);")
	p, err := env.log.NewProducer(env.ctx, broker.ProducerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recs := []broker.Record{
		{Key: []byte("a"), Value: []byte(`{"V":1}`)},
		{Key: []byte("b")}, // null value
		{Key: []byte("c"), Value: []byte(`{"V":3}`)},
	}
	if _, err := p.Append(env.ctx, broker.TopicPartition{Topic: "nv"}, recs); err != nil {
		t.Fatal(err)
	}
	_ = p.Close()

	rs := mustExec(t, env, "SELECT * FROM nv;")
	if got := rs[0].(*Rows).Rows; len(got) != 2 || got[0][0] != "a" || got[1][0] != "c" {
		t.Fatalf("pull rows %v", got)
	}

	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	rs = mustExec(t, env, "SELECT * FROM nv EMIT CHANGES LIMIT 2;")
	st := rs[0].(*RowStream)
	defer st.Close()
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	var keys []any
	for {
		row, ok := st.Next(ctx)
		if !ok {
			break
		}
		keys = append(keys, row[0])
	}
	if len(keys) != 2 || keys[0] != "a" || keys[1] != "c" || st.Err() != nil {
		t.Fatalf("push rows %v, err %v", keys, st.Err())
	}

	rs = mustExec(t, env, "SELECT * FROM nv EMIT CHANGES LIMIT 0;")
	zero := rs[0].(*RowStream)
	if row, ok := zero.Next(ctx); ok || zero.Err() != nil || len(zero.Columns) != 2 {
		t.Fatalf("LIMIT 0: row %v, err %v, columns %v", row, zero.Err(), zero.Columns)
	}
	zero.Close()
}

// TestKeyOnlyStreamRows: a stream without value columns has only its key;
// its records (whose value is null) are rows for push and pull queries.
func TestKeyOnlyStreamRows(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM ko (id INT KEY) WITH (kafka_topic='ko', value_format='JSON', partitions=1);")
	mustExec(t, env, "INSERT INTO ko (id) VALUES (7);")
	rs := mustExec(t, env, "SELECT * FROM ko;")
	if got := rs[0].(*Rows).Rows; len(got) != 1 || got[0][0] != int32(7) {
		t.Fatalf("pull rows %v", got)
	}
	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	rs = mustExec(t, env, "SELECT * FROM ko EMIT CHANGES LIMIT 1;")
	st := rs[0].(*RowStream)
	defer st.Close()
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	if row, ok := st.Next(ctx); !ok || row[0] != int32(7) {
		t.Fatalf("push row %v %v (%v)", row, ok, st.Err())
	}
}
