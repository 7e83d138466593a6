package exec

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/state"
)

// The crash test runs the hot query in a child process (this test binary,
// re-executed with crashChildEnv set), SIGKILLs it at seeded random
// moments, restarts it, and finally lets it run until caught up. The output
// topic must then hold every expected record exactly once, in input order
// per key. Environment:
//
//	SLUICE_CRASH_SEED     the seed (default: time-based; printed)
//	SLUICE_CRASH_KILLS    how many kills (default 10)
//	SLUICE_CRASH_RECORDS  input records (default 200000)
const crashChildEnv = "SLUICE_EXEC_CRASH_CHILD"

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func TestCrashExactlyOnce(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", 10))
	n := int(envInt("SLUICE_CRASH_RECORDS", 200000))
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d records", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	l := openLog(t, dir)
	createTopic(t, l, "readings", 4, broker.DurabilityNone)
	createTopic(t, l, "hot", 3, broker.DurabilityFsync)
	produce(t, l, "readings", 4, 0, n)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	run := func(killAt int64, jitter time.Duration) bool {
		kp := killPoint{In: killAt, Commits: -1, Jitter: jitter}
		if killAt < 0 {
			kp = never
		}
		return runCrashChild(t, "TestCrashExactlyOnce", []string{crashChildEnv + "=" + dir}, kp).Killed
	}
	progress := func() int64 { return committedInput(t, dir, "CSAS_HOT_0") }
	start := time.Now()
	killed, midway := 0, 0
	committed := int64(0)
	for i := 0; i < kills; i++ {
		// Kill somewhere in what is left, spread over the run.
		left := int64(n) - committed
		at := left * int64(1+rng.IntN(kills)) / int64(2*kills)
		jitter := time.Duration(rng.IntN(10_000)) * time.Microsecond
		if run(at, jitter) {
			killed++
			p := progress()
			if p < int64(n) {
				midway++ // killed with input left to process
			}
			t.Logf("run %d: killed after reading %d records + %v, %d input offsets committed", i+1, at, jitter, p)
			committed = p
		} else {
			t.Logf("run %d: finished before the kill", i+1)
		}
	}
	run(-1, 0)
	t.Logf("%d runs killed (%d mid-way through the input), total %v", killed, midway, time.Since(start).Round(time.Millisecond))
	if midway < min(kills, 3) {
		t.Fatalf("only %d of %d kills landed while the query had work left: the test proved little", midway, kills)
	}

	l = openLog(t, dir)
	defer l.Close()
	out := readAll(t, l, "hot")
	checkHot(t, out, n)
	t.Logf("output: %d records, 0 missing, 0 duplicated, per-key order kept", len(out))
}

// crashChild runs the query until it has caught up, then exits; the parent
// may kill it at any moment before.
func crashChild(dir string) {
	t0 := time.Now()
	trace := os.Getenv("SLUICE_CRASH_TRACE") != ""
	defer func() {
		if trace {
			println("crash child: done after", time.Since(t0).String())
		}
	}()
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	if trace {
		println("crash child: log open after", time.Since(t0).String())
	}
	// Small fetches and a short commit interval make many small
	// transactions, so the kills land at every stage of the protocol.
	rt := NewRuntime(l, RuntimeOptions{CommitInterval: 5 * time.Millisecond, FetchMaxBytes: 32 << 10})
	spec, err := newHotSpec("CSAS_HOT_0", "readings", "hot", 4, 3)
	if err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	err = waitReportingProgress(q)
	if err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	if trace {
		println("crash child: caught up after", time.Since(t0).String())
	}
	if err := rt.Close(); err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	if err := l.Close(); err != nil {
		println("crash child:", err.Error())
		os.Exit(2)
	}
	os.Exit(0)
}

// killPoint is when runCrashChild kills its child: once the child reports
// having read In input records, or having committed Commits transactions,
// in this run (a negative field never triggers), then after Jitter more.
// Keying kills to commits makes them land in or right after a commit of
// the run rather than mostly before the first one.
type killPoint struct {
	In, Commits int64
	Jitter      time.Duration
}

// never is the kill point of the final run, which must finish.
var never = killPoint{In: -1, Commits: -1}

// crashRun is what runCrashChild saw of a run it killed.
type crashRun struct {
	// Killed is false when the child finished before the kill point.
	Killed bool
	// In and Commits are the child's last reported progress before the
	// kill.
	In, Commits int64
}

