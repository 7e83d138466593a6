// Package brokertest is the conformance suite of broker.Log: every
// implementation (the built-in commitlog, Kafka through franz-go) runs Run
// in its tests and must pass all of it. The suite checks the contract as
// broker's doc comments state it, through the interface only.
package brokertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// Harness tells the suite how to drive an implementation.
type Harness struct {
	// Open returns a fresh, empty log; the suite closes it.
	Open func(t *testing.T) broker.Log
	// Reopen closes l and opens the same storage again, for persistence
	// checks; nil skips them.
	Reopen func(t *testing.T, l broker.Log) broker.Log
	// Cleanup makes retention and compaction run now; nil skips the
	// retention and compaction tests (Kafka runs them on its own schedule).
	Cleanup func(t *testing.T, l broker.Log)
}

// Run runs the whole suite as subtests.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"OrderingAndOffsets", testOrdering},
		{"RecordFields", testRecordFields},
		{"TopicAdmin", testTopicAdmin},
		{"ReaderPositions", testReaderPositions},
		{"LongPoll", testLongPoll},
		{"TxnCommit", testTxnCommit},
		{"TxnAbort", testTxnAbort},
		{"ReadCommittedOrdering", testReadCommittedOrdering},
		{"TxnFencing", testTxnFencing},
		{"TxnStateErrors", testTxnStateErrors},
		{"GroupOffsets", testGroupOffsets},
		{"TxnOffsets", testTxnOffsets},
		{"DeleteGroup", testDeleteGroup},
		{"TimestampLookup", testTimestampLookup},
		{"LogAppendTime", testLogAppendTime},
		{"Persistence", testPersistence},
		{"RetentionTime", testRetentionTime},
		{"RetentionBytes", testRetentionBytes},
		{"Compaction", testCompaction},
		{"CompactDelete", testCompactDelete},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

var topicSeq atomic.Int64

func open(t *testing.T, h Harness) broker.Log {
	t.Helper()
	l := h.Open(t)
	t.Cleanup(func() { l.Close() })
	return l
}

func newTopic(t *testing.T, l broker.Log, cfg broker.TopicConfig) string {
	t.Helper()
	name := fmt.Sprintf("conf-%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), topicSeq.Add(1))
	if err := l.CreateTopic(ctx(t), name, cfg); err != nil {
		t.Fatalf("CreateTopic(%s): %v", name, err)
	}
	return name
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func tp(topic string, p int32) broker.TopicPartition {
	return broker.TopicPartition{Topic: topic, Partition: p}
}

func rec(k, v string) broker.Record {
	return broker.Record{Key: []byte(k), Value: []byte(v)}
}

func mustAppend(t *testing.T, l broker.Log, p broker.TopicPartition, recs ...broker.Record) int64 {
	t.Helper()
	off, err := l.Append(ctx(t), p, recs)
	if err != nil {
		t.Fatalf("Append(%v): %v", p, err)
	}
	return off
}

// owned is a copy of a record that outlives the reader's buffer.
type owned struct {
	key, value []byte
	ts         int64
	offset     int64
	headers    []broker.Header
}

func own(r broker.Record) owned {
	o := owned{ts: r.Timestamp, offset: r.Offset}
	if r.Key != nil {
		o.key = append([]byte{}, r.Key...)
	}
	if r.Value != nil {
		o.value = append([]byte{}, r.Value...)
	}
	for _, h := range r.Headers {
		var v []byte
		if h.Value != nil {
			v = append([]byte{}, h.Value...)
		}
		o.headers = append(o.headers, broker.Header{Key: h.Key, Value: v})
	}
	return o
}

// readAll reads a partition from offset until caught up.
func readAll(t *testing.T, l broker.Log, p broker.TopicPartition, from int64, iso broker.Isolation) []owned {
	t.Helper()
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: from, Isolation: iso})
	if err != nil {
		t.Fatalf("NewReader(%v): %v", p, err)
	}
	defer r.Close()
	var out []owned
	for {
		recs, err := r.Fetch(ctx(t))
		if err != nil {
			t.Fatalf("Fetch(%v) at %d: %v", p, r.Position(), err)
		}
		if len(recs) == 0 {
			return out
		}
		for _, rc := range recs {
			if rc.Partition != p.Partition {
				t.Fatalf("record from partition %d on reader of %d", rc.Partition, p.Partition)
			}
			out = append(out, own(rc))
		}
	}
}

