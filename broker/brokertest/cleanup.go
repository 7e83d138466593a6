package brokertest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// Retention and compaction, run through Harness.Cleanup.

func testRetentionTime(t *testing.T, h Harness) {
	if h.Cleanup == nil {
		t.Skip("no Cleanup")
	}
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{RetentionMs: 3_600_000, SegmentBytes: 4096})
	p := tp(a, 0)
	old := time.Now().Add(-2 * time.Hour).UnixMilli()
	payload := bytes.Repeat([]byte("o"), 500)
	for i := 0; i < 40; i++ {
		mustAppend(t, l, p, broker.Record{Key: []byte("k"), Value: payload, Timestamp: old + int64(i)})
	}
	fresh := mustAppend(t, l, p, broker.Record{Key: []byte("k"), Value: []byte("fresh")})
	h.Cleanup(t, l)
	d, err := l.DescribeTopic(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	pi := d.Partitions[0]
	if pi.StartOffset == 0 || pi.StartOffset > fresh || pi.EndOffset != fresh+1 {
		t.Fatalf("after time retention: %+v (fresh record at %d)", pi, fresh)
	}
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Fetch(ctx(t)); !errors.Is(err, broker.ErrOffsetOutOfRange) {
		t.Fatalf("read of deleted offset: %v", err)
	}
	got := readAll(t, l, p, broker.OffsetEarliest, broker.ReadCommitted)
	if len(got) == 0 || string(got[len(got)-1].value) != "fresh" {
		t.Fatalf("fresh record lost: %d records", len(got))
	}
	for _, g := range got[:len(got)-1] {
		if g.ts < old {
			t.Fatalf("bad record %+v", g)
		}
	}
}

func testRetentionBytes(t *testing.T, h Harness) {
	if h.Cleanup == nil {
		t.Skip("no Cleanup")
	}
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{RetentionBytes: 8192, SegmentBytes: 2048})
	p := tp(a, 0)
	payload := bytes.Repeat([]byte("b"), 300)
	var last int64
	for i := 0; i < 100; i++ {
		last = mustAppend(t, l, p, broker.Record{Key: []byte("k"), Value: payload})
	}
	h.Cleanup(t, l)
	d, err := l.DescribeTopic(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	pi := d.Partitions[0]
	if pi.Bytes > 8192 || pi.StartOffset == 0 || pi.EndOffset != last+1 {
		t.Fatalf("after size retention: %+v", pi)
	}
	got := readAll(t, l, p, broker.OffsetEarliest, broker.ReadCommitted)
	if int64(len(got)) != pi.EndOffset-pi.StartOffset || got[len(got)-1].offset != last {
		t.Fatalf("read %d records after retention, partition %+v", len(got), pi)
	}
}

func testCompaction(t *testing.T, h Harness) {
	if h.Cleanup == nil {
		t.Skip("no Cleanup")
	}
	l := open(t, h)
	a := newTopic(t, l, broker.TopicConfig{CleanupPolicy: broker.CleanupCompact, SegmentBytes: 1024, DeleteRetentionMs: 1})
	p := tp(a, 0)
	old := time.Now().Add(-time.Hour).UnixMilli()
	latest := map[string]string{}
	var order []string
	for round := 0; round < 10; round++ {
		for k := 0; k < 8; k++ {
			key := fmt.Sprintf("key%d", k)
			v := fmt.Sprintf("%s-r%d", key, round)
			r := broker.Record{Key: []byte(key), Value: []byte(v), Timestamp: old}
			if k == 3 && round == 9 {
				r.Value = nil // delete key3
			}
			mustAppend(t, l, p, r)
			if round == 0 {
				order = append(order, key)
			}
			if r.Value == nil {
				delete(latest, key)
			} else {
				latest[key] = v
			}
		}
	}
	// A transaction whose records compaction must drop (aborted) and one it
	// must keep (committed), then filler so they land in closed segments.
	pr := newTxnProducer(t, l, t.Name())
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, p, broker.Record{Key: []byte("key0"), Value: []byte("aborted"), Timestamp: old})
	if err := pr.AbortTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := pr.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	prAppend(t, pr, p, broker.Record{Key: []byte("key7"), Value: []byte("key7-txn"), Timestamp: old})
	if err := pr.CommitTxn(ctx(t)); err != nil {
		t.Fatal(err)
	}
	latest["key7"] = "key7-txn"
	for i := 0; i < 20; i++ {
		key := fmt.Sprintf("filler%d", i)
		v := strings.Repeat("f", 100)
		mustAppend(t, l, p, broker.Record{Key: []byte(key), Value: []byte(v)})
		latest[key] = v
	}
	before := readAll(t, l, p, broker.OffsetEarliest, broker.ReadCommitted)
	h.Cleanup(t, l)
	after := readAll(t, l, p, broker.OffsetEarliest, broker.ReadCommitted)
	if len(after) >= len(before) {
		t.Fatalf("compaction removed nothing: %d records before, %d after", len(before), len(after))
	}
	final := map[string]string{}
	seen := map[string]int{}
	lastOff := int64(-1)
	for _, r := range after {
		if r.offset <= lastOff {
			t.Fatalf("offsets not increasing after compaction: %d after %d", r.offset, lastOff)
		}
		lastOff = r.offset
		seen[string(r.key)]++
		if r.value == nil {
			delete(final, string(r.key))
		} else {
			final[string(r.key)] = string(r.value)
		}
		if string(r.value) == "aborted" {
			t.Fatalf("aborted record survived compaction")
		}
	}
	for k, v := range latest {
		if final[k] != v {
			t.Errorf("key %s: %q after compaction, want %q", k, final[k], v)
		}
	}
	if _, ok := final["key3"]; ok {
		t.Errorf("deleted key3 is back: %q", final["key3"])
	}
	if seen["key1"] != 1 || seen["key3"] != 0 {
		t.Errorf("key1 seen %d times (want 1), key3 (old tombstone) %d times (want 0)", seen["key1"], seen["key3"])
	}
	// Appends continue densely after compaction.
	d, _ := l.DescribeTopic(ctx(t), a)
	off := mustAppend(t, l, p, rec("key1", "new"))
	if off != d.Partitions[0].EndOffset {
		t.Fatalf("append after compaction at %d, want %d", off, d.Partitions[0].EndOffset)
	}
}
