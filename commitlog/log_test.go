package commitlog

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

var bg = context.Background()

func tp0(topic string) broker.TopicPartition { return broker.TopicPartition{Topic: topic} }

func appendN(t *testing.T, l *Log, topic string, n int, prefix string) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := l.Append(bg, tp0(topic), []broker.Record{{Key: []byte("k"), Value: []byte(fmt.Sprintf("%s%d", prefix, i))}}); err != nil {
			t.Fatal(err)
		}
	}
}

func readValues(t *testing.T, l *Log, p broker.TopicPartition, iso broker.Isolation) []string {
	t.Helper()
	var out []string
	for _, rec := range readRecords(t, l, p, iso) {
		out = append(out, string(rec.Value))
	}
	return out
}

// readRecords reads a partition from its start with the given isolation,
// copying each record out of the reader's buffers.
func readRecords(t *testing.T, l *Log, p broker.TopicPartition, iso broker.Isolation) []broker.Record {
	t.Helper()
	r, err := l.NewReader(p, broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: iso})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []broker.Record
	for {
		recs, err := r.Fetch(bg)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		for _, rec := range recs {
			rec.Key = append([]byte(nil), rec.Key...)
			rec.Value = append([]byte(nil), rec.Value...)
			out = append(out, rec)
		}
	}
}

func segPath(dir, topic string, base int64) string {
	return path.Join(dir, "topics", topic, "0", segmentName(base))
}

func TestLockInUse(t *testing.T) {
	dir := t.TempDir()
	l := openTestLog(t, dir, vfs.Default)
	defer l.Close()
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), fmt.Sprintf("in use by pid %d", os.Getpid())) {
		t.Fatalf("second open: %v", err)
	}
	l.Close()
	l2 := openTestLog(t, dir, vfs.Default)
	l2.Close()
}

// TestCorruption damages segment files in the ways a disk or a crash can,
// and checks that recovery truncates torn tails but refuses, precisely,
// damage with valid data after it.
func TestCorruption(t *testing.T) {
	type damage func(t *testing.T, fs *vfs.MemFS, file string, batchPos []int64, size int64)
	flip := func(pos int64) func(f vfs.File) {
		return func(f vfs.File) {
			b := make([]byte, 1)
			f.ReadAt(b, pos)
			b[0] ^= 0x40
			f.WriteAt(b, pos)
		}
	}
	edit := func(fs *vfs.MemFS, file string, fn func(f vfs.File)) {
		f, err := fs.Open(file)
		if err != nil {
			panic(err)
		}
		fn(f)
		f.Sync()
	}
	tests := []struct {
		name string
		dmg  damage
		// wantErrPos is the batch index the error must name, or -1 for
		// successful recovery keeping wantKeep records.
		wantErrBatch int
		wantKeep     int
	}{
		{"torn last batch", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, func(f vfs.File) { f.Truncate(size - 7) })
		}, -1, 4},
		{"torn header", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, func(f vfs.File) { f.Truncate(pos[4] + 20) })
		}, -1, 4},
		{"zero tail", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, func(f vfs.File) { f.WriteAt(make([]byte, 300), size) })
		}, -1, 5},
		{"garbage in last batch", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, flip(size-3))
		}, -1, 4},
		{"flipped byte mid-segment", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, flip(pos[2]+60))
		}, 2, 0},
		{"flipped length mid-segment", func(t *testing.T, fs *vfs.MemFS, file string, pos []int64, size int64) {
			edit(fs, file, flip(pos[1]+9))
		}, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMemFS()
			l := openTestLog(t, "/d", fs)
			if err := l.CreateTopic(bg, "c", broker.TopicConfig{}); err != nil {
				t.Fatal(err)
			}
			appendN(t, l, "c", 5, "v")
			seg := l.topics["c"].parts[0].segs[0]
			var pos []int64
			for _, e := range seg.index {
				pos = append(pos, e.pos)
			}
			// Index every batch for the test: small batches share an
			// index entry, so walk the headers instead.
			pos = pos[:0]
			for p := int64(0); p < seg.size; {
				b := make([]byte, batchHeaderSize)
				seg.f.ReadAt(b, p)
				h, _ := parseHeader(b)
				pos = append(pos, p)
				p += h.size()
			}
			size := seg.size
			l.Close()
			file := segPath("/d", "c", 0)
			tc.dmg(t, fs, file, pos, size)
			l, err := Open("/d", Options{FS: fs, CleanupInterval: -1})
			if tc.wantErrBatch >= 0 {
				var ce *CorruptionError
				if !errors.As(err, &ce) || ce.File != file || ce.Pos != pos[tc.wantErrBatch] || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("open: %v; want corruption in %s at byte %d", err, file, pos[tc.wantErrBatch])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if tc.wantKeep < 5 && l.Stats().TornTails != 1 {
				t.Fatalf("torn tails counted: %+v", l.Stats())
			}
			got := readValues(t, l, tp0("c"), broker.ReadCommitted)
			if len(got) != tc.wantKeep {
				t.Fatalf("recovered %v, want %d records", got, tc.wantKeep)
			}
			// The log continues at the next offset after the kept records.
			off, err := l.Append(bg, tp0("c"), []broker.Record{{Value: []byte("after")}})
			if err != nil || off != int64(tc.wantKeep) {
				t.Fatalf("append after recovery: %d, %v", off, err)
			}
		})
	}
}

