package commitlog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog/vfs"
)

// The crash tests: a workload appends records (and runs transactions) and
// reports each acknowledgement; the process is SIGKILLed (TestCrashKill) or
// the filesystem is crashed losing unsynced writes (TestCrashMemFS) at a
// random moment; the reopened log must hold every acknowledged record exactly
// once, in order, with no gap, and every acknowledged transaction wholly.

const (
	crashChildEnv = "SLUICE_COMMITLOG_CRASH_CHILD"
	crashRoundEnv = "SLUICE_COMMITLOG_CRASH_ROUND"
	// crashRoundsEnv overrides the number of rounds (default 20).
	crashRoundsEnv = "SLUICE_COMMITLOG_CRASH_ROUNDS"
	crashWriters   = 4
)

func crashRounds() int {
	if n, err := strconv.Atoi(os.Getenv(crashRoundsEnv)); err == nil && n > 0 {
		return n
	}
	return 20
}

var (
	// crashTopic rolls every few dozen appends, so that kills and crashes
	// often land around a roll (a kill between a roll and the write of the
	// old segment's end once left an offset gap).
	crashTopic = broker.TopicConfig{Partitions: 1, SegmentBytes: 4 << 10}
	crashTxn   = broker.TopicConfig{Partitions: 2, SegmentBytes: 64 << 10}
	// crashCompact is compacted continuously while the workload runs.
	crashCompact = broker.TopicConfig{Partitions: 1, CleanupPolicy: broker.CleanupCompact, SegmentBytes: 4096, DeleteRetentionMs: 1}
)

// crashWorkload appends until ctx is done or an append fails. Every
// acknowledged plain append is reported as "a OFFSET VALUE..." and every
// committed transaction as "t ID", through ack.
func crashWorkload(ctx context.Context, l *Log, round int, ack func(string)) {
	c := context.Background()
	for _, tc := range []struct {
		name string
		cfg  broker.TopicConfig
	}{{"crash", crashTopic}, {"crashtxn", crashTxn}, {"crashcompact", crashCompact}} {
		if err := l.CreateTopic(c, tc.name, tc.cfg); err != nil && !errors.Is(err, broker.ErrTopicExists) {
			return
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < crashWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				n := 1 + i%3
				recs := make([]broker.Record, n)
				vals := make([]string, n)
				for j := range recs {
					vals[j] = fmt.Sprintf("r%d-w%d-%d", round, w, i*3+j)
					recs[j] = broker.Record{Key: []byte{byte(w)}, Value: []byte(vals[j])}
				}
				off, err := l.Append(c, broker.TopicPartition{Topic: "crash"}, recs)
				if err != nil {
					return
				}
				ack(fmt.Sprintf("a %d %s", off, strings.Join(vals, " ")))
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			key := fmt.Sprintf("k%d", i%16)
			v := fmt.Sprintf("%d.%d", round, i)
			if _, err := l.Append(c, broker.TopicPartition{Topic: "crashcompact"}, []broker.Record{{Key: []byte(key), Value: []byte(v)}}); err != nil {
				return
			}
			ack("c " + key + " " + v)
		}
	}()
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if l.RunCleanup(c) != nil {
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		pr, err := l.NewProducer(c, broker.ProducerOptions{TransactionalID: "crash-txn"})
		if err != nil {
			return
		}
		for i := 0; ctx.Err() == nil; i++ {
			id := fmt.Sprintf("r%d-t%d", round, i)
			if pr.BeginTxn() != nil {
				return
			}
			for p := int32(0); p < 2; p++ {
				if _, err := pr.Append(c, broker.TopicPartition{Topic: "crashtxn", Partition: p}, []broker.Record{{Value: []byte(id)}}); err != nil {
					return
				}
			}
			if err := pr.SendOffsets(c, "crash-group", map[broker.TopicPartition]int64{{Topic: "crash"}: int64(round*1_000_000 + i)}); err != nil {
				return
			}
			if pr.CommitTxn(c) != nil {
				return
			}
			ack("t " + id + " " + strconv.Itoa(round*1_000_000+i))
		}
	}()
	wg.Wait()
}

