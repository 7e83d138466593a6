package exec

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// Benchmarks of the runtime end to end on the built-in log:
//
//	go test -run XXX -bench Pipeline -benchtime 1x ./exec
//	go test -run XXX -bench Latency ./exec
//
// SLUICE_BENCH_EVENTS sets the pipeline's input size (default 1,000,000)
// and SLUICE_BENCH_PARTITIONS its partitions (default GOMAXPROCS);
// SLUICE_LATENCY_SECONDS the latency run's length (default 5) and
// SLUICE_LATENCY_DURABILITY its topics' durability (default fsync).

// pipelineInput prepares a data directory holding the input once per
// process: producing a million records takes longer than processing them.
var pipelineInput struct {
	once  sync.Once
	dir   string
	n     int
	parts int
	bytes int64
}

func benchInput(b *testing.B) (dir string, n, parts int) {
	in := &pipelineInput
	in.once.Do(func() {
		in.n = int(envInt("SLUICE_BENCH_EVENTS", 1_000_000))
		in.parts = int(envInt("SLUICE_BENCH_PARTITIONS", int64(runtime.GOMAXPROCS(0))))
		dir, err := os.MkdirTemp("", "sluice-exec-bench")
		if err != nil {
			b.Fatal(err)
		}
		in.dir = dir
		l := openLog(b, dir)
		createTopic(b, l, "readings", in.parts, broker.DurabilityNone)
		produce(b, l, "readings", in.parts, 0, in.n)
		for i := 0; i < in.n; i++ {
			in.bytes += int64(len(reading(i).Value))
		}
		l.Close()
	})
	return in.dir, in.n, in.parts
}