func TestCorruptionInClosedSegment(t *testing.T) {
	fs := vfs.NewMemFS()
	l := openTestLog(t, "/d", fs)
	if err := l.CreateTopic(bg, "c", broker.TopicConfig{SegmentBytes: 1024}); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "c", 60, strings.Repeat("x", 50))
	if n := len(l.topics["c"].parts[0].segs); n < 3 {
		t.Fatalf("only %d segments", n)
	}
	l.Close()
	// Tear the tail of the first segment: not the log's tail, so an error.
	file := segPath("/d", "c", 0)
	f, _ := fs.Open(file)
	size, _ := f.Size()
	f.Truncate(size - 10)
	_, err := Open("/d", Options{FS: fs, CleanupInterval: -1})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "00000000000000000") {
		t.Fatalf("open with damaged closed segment: %v", err)
	}
}

func TestReadDetectsCorruption(t *testing.T) {
	fs := vfs.NewMemFS()
	l := openTestLog(t, "/d", fs)
	defer l.Close()
	if err := l.CreateTopic(bg, "c", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "c", 3, "v")
	f, _ := fs.Open(segPath("/d", "c", 0))
	f.WriteAt([]byte{0xff}, 70)
	r, _ := l.NewReader(tp0("c"), broker.ReaderOptions{})
	if _, err := r.Fetch(bg); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("fetch of a corrupted batch: %v", err)
	}
}

