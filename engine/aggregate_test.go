package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// TestAggregateRepartitionRestart runs a GROUP BY on a non-key column of a
// 4-partition stream (so rows are regrouped through the internal
// repartition topic), restarts the engine half-way, and checks the table's
// changelog: per region, counts 1, 2, 3, ... with no gap or repeat, every
// update of a region in one partition, and final values equal to a batch
// recomputation. It runs with the state in memory (rebuilt from the
// changelog topics on open) and in a state directory.
func TestAggregateRepartitionRestart(t *testing.T) {
	for _, persisted := range []bool{false, true} {
		t.Run(fmt.Sprintf("state_dir=%v", persisted), func(t *testing.T) {
			cfg := Config{}
			if persisted {
				cfg.StateDir = t.TempDir()
			}
			env := newTestEnv(t, cfg)
			mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
			mustExec(t, env, "CREATE STREAM orders (id STRING KEY, region STRING, amount INT) WITH (kafka_topic='orders', value_format='JSON', partitions=4);")
			mustExec(t, env, "CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY region;")
			produce := func(from, to int) {
				for i := from; i < to; i++ {
					key := []byte(fmt.Sprintf("o%d", i))
					rec := broker.Record{Key: key, Value: []byte(fmt.Sprintf(`{"REGION":"r%d","AMOUNT":%d}`, i%7, i)), Timestamp: 1_700_000_000_000 + int64(i)}
					tp := broker.TopicPartition{Topic: "orders", Partition: broker.PartitionForKey(key, 4)}
					if _, err := env.log.Append(env.ctx, tp, []broker.Record{rec}); err != nil {
						t.Fatal(err)
					}
				}
			}
			wait := func() {
				if err := env.e.WaitCaughtUp(env.ctx); err != nil {
					t.Fatal(err)
				}
			}
			produce(0, 200)
			wait()
			env.restart()
			produce(200, 400)
			wait()

			recs, err := consumeAll(env.ctx, env.log, "BY_REGION")
			if err != nil {
				t.Fatal(err)
			}
			type row struct{ N, TOTAL int64 }
			last := map[string]row{}
			part := map[string]int32{}
			for _, r := range recs {
				k := string(r.Key)
				var v row
				if err := json.Unmarshal(r.Value, &v); err != nil {
					t.Fatalf("%s: %q: %v", k, r.Value, err)
				}
				if v.N != last[k].N+1 {
					t.Fatalf("region %s: count %d after %d", k, v.N, last[k].N)
				}
				if p, ok := part[k]; ok && p != r.Partition {
					t.Fatalf("region %s in partitions %d and %d", k, p, r.Partition)
				}
				last[k], part[k] = v, r.Partition
			}
			for g := 0; g < 7; g++ {
				var want row
				for i := g; i < 400; i += 7 {
					want.N++
					want.TOTAL += int64(i)
				}
				if got := last[fmt.Sprintf("r%d", g)]; got != want {
					t.Errorf("region r%d: %+v, batch recomputation %+v", g, got, want)
				}
			}
			if len(recs) != 400 {
				t.Errorf("%d updates, want 400", len(recs))
			}
		})
	}
}

// TestAggregateTableRestart aggregates a table: updates move a row between
// groups (retracted from the old, added to the new), tombstones retract
// it, rows that stop passing WHERE are retracted; a restart in the middle
// (current rows restored from their changelog) changes nothing. The final
// counts and sums must equal a recomputation over the table's final rows.
func TestAggregateTableRestart(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE TABLE users (id STRING PRIMARY KEY, region STRING, score INT) WITH (kafka_topic='users', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(score) AS total FROM users WHERE score >= 0 GROUP BY region;")
	final := map[string][2]int64{} // user -> (region, score) of the current row
	ts := int64(1_700_000_000_000)
	write := func(i int) {
		user := fmt.Sprintf("u%d", i%13)
		rec := broker.Record{Key: []byte(user), Timestamp: ts}
		ts++
		switch {
		case i%11 == 10:
			delete(final, user)
		default:
			region, score := int64(i%3), int64(i%17-3) // some negative: filtered out
			rec.Value = []byte(fmt.Sprintf(`{"REGION":"r%d","SCORE":%d}`, region, score))
			final[user] = [2]int64{region, score}
		}
		if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "users"}, []broker.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 150; i++ {
		write(i)
	}
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	env.restart()
	for i := 150; i < 300; i++ {
		write(i)
	}
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	recs, err := consumeAll(env.ctx, env.log, "BY_REGION")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ N, TOTAL int64 }
	got := map[string]row{}
	for _, r := range recs {
		var v row
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("%q: %v", r.Value, err)
		}
		got[string(r.Key)] = v
	}
	want := map[string]row{}
	for _, rs := range final {
		if rs[1] < 0 {
			continue
		}
		k := fmt.Sprintf("r%d", rs[0])
		w := want[k]
		w.N++
		w.TOTAL += rs[1]
		want[k] = w
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("region %s: %+v, recomputation over the final table %+v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g.N != 0 {
			t.Errorf("region %s: %+v, recomputation has no rows", k, g)
		}
	}
}

// TestAggregateTerminateDropsState checks that TERMINATE removes an
// aggregation's changelog topic and state, and that CREATE OR REPLACE of
// an aggregation is refused rather than resumed from the old state.
func TestAggregateTerminateDropsState(t *testing.T) {
	env := newTestEnv(t, Config{StateDir: t.TempDir()})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', value_format='JSON', partitions=1);")
	mustExec(t, env, "CREATE TABLE c AS SELECT k, COUNT(*) AS n FROM s GROUP BY k;")
	if err := env.e.WaitCaughtUp(env.ctx); err != nil {
		t.Fatal(err)
	}
	changelog := "_confluent-ksql-default_query_CTAS_C_0-Aggregate-Aggregate-Materialize-changelog"
	if _, err := env.log.DescribeTopic(env.ctx, changelog); err != nil {
		t.Fatalf("changelog topic: %v", err)
	}
	if _, err := env.s.Execute(env.ctx, "CREATE OR REPLACE TABLE c AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM s GROUP BY k;"); err == nil {
		t.Fatal("CREATE OR REPLACE of an aggregation was accepted")
	}
	mustExec(t, env, "TERMINATE CTAS_C_0;")
	if _, err := env.log.DescribeTopic(env.ctx, changelog); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Fatalf("changelog topic after TERMINATE: %v", err)
	}
}

// TestAggregatePushQuery runs GROUP BY as a push query: one row per input
// row, in select order, the key not required in the projection.
func TestAggregatePushQuery(t *testing.T) {
	env := newTestEnv(t, Config{})
	mustExec(t, env, "SET 'auto.offset.reset' = 'earliest';")
	mustExec(t, env, "CREATE STREAM ev (k STRING KEY, dev STRING, v INT) WITH (kafka_topic='ev', value_format='JSON', partitions=1);")
	for i, dev := range []string{"a", "b", "a", "a"} {
		mustExec(t, env, fmt.Sprintf("INSERT INTO ev (k, dev, v) VALUES ('k%d', '%s', %d);", i, dev, i+1))
	}
	rs := mustExec(t, env, "SELECT COUNT(*) AS n, SUM(v) AS total FROM ev GROUP BY dev EMIT CHANGES LIMIT 4;")
	stream := rs[0].(*RowStream)
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	var got []string
	for {
		row, ok := stream.Next(ctx)
		if !ok {
			break
		}
		got = append(got, fmt.Sprint(row))
	}
	want := []string{"[1 1]", "[1 2]", "[2 4]", "[3 8]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows %v, want %v (%v)", got, want, stream.Err())
	}
}
