package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// The aggregation workloads of issue 7. Each writes its input once, then
// runs the query b.N times from the beginning of the input into a fresh
// output topic and state directory, durable and exactly once (the output
// and changelog topics are fsynced at each commit, and so is the pebble
// checkpoint), and reports:
//
//	events/s       input records through the whole pipeline (decode,
//	               aggregate in pebble, encode, transactional commits)
//	cpu-us/event   user+system CPU of the process per input record; on a
//	               machine shared with other work it moves less than the
//	               wall-clock rate does
//	peak-RSS-MiB   the process's peak resident set while the query ran
//	               (the high-water mark is reset before each run where
//	               Linux allows it, so benchmarks in one process do not
//	               inherit each other's peak)
//	commits, commit-ms   transactions committed and their mean latency
//
// Run with -benchtime=1x; the input sizes are environment variables, and
// SLUICE_STATE_MEMORY sets the state stores' budget in bytes (what `sluice
// server --memory-limit` gives them: a quarter of the limit; with
// GOMEMLIMIT set to the limit the run is the flag's configuration).

// BenchmarkAggregateTumbling is
//
//	CREATE TABLE T AS SELECT DEVICE, AVG(TEMP), COUNT(*) FROM EVENTS
//	  WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY DEVICE;
//
// over SLUICE_AGG_BENCH_EVENTS JSON events (default 1,000,000) from 1,000
// devices, 1,000 events per second of event time, on 2 partitions keyed
// by device.
func BenchmarkAggregateTumbling(b *testing.B) {
	benchTumbling(b, int(envInt("SLUICE_AGG_BENCH_EVENTS", 1_000_000)), 1000)
}

// BenchmarkAggregateTumbling100kKeys is the same query with 100,000
// distinct devices: the state no longer fits a few pebble blocks, and
// every device's windows are far apart.
func BenchmarkAggregateTumbling100kKeys(b *testing.B) {
	benchTumbling(b, int(envInt("SLUICE_AGG_BENCH_EVENTS", 1_000_000)), 100_000)
}

func benchTumbling(b *testing.B, n, devices int) {
	const parts = 2
	gen := func(i int) (key, value []byte, ts int64) {
		key = []byte("device-" + strconv.Itoa(i%devices))
		value = fmt.Appendf(nil, `{"temp":%d.%d,"site":"site-%d"}`, 10+i%25, i%10, i%16)
		return key, value, 1_700_000_000_000 + int64(i)
	}
	runAggBench(b, n, parts, gen, func(id, out string) *QuerySpec { return benchWindowSpec(b, id, out, parts) }, int64(n))
}

// BenchmarkNexmarkQ5Hopping is the shape of Nexmark's query 5 (hot
// items), the part that keeps state:
//
//	CREATE TABLE HOT AS SELECT AUCTION, COUNT(*) AS BIDS FROM BID
//	  WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS)
//	  GROUP BY AUCTION;
//
// over SLUICE_NEXMARK_BIDS bid events (default 1,000,000), keyed by
// auction as the repartition before the aggregation would leave them.
// Bids come from a seeded generator (SLUICE_NEXMARK_SEED; the seed is
// logged): 9,200 bids per second of event time, a new auction every ~15
// bids, half the bids on a hot auction and the rest on one of the 100
// newest. Every bid updates 5 windows, so the query writes 5 rows per bid.
func BenchmarkNexmarkQ5Hopping(b *testing.B) {
	n := int(envInt("SLUICE_NEXMARK_BIDS", 1_000_000))
	seed := uint64(envInt("SLUICE_NEXMARK_SEED", 7))
	b.Logf("nexmark seed %d (SLUICE_NEXMARK_SEED)", seed)
	const parts = 2
	gen := nexmarkBids(seed)
	runAggBench(b, n, parts, gen, func(id, out string) *QuerySpec { return nexmarkQ5Spec(b, id, out, parts) }, 5*int64(n))
}

