package exec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
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
// the query's input count and committed transactions ("in N commits C")
// every millisecond, for the parent's kill points, until the query has
// caught up with its input.
func waitReportingProgress(q *Query) error {
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				m := q.Metrics()
				fmt.Fprintf(os.Stdout, "in %d commits %d\n", m.RecordsIn, m.Commits)
			case <-stop:
				return
			}
		}
	}()
	err := q.WaitCaughtUp(context.Background())
	close(stop)
	<-stopped
	return err
}
