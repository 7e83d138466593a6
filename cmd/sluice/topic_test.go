package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// rewriteGolden reports whether golden files should be regenerated: with
// -rewrite if some test file of the package defines that flag, or with
// SLUICE_REWRITE=1.
func rewriteGolden() bool {
	if f := flag.Lookup("rewrite"); f != nil {
		return f.Value.String() == "true"
	}
	return os.Getenv("SLUICE_REWRITE") != ""
}

// topicScript is the golden transcript: each step runs `sluice ARGS` with
// the given stdin against one data dir; the transcript records stdout,
// stderr and the exit code.
var topicScript = []struct {
	args  string
	stdin string
}{
	{"topic", ""},
	{"topic list", ""},
	{"topic create orders --partitions 3", ""},
	{"topic create orders", ""},
	{"topic create --partitions=2 users --config cleanup.policy=compact --config retention.ms=60000", ""},
	{"topic create bad --partitions 0", ""},
	{"topic create bad --partitions x", ""},
	{"topic create bad --config nonsense=1", ""},
	{"topic create bad --config retention.ms=0", ""},
	{"topic create bad --config segment.bytes=12", ""},
	{"topic create bad --config cleanup.policy=shred", ""},
	{"topic create bad/name", ""},
	{"topic create one two", ""},
	{"topic list", ""},
	{"topic produce orders --partition 1", "first\nsecond\n\nfourth (after an empty line)\nno newline at end"},
	{"topic produce users --key-separator :", "alice:1\nbob:2\nalice:3\n"},
	{"topic produce users --key-separator :", "carol=4\n"},
	{"topic produce orders --partition 7", "x\n"},
	{"topic produce missing", "x\n"},
	{"topic consume orders", ""},
	{"topic consume orders --from-beginning --format %p/%o:%v", ""},
	{"topic consume orders --offset 2 --partition 1", ""},
	{"topic consume orders --offset end", ""},
	{"topic consume orders --offset 99 --partition 1", ""},
	{"topic consume orders --count 2 --format [%v]", ""},
	{"topic consume users --format %k\\t%v\\t%p", ""},
	{"topic consume orders --from-timestamp 0 --count 1", ""},
	{"topic consume orders --from-timestamp 99999999999999", ""},
	{"topic consume orders --offset 1 --from-beginning", ""},
	{"topic consume orders --format %z", ""},
	{"topic consume orders --count -1", ""},
	{"topic consume orders --bogus", ""},
	{"topic describe users", ""},
	{"topic delete orders", ""},
	{"topic delete orders", ""},
	{"topic consume orders", ""},
	{"topic list", ""},
	{"topic frobnicate", ""},
}

func runCLI(args []string, stdin string) (string, string, int) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestTopicGolden(t *testing.T) {
	dir := t.TempDir()
	var tr strings.Builder
	for _, step := range topicScript {
		args := append(strings.Fields(step.args), "--data-dir", dir)
		out, errs, code := runCLI(args, step.stdin)
		fmt.Fprintf(&tr, "$ sluice %s\n", step.args)
		if step.stdin != "" {
			fmt.Fprintf(&tr, "< %q\n", step.stdin)
		}
		tr.WriteString(out)
		for _, l := range strings.SplitAfter(errs, "\n") {
			if l != "" {
				tr.WriteString("! " + l)
			}
		}
		fmt.Fprintf(&tr, "[exit %d]\n\n", code)
	}
	got := strings.ReplaceAll(tr.String(), dir, "$DATA")
	golden := filepath.Join("..", "..", "testdata", "commitlog", "topic_cli.golden")
	if rewriteGolden() {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with SLUICE_REWRITE=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (SLUICE_REWRITE=1 regenerates it); got:\n%s", golden, got)
	}
}

func TestTopicDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, errs, code := runCLI([]string{"topic", "list", "--data-dir", dir}, "")
	if code != 1 || !strings.Contains(errs, fmt.Sprintf("in use by pid %d", os.Getpid())) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestTopicDataDirEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLUICE_DATA_DIR", dir)
	if _, errs, code := runCLI([]string{"topic", "create", "e"}, ""); code != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "topics", "e", "config.json")); err != nil {
		t.Fatalf("topic not created under $SLUICE_DATA_DIR: %v", err)
	}
}

