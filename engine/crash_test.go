package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// The crash test proves the engine's promise end to end: a CSAS over
// crashRecords records, its process killed with SIGKILL at random moments
// several times and restarted on the same data directory, leaves exactly
// the expected output: nothing missing, nothing twice, every key's records
// in input order. The engine runs in a child process (this test binary
// re-executed) so the kill is a real one.
//
// SLUICE_CRASH_SEED reproduces a run; SLUICE_CRASH_RECORDS and
// SLUICE_CRASH_KILLS change its size.

const crashChildEnv = "SLUICE_ENGINE_CRASH_CHILD"

var crashStatements = []string{
	"SET 'auto.offset.reset' = 'earliest';",
	"CREATE STREAM crash_in (k STRING KEY, id BIGINT, v BIGINT) WITH (kafka_topic='crash_in', value_format='JSON');",
	"CREATE STREAM crash_out AS SELECT k, id, v * 2 AS v2 FROM crash_in WHERE v % 3 <> 0 EMIT CHANGES;",
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestCrashChild is the child process; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("child process of TestCrashExactlyOnce")
	}
	ctx := context.Background()
	e, err := Open(ctx, Config{DataDir: dir, Properties: map[string]string{"commit.interval.ms": "20"}})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	s := e.NewSession()
	if err := s.ResumeApplied(ctx); err != nil {
		fmt.Println("resume:", err)
		os.Exit(3)
	}
	if n := envInt("SLUICE_CRASH_INSERTS", 0); n > 0 {
		crashInsertChild(ctx, e, s, n)
	}
	statements := crashStatements
	if os.Getenv(crashAggEnv) != "" {
		statements = crashAggStatements
	}
	for _, st := range statements {
		if _, err := s.Execute(ctx, st); err != nil {
			fmt.Println("statement:", err)
			os.Exit(3)
		}
	}
	fmt.Println("ready")
	go func() {
		// Progress lines let the parent kill at a chosen point of the
		// stream rather than at a time, which depends on the machine.
		for range time.Tick(2 * time.Millisecond) {
			var out int64
			for _, q := range e.Catalog().Queries() {
				out += q.Metrics().RecordsOut
			}
			fmt.Println("progress", out)
		}
	}()
	if os.Getenv("SLUICE_CRASH_FINAL") != "" {
		if err := e.WaitCaughtUp(ctx); err != nil {
			fmt.Println("wait:", err)
			os.Exit(3)
		}
		if err := e.Close(); err != nil {
			fmt.Println("close:", err)
			os.Exit(3)
		}
		fmt.Println("done")
		os.Exit(0)
	}
	select {} // until killed
}

// crashSetup is the common start of the engine's crash tests: it skips in
// -short mode, seeds the rng (SLUICE_CRASH_SEED, logged), reads the input
// size and kill count (SLUICE_CRASH_RECORDS, SLUICE_CRASH_KILLS, with the
// test's default kills), and opens a fresh data directory's log with the
// input topic crash_in of parts partitions. The caller writes the input
// and closes the log before the first child starts.
func crashSetup(t *testing.T, defaultKills, parts int) (rng *rand.Rand, records, kills int, dir string, l *commitlog.Log) {
	t.Helper()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SLUICE_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce)", seed)
	rng = rand.New(rand.NewPCG(seed, seed>>1))
	records = envInt("SLUICE_CRASH_RECORDS", 200_000)
	kills = envInt("SLUICE_CRASH_KILLS", defaultKills)
	dir = t.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.CreateTopic(context.Background(), "crash_in", broker.TopicConfig{Partitions: parts, Durability: broker.DurabilityNone}); err != nil {
		t.Fatal(err)
	}
	return rng, records, kills, dir, l
}

func TestCrashExactlyOnce(t *testing.T) {
	const parts, keys = 4, 64
	rng, records, kills, dir, l := crashSetup(t, 8, parts)
	// The input, written before the first start.
	ctx := context.Background()
	var rr atomicCounter
	batches := make(map[int32][]broker.Record)
	flush := func(p int32) {
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "crash_in", Partition: p}, batches[p]); err != nil {
			t.Fatal(err)
		}
		batches[p] = batches[p][:0]
	}
	var want []int64
	for i := 0; i < records; i++ {
		k := []byte("k" + strconv.Itoa(i%keys))
		v := int64(i) * 7
		p := partitionFor(k, parts, &rr.u)
		batches[p] = append(batches[p], broker.Record{Key: k, Timestamp: int64(i),
			Value: []byte(fmt.Sprintf(`{"ID":%d,"V":%d}`, i, v))})
		if len(batches[p]) == 1000 {
			flush(p)
		}
		if v%3 != 0 {
			want = append(want, int64(i))
		}
	}
	for p := range batches {
		if len(batches[p]) > 0 {
			flush(p)
		}
	}
	l.Close()

	committed := 0
	for i := 0; i < kills; i++ {
		// Kill somewhere in what is left to do, so that every run dies
		// mid-stream (until the output is complete).
		target := 1 + rng.IntN(max(1, len(want)-committed))
		runCrashChild(t, dir, false, target)
		committed = countCommitted(t, dir, "CRASH_OUT")
		t.Logf("run %d killed after about %d output rows; output holds %d committed records", i+1, target, committed)
	}
	runCrashChild(t, dir, true, 0)

	checkCrashOutput(t, dir, want, keys)
}

