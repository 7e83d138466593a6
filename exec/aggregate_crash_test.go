package exec

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// TestCrashAggregateExactlyOnce is TestCrashExactlyOnce for the COUNTS
// aggregation: a child process runs it with its state in pebble, and is
// SIGKILLed at seeded random moments (anywhere in processing, the log
// transaction, the changelog append or the pebble checkpoint) and
// restarted. At the end every key's updates must count 1, 2, 3, ...
// without gap or repeat and the final table must equal a batch
// recomputation. It runs by default with a small input; the environment
// variables of TestCrashExactlyOnce (SLUICE_CRASH_SEED, SLUICE_CRASH_KILLS,
// SLUICE_CRASH_RECORDS) scale it up.
const aggCrashChildEnv = "SLUICE_EXEC_AGG_CRASH_CHILD"

func TestCrashAggregateExactlyOnce(t *testing.T) {
	if dir := os.Getenv(aggCrashChildEnv); dir != "" {
		aggCrashChild(dir, os.Getenv(aggCrashWindowEnv) != "")
		return
	}
	t.Run("groups", func(t *testing.T) { crashAggregate(t, false) })
	// Tumbling windows of 1 s over the readings' times: the window store,
	// its stream time and retention go through the kills too.
	t.Run("windows", func(t *testing.T) { crashAggregate(t, true) })
}

// aggCrashWindowEnv tells the child to run the windowed variant.
const aggCrashWindowEnv = "SLUICE_EXEC_AGG_CRASH_WINDOWED"

// crashWindow is the window of the windowed crash test.
var crashWindow = &WindowSpec{Size: 1000, Advance: 1000, Grace: 0}

func crashAggregate(t *testing.T, windowed bool) {
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", 6))
	n := int(envInt("SLUICE_CRASH_RECORDS", 30000))
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d records", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	l := openLog(t, dir)
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "counts", 3, broker.DurabilityFsync)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// The input arrives in kills+1 chunks, one before each run, so every
	// run has work when it is killed: the log stays open only between
	// runs (the child holds the data dir while it runs).
	produced := 0
	produceChunk := func(i int) {
		to := n * (i + 1) / (kills + 1)
		l := openLog(t, dir)
		produce(t, l, "readings", 4, produced, to)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		produced = to
	}

	run := func(kp killPoint) crashRun {
		env := []string{aggCrashChildEnv + "=" + dir}
		if windowed {
			env = append(env, aggCrashWindowEnv+"=1")
		}
		return runCrashChild(t, "TestCrashAggregateExactlyOnce", env, kp)
	}
	progress := func() int64 { return committedInput(t, dir, "CTAS_COUNTS_0") }
	midway, afterCommit := 0, 0
	for i := 0; i < kills; i++ {
		// Even runs die after reading a share of what is left; odd runs
		// after their 1st to 4th commit plus up to a commit interval and
		// a half, so kills also land inside the transaction, the
		// changelog append and the pebble checkpoint of a commit.
		produceChunk(i)
		kp := killPoint{In: -1, Commits: -1, Jitter: time.Duration(rng.IntN(5_000)) * time.Microsecond}
		if i%2 == 0 {
			left := int64(produced) - progress()
			kp.In = rng.Int64N(max(1, left/2))
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
	out := readAll(t, l, "counts")
	if windowed {
		checkWindowedCounts(t, out, n, crashWindow)
	} else {
		checkCounts(t, out, n)
	}
	t.Logf("output: %d updates, each key counting 1..n exactly once, final table equal to the batch result", len(out))
}

// aggCrashChild runs COUNTS until caught up, reporting its progress.
func aggCrashChild(dir string, windowed bool) {
	fail := func(err error) {
		println("aggregate crash child:", err.Error())
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
	spec, err := newCountSpec("CTAS_COUNTS_0", "readings", "counts", 4, 3, 0)
	if err != nil {
		fail(err)
	}
	if windowed {
		agg := spec.Operators[0].(*Aggregate)
		agg.spec.Window = crashWindow
		agg.spec.Schema = types.MustSchema(append(append([]types.Column(nil), countCols...), types.Column{Name: "$WINDOWSTART", Type: types.BigintType})...)
		agg.spec.Project = append(agg.spec.Project, EvalFunc(func(row []any) (any, error) { return row[3], nil }))
		spec.Sink.Windowed, spec.Sink.WindowStartColumn = true, 3
	}
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		fail(err)
	}
	err = waitReportingProgress(q)
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

// checkWindowedCounts is checkCounts per (key, window): the readings are
// in time order, so no record is late and every window's updates count
// 1, 2, 3, ... up to its batch count.
func checkWindowedCounts(tb testing.TB, out []outRecord, n int, w *WindowSpec) {
	tb.Helper()
	want := map[string]int64{}
	for i := 0; i < n; i++ {
		r := reading(i)
		for _, s := range w.windowsFor(r.Timestamp, nil) {
			want[fmt.Sprintf("%s@%d", r.Key, s)]++
		}
	}
	last := map[string]int64{}
	for _, r := range out {
		key := []byte(r.Key)
		k := fmt.Sprintf("%s@%d", key[:len(key)-8], int64(binary.BigEndian.Uint64(key[len(key)-8:])))
		var v countRow
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			tb.Fatalf("output value %q: %v", r.Value, err)
		}
		if v.CNT != last[k]+1 {
			tb.Fatalf("window %s: count %d after %d: an input row was lost or applied twice", k, v.CNT, last[k])
		}
		last[k] = v.CNT
	}
	for k, c := range want {
		if last[k] != c {
			tb.Fatalf("window %s: final count %d, batch recomputation %d", k, last[k], c)
		}
	}
	if len(last) != len(want) || len(out) != n {
		tb.Fatalf("%d windows and %d updates, want %d and %d", len(last), len(out), len(want), n)
	}
}
