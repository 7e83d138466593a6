package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// regroupCrashChildEnv makes the test binary run the child of
// TestCrashTableRegroupExactlyOnce on the data dir it names.
const regroupCrashChildEnv = "SLUICE_EXEC_REGROUP_CRASH_CHILD"

// The table of the regroup crash test and its regrouped rows.
var (
	userCols = []types.Column{
		{Name: "ID", Type: types.StringType, Key: true},
		{Name: "REGION", Type: types.StringType},
		{Name: "SCORE", Type: types.IntegerType},
	}
	regroupedCols = []types.Column{
		{Name: "ID", Type: types.StringType},
		{Name: "REGION", Type: types.StringType},
		{Name: "SCORE", Type: types.IntegerType},
		{Name: "KSQL_GROUP_0", Type: types.StringType, Key: true},
		{Name: "ROWTIME", Type: types.BigintType},
		{Name: "ROWPARTITION", Type: types.IntegerType},
		{Name: "ROWOFFSET", Type: types.BigintType},
		{Name: "SLUICE_CHANGE", Type: types.IntegerType},
	}
	regionCols = []types.Column{
		{Name: "REGION", Type: types.StringType, Key: true},
		{Name: "N", Type: types.BigintType},
		{Name: "TOTAL", Type: types.IntegerType},
	}
)

// tableChange is change i of the users table: 97 users moving between 5
// regions with scores from -3 (filtered out by WHERE SCORE >= 0) to 20,
// one change in 11 a tombstone.
func tableChange(i int) broker.Record {
	h := uint64(i+1) * 0x9E3779B97F4A7C15
	rec := broker.Record{Key: fmt.Appendf(nil, "u%d", h%97), Timestamp: 1_700_000_000_000 + int64(i)}
	if (h>>20)%11 == 0 {
		return rec
	}
	rec.Value = fmt.Appendf(nil, `{"REGION":"r%d","SCORE":%d}`, (h>>8)%5, int64((h>>32)%24)-3)
	return rec
}

// regroupSpecs are the two queries of SELECT REGION, COUNT(*) AS N,
// SUM(SCORE) AS TOTAL FROM USERS WHERE SCORE >= 0 GROUP BY REGION over a
// 4-partition table, as the planner lays them out: the regrouping stage
// and the aggregation over its repartition topic.
func regroupSpecs() (stage, agg *QuerySpec, err error) {
	reg := functions.Builtins()
	count, err := reg.Resolve("COUNT", nil)
	if err != nil {
		return nil, nil, err
	}
	sum, err := reg.Resolve("SUM", functions.TypeArgs(types.IntegerType))
	if err != nil {
		return nil, nil, err
	}
	newCount, err := count.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, nil, err
	}
	newSum, err := sum.Accumulator(nil, functions.Config{})
	if err != nil {
		return nil, nil, err
	}
	col := func(i int) Evaluator { return EvalFunc(func(row []any) (any, error) { return row[i], nil }) }
	users := types.MustSchema(userCols...)
	regrouped := types.MustSchema(regroupedCols...)
	value := []int{0, 1, 2, 4, 5, 6, 7}
	var valueCols []types.Column
	for _, i := range value {
		valueCols = append(valueCols, regroupedCols[i])
	}
	sink := &SinkSpec{
		Topic: "users-repartition", Partitions: 4, KeyColumns: []int{3}, ValueColumns: value,
		Key:   SerdeSpec{Format: format.Kafka, Columns: regroupedCols[3:4]},
		Value: SerdeSpec{Format: format.JSON, Columns: valueCols}, TimestampColumn: -1,
	}
	stage = &QuerySpec{
		ID: "CTAS_BY_REGION_0_REPARTITION",
		Source: SourceSpec{
			Topic: "users", Partitions: 4, Schema: users, TimestampColumn: -1, FromBeginning: true,
			Key:   SerdeSpec{Format: format.Kafka, Columns: userCols[:1]},
			Value: SerdeSpec{Format: format.JSON, Columns: userCols[1:]},
		},
		Operators: []Operator{NewTableRegroup(&RegroupSpec{
			Input: users, KeyColumns: []int{0}, GroupBy: []Evaluator{col(1)}, Schema: regrouped,
			Where: EvalFunc(func(row []any) (any, error) {
				s, ok := row[2].(int32)
				return ok && s >= 0, nil
			}),
			Operator: "Aggregate-GroupBy-Source", Changelog: "users-rows-changelog",
		})},
		Sink: sink,
	}
	agg = &QuerySpec{
		ID: "CTAS_BY_REGION_0",
		Source: SourceSpec{
			Topic: sink.Topic, Partitions: 4, Schema: regrouped, TimestampColumn: -1, FromBeginning: true,
			Key: sink.Key, Value: sink.Value,
		},
		Operators: []Operator{NewAggregate(&AggregateSpec{
			Schema:  types.MustSchema(regionCols...),
			GroupBy: []Evaluator{col(3)},
			Calls: []AggregateCall{
				{New: func() Accumulator { return newCount() }},
				{New: func() Accumulator { return newSum() }, Args: []Evaluator{col(2)}},
			},
			Project:   []Evaluator{col(0), col(1), col(2)},
			Operator:  "Aggregate",
			Changelog: "by-region-changelog",
			Regrouped: &RegroupedInput{Flag: 7},
		})},
		Sink: &SinkSpec{
			Topic: "by_region", Partitions: 3, KeyColumns: []int{0}, ValueColumns: []int{1, 2},
			Key:   SerdeSpec{Format: format.Kafka, Columns: regionCols[:1]},
			Value: SerdeSpec{Format: format.JSON, Columns: regionCols[1:]}, TimestampColumn: -1,
		},
	}
	return stage, agg, nil
}