// BenchmarkPipeline runs the hot query (WHERE + 4-column projection with
// UCASE, JSON in and out) over the input to a fresh output topic with the
// default durability (fsync) and exactly-once commits, and reports events/s
// overall and per core. Each iteration is a new query id, so it starts
// from the beginning of the input.
func BenchmarkPipeline(b *testing.B) {
	dir, n, parts := benchInput(b)
	l := openLog(b, dir)
	defer l.Close()
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	b.ResetTimer()
	var total, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		out := fmt.Sprintf("hot-%d-%d", time.Now().UnixNano(), i)
		createTopic(b, l, out, parts, "")
		spec := hotSpec(b, "BENCH_"+out, "readings", out, parts, parts)
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		q, err := rt.Start(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		if err := q.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		cpu += cpuTime() - cpu0
		b.StopTimer()
		m := q.Metrics()
		if err := q.Stop(context.Background()); err != nil {
			b.Fatal(err)
		}
		if m.RecordsIn != int64(n) {
			b.Fatalf("read %d records, want %d", m.RecordsIn, n)
		}
		b.Logf("%d events in %v: %d out, %d commits, commit latency mean %v max %v",
			n, time.Since(start).Round(time.Millisecond), m.RecordsOut, m.Commits, m.CommitLatency, m.CommitLatencyMax)
		b.StartTimer()
	}
	evs := float64(n) * float64(b.N) / total.Seconds()
	b.ReportMetric(evs, "events/s")
	b.ReportMetric(evs/float64(runtime.GOMAXPROCS(0)), "events/s/core")
	// On a shared machine the wall clock also measures the neighbours;
	// events per CPU-second of this process is the cost of the pipeline.
	b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(0, "ns/op")
}

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeCeiling decodes the pipeline's records with the JSON
// format into batches, nothing else: the ceiling the pipeline is compared
// against (per core: run with -cpu 1).
func BenchmarkDecodeCeiling(b *testing.B) {
	recs := make([][]byte, 4096)
	for i := range recs {
		recs[i] = reading(i).Value
	}
	s := types.MustSchema(readingCols[1:]...)
	dec, err := format.Lookup(format.JSON)
	if err != nil {
		b.Fatal(err)
	}
	d, err := dec.NewDecoder(readingCols[1:], format.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bb := types.NewBatchBuilder(nil, s)
	defer bb.Release()
	outs, _ := format.BuildersFor(bb, readingCols[1:])
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := d.DecodeInto(recs[i%len(recs)], outs); err != nil {
			b.Fatal(err)
		}
		bb.AppendMeta(types.RowMeta{})
		if bb.Len() == DefaultMaxBatchRows {
			batch, err := bb.NewBatch()
			if err != nil {
				b.Fatal(err)
			}
			batch.Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// Comparable with BenchmarkPipeline's events/cpu-s on a shared machine.
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
}

// BenchmarkLatency appends a trickle of events (1,000/s) to the input of a
// running hot query and measures, per event, the time from the append to
// the moment its result is readable (read-committed) in the output topic.
func BenchmarkLatency(b *testing.B) {
	seconds := envInt("SLUICE_LATENCY_SECONDS", 5)
	for i := 0; i < b.N; i++ {
		lat := runLatency(b, time.Duration(seconds)*time.Second, 1000)
		slices.Sort(lat)
		q := func(p float64) float64 {
			return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond)
		}
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(q(1), "max-ms")
		b.ReportMetric(float64(len(lat)), "events")
		b.ReportMetric(0, "ns/op")
	}
}

func runLatency(b *testing.B, d time.Duration, rate int) []time.Duration {
	dir := b.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	// SLUICE_LATENCY_DURABILITY=none separates the runtime's share from
	// the disk's (the default, fsync, is what users get).
	dur := broker.Durability(os.Getenv("SLUICE_LATENCY_DURABILITY"))
	createTopic(b, l, "readings", 1, dur)
	createTopic(b, l, "hot", 1, dur)
	rt := NewRuntime(l, RuntimeOptions{})
	defer rt.Close()
	spec := hotSpec(b, "LAT", "readings", "hot", 1, 1)
	spec.Source.FromBeginning = false
	q, err := rt.Start(context.Background(), spec)
	if err != nil {
		b.Fatal(err)
	}
	defer q.Stop(context.Background())

	total := int(d.Seconds() * float64(rate))
	sent := make([]time.Time, total)
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()

	// The consumer: every committed output record, stamped on arrival.
	var lat []time.Duration
	consumed := make(chan error, 1)
	go func() {
		r, err := l.NewReader(broker.TopicPartition{Topic: "hot"}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
		if err != nil {
			consumed <- err
			return
		}
		defer r.Close()
		want := 0
		for i := 0; i < total; i++ {
			if hotExpected(i) {
				want++
			}
		}
		for len(lat) < want {
			recs, err := r.Fetch(ctx)
			if err != nil {
				consumed <- err
				return
			}
			now := time.Now()
			for _, rec := range recs {
				var v struct{ ID int }
				if err := json.Unmarshal(rec.Value, &v); err != nil {
					consumed <- err
					return
				}
				mu.Lock()
				lat = append(lat, now.Sub(sent[v.ID]))
				mu.Unlock()
			}
			if len(recs) == 0 {
				if err := r.Wait(ctx); err != nil {
					consumed <- err
					return
				}
			}
		}
		consumed <- nil
	}()

	// The producer: one event per tick, paced against the start so that a
	// slow append does not lower the rate.
	interval := time.Second / time.Duration(rate)
	appends := make([]time.Duration, 0, total)
	start := time.Now()
	for i := 0; i < total; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		rec := reading(i)
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "readings"}, []broker.Record{rec}); err != nil {
			b.Fatal(err)
		}
		appends = append(appends, time.Since(sent[i]))
	}
	// The source append alone (the log's durability, no query involved)
	// shows how much of the tail the disk accounts for.
	slices.Sort(appends)
	b.ReportMetric(float64(appends[len(appends)*99/100])/float64(time.Millisecond), "src-append-p99-ms")
	if err := <-consumed; err != nil {
		mu.Lock()
		got := len(lat)
		mu.Unlock()
		b.Fatalf("%v: %d results read; query %s %+v", err, got, q.State(), q.Metrics())
	}
	m := q.Metrics()
	b.Logf("%d events at %d/s: %d commits, commit latency mean %v max %v", total, rate, m.Commits, m.CommitLatency, m.CommitLatencyMax)
	return lat
}

// TestMain removes the benchmark input, which outlives single benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	if pipelineInput.dir != "" {
		os.RemoveAll(pipelineInput.dir)
	}
	os.Exit(code)
}