// TestIdempotentRetry replays batches with already-used sequence numbers,
// as a producer retrying after a lost acknowledgement does.
func TestIdempotentRetry(t *testing.T) {
	l := openTestLog(t, "/d", vfs.NewMemFS())
	defer l.Close()
	if err := l.CreateTopic(bg, "i", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	p, _ := l.partition(tp0("i"))
	recs := func(vs ...string) []broker.Record {
		var out []broker.Record
		for _, v := range vs {
			out = append(out, broker.Record{Value: []byte(v)})
		}
		return out
	}
	m := func(seq int32) batchMeta { return batchMeta{producerID: 77, epoch: 0, baseSeq: seq} }
	r1, err := p.append(recs("a", "b"), m(0))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := p.append(recs("c"), m(2))
	if err != nil {
		t.Fatal(err)
	}
	dup, err := p.append(recs("a", "b"), m(0))
	if err != nil || !dup.dup || dup.base != r1.base {
		t.Fatalf("retry of first batch: %+v %v", dup, err)
	}
	dup, err = p.append(recs("c"), m(2))
	if err != nil || !dup.dup || dup.base != r2.base {
		t.Fatalf("retry of second batch: %+v %v", dup, err)
	}
	if _, err := p.append(recs("x"), m(5)); !errors.Is(err, broker.ErrOutOfOrderSequence) {
		t.Fatalf("gap in sequence: %v", err)
	}
	if _, err := p.append(recs("x"), batchMeta{producerID: 77, epoch: 1, baseSeq: 0}); err != nil {
		t.Fatalf("new epoch: %v", err)
	}
	if _, err := p.append(recs("y"), m(3)); !errors.Is(err, broker.ErrProducerFenced) {
		t.Fatalf("old epoch after new: %v", err)
	}
	if got := strings.Join(readValues(t, l, tp0("i"), broker.ReadCommitted), ","); got != "a,b,c,x" {
		t.Fatalf("log holds %s", got)
	}
	// The producer state survives a restart: a retry is still recognised.
	l.Close()
	l = openTestLog(t, "/d", l.fs)
	p, _ = l.partition(tp0("i"))
	dup, err = p.append(recs("x"), batchMeta{producerID: 77, epoch: 1, baseSeq: 0})
	if err != nil || !dup.dup || dup.base != 3 {
		t.Fatalf("retry after reopen: %+v %v", dup, err)
	}
}

// TestSyncFailure makes fdatasync fail: the append must fail, the
// partition must refuse further writes (the kernel may have dropped the
// pages), and a reopen must recover to what is really on disk.
func TestSyncFailure(t *testing.T) {
	mem := vfs.NewMemFS()
	var failSync atomic.Bool
	fs := vfs.Inject(mem, func(op vfs.Op, name string) error {
		if op == vfs.OpSync && failSync.Load() && strings.Contains(name, "/topics/s/") {
			return errors.New("injected EIO")
		}
		return nil
	})
	l := openTestLog(t, "/d", fs)
	if err := l.CreateTopic(bg, "s", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "s", 3, "ok")
	failSync.Store(true)
	if _, err := l.Append(bg, tp0("s"), []broker.Record{{Value: []byte("lost")}}); err == nil || !strings.Contains(err.Error(), "injected EIO") {
		t.Fatalf("append with failing sync: %v", err)
	}
	failSync.Store(false)
	if _, err := l.Append(bg, tp0("s"), []broker.Record{{Value: []byte("after")}}); err == nil {
		t.Fatal("append after a failed sync succeeded")
	}
	// Readers still see what was acknowledged, and nothing else.
	if got := strings.Join(readValues(t, l, tp0("s"), broker.ReadCommitted), ","); got != "ok0,ok1,ok2" {
		t.Fatalf("readers see %s", got)
	}
	l.Close()
	l = openTestLog(t, "/d", mem.Crash(nil))
	defer l.Close()
	if got := strings.Join(readValues(t, l, tp0("s"), broker.ReadCommitted), ","); got != "ok0,ok1,ok2" {
		t.Fatalf("after reopen: %s", got)
	}
}

// TestGroupCommit checks that concurrent appenders share syncs.
func TestGroupCommit(t *testing.T) {
	var syncs atomic.Int64
	fs := vfs.Inject(vfs.Default, func(op vfs.Op, name string) error {
		if op == vfs.OpSync && strings.Contains(name, "/topics/g/") && strings.HasSuffix(name, ".log") {
			syncs.Add(1)
		}
		return nil
	})
	l := openTestLog(t, t.TempDir(), fs)
	defer l.Close()
	if err := l.CreateTopic(bg, "g", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 20
	before := l.Stats()
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := l.Append(bg, tp0("g"), []broker.Record{{Value: []byte("x")}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n := syncs.Load()
	t.Logf("%d appends, %d syncs", writers*each, n)
	if n >= writers*each/2 {
		t.Fatalf("%d syncs for %d concurrent appends: no group commit", n, writers*each)
	}
	st := l.Stats()
	if st.AppendedRecords-before.AppendedRecords != writers*each || st.Syncs-before.Syncs != n || st.SyncTime <= 0 {
		t.Fatalf("stats %+v after %d appends and %d syncs (before: %+v)", st, writers*each, n, before)
	}
	if got := len(readValues(t, l, tp0("g"), broker.ReadCommitted)); got != writers*each {
		t.Fatalf("read %d records", got)
	}
}

// TestTxnCrash crashes the filesystem in the middle of a transaction and
// between the commit decision and the markers.
func TestTxnCrash(t *testing.T) {
	for _, tc := range []struct {
		name        string
		afterCommit bool
	}{{"open transaction aborts", false}, {"decided transaction commits", true}} {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMemFS()
			var crashed *vfs.MemFS
			opts := Options{FS: fs, CleanupInterval: -1, testHookAfterDecision: func() { crashed = fs.Crash(rand.New(rand.NewPCG(1, 2))) }}
			l, err := Open("/d", opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.CreateTopic(bg, "x", broker.TopicConfig{Partitions: 2}); err != nil {
				t.Fatal(err)
			}
			if err := l.CreateTopic(bg, "y", broker.TopicConfig{}); err != nil {
				t.Fatal(err)
			}
			pr, err := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "t"})
			if err != nil {
				t.Fatal(err)
			}
			pr.BeginTxn()
			tps := []broker.TopicPartition{{Topic: "x", Partition: 0}, {Topic: "x", Partition: 1}, {Topic: "y"}}
			for _, p := range tps {
				if _, err := pr.Append(bg, p, []broker.Record{{Value: []byte("txn")}}); err != nil {
					t.Fatal(err)
				}
			}
			if err := pr.SendOffsets(bg, "g", map[broker.TopicPartition]int64{{Topic: "in"}: 42}); err != nil {
				t.Fatal(err)
			}
			if tc.afterCommit {
				if err := pr.CommitTxn(bg); err != nil {
					t.Fatal(err)
				}
			} else {
				crashed = fs.Crash(rand.New(rand.NewPCG(3, 4)))
			}
			l.Close()
			l, err = Open("/d", Options{FS: crashed, CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			want, wantOff := 0, int64(-1)
			if tc.afterCommit {
				want, wantOff = 1, 42
			}
			// Four partitions took part: x-0, x-1, y-0 and the offsets.
			if st := l.Stats(); (tc.afterCommit && st.RecoveredCommits != 4) || (!tc.afterCommit && st.RecoveredAborts+st.RecoveredCommits > 4) {
				t.Fatalf("recovery stats: %+v", st)
			}
			for _, p := range tps {
				if got := readValues(t, l, p, broker.ReadCommitted); len(got) != want {
					t.Fatalf("%v after crash: %v", p, got)
				}
			}
			offs, _ := l.CommittedOffsets(bg, "g")
			if off, ok := offs[broker.TopicPartition{Topic: "in"}]; (wantOff < 0 && ok) || (wantOff >= 0 && off != wantOff) {
				t.Fatalf("group offsets after crash: %v", offs)
			}
			// The transactional id works on after recovery.
			pr, err = l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "t"})
			if err != nil {
				t.Fatal(err)
			}
			pr.BeginTxn()
			pr.Append(bg, tps[0], []broker.Record{{Value: []byte("next")}})
			if err := pr.CommitTxn(bg); err != nil {
				t.Fatal(err)
			}
			if got := readValues(t, l, tps[0], broker.ReadCommitted); len(got) != want+1 || got[len(got)-1] != "next" {
				t.Fatalf("after recovery and a new transaction: %v", got)
			}
		})
	}
}

func TestDurabilityPolicies(t *testing.T) {
	for _, d := range []broker.Durability{broker.DurabilityInterval, broker.DurabilityNone} {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			l := openTestLog(t, dir, vfs.Default)
			if err := l.CreateTopic(bg, "d", broker.TopicConfig{Durability: d}); err != nil {
				t.Fatal(err)
			}
			appendN(t, l, "d", 10, "v")
			if got := len(readValues(t, l, tp0("d"), broker.ReadCommitted)); got != 10 {
				t.Fatalf("read %d", got)
			}
			l.Close()
			l = openTestLog(t, dir, vfs.Default)
			defer l.Close()
			if got := len(readValues(t, l, tp0("d"), broker.ReadCommitted)); got != 10 {
				t.Fatalf("after reopen read %d", got)
			}
		})
	}
}