// runCrashChild starts the crash test's child (the test binary re-running
// test with env added) and SIGKILLs it at kp, so the kill can land
// anywhere in the task's cycle (decoding, appending, committing).
func runCrashChild(t *testing.T, test string, env []string, kp killPoint) crashRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{})
	scanned := make(chan struct{})
	var last atomic.Pointer[crashRun]
	last.Store(&crashRun{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stdout)
		closed := false
		for sc.Scan() {
			var in, commits int64
			if _, err := fmt.Sscanf(sc.Text(), "in %d commits %d", &in, &commits); err != nil {
				continue
			}
			last.Store(&crashRun{In: in, Commits: commits})
			hit := (kp.In >= 0 && in >= kp.In) || (kp.Commits >= 0 && commits >= kp.Commits)
			if hit && !closed {
				close(reached)
				closed = true
			}
		}
	}()
	done := make(chan error, 1)
	go func() {
		<-scanned
		done <- cmd.Wait()
	}()
	deadline := time.After(60 * time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child failed: %v", err)
		}
		return crashRun{}
	case <-reached:
	case <-deadline:
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		t.Fatal("child did not finish within 60s")
	}
	if kp.Jitter > 0 {
		time.Sleep(kp.Jitter)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = <-done
	run := *last.Load()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
		run.Killed = true
		return run
	}
	if err != nil {
		t.Fatalf("child failed: %v", err)
	}
	return crashRun{} // finished before the kill
}

// committedInput is the number of input records a query (its consumer
// group) has committed.
func committedInput(t *testing.T, dir, group string) int64 {
	t.Helper()
	l := openLog(t, dir)
	defer l.Close()
	offs, err := l.CommittedOffsets(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, o := range offs {
		sum += o
	}
	return sum
}

// waitReportingProgress is the child's side of runCrashChild: it prints
// the first query's input count and the transactions all queries have
// committed ("in N commits C") every millisecond, for the parent's kill
// points, until every query has caught up with its input, in order.
func waitReportingProgress(qs ...*Query) error {
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				var commits int64
				for _, q := range qs {
					commits += q.Metrics().Commits
				}
				fmt.Fprintf(os.Stdout, "in %d commits %d\n", qs[0].Metrics().RecordsIn, commits)
			case <-stop:
				return
			}
		}
	}()
	var err error
	for _, q := range qs {
		if err = q.WaitCaughtUp(context.Background()); err != nil {
			break
		}
	}
	close(stop)
	<-stopped
	return err
}

// crashSoakChildEnv makes the test binary the child of a crashSoak: its
// value is the data dir, and -test.run picks the test (or subtest) whose
// queries the child runs.
const crashSoakChildEnv = "SLUICE_EXEC_CRASH_SOAK_CHILD"

// crashTopic is a topic a crash soak creates before its first run.
type crashTopic struct {
	Name       string
	Partitions int
	Durability broker.Durability
}

// crashConfig is what a stateful operator's crash test brings to
// crashSoak; everything else (the kill schedule, the child, the checks
// that the kills proved something) is shared so that every such test is
// as hard on its operator as the others.
type crashConfig struct {
	// Kills and Records are the defaults of SLUICE_CRASH_KILLS and
	// SLUICE_CRASH_RECORDS; MaxRecords, when positive, caps the records
	// for tests whose model only holds up to a size.
	Kills, Records, MaxRecords int
	// Source is the input topic, produced in Kills+1 chunks, one before
	// each run, so that every run has work when it is killed (the log is
	// open in the parent only between runs: the child holds the data dir
	// while it runs). Each record goes to the partition of its key.
	Source crashTopic
	// Batch is how many records of a partition go into one append
	// (default 2,000). A fetch returns whole batches, so small batches
	// make small transactions and more commits for the kills to hit.
	Batch int
	// Topics are the other topics the queries use (sinks, repartition
	// topics), created up front.
	Topics []crashTopic
	// Input returns the n input records, built once from the seeded rng.
	Input func(rng *rand.Rand, n int) []broker.Record
	// Group is the consumer group of the query reading Source: its
	// committed input tells whether a kill left work to do.
	Group string
	// Specs returns the queries the child runs, in the order they start;
	// the first one's input count is what the read-keyed kills wait for,
	// the commits of all count for the commit-keyed ones.
	Specs func() ([]*QuerySpec, error)
	// MinMidway and MinAfterCommit are the kills that must land while the
	// query had work left (default 3) and after a commit of their run
	// (default 2), capped by Kills and Kills/2; below them the test
	// proved little and fails.
	MinMidway, MinAfterCommit int
}

// crashSoakResult is what a crash soak leaves its test to check.
type crashSoakResult struct {
	// Dir is the data dir holding the log after the final run.
	Dir string
	// Seed reproduces the input and the kills through SLUICE_CRASH_SEED.
	Seed uint64
	// Input is every record produced, in production order.
	Input []broker.Record
}