type atomicCounter struct{ u atomic.Uint32 }

// runCrashChild starts the engine in a child process; with final it waits
// for it to catch up and exit, else it kills it once it reports target
// output rows (or has been idle long enough that it must have caught up).
func runCrashChild(t *testing.T, dir string, final bool, target int, env ...string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.v")
	cmd.Env = append(append(os.Environ(), crashChildEnv+"="+dir), env...)
	if final {
		cmd.Env = append(cmd.Env, "SLUICE_CRASH_FINAL=1")
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(2 * time.Minute)
	ready := false
	for !ready {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("child ended before it was ready")
			}
			if strings.Contains(line, ":") && !strings.HasPrefix(line, "===") && !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "progress") {
				t.Logf("child: %s", line)
			}
			ready = line == "ready"
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("child never got ready")
		}
	}
	if final {
		for line := range lines {
			if line != "done" && line != "PASS" && !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "ok") && !strings.HasPrefix(line, "progress") {
				t.Logf("child: %s", line)
			}
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("final run: %v", err)
		}
		return
	}
	idle := time.NewTimer(time.Second)
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				break wait
			}
			if n, found := strings.CutPrefix(line, "progress "); found {
				if v, _ := strconv.Atoi(n); v >= target {
					break wait
				}
			}
		case <-idle.C:
			break wait
		case <-deadline:
			break wait
		}
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) { // SIGKILL
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	cmd.Wait()
}

// countCommitted returns how many committed records a topic holds (0 if
// it does not exist yet).
func countCommitted(t *testing.T, dir, topic string) int {
	t.Helper()
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	recs, err := consumeAll(context.Background(), l, topic)
	if err != nil {
		return 0
	}
	return len(recs)
}

// checkCrashOutput reads the committed output and compares it with the
// expected ids: none missing, none twice, each key's ids increasing.
func checkCrashOutput(t *testing.T, dir string, want []int64, keys int) {
	t.Helper()
	ctx := context.Background()
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	recs, err := consumeAll(ctx, l, "CRASH_OUT")
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int64]int, len(want))
	last := make(map[string]int64, keys)
	outOfOrder := 0
	for _, r := range recs {
		var v struct {
			ID int64 `json:"ID"`
			V2 int64 `json:"V2"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("bad output %q: %v", r.Value, err)
		}
		if v.V2 != v.ID*14 {
			t.Fatalf("wrong value %q", r.Value)
		}
		seen[v.ID]++
		k := string(r.Key)
		if prev, ok := last[k]; ok && v.ID <= prev {
			outOfOrder++
		}
		last[k] = v.ID
	}
	missing, dups := 0, 0
	for _, id := range want {
		switch seen[id] {
		case 0:
			missing++
		case 1:
		default:
			dups += seen[id] - 1
		}
	}
	extra := len(seen) - (len(want) - missing)
	t.Logf("%d expected, %d output records: %d missing, %d duplicated, %d unexpected, %d out of order per key",
		len(want), len(recs), missing, dups, extra, outOfOrder)
	if missing+dups+extra+outOfOrder > 0 {
		t.Fatal("the output is not exactly the expected output")
	}
}

// insertStatements is the headless script of the insert crash test: a
// stream and n single-row inserts.
func insertStatements(n int) []string {
	out := []string{"CREATE STREAM ins (id INT KEY, v INT) WITH (kafka_topic='ins', value_format='JSON', partitions=2);"}
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("INSERT INTO ins (id, v) VALUES (%d, %d);", i, i*i))
	}
	return out
}

// crashInsertChild runs the insert script as headless mode does, printing
// its progress, and exits when done.
func crashInsertChild(ctx context.Context, e *Engine, s *Session, n int) {
	fmt.Println("ready")
	for i, st := range insertStatements(n) {
		if _, err := s.Execute(ctx, st); err != nil {
			fmt.Println("statement:", err)
			os.Exit(3)
		}
		fmt.Println("progress", i)
	}
	if err := e.Close(); err != nil {
		fmt.Println("close:", err)
		os.Exit(3)
	}
	fmt.Println("done")
	os.Exit(0)
}

// TestCrashHeadlessInserts kills a headless run of single-row inserts at
// random statements and runs the same script again each time: every row
// ends up in the topic exactly once, because a row and the command that
// recognises it are committed together.
func TestCrashHeadlessInserts(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("SLUICE_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (SLUICE_CRASH_SEED to reproduce)", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	const n = 300
	dir := t.TempDir()
	env := "SLUICE_CRASH_INSERTS=" + strconv.Itoa(n)
	committed := 0
	for i := 0; i < 5; i++ {
		// Kill among the statements not applied yet (progress counts the
		// skipped ones too).
		runCrashChild(t, dir, false, committed+rng.IntN(max(1, n-committed)), env)
		committed = countCommitted(t, dir, "ins")
		t.Logf("run %d killed; topic holds %d rows", i+1, committed)
	}
	runCrashChild(t, dir, true, 0, env)
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	recs, err := consumeAll(context.Background(), l, "ins")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Key)]++
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	t.Logf("%d rows expected, %d in the topic, %d distinct, %d duplicated", n, len(recs), len(seen), dups)
	if len(seen) != n || dups != 0 {
		t.Fatal("the topic does not hold every row exactly once")
	}
}
