package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
)

// Push queries whose GROUP BY regroups a source with several partitions run
// a repartition stage for as long as they live. These tests check their
// rows against a batch recomputation and that nothing of the stage (topic,
// state, consumer group offsets) outlives the query.

// regroupStores are the store names a regrouping push query id uses on
// partition p: the aggregation's and, over a table, the stage's rows.
func regroupStores(id string, p int32, table bool) []string {
	names := []string{state.StoreName(id, "Aggregate-Aggregate-Materialize", p)}
	if table {
		names = append(names, state.StoreName(id+"_REPARTITION", "Aggregate-GroupBy-Source", p))
	}
	return names
}

// storeExists reports whether a store is registered in the engine's state.
func storeExists(t *testing.T, env *testEnv, name string) bool {
	t.Helper()
	snap := env.e.state.NewSnapshot()
	defer snap.Close()
	_, err := snap.KeyValue(name)
	switch {
	case err == nil:
		return true
	case errors.Is(err, state.ErrUnknownStore):
		return false
	}
	t.Fatalf("store %s: %v", name, err)
	return false
}

func listTopics(t *testing.T, env *testEnv) []string {
	t.Helper()
	names, err := env.log.ListTopics(env.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// checkStageGone fails unless the push query id left no topic beyond
// before, no store and no consumer group offsets of its stage.
func checkStageGone(t *testing.T, env *testEnv, id string, before []string, table, checkState bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		after := listTopics(t, env)
		offs, err := env.log.CommittedOffsets(env.ctx, id+"_REPARTITION")
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(after, before) && len(offs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after close: topics %v (before %v), group offsets %v", after, before, offs)
		}
		time.Sleep(10 * time.Millisecond) // polling, bounded by the deadline
	}
	if !checkState {
		return
	}
	for p := range int32(4) {
		for _, name := range regroupStores(id, p, table) {
			if storeExists(t, env, name) {
				t.Fatalf("store %s left after close", name)
			}
		}
	}
}

// readUntil reads rows of st until done says the rows so far are complete.
func readUntil(t *testing.T, env *testEnv, st *RowStream, done func([][]any) bool) [][]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(env.ctx, 30*time.Second)
	defer cancel()
	var rows [][]any
	for !done(rows) {
		row, ok := st.Next(ctx)
		if !ok {
			t.Fatalf("stream ended after %d rows: %v", len(rows), st.Err())
		}
		rows = append(rows, row)
	}
	return rows
}

// TestPushRegroupStream: a push GROUP BY on a value column of a stream
// with 4 partitions. Every input row gives one update, a group's updates
// arrive in order (COUNT goes 1, 2, 3, ...), and the last update of each
// group equals the batch recomputation. LIMIT ends the query by itself;
// a second query is closed by the client, a third by Engine.Close: each
// leaves no topic, store or group offsets behind.
func TestPushRegroupStream(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE STREAM rs (k STRING KEY, region STRING, v INT) WITH (kafka_topic='rs', value_format='JSON', partitions=4);")
	const n = 1200
	count, sum := map[string]int64{}, map[string]int64{}
	batches := make([][]broker.Record, 4)
	for i := range n {
		region := fmt.Sprintf("r%d", rng.IntN(9))
		v := rng.IntN(1000) - 500
		count[region]++
		sum[region] += int64(v)
		p := rng.IntN(4)
		batches[p] = append(batches[p], broker.Record{
			Key:   fmt.Appendf(nil, "k%d", i),
			Value: fmt.Appendf(nil, `{"REGION":%q,"V":%d}`, region, v),
		})
	}
	for p, recs := range batches {
		if len(recs) == 0 {
			continue
		}
		if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "rs", Partition: int32(p)}, recs); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	before := listTopics(t, env)

	check := func(rows [][]any) {
		t.Helper()
		seen := map[string]int64{}
		last := map[string][]any{}
		for _, r := range rows {
			region := r[0].(string)
			seen[region]++
			if got := fmt.Sprint(r[1]); got != fmt.Sprint(seen[region]) {
				t.Fatalf("group %s: update %d has COUNT %s: out of order", region, seen[region], got)
			}
			last[region] = r
		}
		if len(last) != len(count) {
			t.Fatalf("groups %d, want %d", len(last), len(count))
		}
		for region, r := range last {
			if fmt.Sprint(r[1]) != fmt.Sprint(count[region]) || fmt.Sprint(r[2]) != fmt.Sprint(sum[region]) {
				t.Fatalf("group %s: last row %v, want COUNT %d SUM %d", region, r, count[region], sum[region])
			}
		}
	}

	// LIMIT: the query ends by itself after n rows.
	start := time.Now()
	rs := mustExec(t, env, fmt.Sprintf("SELECT region, COUNT(*), SUM(v) FROM rs GROUP BY region EMIT CHANGES LIMIT %d;", n))
	st := rs[0].(*RowStream)
	rows := readUntil(t, env, st, func(r [][]any) bool { return len(r) == n })
	t.Logf("%d rows through the repartition stage in %v", n, time.Since(start))
	check(rows)
	ctx, cancel := context.WithTimeout(env.ctx, 20*time.Second)
	defer cancel()
	if row, ok := st.Next(ctx); ok || st.Err() != nil {
		t.Fatalf("after LIMIT: row %v, err %v", row, st.Err())
	}
	checkStageGone(t, env, st.QueryID, before, false, true)
	st.Close()

	// Closed by the client: the stage's topic, state and group exist while
	// it runs and are gone after.
	rs = mustExec(t, env, "SELECT region, COUNT(*), SUM(v) FROM rs GROUP BY region EMIT CHANGES;")
	st = rs[0].(*RowStream)
	check(readUntil(t, env, st, func(r [][]any) bool { return len(r) == n }))
	if during := listTopics(t, env); len(during) != len(before)+1 {
		t.Fatalf("topics while running %v, before %v: want the repartition topic", during, before)
	}
	if offs, _ := env.log.CommittedOffsets(env.ctx, st.QueryID+"_REPARTITION"); len(offs) == 0 {
		t.Fatal("no stage group offsets while running")
	}
	st.Close()
	checkStageGone(t, env, st.QueryID, before, false, true)

	// Engine.Close ends a running one the same way.
	rs = mustExec(t, env, "SELECT region, COUNT(*) FROM rs GROUP BY region EMIT CHANGES;")
	st = rs[0].(*RowStream)
	readUntil(t, env, st, func(r [][]any) bool { return len(r) == n })
	if err := env.e.Close(); err != nil {
		t.Fatal(err)
	}
	env.e = nil
	checkStageGone(t, env, st.QueryID, before, false, false)
}