// TestCrashTableRegroupExactlyOnce runs the two queries of a GROUP BY over
// a 4-partition table in a child process with its state in pebble,
// SIGKILLs it at seeded random moments (in processing, in either query's
// transaction, changelog appends or pebble checkpoints) and restarts it.
// At the end the table of regions must equal a batch recomputation over
// the users table's final rows: a change subtracted twice, or lost, shows.
// SLUICE_CRASH_SEED, SLUICE_CRASH_KILLS and SLUICE_CRASH_RECORDS scale it
// as for TestCrashExactlyOnce.
func TestCrashTableRegroupExactlyOnce(t *testing.T) {
	if dir := os.Getenv(regroupCrashChildEnv); dir != "" {
		regroupCrashChild(dir)
		return
	}
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", 6))
	n := int(envInt("SLUICE_CRASH_RECORDS", 6000))
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d changes", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	l := openLog(t, dir)
	createTopic(t, l, "users", 4, broker.DurabilityNone)
	createTopic(t, l, "users-repartition", 4, broker.DurabilityFsync)
	createTopic(t, l, "by_region", 3, broker.DurabilityFsync)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	produced := 0
	produceChunk := func(i int) {
		to := n * (i + 1) / (kills + 1)
		l := openLog(t, dir)
		for j := produced; j < to; j++ {
			r := tableChange(j)
			tp := broker.TopicPartition{Topic: "users", Partition: broker.PartitionForKey(r.Key, 4)}
			if _, err := l.Append(context.Background(), tp, []broker.Record{r}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		produced = to
	}
	run := func(kp killPoint) crashRun {
		return runCrashChild(t, "TestCrashTableRegroupExactlyOnce", []string{regroupCrashChildEnv + "=" + dir}, kp)
	}
	progress := func() int64 { return committedInput(t, dir, "CTAS_BY_REGION_0_REPARTITION") }
	midway := 0
	for i := 0; i < kills; i++ {
		produceChunk(i)
		kp := killPoint{In: -1, Commits: -1, Jitter: time.Duration(rng.IntN(5_000)) * time.Microsecond}
		if i%2 == 0 {
			kp.In = rng.Int64N(max(1, (int64(produced)-progress())/2))
		} else {
			kp.Commits = int64(1 + rng.IntN(3))
			kp.Jitter = time.Duration(rng.IntN(7_500)) * time.Microsecond
		}
		r := run(kp)
		if !r.Killed {
			t.Logf("run %d: finished before the kill", i+1)
			continue
		}
		if progress() < int64(produced) {
			midway++
		}
		t.Logf("run %d: killed at %+v, last seen %d read and %d commits", i+1, kp, r.In, r.Commits)
	}
	produceChunk(kills)
	run(never)
	if midway < min(kills, 3) {
		t.Fatalf("only %d of %d kills landed while the stage had work left: the test proved little", midway, kills)
	}

	type user struct {
		region string
		score  int64
	}
	final := map[string]user{}
	for i := 0; i < n; i++ {
		r := tableChange(i)
		if r.Value == nil {
			delete(final, string(r.Key))
			continue
		}
		var v struct {
			REGION string
			SCORE  int64
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		final[string(r.Key)] = user{v.REGION, v.SCORE}
	}
	type row struct{ N, TOTAL int64 }
	want := map[string]row{}
	for _, u := range final {
		if u.score >= 0 {
			w := want[u.region]
			w.N++
			w.TOTAL += u.score
			want[u.region] = w
		}
	}
	l = openLog(t, dir)
	defer l.Close()
	got := map[string]row{}
	for _, r := range readAll(t, l, "by_region") {
		var v row
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			t.Fatalf("%s: %q: %v", r.Key, r.Value, err)
		}
		got[r.Key] = v
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("region %s: %+v, batch recomputation %+v", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != (row{}) {
			t.Errorf("region %s: %+v, batch recomputation has no rows", k, g)
		}
	}
}

// regroupCrashChild runs both queries until they have caught up,
// reporting the stage's progress and the commits of both.
func regroupCrashChild(dir string) {
	fail := func(err error) {
		println("regroup crash child:", err.Error())
		os.Exit(2)
	}
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		fail(err)
	}
	db, err := state.Open(filepath.Join(dir, "state"), state.Options{})
	if err != nil {
		fail(err)
	}
	rt := NewRuntime(l, RuntimeOptions{CommitInterval: time.Microsecond, FetchMaxBytes: 4 << 10, State: db})
	stageSpec, aggSpec, err := regroupSpecs()
	if err != nil {
		fail(err)
	}
	stage, err := rt.Start(context.Background(), stageSpec)
	if err != nil {
		fail(err)
	}
	agg, err := rt.Start(context.Background(), aggSpec)
	if err != nil {
		fail(err)
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				s, a := stage.Metrics(), agg.Metrics()
				fmt.Fprintf(os.Stdout, "in %d commits %d\n", s.RecordsIn, s.Commits+a.Commits)
			case <-stop:
				return
			}
		}
	}()
	err = stage.WaitCaughtUp(context.Background())
	if err == nil {
		err = agg.WaitCaughtUp(context.Background())
	}
	close(stop)
	<-stopped
	if err != nil {
		fail(err)
	}
	if err := rt.Close(); err != nil {
		fail(err)
	}
	if err := db.Close(); err != nil {
		fail(err)
	}
	if err := l.Close(); err != nil {
		fail(err)
	}
	os.Exit(0)
}
