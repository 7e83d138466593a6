package commitlog

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
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

// TestRecoverySegmentGap opens logs whose last closed segment ends short of
// the next segment's base, as the roll-before-write bug left them (and as a
// machine crash can: the new directory entry kept, the old tail lost).
func TestRecoverySegmentGap(t *testing.T) {
	const n = 20 // records appended before the damage, one per batch
	// span returns the offsets [from, to).
	span := func(from, to int64) []int64 {
		var out []int64
		for o := from; o < to; o++ {
			out = append(out, o)
		}
		return out
	}
	tests := []struct {
		name   string
		policy broker.CleanupPolicy
		// damage changes the closed log whose active segment starts at
		// act and ends at n.
		damage func(t *testing.T, fs *vfs.MemFS, act int64)
		// want is the offsets a reader finds after one more append, or
		// nil for a corruption error on open.
		want func(act int64) []int64
	}{{
		name: "empty successor is removed", policy: broker.CleanupDelete,
		damage: func(t *testing.T, fs *vfs.MemFS, act int64) { writeSegment(t, fs, n+1) },
		want:   func(act int64) []int64 { return span(0, n+1) },
	}, {
		name: "empty successor of an indexed segment is removed", policy: broker.CleanupDelete,
		damage: func(t *testing.T, fs *vfs.MemFS, act int64) {
			// Lose the active segment: the closed one before it, loaded
			// from its index file, now ends short of the empty file.
			if err := fs.Remove(segPath("/data", "t", act)); err != nil {
				t.Fatal(err)
			}
			writeSegment(t, fs, act+1)
		},
		want: func(act int64) []int64 { return span(0, act+1) },
	}, {
		name: "successor with data keeps the gap", policy: broker.CleanupDelete,
		damage: func(t *testing.T, fs *vfs.MemFS, act int64) {
			writeSegment(t, fs, n+1, broker.Record{Key: []byte("k"), Value: []byte("late")})
		},
		want: func(act int64) []int64 { return append(span(0, n), n+1, n+2) },
	}, {
		name: "compacted topics keep their gaps", policy: broker.CleanupCompact,
		damage: func(t *testing.T, fs *vfs.MemFS, act int64) { writeSegment(t, fs, n+1) },
		// Compaction runs only on demand, so every record is still there.
		want: func(act int64) []int64 { return append(span(0, n), n+1) },
	}, {
		name: "overlapping successor is corruption", policy: broker.CleanupDelete,
		damage: func(t *testing.T, fs *vfs.MemFS, act int64) { writeSegment(t, fs, n-1) },
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMemFS()
			l := openTestLog(t, "/data", fs)
			if err := l.CreateTopic(bg, "t", broker.TopicConfig{SegmentBytes: 1024, CleanupPolicy: tc.policy}); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; i++ {
				v := fmt.Sprintf("v%d%s", i, strings.Repeat(".", 100))
				if _, err := l.Append(bg, tp0("t"), []broker.Record{{Key: []byte("k"), Value: []byte(v)}}); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := l.partition(tp0("t"))
			if len(p.segs) < 3 {
				t.Fatalf("%d segments; the test needs at least 3", len(p.segs))
			}
			act := p.active().base
			l.Close()
			tc.damage(t, fs, act)

			l, err := Open("/data", Options{FS: fs, CleanupInterval: -1})
			if tc.want == nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("open: %v, want corruption", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			want := tc.want(act)
			off, err := l.Append(bg, tp0("t"), []broker.Record{{Key: []byte("k"), Value: []byte("after")}})
			if err != nil || off != want[len(want)-1] {
				t.Fatalf("append after recovery: offset %d, %v; want %d", off, err, want[len(want)-1])
			}
			if got := readOffsets(t, l, tp0("t")); !slices.Equal(got, want) {
				t.Fatalf("read offsets %v, want %v", got, want)
			}
		})
	}
}

// writeSegment writes a segment file with base offset base holding recs (if
// any) as one batch, as a previous process could have left it.
func writeSegment(t *testing.T, fs *vfs.MemFS, base int64, recs ...broker.Record) {
	t.Helper()
	f, err := fs.Create(segPath("/data", "t", base))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) > 0 {
		b, _ := appendBatch(nil, batchMeta{baseOffset: base, producerID: -1, baseSeq: -1, now: 1}, recs)
		if _, err := f.WriteAt(b, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := fs.SyncDir(path.Dir(segPath("/data", "t", base))); err != nil {
		t.Fatal(err)
	}
}

// readOffsets reads a partition from its start and returns the offsets.
func readOffsets(t *testing.T, l *Log, tp broker.TopicPartition) []int64 {
	t.Helper()
	var out []int64
	for _, rec := range readRecords(t, l, tp, broker.ReadUncommitted) {
		out = append(out, rec.Offset)
	}
	return out
}