func values(rs []owned) string {
	var parts []string
	for _, r := range rs {
		if r.value == nil {
			parts = append(parts, "<nil>")
		} else {
			parts = append(parts, string(r.value))
		}
	}
	return strings.Join(parts, ",")
}

func testOrdering(t *testing.T, h Harness) {
	l := open(t, h)
	topic := newTopic(t, l, broker.TopicConfig{Partitions: 3})
	want := map[int32][]string{}
	next := map[int32]int64{}
	for i := 0; i < 30; i++ {
		p := int32(i % 3)
		n := 1 + i%4
		var recs []broker.Record
		for j := 0; j < n; j++ {
			v := fmt.Sprintf("v%d.%d", i, j)
			recs = append(recs, rec(fmt.Sprintf("k%d", i), v))
			want[p] = append(want[p], v)
		}
		off := mustAppend(t, l, tp(topic, p), recs...)
		if off != next[p] {
			t.Fatalf("append %d to partition %d: offset %d, want %d", i, p, off, next[p])
		}
		next[p] += int64(n)
	}
	for p := int32(0); p < 3; p++ {
		got := readAll(t, l, tp(topic, p), broker.OffsetEarliest, broker.ReadCommitted)
		if values(got) != strings.Join(want[p], ",") {
			t.Fatalf("partition %d: got %s, want %s", p, values(got), strings.Join(want[p], ","))
		}
		for i, r := range got {
			if r.offset != int64(i) {
				t.Fatalf("partition %d record %d has offset %d", p, i, r.offset)
			}
		}
	}
	d, err := l.DescribeTopic(ctx(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Partitions) != 3 {
		t.Fatalf("describe: %d partitions", len(d.Partitions))
	}
	for _, pi := range d.Partitions {
		if pi.EndOffset != next[pi.Partition] || pi.StableOffset != pi.EndOffset || pi.StartOffset != 0 {
			t.Fatalf("describe partition %d: %+v, want end %d", pi.Partition, pi, next[pi.Partition])
		}
	}
}

func testRecordFields(t *testing.T, h Harness) {
	l := open(t, h)
	topic := newTopic(t, l, broker.TopicConfig{})
	in := []broker.Record{
		{Key: []byte("k"), Value: []byte("v"), Timestamp: 1234},
		{Key: nil, Value: []byte("no key"), Timestamp: 1235},
		{Key: []byte{}, Value: []byte{}, Timestamp: 1236},
		{Key: []byte("tomb"), Value: nil, Timestamp: 1237},
		{Key: []byte("h"), Value: []byte("hv"), Timestamp: 1238, Headers: []broker.Header{
			{Key: "a", Value: []byte("1")}, {Key: "a", Value: []byte("2")}, {Key: "nil", Value: nil}, {Key: "", Value: []byte{}},
		}},
		{Key: bytes.Repeat([]byte("K"), 3000), Value: bytes.Repeat([]byte("V"), 70000), Timestamp: 1239},
	}
	mustAppend(t, l, tp(topic, 0), in...)
	got := readAll(t, l, tp(topic, 0), 0, broker.ReadCommitted)
	if len(got) != len(in) {
		t.Fatalf("read %d records, want %d", len(got), len(in))
	}
	for i, g := range got {
		w := in[i]
		if (g.key == nil) != (w.Key == nil) || !bytes.Equal(g.key, w.Key) {
			t.Errorf("record %d key %q (nil %v), want %q (nil %v)", i, g.key, g.key == nil, w.Key, w.Key == nil)
		}
		if (g.value == nil) != (w.Value == nil) || !bytes.Equal(g.value, w.Value) {
			t.Errorf("record %d value mismatch (nil %v, want nil %v)", i, g.value == nil, w.Value == nil)
		}
		if g.ts != w.Timestamp {
			t.Errorf("record %d timestamp %d, want %d", i, g.ts, w.Timestamp)
		}
		if len(g.headers) != len(w.Headers) {
			t.Errorf("record %d has %d headers, want %d", i, len(g.headers), len(w.Headers))
			continue
		}
		for j, hh := range g.headers {
			wh := w.Headers[j]
			if hh.Key != wh.Key || !bytes.Equal(hh.Value, wh.Value) || (hh.Value == nil) != (wh.Value == nil) {
				t.Errorf("record %d header %d = %q:%q, want %q:%q", i, j, hh.Key, hh.Value, wh.Key, wh.Value)
			}
		}
	}
	// A zero timestamp means "now".
	before := time.Now().Add(-time.Minute).UnixMilli()
	off := mustAppend(t, l, tp(topic, 0), rec("now", "x"))
	got = readAll(t, l, tp(topic, 0), off, broker.ReadCommitted)
	if len(got) != 1 || got[0].ts < before {
		t.Fatalf("zero timestamp became %v", got)
	}
}

func testTopicAdmin(t *testing.T, h Harness) {
	l := open(t, h)
	c := ctx(t)
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2})
	if err := l.CreateTopic(c, a, broker.TopicConfig{}); !errors.Is(err, broker.ErrTopicExists) {
		t.Fatalf("create twice: %v, want ErrTopicExists", err)
	}
	for _, bad := range []string{"", "a/b", "with space", strings.Repeat("x", 250)} {
		if err := l.CreateTopic(c, bad, broker.TopicConfig{}); !errors.Is(err, broker.ErrInvalidTopic) {
			t.Errorf("create %q: %v, want ErrInvalidTopic", bad, err)
		}
	}
	if err := l.CreateTopic(c, "bad-partitions", broker.TopicConfig{Partitions: -1}); !errors.Is(err, broker.ErrInvalidTopic) {
		t.Errorf("create with -1 partitions: %v", err)
	}
	names, err := l.ListTopics(c)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range names {
		found = found || n == a
		if strings.HasPrefix(n, "__") {
			t.Errorf("internal topic %s listed", n)
		}
	}
	if !found {
		t.Fatalf("ListTopics %v lacks %s", names, a)
	}
	if _, err := l.Append(c, tp(a, 2), []broker.Record{rec("k", "v")}); !errors.Is(err, broker.ErrInvalidPartition) {
		t.Errorf("append to partition 2 of 2: %v", err)
	}
	if _, err := l.Append(c, tp("no-such-topic", 0), []broker.Record{rec("k", "v")}); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Errorf("append to unknown topic: %v", err)
	}
	if _, err := l.Append(c, tp(a, 0), nil); !errors.Is(err, broker.ErrInvalidRecord) {
		t.Errorf("empty append: %v", err)
	}
	if _, err := l.DescribeTopic(c, "no-such-topic"); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Errorf("describe unknown: %v", err)
	}
	mustAppend(t, l, tp(a, 0), rec("k", "v"))
	if err := l.DeleteTopic(c, a); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteTopic(c, a); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Errorf("delete twice: %v", err)
	}
	// A re-created topic starts empty.
	if err := l.CreateTopic(c, a, broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, l, tp(a, 0), broker.OffsetEarliest, broker.ReadCommitted); len(got) != 0 {
		t.Fatalf("re-created topic holds %s", values(got))
	}
	cmp := newTopic(t, l, broker.TopicConfig{CleanupPolicy: broker.CleanupCompact})
	if _, err := l.Append(c, tp(cmp, 0), []broker.Record{{Value: []byte("keyless")}}); !errors.Is(err, broker.ErrInvalidRecord) {
		t.Errorf("keyless record on compacted topic: %v", err)
	}
}