// crashSoak runs cfg's queries in a child process (the test binary
// re-running t's test with crashSoakChildEnv set), SIGKILLs the child at
// seeded random moments and restarts it, then lets it run uninterrupted
// until it has caught up with all the input. Even runs die after reading a
// share of what is left, odd runs after one of their first commits plus up
// to a commit interval and a half, so kills also land inside the log
// transaction, the changelog appends and the pebble checkpoint of a
// commit. In the child, crashSoak runs the queries and exits.
func crashSoak(t *testing.T, cfg crashConfig) crashSoakResult {
	t.Helper()
	if dir := os.Getenv(crashSoakChildEnv); dir != "" {
		crashSoakChild(t.Name(), dir, cfg.Specs)
	}
	seed := uint64(envInt("SLUICE_CRASH_SEED", time.Now().UnixNano()))
	kills := int(envInt("SLUICE_CRASH_KILLS", int64(cfg.Kills)))
	n := int(envInt("SLUICE_CRASH_RECORDS", int64(cfg.Records)))
	if cfg.MaxRecords > 0 {
		n = min(n, cfg.MaxRecords)
	}
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce), %d kills, %d records", seed, kills, n)
	rng := rand.New(rand.NewPCG(seed, seed))
	input := cfg.Input(rng, n)

	dir := t.TempDir()
	l := openLog(t, dir)
	for _, tp := range append([]crashTopic{cfg.Source}, cfg.Topics...) {
		createTopic(t, l, tp.Name, tp.Partitions, tp.Durability)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	produced := 0
	produceChunk := func(i int) {
		to := n * (i + 1) / (kills + 1)
		l := openLog(t, dir)
		appendByKey(t, l, cfg.Source.Name, cfg.Source.Partitions, cmp.Or(cfg.Batch, 2000), input[produced:to])
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		produced = to
	}
	env := []string{crashSoakChildEnv + "=" + dir}
	progress := func() int64 { return committedInput(t, dir, cfg.Group) }
	start := time.Now()
	killed, midway, afterCommit := 0, 0, 0
	for i := 0; i < kills; i++ {
		produceChunk(i)
		kp := killPoint{In: -1, Commits: -1}
		if i%2 == 0 {
			kp.In = rng.Int64N(max(1, (int64(produced)-progress())/2))
			kp.Jitter = time.Duration(rng.IntN(5_000)) * time.Microsecond
		} else {
			kp.Commits = int64(1 + rng.IntN(3))
			kp.Jitter = time.Duration(rng.IntN(7_500)) * time.Microsecond
		}
		r := runCrashChild(t, t.Name(), env, kp)
		if !r.Killed {
			t.Logf("run %d: finished before the kill", i+1)
			continue
		}
		killed++
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
	runCrashChild(t, t.Name(), env, never)
	t.Logf("%d of %d runs killed, %d with work left, %d after a commit of their run; total %v",
		killed, kills, midway, afterCommit, time.Since(start).Round(time.Millisecond))
	minMidway, minAfterCommit := cmp.Or(cfg.MinMidway, 3), cmp.Or(cfg.MinAfterCommit, 2)
	if midway < min(kills, minMidway) {
		t.Fatalf("only %d of %d kills landed while the query had work left: the test proved little", midway, kills)
	}
	if afterCommit < min(kills/2, minAfterCommit) {
		t.Fatalf("only %d of %d kills landed after a commit of their run: the test proved little", afterCommit, kills)
	}
	return crashSoakResult{Dir: dir, Seed: seed, Input: input}
}

// crashInputOf is a crash soak's Input for records that depend on their
// index alone, not on the seed.
func crashInputOf(rec func(i int) broker.Record) func(*rand.Rand, int) []broker.Record {
	return func(_ *rand.Rand, n int) []broker.Record {
		recs := make([]broker.Record, n)
		for i := range recs {
			recs[i] = rec(i)
		}
		return recs
	}
}

// crashSoakChild is the child of a crash soak: it opens the log and the
// pebble state in dir, runs specs' queries until they have caught up,
// reporting progress for the parent's kill points, closes everything and
// exits. Small fetches and a commit after every fetch make many small
// transactions, so the kills land at every stage of the protocol.
func crashSoakChild(test, dir string, specs func() ([]*QuerySpec, error)) {
	fail := func(err error) {
		println("crash child of", test+":", err.Error())
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
	ss, err := specs()
	if err != nil {
		fail(err)
	}
	var qs []*Query
	for _, s := range ss {
		q, err := rt.Start(context.Background(), s)
		if err != nil {
			fail(err)
		}
		qs = append(qs, q)
	}
	if err := waitReportingProgress(qs...); err != nil {
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