// verifyCrash checks the reopened log against the acknowledgements.
func verifyCrash(t *testing.T, l *Log, acks []string) {
	t.Helper()
	c := context.Background()
	type loc struct {
		off int64
		val string
	}
	var want []loc
	txns := map[string]bool{}
	maxGroup := int64(-1)
	lastCompact := map[string][2]int{} // key -> latest acknowledged (round, i)
	for _, a := range acks {
		f := strings.Fields(a)
		switch f[0] {
		case "a":
			off, _ := strconv.ParseInt(f[1], 10, 64)
			for j, v := range f[2:] {
				want = append(want, loc{off + int64(j), v})
			}
		case "c":
			lastCompact[f[1]] = parseRoundSeq(f[2])
		case "t":
			txns[f[1]] = true
			g, _ := strconv.ParseInt(f[2], 10, 64)
			maxGroup = max(maxGroup, g)
		}
	}
	// Plain records: dense offsets from 0, values unique, per-writer order.
	r, err := l.NewReader(broker.TopicPartition{Topic: "crash"}, broker.ReaderOptions{Offset: 0, Isolation: broker.ReadUncommitted})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	seen := map[string]int64{}
	lastSeq := map[string]int{}
	next := int64(0)
	for {
		recs, err := r.Fetch(c)
		if err != nil {
			t.Fatalf("read after crash: %v", err)
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			if rec.Offset != next {
				t.Fatalf("gap: offset %d after %d\n%s", rec.Offset, next-1, describeSegments(l, broker.TopicPartition{Topic: "crash"}, next-1, rec.Offset))
			}
			next++
			v := string(rec.Value)
			if prev, dup := seen[v]; dup {
				t.Fatalf("record %q at offsets %d and %d", v, prev, rec.Offset)
			}
			seen[v] = rec.Offset
			got[rec.Offset] = v
			// r<round>-w<w>-<seq>: sequences of one writer must increase.
			i := strings.LastIndexByte(v, '-')
			seq, _ := strconv.Atoi(v[i+1:])
			if p, ok := lastSeq[v[:i]]; ok && seq <= p {
				t.Fatalf("writer %s: sequence %d after %d", v[:i], seq, p)
			}
			lastSeq[v[:i]] = seq
		}
	}
	r.Close()
	for _, w := range want {
		if got[w.off] != w.val {
			t.Fatalf("acknowledged record %q at offset %d: found %q", w.val, w.off, got[w.off])
		}
	}
	// Transactions: both partitions hold the same committed ids, every
	// acknowledged one among them, none twice.
	var parts [2]map[string]bool
	for p := range parts {
		parts[p] = map[string]bool{}
		r, err := l.NewReader(broker.TopicPartition{Topic: "crashtxn", Partition: int32(p)}, broker.ReaderOptions{Offset: 0})
		if err != nil {
			t.Fatal(err)
		}
		for {
			recs, err := r.Fetch(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			for _, rec := range recs {
				if parts[p][string(rec.Value)] {
					t.Fatalf("transaction %s twice in partition %d", rec.Value, p)
				}
				parts[p][string(rec.Value)] = true
			}
		}
		r.Close()
	}
	for id := range parts[0] {
		if !parts[1][id] {
			t.Fatalf("transaction %s committed in partition 0 only", id)
		}
	}
	if len(parts[0]) != len(parts[1]) {
		t.Fatalf("transaction %d committed in partition 1 only (%d vs %d)", len(parts[1])-len(parts[0]), len(parts[0]), len(parts[1]))
	}
	for id := range txns {
		if !parts[0][id] {
			t.Fatalf("acknowledged transaction %s lost", id)
		}
	}
	offs, _ := l.CommittedOffsets(c, "crash-group")
	if g, ok := offs[broker.TopicPartition{Topic: "crash"}]; maxGroup >= 0 && (!ok || g < maxGroup) {
		t.Fatalf("group offset %d (present %v) behind acknowledged %d", g, ok, maxGroup)
	}
	// The compacted topic: per key, versions in order, and the latest one
	// at least as new as the latest acknowledged.
	cr, err := l.NewReader(broker.TopicPartition{Topic: "crashcompact"}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string][2]int{}
	for {
		recs, err := cr.Fetch(c)
		if err != nil {
			t.Fatalf("read compacted topic after crash: %v", err)
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			k, v := string(rec.Key), parseRoundSeq(string(rec.Value))
			if p, ok := latest[k]; ok && !before(p, v) {
				t.Fatalf("compacted topic: key %s version %v after %v", k, v, p)
			}
			latest[k] = v
		}
	}
	cr.Close()
	for k, v := range lastCompact {
		if got, ok := latest[k]; !ok || before(got, v) {
			t.Fatalf("compacted topic: key %s at %v, acknowledged %v", k, got, v)
		}
	}
	d, _ := l.DescribeTopic(c, "crashtxn")
	for _, pi := range d.Partitions {
		if pi.StableOffset != pi.EndOffset {
			t.Fatalf("open transaction survived recovery: %+v", pi)
		}
	}
}

// TestCrashChild is the child process of TestCrashKill; it does nothing
// unless started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashKill")
	}
	round, _ := strconv.Atoi(os.Getenv(crashRoundEnv))
	l, err := Open(dir, Options{CleanupInterval: -1})
	if err != nil {
		fmt.Fprintln(os.Stdout, "error", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	crashWorkload(context.Background(), l, round, func(s string) {
		mu.Lock()
		out.WriteString(s + "\n")
		// Flush per ack: an ack the parent never sees is no ack.
		out.Flush()
		mu.Unlock()
	})
	os.Exit(0)
}

// TestCrashKill SIGKILLs a child process that is appending, at a random
// moment, and verifies the log after every round.
func TestCrashKill(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("SLUICE_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (set SLUICE_CRASH_SEED to reproduce)", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	var acks []string
	for round := 0; round < crashRounds(); round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// A hung child must fail the test, not hang it.
		watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		killAfter := 1 + rng.IntN(300)
		sc := bufio.NewScanner(stdout)
		n := 0
		killed := false
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("round %d child: %s", round, line)
			}
			if line == "" || !strings.ContainsRune("atc", rune(line[0])) {
				continue
			}
			acks = append(acks, line)
			n++
			if n == killAfter && !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		cmd.Wait()
		watchdog.Stop()
		if !killed {
			t.Fatalf("round %d: child exited after %d acks before being killed", round, n)
		}
		l, err := Open(dir, Options{CleanupInterval: -1})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		verifyCrash(t, l, acks)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d rounds, %d acknowledgements verified", crashRounds(), len(acks))
}

// TestCrashMemFS crashes the in-memory filesystem under a running workload,
// dropping a random part of every unsynced write, and verifies the log the
// "rebooted" filesystem holds. Every third round kills the "process"
// instead (vfs.MemFS.Kill: every write survives), which checks the order of
// the log's writes in-process, as TestCrashKill does with real processes.
func TestCrashMemFS(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("SLUICE_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (set SLUICE_CRASH_SEED to reproduce)", seed)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	fs := vfs.NewMemFS()
	var acks []string
	var compactions int64
	defer func() { t.Logf("%d segments compacted during the workload", compactions) }()
	for round := 0; round < crashRounds(); round++ {
		l, err := Open("/data", Options{FS: fs, CleanupInterval: -1})
		if err != nil {
			t.Fatalf("round %d: open: %v", round, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		crashAt := 1 + rng.IntN(300)
		kill := rng.IntN(3) == 0
		var crashed *vfs.MemFS
		done := make(chan struct{})
		go func() {
			defer close(done)
			crashWorkload(ctx, l, round, func(s string) {
				mu.Lock()
				defer mu.Unlock()
				if crashed != nil {
					return // acknowledged after the crash: never seen
				}
				acks = append(acks, s)
				if crashAt--; crashAt == 0 {
					if kill {
						crashed = fs.Kill()
					} else {
						crashed = fs.Crash(rng)
					}
					cancel()
				}
			})
		}()
		<-done
		cancel()
		compactions += l.Stats().SegmentsCompacted
		l.Close()
		mu.Lock()
		if crashed == nil {
			t.Fatalf("round %d: workload stopped before the crash", round)
		}
		fs = crashed
		mu.Unlock()
		l, err = Open("/data", Options{FS: fs, CleanupInterval: -1})
		if err != nil {
			t.Fatalf("round %d: reopen after crash: %v", round, err)
		}
		verifyCrash(t, l, acks)
		l.Close()
	}
}

// describeSegments lists a partition's segment files with their batches'
// offset ranges, for the message of a failed check: the segments near
// [from, to] (and their neighbours) batch by batch, the others counted.
func describeSegments(l *Log, tp broker.TopicPartition, from, to int64) string {
	dir := path.Join(l.topicsDir(), tp.Topic, strconv.Itoa(int(tp.Partition)))
	names, err := l.fs.List(dir)
	if err != nil {
		return err.Error()
	}
	type entry struct {
		line string
		near bool
	}
	var segs []entry
	for _, name := range names {
		if _, ok := parseSegmentName(name); !ok {
			continue
		}
		line, near := describeSegment(l.fs, path.Join(dir, name), from, to)
		if l.fs.Exists(indexName(path.Join(dir, name))) {
			line += " (indexed)"
		}
		segs = append(segs, entry{name + ": " + line, near})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d segments in %s", len(segs), dir)
	skipped := 0
	for i, e := range segs {
		show := e.near || (i > 0 && segs[i-1].near) || (i+1 < len(segs) && segs[i+1].near) || i == len(segs)-1
		if !show {
			skipped++
			continue
		}
		if skipped > 0 {
			fmt.Fprintf(&b, "\n  (%d more)", skipped)
			skipped = 0
		}
		b.WriteString("\n  " + e.line)
	}
	return b.String()
}

// describeSegment summarises one segment file, listing its batches whose
// offsets come within 5 of [from, to]; near reports whether there are any.
func describeSegment(fs vfs.FS, name string, from, to int64) (line string, near bool) {
	f, err := fs.Open(name)
	if err != nil {
		return err.Error(), false
	}
	defer f.Close()
	size, _ := f.Size()
	var first, last int64 = -1, -1
	var batches []string
	hdr := make([]byte, batchHeaderSize)
	pos := int64(0)
	for pos+batchHeaderSize <= size {
		if _, err := f.ReadAt(hdr, pos); err != nil {
			break
		}
		h, _ := parseHeader(hdr)
		if !h.plausible() {
			batches = append(batches, fmt.Sprintf("implausible header at byte %d", pos))
			break
		}
		if first < 0 {
			first = h.baseOffset
		}
		last = h.lastOffset()
		if h.lastOffset() >= from-5 && h.baseOffset <= to+5 {
			batches = append(batches, fmt.Sprintf("[%d,%d]@%d", h.baseOffset, h.lastOffset(), pos))
		}
		pos += h.size()
	}
	line = fmt.Sprintf("%d bytes, offsets %d..%d", size, first, last)
	if pos != size {
		line += fmt.Sprintf(", %d bytes after the last whole batch", size-pos)
	}
	if len(batches) > 0 {
		line += ", batches near the gap " + strings.Join(batches, " ")
	}
	return line, len(batches) > 0
}

// parseRoundSeq parses "round.i".
func parseRoundSeq(s string) [2]int {
	a, b, _ := strings.Cut(s, ".")
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return [2]int{x, y}
}

func before(a, b [2]int) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }
