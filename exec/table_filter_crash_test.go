package exec

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
)

// TestCrashTableFilterExactlyOnce is TestCrashExactlyOnce for WHERE over a
// table (KEPT, table_filter_restart_test.go): a child process runs it with
// its store of output keys in pebble and is SIGKILLed at seeded random
// moments, in processing or in a commit (the log transaction, the
// changelog append, the pebble checkpoint), and restarted. At the end
// KEPT's changelog must be exactly the model's: a store that lost or
// replayed a key's presence would drop a tombstone or send one too many.
// It runs by default with a small input; SLUICE_CRASH_SEED,
// SLUICE_CRASH_KILLS and SLUICE_CRASH_RECORDS scale it up.
const tfCrashChildEnv = "SLUICE_EXEC_TABLE_FILTER_CRASH_CHILD"

func TestCrashTableFilterExactlyOnce(t *testing.T) {
	if dir := os.Getenv(tfCrashChildEnv); dir != "" {
		tableFilterCrashChild(dir)
		return
	}
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", 6))
	n := int(envInt("SLUICE_CRASH_RECORDS", 20000))
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d records", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))
	all := make([]broker.Record, n)
	for i := range all {
		all[i] = peopleRecord(rng, i)
	}

	dir := t.TempDir()
	l := openLog(t, dir)
	createTopic(t, l, "people", 2, broker.DurabilityNone)
	createTopic(t, l, "kept", 3, broker.DurabilityFsync)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// The input arrives in kills+1 chunks, one before each run, so every
	// run has work when it is killed.
	produced := 0
	produceChunk := func(i int) {
		to := n * (i + 1) / (kills + 1)
		l := openLog(t, dir)
		for _, r := range all[produced:to] {
			tp := broker.TopicPartition{Topic: "people", Partition: broker.PartitionForKey(r.Key, 2)}
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
		return runCrashChild(t, "TestCrashTableFilterExactlyOnce", []string{tfCrashChildEnv + "=" + dir}, kp)
	}
	progress := func() int64 { return committedInput(t, dir, "CTAS_KEPT_0") }
	midway, afterCommit := 0, 0
	for i := 0; i < kills; i++ {
		// Even runs die after reading a share of what is left, odd runs
		// after one of their first commits plus up to a commit interval
		// and a half.
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
		p := progress()
		if p < int64(produced) {
			midway++
		}
		if r.Commits > 0 {
			afterCommit++
		}
		t.Logf("run %d: killed at %+v, last seen %d read and %d commits, %d input offsets committed", i+1, kp, r.In, r.Commits, p)
	}
	produceChunk(kills)
	run(never)
	if midway < min(kills, 3) {
		t.Fatalf("only %d of %d kills landed while the query had work left: the test proved little", midway, kills)
	}
	if afterCommit < min(kills/2, 2) {
		t.Fatalf("only %d of %d kills landed after a commit of their run: the test proved little", afterCommit, kills)
	}
	l = openLog(t, dir)
	defer l.Close()
	got := map[string][]string{}
	out := readAll(t, l, "kept")
	for _, r := range out {
		got[r.Key] = append(got[r.Key], r.Value)
	}
	want := keptModel(all)
	for k := range want {
		if !reflect.DeepEqual(got[k], want[k]) {
			i := 0
			for i < len(got[k]) && i < len(want[k]) && got[k][i] == want[k][i] {
				i++
			}
			t.Fatalf("seed %d: key %s: %d records, want %d; first difference at %d: got %q, want %q",
				seed, k, len(got[k]), len(want[k]), i, got[k][i:min(i+3, len(got[k]))], want[k][i:min(i+3, len(want[k]))])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("seed %d: %d keys in the output, want %d", seed, len(got), len(want))
	}
	t.Logf("output: %d records, exactly the model's per key", len(out))
}

// tableFilterCrashChild runs KEPT until caught up, reporting its progress.
func tableFilterCrashChild(dir string) {
	fail := func(err error) {
		println("table filter crash child:", err.Error())
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
	q, err := rt.Start(context.Background(), keptSpec("CTAS_KEPT_0"))
	if err != nil {
		fail(err)
	}
	if err := waitReportingProgress(q); err != nil {
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
