package commitlog

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// readKeyed reads a partition read-committed from the start as
// key=value strings.
func readKeyed(t *testing.T, l *Log, p broker.TopicPartition) []string {
	t.Helper()
	var out []string
	for _, rec := range readRecords(t, l, p, broker.ReadCommitted) {
		out = append(out, string(rec.Key)+"="+string(rec.Value))
	}
	return out
}

// TestCompactDelete runs the compact,delete policy through a windowed
// changelog's life: old keys whose segments expire go entirely (even the
// latest record of a key), fresh keys are compacted, a segment holding an
// open transaction's records is kept until the transaction is decided, a
// commit marker whose records were deleted is harmless, and the log
// reopens to the same contents.
func TestCompactDelete(t *testing.T) {
	clk := &fakeClock{}
	clk.ms.Store(1_000_000_000)
	fs := vfs.NewMemFS()
	open := func() *Log {
		l, err := Open("/d", Options{FS: fs, CleanupInterval: -1, Now: clk.now})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := open()
	defer func() { l.Close() }()
	cfg := broker.TopicConfig{CleanupPolicy: broker.CleanupCompactDelete, RetentionMs: 3_600_000, SegmentBytes: 1024, DeleteRetentionMs: 1}
	if err := l.CreateTopic(bg, "cd", cfg); err != nil {
		t.Fatal(err)
	}
	p := tp0("cd")
	put := func(key, value string) int64 {
		t.Helper()
		var v []byte
		if value != "" {
			v = []byte(value)
		}
		off, err := l.Append(bg, p, []broker.Record{{Key: []byte(key), Value: v}})
		if err != nil {
			t.Fatal(err)
		}
		return off
	}
	if _, err := l.Append(bg, p, []broker.Record{{Value: []byte("keyless")}}); !errors.Is(err, broker.ErrInvalidRecord) {
		t.Fatalf("keyless record on a compact,delete topic: %v", err)
	}
	pad := strings.Repeat("x", 150)

	// Old windows, several rounds each, and a transaction left open.
	for round := 0; round < 3; round++ {
		for k := 0; k < 6; k++ {
			put(fmt.Sprintf("old%d", k), fmt.Sprintf("r%d%s", round, pad))
		}
	}
	open1, _ := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "open"})
	open1.BeginTxn()
	openOff, err := open1.Append(bg, p, []broker.Record{{Key: []byte("txn"), Value: []byte("open")}})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 6; k++ {
		put(fmt.Sprintf("old%d", k), "r3"+pad)
	}

	// Two hours later: fresh windows, rewritten several times.
	clk.add(2 * time.Hour)
	latest := map[string]string{}
	for round := 0; round < 4; round++ {
		for k := 0; k < 4; k++ {
			key, v := fmt.Sprintf("new%d", k), fmt.Sprintf("r%d%s", round, pad)
			put(key, v)
			latest[key] = v
		}
	}
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	d, _ := l.DescribeTopic(bg, "cd")
	if pi := d.Partitions[0]; pi.StartOffset == 0 || pi.StartOffset > openOff {
		t.Fatalf("with a transaction open at %d: partition %+v (want expired segments before it deleted, none after)", openOff, pi)
	}

	// The transaction commits: its marker lands in a fresh segment, its
	// record's segment may now go.
	if err := open1.CommitTxn(bg); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 4; k++ {
		key, v := fmt.Sprintf("new%d", k), "r4"+pad
		put(key, v)
		latest[key] = v
	}
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		got := readKeyed(t, l, p)
		seen := map[string]int{}
		final := map[string]string{}
		for _, kv := range got {
			k, v, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(k, "old") || k == "txn" {
				t.Fatalf("%s: expired record %s survived", when, kv)
			}
			seen[k]++
			final[k] = v
		}
		for k, v := range latest {
			if final[k] != v {
				t.Fatalf("%s: key %s is %q, want %q", when, k, final[k], v)
			}
		}
		if len(got) >= 5*4 {
			t.Fatalf("%s: %d records left of 20 fresh ones: nothing compacted (%v)", when, len(got), seen)
		}
		d, _ := l.DescribeTopic(bg, "cd")
		if pi := d.Partitions[0]; pi.StartOffset <= openOff {
			t.Fatalf("%s: the decided transaction's segment is kept: %+v", when, pi)
		}
	}
	check("after cleanup")

	// Reopen: recovery agrees, and appends continue.
	l.Close()
	l = open()
	check("after reopen")
	end := put("new0", "after")
	d, _ = l.DescribeTopic(bg, "cd")
	if pi := d.Partitions[0]; pi.EndOffset != end+1 {
		t.Fatalf("append after reopen at %d, partition %+v", end, pi)
	}
}

// TestCompactDeleteIdle expires an idle compact,delete partition whole:
// its active segment is rolled and deleted, and appends continue at the
// same offset.
func TestCompactDeleteIdle(t *testing.T) {
	clk := &fakeClock{}
	clk.ms.Store(1_000_000_000)
	l, err := Open("/d", Options{FS: vfs.NewMemFS(), CleanupInterval: -1, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.CreateTopic(bg, "idle", broker.TopicConfig{CleanupPolicy: broker.CleanupCompactDelete, RetentionMs: 60_000}); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "idle", 5, "v")
	clk.add(30 * time.Second)
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	if got := readValues(t, l, tp0("idle"), broker.ReadCommitted); len(got) != 5 {
		t.Fatalf("before retention passed: %v", got)
	}
	clk.add(31 * time.Second)
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	d, _ := l.DescribeTopic(bg, "idle")
	if pi := d.Partitions[0]; pi.StartOffset != 5 || pi.EndOffset != 5 {
		t.Fatalf("after idle expiry: %+v", pi)
	}
	off, err := l.Append(bg, tp0("idle"), []broker.Record{{Key: []byte("k"), Value: []byte("new")}})
	if err != nil || off != 5 {
		t.Fatalf("append after expiry: %d %v", off, err)
	}
}

// TestParseCleanupPolicy reads Kafka's spellings.
func TestParseCleanupPolicy(t *testing.T) {
	for _, c := range []struct {
		in   string
		want broker.CleanupPolicy
	}{
		{"delete", broker.CleanupDelete},
		{"compact", broker.CleanupCompact},
		{"compact,delete", broker.CleanupCompactDelete},
		{"delete, compact", broker.CleanupCompactDelete},
		{"COMPACT", broker.CleanupCompact},
		{"", ""},
		{"compact,shred", ""},
	} {
		got, err := broker.ParseCleanupPolicy(c.in)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("ParseCleanupPolicy(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
