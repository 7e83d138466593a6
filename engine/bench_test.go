package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// benchEvent is a ~120-byte JSON sensor reading.
func benchEvent(i int) []byte {
	return fmt.Appendf(nil, `{"ID":%d,"SENSOR":"sensor-%04d","SITE":"north","TEMP":%d.25,"VIBRATION":2.5,"BATTERY":88,"TS":1767225600000}`,
		i, i%1000, 40+i%60)
}

const benchStream = `CREATE STREAM bench_in (k STRING KEY, id BIGINT, sensor STRING, site STRING, temp DOUBLE, vibration DOUBLE, battery INT, ts BIGINT)
  WITH (kafka_topic='bench_in', value_format='JSON');`

const benchQuery = `CREATE STREAM bench_out AS
  SELECT k, sensor, temp, vibration, UCASE(site) AS site FROM bench_in WHERE temp > 50.0 EMIT CHANGES;`

// fillBench appends n events to a new topic with parts partitions, in
// batches, as a producer that is far ahead of the query would have.
func fillBench(tb testing.TB, l broker.Log, n, parts int) {
	ctx := context.Background()
	if err := l.CreateTopic(ctx, "bench_in", broker.TopicConfig{Partitions: parts}); err != nil {
		tb.Fatal(err)
	}
	const batch = 2000
	recs := make([][]broker.Record, parts)
	flush := func(p int) {
		if len(recs[p]) == 0 {
			return
		}
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "bench_in", Partition: int32(p)}, recs[p]); err != nil {
			tb.Fatal(err)
		}
		recs[p] = recs[p][:0]
	}
	for i := 0; i < n; i++ {
		p := i % parts
		recs[p] = append(recs[p], broker.Record{Key: []byte("s" + strconv.Itoa(i%1000)), Value: benchEvent(i), Timestamp: int64(i)})
		if len(recs[p]) == batch {
			flush(p)
		}
	}
	for p := range recs {
		flush(p)
	}
}

// BenchmarkCSAS measures the throughput workload end to end: b.N
// JSON events already in a two-partition topic on disk, then CREATE STREAM
// ... AS SELECT with a WHERE and a four-column projection with a function,
// durable and exactly once, timed from the statement to the moment every
// output is committed. Run it with -benchtime=1000000x (make bench).
func BenchmarkCSAS(b *testing.B) {
	dir := b.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	fillBench(b, l, b.N, 2)
	ctx := context.Background()
	e, err := Open(ctx, Config{Log: l, Properties: map[string]string{"auto.offset.reset": "earliest"}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	if _, err := s.Execute(ctx, benchStream); err != nil {
		b.Fatal(err)
	}
	if path := os.Getenv("SLUICE_BENCH_CPUPROFILE"); path != "" {
		// A profile of the timed part only, without the input filling.
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	start := time.Now()
	if _, err := s.Execute(ctx, benchQuery); err != nil {
		b.Fatal(err)
	}
	if err := e.WaitCaughtUp(ctx); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	rate := float64(b.N) / el.Seconds()
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(rate/2, "events/s/core")
	if q, ok := e.Catalog().Query("CSAS_BENCH_OUT_0"); ok && b.N >= 100000 {
		m := q.Metrics()
		b.Logf("%d events in %v: %.0f events/s; out %d, commits %d (mean %v, max %v)",
			b.N, el, rate, m.RecordsOut, m.Commits, m.CommitLatency, m.CommitLatencyMax)
	}
}

// BenchmarkCSASDecodeCeiling decodes the same events into a batch builder
// on one goroutine, with nothing else: the ceiling the CSAS benchmark is
// compared with (its events/s/core over this one's events/s).
func BenchmarkCSASDecodeCeiling(b *testing.B) {
	cols := []types.Column{{Name: "ID", Type: types.BigintType}, {Name: "SENSOR", Type: types.StringType},
		{Name: "SITE", Type: types.StringType}, {Name: "TEMP", Type: types.DoubleType},
		{Name: "VIBRATION", Type: types.DoubleType}, {Name: "BATTERY", Type: types.IntegerType},
		{Name: "TS", Type: types.BigintType}}
	f, err := format.Lookup("JSON")
	if err != nil {
		b.Fatal(err)
	}
	dec, err := f.NewDecoder(cols, format.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bb := types.NewBatchBuilder(memory.DefaultAllocator, types.MustSchema(cols...))
	defer bb.Release()
	out := make([]*types.ColumnBuilder, len(cols))
	for i := range out {
		out[i] = bb.Col(i)
	}
	events := make([][]byte, 1000)
	for i := range events {
		events[i] = benchEvent(i)
	}
	b.SetBytes(int64(len(events[0])))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := dec.DecodeInto(events[i%len(events)], out); err != nil {
			b.Fatal(err)
		}
		bb.AppendMeta(types.RowMeta{})
		if bb.Len() == 1024 {
			batch, err := bb.NewBatch()
			if err != nil {
				b.Fatal(err)
			}
			batch.Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestLatency measures append-to-readable latency under a trickle: 1k
// events/s into the source topic, each carrying its send time in
// nanoseconds, and a read-committed reader on the output topic noting when
// each becomes visible. It is a measurement, not a check, so it runs only
// with SLUICE_LATENCY=seconds.
func TestLatency(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("SLUICE_LATENCY"))
	if secs <= 0 {
		t.Skip("set SLUICE_LATENCY=seconds to measure latency")
	}
	ctx := context.Background()
	dir := t.TempDir()
	l, err := commitlog.Open(dir, commitlog.Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e, err := Open(ctx, Config{Log: l})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	if _, err := s.Execute(ctx, `CREATE STREAM lat_in (k STRING KEY, sent BIGINT, temp DOUBLE) WITH (kafka_topic='lat_in', value_format='JSON', partitions=2);
CREATE STREAM lat_out AS SELECT k, sent, temp FROM lat_in WHERE temp > 0 EMIT CHANGES;`); err != nil {
		t.Fatal(err)
	}
	n := secs * 1000
	var lat []time.Duration
	var got atomic.Int64
	readers := make(chan []time.Duration, 2)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for p := int32(0); p < 2; p++ {
		r, err := l.NewReader(broker.TopicPartition{Topic: "LAT_OUT", Partition: p}, broker.ReaderOptions{Offset: broker.OffsetEarliest})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer r.Close()
			var mine []time.Duration
			defer func() { readers <- mine }()
			for {
				recs, err := r.Fetch(rctx)
				if err != nil {
					return
				}
				now := time.Now().UnixNano()
				for _, rec := range recs {
					var v struct{ SENT int64 }
					if json.Unmarshal(rec.Value, &v) == nil {
						mine = append(mine, time.Duration(now-v.SENT))
						got.Add(1)
					}
				}
				if len(recs) == 0 && r.Wait(rctx) != nil {
					return
				}
			}
		}()
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; i < n; i++ {
		<-tick.C
		k := "s" + strconv.Itoa(i%100)
		v := fmt.Appendf(nil, `{"SENT":%d,"TEMP":%d.5}`, time.Now().UnixNano(), 1+i%50)
		if _, err := l.Append(ctx, broker.TopicPartition{Topic: "lat_in", Partition: int32(i % 2)}, []broker.Record{{Key: []byte(k), Value: v}}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for got.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // bounded poll for the tail
	}
	cancel()
	lat = append(<-readers, <-readers...)
	if len(lat) == 0 {
		t.Fatal("no output")
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	t.Logf("%d events at 1k/s: %d seen; latency p50 %v, p90 %v, p99 %v, max %v",
		n, len(lat), pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1])
}
