package exec

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
)

// sessionFinalCrashChildEnv makes the test binary the crash child of
// TestCrashSessionFinal.
const sessionFinalCrashChildEnv = "SLUICE_EXEC_SESSION_FINAL_CRASH_CHILD"

// sessionFinalCrashWindow is the window of the crash test: small enough
// that many sessions close and some records are late.
var sessionFinalCrashWindow = &WindowSpec{Size: 15, Advance: 15, Grace: 10, Session: true}

// TestCrashSessionFinal is TestCrashAggregateExactlyOnce for EMIT FINAL on
// session windows: a child process runs the query and is SIGKILLed at
// seeded random moments (in processing, in the log transaction, in the
// changelog append, in the pebble checkpoint) and restarted; at the end
// the final rows must be exactly the model's, in its order: no session
// emitted twice, none lost, none that a record merged away. The
// environment variables of TestCrashExactlyOnce (SLUICE_CRASH_SEED,
// SLUICE_CRASH_KILLS, SLUICE_CRASH_RECORDS up to 10,000) scale it.
func TestCrashSessionFinal(t *testing.T) {
	if dir := os.Getenv(sessionFinalCrashChildEnv); dir != "" {
		sessionFinalCrashChild(t, dir)
		return
	}
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", 6))
	// Times stay below one store segment (60 s), which the model assumes.
	n := int(min(envInt("SLUICE_CRASH_RECORDS", 10_000), 10_000))
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d records", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))
	var recs []broker.Record
	ts := int64(0)
	for i := 0; i < n; i++ {
		r := reading(i % 7)
		ts += int64(rng.IntN(12))
		r.Timestamp = max(1, ts-int64(rng.IntN(40)))
		recs = append(recs, r)
	}
	want := modelSessionFinals(recs, sessionFinalCrashWindow)

	dir := t.TempDir()
	l := openLog(t, dir)
	createTopic(t, l, "readings", 1, broker.DurabilityNone)
	createTopic(t, l, "finals", 1, broker.DurabilityFsync)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	produced := 0
	produceChunk := func(i int) {
		to := n * (i + 1) / (kills + 1)
		l := openLog(t, dir)
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings"}, recs[produced:to]); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		produced = to
	}
	run := func(kp killPoint) crashRun {
		return runCrashChild(t, "TestCrashSessionFinal", []string{sessionFinalCrashChildEnv + "=" + dir}, kp)
	}
	progress := func() int64 { return committedInput(t, dir, "CTAS_FINALS_0") }
	midway, afterCommit := 0, 0
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
	if midway < min(kills, 2) {
		t.Fatalf("only %d of %d kills landed while the query had work left: the test proved little", midway, kills)
	}
	if afterCommit < min(kills/2, 1) {
		t.Fatalf("only %d of %d kills landed after a commit of their run: the test proved little", afterCommit, kills)
	}
	l = openLog(t, dir)
	defer l.Close()
	got := sessionFinalRows(t, readAll(t, l, "finals"))
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				t.Fatalf("seed %d: final row %d differs (%d rows, model %d): got %v, model %v", seed, i, len(got), len(want),
					got[i:min(i+3, len(got))], want[i:min(i+3, len(want))])
			}
		}
	}
	t.Logf("%d final rows, exactly the model's", len(got))
}

// sessionFinalCrashChild runs the query until caught up, reporting its
// progress.
func sessionFinalCrashChild(t *testing.T, dir string) {
	fail := func(err error) {
		println("session final crash child:", err.Error())
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
	q, err := rt.Start(context.Background(), sessionFinalSpec(t, "CTAS_FINALS_0", "finals", sessionFinalCrashWindow))
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
