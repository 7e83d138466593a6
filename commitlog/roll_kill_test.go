package commitlog

import (
	"context"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// The failure TestCrashKill once found ("gap: offset 1505 after 1503"): an
// appender rolled the partition while the group-commit leader was still
// syncing, and the process was killed before the next leader wrote the end
// of the old segment. The kill left the new segment's file, empty, after a
// segment that ended short of its base; recovery took the new segment's
// base as the next offset, and the next process appended after a gap.

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// readDense reads a partition from offset 0 and fails on any offset gap; it
// returns the values read.
func readDense(t *testing.T, l *Log, tp broker.TopicPartition) []string {
	t.Helper()
	r, err := l.NewReader(tp, broker.ReaderOptions{Offset: 0, Isolation: broker.ReadUncommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var vals []string
	for next := int64(0); ; {
		recs, err := r.Fetch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return vals
		}
		for _, rec := range recs {
			if rec.Offset != next {
				t.Fatalf("gap: offset %d after %d", rec.Offset, next-1)
			}
			next++
			vals = append(vals, string(rec.Value))
		}
	}
}

func TestKillDuringRoll(t *testing.T) {
	for _, policy := range []broker.CleanupPolicy{broker.CleanupDelete, broker.CleanupCompact} {
		t.Run(string(policy), func(t *testing.T) { testKillDuringRoll(t, policy) })
	}
}

func testKillDuringRoll(t *testing.T, policy broker.CleanupPolicy) {
	c := context.Background()
	mem := vfs.NewMemFS()
	// hold blocks the next write to segment 0 until release is closed.
	var hold atomic.Bool
	held, release := make(chan struct{}), make(chan struct{})
	inj := func(op vfs.Op, name string) error {
		if op == vfs.OpWrite && path.Base(name) == segmentName(0) && hold.CompareAndSwap(true, false) {
			close(held)
			<-release
		}
		return nil
	}
	l, err := Open("/data", Options{FS: vfs.Inject(mem, inj), CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	tp := broker.TopicPartition{Topic: "t"}
	if err := l.CreateTopic(c, "t", broker.TopicConfig{SegmentBytes: 1024, CleanupPolicy: policy}); err != nil {
		t.Fatal(err)
	}
	rec := func(v string) broker.Record {
		return broker.Record{Key: []byte("k" + v), Value: []byte(v + strings.Repeat(".", 100))}
	}
	if off, err := l.Append(c, tp, []broker.Record{rec("a")}); err != nil || off != 0 {
		t.Fatalf("append a: offset %d, %v", off, err)
	}
	p, err := l.partition(tp)
	if err != nil {
		t.Fatal(err)
	}
	segments := func() int {
		p.mu.RLock()
		defer p.mu.RUnlock()
		return len(p.segs)
	}

	// b (offset 1) fits in segment 0; its leader stalls in the write.
	var wg sync.WaitGroup
	wg.Add(2)
	hold.Store(true)
	go func() {
		defer wg.Done()
		l.Append(c, tp, []broker.Record{rec("b")})
	}()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the write of b never started")
	}
	// c (offsets 2-9) does not fit: it rolls to a segment based at 2 and
	// waits for the stalled leader.
	go func() {
		defer wg.Done()
		var big []broker.Record
		for i := 0; i < 8; i++ {
			big = append(big, rec("c"))
		}
		l.Append(c, tp, big)
	}()
	waitFor(t, "the roll", func() bool { return segments() == 2 })

	// The process dies here: nothing of b or c was acknowledged.
	killed := mem.Kill()
	close(release)
	wg.Wait()
	l.Close()

	l, err = Open("/data", Options{FS: killed, CleanupInterval: -1})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer l.Close()
	off, err := l.Append(c, tp, []broker.Record{rec("d")})
	if err != nil {
		t.Fatal(err)
	}
	if off != 1 {
		t.Fatalf("first append after the kill got offset %d, want 1 (the offset after the last record on disk)", off)
	}
	vals := readDense(t, l, tp)
	if len(vals) != 2 || !strings.HasPrefix(vals[0], "a.") || !strings.HasPrefix(vals[1], "d.") {
		t.Fatalf("read %d records after the kill (%.3q), want a then d", len(vals), vals)
	}
}
