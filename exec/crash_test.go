package exec

import (
	"bufio"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
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
//	SLUICE_CRASH_KILLS    how many kills (default 6)
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
	kills := int(envInt("SLUICE_CRASH_KILLS", 6))
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

	run := func(killAfter time.Duration) (killed bool) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashExactlyOnce$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The kill clock starts when the child says its query runs, so
		// that process start-up does not eat the random delay.
		started := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == "started" {
					close(started)
				}
			}
		}()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timeout <-chan time.Time
		if killAfter > 0 {
			select {
			case <-started:
				timeout = time.After(killAfter)
			case err := <-done:
				t.Fatalf("child ended before starting its query: %v", err)
			case <-time.After(60 * time.Second):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				t.Fatal("child did not start within 60s")
			}
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child failed: %v", err)
			}
			return false
		case <-timeout:
			cmd.Process.Signal(syscall.SIGKILL)
			err := <-done
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
				return true
			}
			if err != nil {
				t.Fatalf("child failed: %v", err)
			}
			return false // finished before the kill
		case <-time.After(60 * time.Second):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			t.Fatal("child did not finish within 60s")
		}
		return false
	}
	// progress is the number of input records the query has committed.
	progress := func() int64 {
		l := openLog(t, dir)
		defer l.Close()
		offs, err := l.CommittedOffsets(context.Background(), "CSAS_HOT_0")
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, o := range offs {
			sum += o
		}
		return sum
	}
	start := time.Now()
	killed, midway := 0, 0
	for i := 0; i < kills; i++ {
		after := time.Duration(1+rng.IntN(500)) * time.Millisecond
		if run(after) {
			killed++
			p := progress()
			if p > 0 && p < int64(n) {
				midway++
			}
			t.Logf("run %d: killed after %v, %d input offsets committed", i+1, after, p)
		} else {
			t.Logf("run %d: finished before the kill at %v", i+1, after)
		}
	}
	run(0)
	t.Logf("%d runs killed (%d mid-way through the input), total %v", killed, midway, time.Since(start).Round(time.Millisecond))
	if midway == 0 && kills > 0 {
		t.Fatalf("no kill landed while the query was working: the test proved nothing")
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
	rt := NewRuntime(l, RuntimeOptions{CommitInterval: 20 * time.Millisecond})
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
	os.Stdout.WriteString("started\n")
	if err := q.WaitCaughtUp(context.Background()); err != nil {
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