// TestPushRegroupTable: a push GROUP BY on a value column of a table with
// 4 partitions, whose rows are updated (moving between groups) and
// deleted. The last update of each group equals the batch recomputation
// over the table's final rows; after close the stage's rows store, its
// changelog, the repartition topic and the group offsets are gone.
func TestPushRegroupTable(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 11))
	env := newTestEnv(t, Config{})
	mustExec(t, env, "CREATE TABLE rt (id STRING PRIMARY KEY, region STRING, v INT) WITH (kafka_topic='rt', value_format='JSON', partitions=4);")
	type row struct {
		region string
		v      int
	}
	final := map[string]*row{}
	batches := make([][]broker.Record, 4)
	const keys, changes = 60, 600
	for i := range changes {
		k := i % keys // every key first gets a row, then changes
		id := fmt.Sprintf("id%d", k)
		p := k % 4 // a key lives in one partition, in order
		rec := broker.Record{Key: []byte(id)}
		if i >= keys && rng.IntN(8) == 0 {
			delete(final, id) // tombstone
		} else {
			r := &row{region: fmt.Sprintf("r%d", rng.IntN(5)), v: rng.IntN(100)}
			final[id] = r
			rec.Value = fmt.Appendf(nil, `{"REGION":%q,"V":%d}`, r.region, r.v)
		}
		batches[p] = append(batches[p], rec)
	}
	// Two rows in a group no change touches, so that no group of the
	// recomputation is empty.
	for _, id := range []string{"fixed0", "fixed1"} {
		final[id] = &row{region: "fixed", v: 1}
		batches[0] = append(batches[0], broker.Record{Key: []byte(id), Value: []byte(`{"REGION":"fixed","V":1}`)})
	}
	count, sum := map[string]int64{}, map[string]int64{}
	for _, r := range final {
		count[r.region]++
		sum[r.region] += int64(r.v)
	}
	for p, recs := range batches {
		if _, err := env.log.Append(env.ctx, broker.TopicPartition{Topic: "rt", Partition: int32(p)}, recs); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, env, "SET 'auto.offset.reset'='earliest';")
	before := listTopics(t, env)
	rs := mustExec(t, env, "SELECT region, COUNT(*), SUM(v) FROM rt GROUP BY region EMIT CHANGES;")
	st := rs[0].(*RowStream)
	last := map[string][]any{}
	matches := func() bool {
		for region := range count {
			r := last[region]
			if r == nil || fmt.Sprint(r[1]) != fmt.Sprint(count[region]) || fmt.Sprint(r[2]) != fmt.Sprint(sum[region]) {
				return false
			}
		}
		for region, r := range last {
			if count[region] == 0 && r[1] != nil && fmt.Sprint(r[1]) != "0" {
				return false // an emptied group must end at 0 (or a tombstone)
			}
		}
		return true
	}
	readUntil(t, env, st, func(rows [][]any) bool {
		if len(rows) > 0 {
			r := rows[len(rows)-1]
			last[r[0].(string)] = r
		}
		return matches()
	})
	// While it runs, the stage keeps every source partition's rows, and
	// the aggregation its groups on some partition.
	aggStores := 0
	for p := range int32(4) {
		names := regroupStores(st.QueryID, p, true)
		if storeExists(t, env, names[0]) {
			aggStores++
		}
		if !storeExists(t, env, names[1]) {
			t.Fatalf("store %s missing while running", names[1])
		}
	}
	if aggStores == 0 {
		t.Fatal("no aggregation store while running")
	}
	st.Close()
	checkStageGone(t, env, st.QueryID, before, true, true)
}
