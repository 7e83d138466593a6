package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

const headlessPipeline = `-- A pipeline as a deployment writes it: variables, comments,
-- statements over several lines.
DEFINE threshold = '90.0';
CREATE STREAM IF NOT EXISTS SLUICE_PROCESSING_LOG (x INT) WITH (kafka_topic='sluice_processing_log', value_format='JSON');
DEFINE out_topic = 'hot_readings';

CREATE STREAM readings (
  sensor STRING KEY,   -- the sensor id
  temp   DOUBLE
) WITH (kafka_topic = 'readings', value_format = 'JSON', partitions = 2);

/* only hot readings */
CREATE STREAM hot WITH (kafka_topic = '${out_topic}') AS
  SELECT sensor, temp
  FROM readings
  WHERE temp > ${threshold}
  EMIT CHANGES;
`

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// appendReadings writes JSON readings straight into the log, as a producer
// would while the engine is stopped.
func appendReadings(t *testing.T, dataDir string, temps ...float64) {
	t.Helper()
	l, err := commitlog.Open(dataDir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, temp := range temps {
		v := []byte(`{"TEMP":` + strconv.FormatFloat(temp, 'f', -1, 64) + `}`)
		rec := broker.Record{Key: []byte("s" + string(rune('a'+i%3))), Value: v, Timestamp: int64(1000 + i)}
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "readings", Partition: int32(i % 2)}, []broker.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
}

// readTopic returns the committed values of a topic, sorted (partitions
// interleave, so order across them is not defined).
func readTopic(t *testing.T, dataDir, topic string) []string {
	t.Helper()
	l, err := commitlog.Open(dataDir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	d, err := l.DescribeTopic(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range d.Partitions {
		r, err := l.NewReader(broker.TopicPartition{Topic: topic, Partition: p.Partition}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
		if err != nil {
			t.Fatal(err)
		}
		for {
			recs, err := r.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			for _, rec := range recs {
				out = append(out, string(rec.Key)+"="+string(rec.Value))
			}
		}
		r.Close()
	}
	slices.Sort(out)
	return out
}

func TestRunUntilCaughtUpResumes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sql := writeFile(t, dir, "pipeline.sql", headlessPipeline)

	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", sql, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	if !strings.Contains(stdout.String(), "Created query with ID CSAS_HOT_0") {
		t.Fatalf("first run output:\n%s", &stdout)
	}
	if got := readTopic(t, data, "hot_readings"); len(got) != 0 {
		t.Fatalf("no input yet, output %v", got)
	}

	appendReadings(t, data, 95, 20, 91.5, 89, 100)
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"run", sql, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	if n := strings.Count(stdout.String(), "Already applied"); n != 2 || strings.Contains(stderr.String(), "already exists") {
		t.Fatalf("second run should skip both statements, output:\n%s", &stdout)
	}
	want := []string{`sa={"TEMP":95.0}`, `sb={"TEMP":100.0}`, `sc={"TEMP":91.5}`}
	if got := readTopic(t, data, "hot_readings"); !slices.Equal(got, want) {
		t.Fatalf("after second run:\n got %v\nwant %v", got, want)
	}

	// A third run with nothing new reprocesses nothing.
	if code := run([]string{"run", sql, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("third run: exit %d\n%s", code, &stderr)
	}
	if got := readTopic(t, data, "hot_readings"); !slices.Equal(got, want) {
		t.Fatalf("after third run:\n got %v\nwant %v", got, want)
	}

	// A new statement appended to the file runs after the applied ones.
	more := writeFile(t, dir, "more.sql", "CREATE STREAM cold AS SELECT * FROM readings WHERE temp < 50 EMIT CHANGES;")
	appendReadings(t, data, 10)
	if code := run([]string{"run", sql, more, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("fourth run: exit %d\n%s", code, &stderr)
	}
	if got := readTopic(t, data, "hot_readings"); !slices.Equal(got, want) {
		t.Fatalf("after fourth run:\n got %v\nwant %v", got, want)
	}
	// COLD starts at the end of READINGS (auto.offset.reset=latest), so it
	// holds nothing yet; it exists and its topic does.
	if got := readTopic(t, data, "COLD"); len(got) != 0 {
		t.Fatalf("COLD: %v", got)
	}
}

func TestRunReportsPositionedErrors(t *testing.T) {
	dir := t.TempDir()
	sql := writeFile(t, dir, "bad.sql", "DEFINE x = '1';\n\nCREATE STREAM s (a INT)\n  WITH (kafka_topic='s', value_format='JSON', partitions=1);\nSELECT nope FROM s EMIT CHANGES;\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", sql, "--data-dir", filepath.Join(dir, "data"), "--until-caught-up"}, nil, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, &stderr)
	}
	if !strings.Contains(stderr.String(), "bad.sql:5:8:") {
		t.Fatalf("error not positioned in the file:\n%s", &stderr)
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a poller.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunUntilSignal(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sql := writeFile(t, dir, "pipeline.sql", headlessPipeline)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runHeadless(ctx, headlessOptions{files: []string{sql}, dataDir: data}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "persistent queries running") {
		if time.Now().After(deadline) {
			t.Fatalf("never started:\n%s\n%s", stdout.String(), stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("ended early with %d:\n%s", code, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel() // what SIGINT does
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("did not shut down")
	}
	// The data directory is released: it opens again.
	l, err := commitlog.Open(data, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

// TestEdgeExample runs examples/edge as its script does, so the example
// cannot rot: declare, feed the readings, resume and check the outputs.
func TestEdgeExample(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	sql := filepath.Join("..", "..", "examples", "edge", "edge.sql")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"run", sql, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("declare: exit %d\n%s", code, &stderr)
	}
	readings, err := os.ReadFile(filepath.Join("..", "..", "examples", "edge", "readings.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(readings)), "\n")
	l, err := commitlog.Open(data, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		k, v, _ := strings.Cut(line, "|")
		// The partition Kafka's default partitioner (and sluice topic
		// produce) would choose is irrelevant here: one per line is enough.
		if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "sensor_readings", Partition: int32(len(k) % 2)},
			[]broker.Record{{Key: []byte(k), Value: []byte(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	if code := run([]string{"run", sql, "--data-dir", data, "--until-caught-up"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, &stderr)
	}
	alarms := readTopic(t, data, "alarms")
	north, south := readTopic(t, data, "site_north"), readTopic(t, data, "site_south")
	plog := readTopic(t, data, "sluice_processing_log")
	minute, health := readTopic(t, data, "site_minute"), readTopic(t, data, "sensor_health")
	t.Logf("%d readings: %d alarms, %d north, %d south, %d site-minute and %d sensor-health updates, %d processing-log entries",
		len(lines), len(alarms), len(north), len(south), len(minute), len(health), len(plog))
	// One bad reading: each of the five queries logs it once (the
	// per-site table in its repartition stage) and skips it; the tables
	// update once per good reading (no caching).
	if len(alarms) != 6 || len(north)+len(south) != len(lines)-1 || len(plog) != 5 ||
		len(minute) != len(lines)-1 || len(health) != len(lines)-1 {
		t.Fatalf("unexpected outputs:\nalarms %v\nprocessing log %v", alarms, plog)
	}
	for _, a := range alarms {
		if !strings.Contains(a, `"REASON":"OVERHEAT"`) && !strings.Contains(a, `"REASON":"VIBRATION"`) && !strings.Contains(a, `"REASON":"LOW_BATTERY"`) {
			t.Fatalf("alarm without reason: %s", a)
		}
	}
}