// TestIntervalSync checks that the interval policy acknowledges without a
// sync and syncs in the background within the interval.
func TestIntervalSync(t *testing.T) {
	var syncs atomic.Int64
	synced := make(chan struct{}, 1)
	fs := vfs.Inject(vfs.NewMemFS(), func(op vfs.Op, name string) error {
		if op == vfs.OpSync && strings.Contains(name, "/topics/iv/") {
			syncs.Add(1)
			select {
			case synced <- struct{}{}:
			default:
			}
		}
		return nil
	})
	l := openTestLog(t, "/d", fs)
	defer l.Close()
	if err := l.CreateTopic(bg, "iv", broker.TopicConfig{Durability: broker.DurabilityInterval, FlushInterval: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for len(synced) > 0 {
		<-synced
	}
	start := syncs.Load()
	appendN(t, l, "iv", 20, "v")
	select {
	case <-synced:
	case <-time.After(10 * time.Second):
		t.Fatal("interval policy never synced")
	}
	if n := syncs.Load() - start; n >= 20 {
		t.Fatalf("%d syncs for 20 appends under the interval policy", n)
	}
}

// TestCompactionCrash fails a compaction at the rename, crashes, and checks
// that the original data is intact and the leftover is removed; then
// compacts for real, crashes, and checks the compacted log.
func TestCompactionCrash(t *testing.T) {
	mem := vfs.NewMemFS()
	var failRename atomic.Bool
	failRename.Store(true)
	fs := vfs.Inject(mem, func(op vfs.Op, name string) error {
		if op == vfs.OpRename && strings.HasSuffix(name, ".cleaned") && failRename.Load() {
			return errors.New("injected rename failure")
		}
		return nil
	})
	l := openTestLog(t, "/d", fs)
	if err := l.CreateTopic(bg, "c", broker.TopicConfig{CleanupPolicy: broker.CleanupCompact, SegmentBytes: 1024}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := 0; i < 200; i++ {
		k, v := fmt.Sprintf("k%d", i%10), fmt.Sprintf("v%d", i)
		if _, err := l.Append(bg, tp0("c"), []broker.Record{{Key: []byte(k), Value: []byte(v)}}); err != nil {
			t.Fatal(err)
		}
		want[k] = v
	}
	latest := func(l *Log) (map[string]string, int) {
		r, _ := l.NewReader(tp0("c"), broker.ReaderOptions{Offset: broker.OffsetEarliest})
		defer r.Close()
		got, n := map[string]string{}, 0
		for {
			recs, err := r.Fetch(bg)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				return got, n
			}
			for _, rec := range recs {
				got[string(rec.Key)] = string(rec.Value)
				n++
			}
		}
	}
	if err := l.RunCleanup(bg); err == nil {
		t.Fatal("compaction with a failing rename succeeded")
	}
	l.Close()
	l = openTestLog(t, "/d", mem.Crash(nil))
	got, n := latest(l)
	if fmt.Sprint(got) != fmt.Sprint(want) || n != 200 {
		t.Fatalf("after failed compaction and crash: %d records, %v", n, got)
	}
	names, _ := l.fs.List("/d/topics/c/0")
	for _, name := range names {
		if strings.HasSuffix(name, ".cleaned") {
			t.Fatalf("leftover %s", name)
		}
	}
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	crashed := l.fs.(*vfs.MemFS).Crash(nil)
	l.Close()
	l = openTestLog(t, "/d", crashed)
	defer l.Close()
	got, n = latest(l)
	if fmt.Sprint(got) != fmt.Sprint(want) || n >= 200 {
		t.Fatalf("after compaction and crash: %d records, %v", n, got)
	}
}

func TestConcurrentCreate(t *testing.T) {
	l := openTestLog(t, "/d", vfs.NewMemFS())
	defer l.Close()
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() { errs <- l.CreateTopic(bg, "same", broker.TopicConfig{Partitions: 2}) }()
	}
	ok := 0
	for i := 0; i < 8; i++ {
		switch err := <-errs; {
		case err == nil:
			ok++
		case !errors.Is(err, broker.ErrTopicExists):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates of one topic succeeded", ok)
	}
}

// TestConcurrentReadersWriters tails a partition with tiny segments from
// several readers while several writers append, and checks that every
// reader sees every record exactly once, in offset order, with no gap.
func TestConcurrentReadersWriters(t *testing.T) {
	l := openTestLog(t, "/d", vfs.NewMemFS())
	defer l.Close()
	if err := l.CreateTopic(bg, "cc", broker.TopicConfig{SegmentBytes: 1024}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 300
	total := int64(writers * each)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for _, iso := range []broker.Isolation{broker.ReadCommitted, broker.ReadUncommitted, broker.ReadCommitted} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := l.NewReader(tp0("cc"), broker.ReaderOptions{Offset: 0, Isolation: iso, MaxBytes: 300})
			if err != nil {
				errs <- err
				return
			}
			next := int64(0)
			for next < total {
				recs, err := r.Fetch(bg)
				if err != nil {
					errs <- fmt.Errorf("fetch at %d: %w", next, err)
					return
				}
				if len(recs) == 0 {
					if err := r.Wait(bg); err != nil {
						errs <- err
						return
					}
					continue
				}
				for _, rec := range recs {
					if rec.Offset != next {
						errs <- fmt.Errorf("reader got offset %d, want %d", rec.Offset, next)
						return
					}
					next++
				}
			}
		}()
	}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := l.Append(bg, tp0("cc"), []broker.Record{{Value: []byte(strings.Repeat("v", 50))}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// fakeClock is an injectable clock for segment age and retention.
type fakeClock struct{ ms atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// TestSegmentAgeAndIdleExpiry rolls segments by age (segment.ms) and
// expires an idle partition's active segment by retention.ms.
func TestSegmentAgeAndIdleExpiry(t *testing.T) {
	clk := &fakeClock{}
	clk.ms.Store(1_000_000_000)
	l, err := Open("/d", Options{FS: vfs.NewMemFS(), CleanupInterval: -1, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.CreateTopic(bg, "age", broker.TopicConfig{SegmentMs: 60_000, RetentionMs: 3_600_000}); err != nil {
		t.Fatal(err)
	}
	p, _ := l.partition(tp0("age"))
	segs := func() int { p.mu.RLock(); defer p.mu.RUnlock(); return len(p.segs) }
	appendN(t, l, "age", 3, "a") // timestamps come from the clock
	clk.add(30 * time.Second)
	appendN(t, l, "age", 1, "b")
	if n := segs(); n != 1 {
		t.Fatalf("%d segments before segment.ms passed", n)
	}
	clk.add(31 * time.Second)
	appendN(t, l, "age", 1, "c")
	if n := segs(); n != 2 {
		t.Fatalf("%d segments after segment.ms passed, want 2", n)
	}
	// Two hours later, with no appends, everything has expired.
	clk.add(2 * time.Hour)
	if err := l.RunCleanup(bg); err != nil {
		t.Fatal(err)
	}
	d, _ := l.DescribeTopic(bg, "age")
	if pi := d.Partitions[0]; pi.StartOffset != 5 || pi.EndOffset != 5 {
		t.Fatalf("after idle expiry: %+v", pi)
	}
	if got := readValues(t, l, tp0("age"), broker.ReadCommitted); len(got) != 0 {
		t.Fatalf("expired records still readable: %v", got)
	}
	off, err := l.Append(bg, tp0("age"), []broker.Record{{Value: []byte("new")}})
	if err != nil || off != 5 {
		t.Fatalf("append after expiry: %d %v", off, err)
	}
}

// TestTxnTimeout leaves a transaction open past the timeout: it is
// aborted, read-committed readers move on, and the producer is fenced.
func TestTxnTimeout(t *testing.T) {
	clk := &fakeClock{}
	clk.ms.Store(1_000_000_000)
	l, err := Open("/d", Options{FS: vfs.NewMemFS(), CleanupInterval: -1, Now: clk.now, TxnTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.CreateTopic(bg, "tt", broker.TopicConfig{}); err != nil {
		t.Fatal(err)
	}
	pr, _ := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "stuck"})
	pr.BeginTxn()
	if _, err := pr.Append(bg, tp0("tt"), []broker.Record{{Value: []byte("stuck")}}); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, "tt", 1, "plain")
	clk.add(5 * time.Second)
	l.expireTxns()
	if got := readValues(t, l, tp0("tt"), broker.ReadCommitted); len(got) != 0 {
		t.Fatalf("before the timeout: %v", got)
	}
	clk.add(6 * time.Second)
	l.expireTxns()
	if got := strings.Join(readValues(t, l, tp0("tt"), broker.ReadCommitted), ","); got != "plain0" {
		t.Fatalf("after the timeout: %q", got)
	}
	if err := pr.CommitTxn(bg); !errors.Is(err, broker.ErrProducerFenced) {
		t.Fatalf("commit of an expired transaction: %v", err)
	}
	pr2, err := l.NewProducer(bg, broker.ProducerOptions{TransactionalID: "stuck"})
	if err != nil {
		t.Fatal(err)
	}
	pr2.BeginTxn()
	pr2.Append(bg, tp0("tt"), []broker.Record{{Value: []byte("fresh")}})
	if err := pr2.CommitTxn(bg); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(readValues(t, l, tp0("tt"), broker.ReadCommitted), ","); got != "plain0,fresh" {
		t.Fatalf("after a new producer: %q", got)
	}
}