// nexmarkBids returns a deterministic generator of bid i: key (the auction
// id as a KAFKA BIGINT), JSON value and event time. It must be called with
// i = 0, 1, 2, ... in order.
func nexmarkBids(seed uint64) func(i int) (key, value []byte, ts int64) {
	const (
		bidsPerSecond  = 9200
		auctionsPerSec = 600
		inFlight       = 100
		firstAuction   = 1000
	)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(i int) ([]byte, []byte, int64) {
		newest := int64(firstAuction + i*auctionsPerSec/bidsPerSecond)
		auction := newest - newest%64 // the hot one
		if rng.IntN(2) == 0 {
			auction = max(firstAuction, newest-rng.Int64N(inFlight))
		}
		ts := 1_700_000_000_000 + int64(i)*1000/bidsPerSecond
		bidder := 2000 + rng.Int64N(5000)
		value := fmt.Appendf(nil, `{"bidder":%d,"price":%d,"channel":"channel-%d","url":"https://www.nexmark.com/item.htm?query=1&channel_id=%d","dateTime":%d}`,
			bidder, 100+rng.Int64N(10_000_000), bidder%10, bidder%1000, ts)
		return binary.BigEndian.AppendUint64(nil, uint64(auction)), value, ts
	}
}

// runAggBench appends n generated records to an input topic of parts
// partitions (keys partitioned by murmur2), runs the query spec builds b.N
// times and reports the metrics described at the top of this file. want is
// the number of rows each run must write.
func runAggBench(b *testing.B, n, parts int, gen func(i int) (key, value []byte, ts int64), spec func(id, out string) *QuerySpec, want int64) {
	dir := b.TempDir()
	l := openLog(b, dir)
	defer l.Close()
	createTopic(b, l, "events", parts, broker.DurabilityNone)
	byPart := make([][]broker.Record, parts)
	flush := func() {
		for p, recs := range byPart {
			if len(recs) > 0 {
				if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "events", Partition: int32(p)}, recs); err != nil {
					b.Fatal(err)
				}
				byPart[p] = recs[:0]
			}
		}
	}
	for i := 0; i < n; i++ {
		key, value, ts := gen(i)
		p := broker.PartitionForKey(key, parts)
		byPart[p] = append(byPart[p], broker.Record{Key: key, Value: value, Timestamp: ts})
		if len(byPart[p]) == 4096 {
			flush()
		}
	}
	flush()
	byPart = nil

	debug.FreeOSMemory()
	resetPeakRSS()
	b.ResetTimer()
	var elapsed, cpu time.Duration
	var commits int64
	var commitTime time.Duration
	for it := 0; it < b.N; it++ {
		out := fmt.Sprintf("t%d", it)
		createTopic(b, l, out, parts, broker.DurabilityFsync)
		db, err := state.Open(filepath.Join(dir, "state-"+out), state.Options{MemoryBudget: envInt("SLUICE_STATE_MEMORY", 0)})
		if err != nil {
			b.Fatal(err)
		}
		rt := NewRuntime(l, RuntimeOptions{State: db})
		cpu0 := processCPU()
		start := time.Now()
		q, err := rt.Start(context.Background(), spec("CTAS_"+out, out))
		if err != nil {
			b.Fatal(err)
		}
		if err := q.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		m := q.Metrics()
		if m.RecordsOut != want {
			b.Fatalf("%d updates, want %d (last error %q)", m.RecordsOut, want, m.LastError)
		}
		commits += m.Commits
		commitTime += m.CommitLatency * time.Duration(m.Commits)
		rt.Close()
		db.Close()
	}
	b.StopTimer()
	events := float64(n) * float64(b.N)
	b.ReportMetric(events/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/events, "cpu-us/event")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
	b.ReportMetric(float64(commits)/float64(b.N), "commits")
	if commits > 0 {
		b.ReportMetric(float64(commitTime.Microseconds())/1000/float64(commits), "commit-ms")
	}
}

// processCPU returns the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's high-water mark of the process's
// resident set to its current size (Linux 4.0 and later; elsewhere it does
// nothing and peakRSS reports the peak since the process started).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak resident set in bytes since the last
// resetPeakRSS, or since it started.
func peakRSS() int64 {
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(status)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10
}