func TestTopicTimestampsAndHeaders(t *testing.T) {
	dir := t.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.CreateTopic(ctx, "ts", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i <= 5; i++ {
		r := broker.Record{Key: []byte("k"), Value: []byte(fmt.Sprint(i)), Timestamp: i * 1000,
			Headers: []broker.Header{{Key: "n", Value: []byte(fmt.Sprint(i))}, {Key: "src", Value: []byte("test")}}}
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "ts"}, []broker.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	out, errs, code := runCLI([]string{"topic", "consume", "ts", "--from-timestamp", "2500", "--format", "%o %T %h %v", "--data-dir", dir}, "")
	want := "2 3000 n=3,src=test 3\n3 4000 n=4,src=test 4\n4 5000 n=5,src=test 5\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stderr %q, out:\n%s\nwant:\n%s", code, errs, out, want)
	}
	out, _, _ = runCLI([]string{"topic", "produce", "ts", "--header", "a=b", "--data-dir", dir}, "hv\n")
	out, _, _ = runCLI([]string{"topic", "consume", "ts", "--offset", "5", "--format", "%h|%v", "--data-dir", dir}, "")
	if out != "a=b|hv\n" {
		t.Fatalf("produce --header: %q", out)
	}
	out, _, _ = runCLI([]string{"topic", "consume", "ts", "--count", "1", "--format", "json", "--data-dir", dir}, "")
	if want := `{"topic":"ts","partition":0,"offset":0,"timestamp":1000,"key":"k","value":"1","headers":{"n":"1","src":"test"}}` + "\n"; out != want {
		t.Fatalf("--format json: %s, want %s", out, want)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader, which can
// wait for the next write instead of sleeping.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{wrote: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// waitFor waits until the buffer contains want or the deadline passes.
func (s *syncBuffer) waitFor(t *testing.T, want string, deadline time.Time) {
	t.Helper()
	for !strings.Contains(s.String(), want) {
		select {
		case <-s.wrote:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("output %q never contained %q", s.String(), want)
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConsumeFollow drives consume --follow on a log that another
// goroutine appends to (the CLI's single-owner lock rules out two
// processes, so the test shares the log in-process).
func TestConsumeFollow(t *testing.T) {
	l, err := commitlog.Open(t.TempDir(), commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.CreateTopic(ctx, "f", broker.TopicConfig{Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	format, _ := parseFormat("%p:%v")
	opts := consumeOptions{topic: "f", partitions: []int32{0, 1}, follow: true, format: format,
		start: func(context.Context, broker.Log, broker.TopicPartition) (int64, error) {
			return broker.OffsetLatest, nil
		}}
	out := newSyncBuffer()
	done := make(chan error, 1)
	fctx, stop := context.WithCancel(ctx)
	go func() { done <- consume(fctx, l, opts, out) }()
	// The readers start at the end, so a record appended before they are
	// positioned would be skipped: append until one shows up, waiting on
	// the output between appends.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "1:ping") {
		if time.Now().After(deadline) {
			t.Fatalf("follow printed nothing: %q", out.String())
		}
		l.Append(ctx, broker.TopicPartition{Topic: "f", Partition: 1}, []broker.Record{{Value: []byte("ping")}})
		select {
		case err := <-done:
			t.Fatalf("consume --follow returned early: %v", err)
		case <-out.wrote:
		case <-time.After(20 * time.Millisecond):
		}
	}
	l.Append(ctx, broker.TopicPartition{Topic: "f", Partition: 0}, []broker.Record{{Value: []byte("zero")}})
	out.waitFor(t, "0:zero", deadline)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("consume after cancel: %v", err)
	}

	// With --count it exits by itself once enough records arrived.
	opts.count = 2
	opts.start = func(context.Context, broker.Log, broker.TopicPartition) (int64, error) {
		return broker.OffsetEarliest, nil
	}
	out2 := newSyncBuffer()
	if err := consume(ctx, l, opts, out2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out2.String(), "\n"); n != 2 {
		t.Fatalf("--count 2 printed %d lines: %q", n, out2.String())
	}
}

// BenchmarkTopicRoundTrip1M produces one million 100-byte lines through
// `sluice topic produce` and reads them back with `sluice topic consume`,
// in-process, reporting each side's wall time.
func BenchmarkTopicRoundTrip1M(b *testing.B) {
	const n = 1_000_000
	var in bytes.Buffer
	pad := strings.Repeat("x", 100-len("record-0000000-")-1)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "record-%07d-%s\n", i, pad)
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if _, errs, code := runCLI([]string{"topic", "create", "rt", "--data-dir", dir}, ""); code != 0 {
			b.Fatal(errs)
		}
		t0 := time.Now()
		var out, errb bytes.Buffer
		if code := run([]string{"topic", "produce", "rt", "--data-dir", dir}, bytes.NewReader(in.Bytes()), &out, &errb); code != 0 {
			b.Fatal(errb.String())
		}
		t1 := time.Now()
		out.Reset()
		out.Grow(in.Len())
		if code := run([]string{"topic", "consume", "rt", "--data-dir", dir}, nil, &out, &errb); code != 0 {
			b.Fatal(errb.String())
		}
		t2 := time.Now()
		if !bytes.Equal(out.Bytes(), in.Bytes()) {
			b.Fatalf("round trip changed the data (%d bytes in, %d out)", in.Len(), out.Len())
		}
		b.ReportMetric(t1.Sub(t0).Seconds(), "produce-s")
		b.ReportMetric(t2.Sub(t1).Seconds(), "consume-s")
		b.ReportMetric(float64(n)/t2.Sub(t0).Seconds(), "roundtrip-rec/s")
	}
}