func testReaderPositions(t *testing.T, h Harness) {
	l := open(t, h)
	topic := newTopic(t, l, broker.TopicConfig{})
	p := tp(topic, 0)
	for i := 0; i < 10; i++ {
		mustAppend(t, l, p, rec("k", fmt.Sprint(i)))
	}
	if got := values(readAll(t, l, p, 7, broker.ReadCommitted)); got != "7,8,9" {
		t.Fatalf("from 7: %s", got)
	}
	if got := readAll(t, l, p, broker.OffsetLatest, broker.ReadCommitted); len(got) != 0 {
		t.Fatalf("from latest: %s", values(got))
	}
	if got := readAll(t, l, p, 10, broker.ReadCommitted); len(got) != 0 {
		t.Fatalf("from end: %s", values(got))
	}
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: 11})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Fetch(ctx(t)); !errors.Is(err, broker.ErrOffsetOutOfRange) {
		t.Fatalf("fetch past end: %v, want ErrOffsetOutOfRange", err)
	}
	if err := r.SetOffset(broker.OffsetEarliest); err != nil {
		t.Fatal(err)
	}
	recs, err := r.Fetch(ctx(t))
	if err != nil || len(recs) == 0 || recs[0].Offset != 0 {
		t.Fatalf("fetch after SetOffset(earliest): %v %v", recs, err)
	}
	// A tiny MaxBytes still makes progress, one batch at a time.
	r2, err := l.NewReader(p, broker.ReaderOptions{Offset: 0, MaxBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	n := 0
	for {
		recs, err := r2.Fetch(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		n += len(recs)
	}
	if n != 10 || r2.Position() != 10 {
		t.Fatalf("MaxBytes=1 read %d records, position %d", n, r2.Position())
	}
}

func testLongPoll(t *testing.T, h Harness) {
	l := open(t, h)
	topic := newTopic(t, l, broker.TopicConfig{})
	p := tp(topic, 0)
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: broker.OffsetLatest})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Nothing to read: Wait returns the context's error.
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := r.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with nothing to read: %v", err)
	}
	done := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		done <- r.Wait(ctx(t))
	}()
	<-started
	mustAppend(t, l, p, rec("k", "woke"))
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	recs, err := r.Fetch(ctx(t))
	if err != nil || len(recs) != 1 || string(recs[0].Value) != "woke" {
		t.Fatalf("fetch after wait: %v %v", recs, err)
	}
}

func testTimestampLookup(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{})
	p := tp(a, 0)
	for i := int64(1); i <= 50; i++ {
		mustAppend(t, l, p, broker.Record{Key: []byte("k"), Value: bytes.Repeat([]byte("x"), 200), Timestamp: 1_000_000 + i*1000})
	}
	c := ctx(t)
	for _, tc := range []struct{ ts, want int64 }{
		{0, 0}, {1_001_000, 0}, {1_001_001, 1}, {1_025_000, 24}, {1_050_000, 49}, {1_050_001, 50}, {9e12, 50},
	} {
		got, err := l.OffsetForTimestamp(c, p, tc.ts)
		if err != nil || got != tc.want {
			t.Errorf("OffsetForTimestamp(%d) = %d, %v; want %d", tc.ts, got, err, tc.want)
		}
	}
}

func testLogAppendTime(t *testing.T, h Harness) {
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{TimestampType: broker.TimestampLogAppendTime})
	before := time.Now().Add(-time.Minute).UnixMilli()
	mustAppend(t, l, tp(a, 0), broker.Record{Key: []byte("k"), Value: []byte("v"), Timestamp: 42})
	got := readAll(t, l, tp(a, 0), 0, broker.ReadCommitted)
	if len(got) != 1 || got[0].ts < before {
		t.Fatalf("LogAppendTime kept the producer timestamp: %+v", got)
	}
}

func testPersistence(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("no Reopen")
	}
	l := h.Open(t)
	a := newTopic(t, l, broker.TopicConfig{Partitions: 2, RetentionMs: 3_600_000})
	mustAppend(t, l, tp(a, 1), rec("k1", "v1"), rec("k2", "v2"))
	pr := newTxnProducer(t, l, t.Name())
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 0), rec("k", "committed"))
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, tp(a, 0), rec("k", "aborted"))
	if err := pr.AbortTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	l = h.Reopen(t, l)
	defer l.Close()
	d, err := l.DescribeTopic(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Partitions) != 2 || d.Config.RetentionMs != 3_600_000 {
		t.Fatalf("config after reopen: %+v", d)
	}
	if got := values(readAll(t, l, tp(a, 1), 0, broker.ReadCommitted)); got != "v1,v2" {
		t.Fatalf("after reopen: %q", got)
	}
	if got := values(readAll(t, l, tp(a, 0), 0, broker.ReadCommitted)); got != "committed" {
		t.Fatalf("transactions after reopen: %q", got)
	}
	off := mustAppend(t, l, tp(a, 1), rec("k3", "v3"))
	if off != 2 {
		t.Fatalf("append after reopen at offset %d, want 2", off)
	}
}