// benchWindowSpec lays out the tumbling benchmarks' query as the planner
// would.
func benchWindowSpec(tb testing.TB, id, out string, parts int) *QuerySpec {
	reg := functions.Builtins()
	avg, err := reg.Resolve("AVG", functions.TypeArgs(types.DoubleType))
	if err != nil {
		tb.Fatal(err)
	}
	newAvg, err := avg.Accumulator(nil, functions.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	newCount := countAccumulator(tb)
	in := []types.Column{
		{Name: "DEVICE", Type: types.StringType, Key: true},
		{Name: "TEMP", Type: types.DoubleType},
		{Name: "SITE", Type: types.StringType},
	}
	res := []types.Column{
		{Name: "DEVICE", Type: types.StringType, Key: true},
		{Name: "AVG_TEMP", Type: types.DoubleType},
		{Name: "N", Type: types.BigintType},
		{Name: "$WINDOWSTART", Type: types.BigintType},
	}
	return &QuerySpec{
		ID: id,
		Source: SourceSpec{
			Topic: "events", Partitions: parts, Schema: types.MustSchema(in...),
			Key:             SerdeSpec{Format: format.Kafka, Columns: in[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: in[1:]},
			TimestampColumn: -1, FromBeginning: true,
		},
		Operators: []Operator{NewAggregate(&AggregateSpec{
			Schema:  types.MustSchema(res...),
			GroupBy: []Evaluator{benchColumn(0)},
			Calls: []AggregateCall{
				{New: func() Accumulator { return newAvg() }, Args: []Evaluator{benchColumn(1)}},
				{New: func() Accumulator { return newCount() }},
			},
			// Result row: DEVICE, AVG, COUNT, WINDOWSTART, WINDOWEND, pseudo.
			Project:   []Evaluator{benchColumn(0), benchColumn(1), benchColumn(2), benchColumn(3)},
			Operator:  "Aggregate",
			Changelog: id + "-changelog",
			Window:    &WindowSpec{Size: 1000, Advance: 1000, Grace: 0},
		})},
		Sink: &SinkSpec{
			Topic: out, Partitions: parts,
			KeyColumns: []int{0}, ValueColumns: []int{1, 2},
			Key:             SerdeSpec{Format: format.Kafka, Columns: res[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: res[1:3]},
			TimestampColumn: -1, Windowed: true, WindowStartColumn: 3,
		},
	}
}

// nexmarkQ5Spec lays out BenchmarkNexmarkQ5Hopping's query.
func nexmarkQ5Spec(tb testing.TB, id, out string, parts int) *QuerySpec {
	newCount := countAccumulator(tb)
	in := []types.Column{
		{Name: "AUCTION", Type: types.BigintType, Key: true},
		{Name: "BIDDER", Type: types.BigintType},
		{Name: "PRICE", Type: types.BigintType},
		{Name: "CHANNEL", Type: types.StringType},
		{Name: "URL", Type: types.StringType},
		{Name: "DATETIME", Type: types.BigintType},
	}
	res := []types.Column{
		{Name: "AUCTION", Type: types.BigintType, Key: true},
		{Name: "BIDS", Type: types.BigintType},
		{Name: "$WINDOWSTART", Type: types.BigintType},
	}
	return &QuerySpec{
		ID: id,
		Source: SourceSpec{
			Topic: "events", Partitions: parts, Schema: types.MustSchema(in...),
			Key:             SerdeSpec{Format: format.Kafka, Columns: in[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: in[1:]},
			TimestampColumn: -1, FromBeginning: true,
		},
		Operators: []Operator{NewAggregate(&AggregateSpec{
			Schema:  types.MustSchema(res...),
			GroupBy: []Evaluator{benchColumn(0)},
			Calls:   []AggregateCall{{New: func() Accumulator { return newCount() }}},
			// Result row: AUCTION, COUNT, WINDOWSTART, WINDOWEND, pseudo.
			Project:   []Evaluator{benchColumn(0), benchColumn(1), benchColumn(2)},
			Operator:  "Aggregate",
			Changelog: id + "-changelog",
			Window:    &WindowSpec{Size: 10_000, Advance: 2_000, Grace: 0},
		})},
		Sink: &SinkSpec{
			Topic: out, Partitions: parts,
			KeyColumns: []int{0}, ValueColumns: []int{1},
			Key:             SerdeSpec{Format: format.Kafka, Columns: res[:1]},
			Value:           SerdeSpec{Format: format.JSON, Columns: res[1:2]},
			TimestampColumn: -1, Windowed: true, WindowStartColumn: 2,
		},
	}
}

func countAccumulator(tb testing.TB) func() functions.Accumulator {
	count, err := functions.Builtins().Resolve("COUNT", nil)
	if err != nil {
		tb.Fatal(err)
	}
	newCount, err := count.Accumulator(nil, functions.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return newCount
}

// benchColumn reads column i of the row, as a compiled column reference
// would.
func benchColumn(i int) Evaluator {
	return EvalFunc(func(row []any) (any, error) { return row[i], nil })
}
