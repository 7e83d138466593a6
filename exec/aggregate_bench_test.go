package exec

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// BenchmarkAggregateTumbling is the aggregation workload of issue 7:
//
//	CREATE TABLE T AS SELECT DEVICE, AVG(TEMP), COUNT(*) FROM EVENTS
//	  WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY DEVICE;
//
// over SLUICE_AGG_BENCH_EVENTS JSON events (default 1,000,000) from 1,000
// devices, 1,000 events per second of event time, on 2 partitions keyed
// by device. It reports events/s through the whole pipeline (decode,
// aggregate in pebble, encode, exactly-once commits) and the process's
// peak RSS. Run with -benchtime=1x.
func BenchmarkAggregateTumbling(b *testing.B) {
	n := int(envInt("SLUICE_AGG_BENCH_EVENTS", 1_000_000))
	const devices, parts = 1000, 2
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
		key := []byte("device-" + strconv.Itoa(i%devices))
		v := fmt.Sprintf(`{"temp":%d.%d,"site":"site-%d"}`, 10+i%25, i%10, i%16)
		p := broker.PartitionForKey(key, parts)
		byPart[p] = append(byPart[p], broker.Record{Key: key, Value: []byte(v), Timestamp: 1_700_000_000_000 + int64(i)})
		if len(byPart[p]) == 4096 {
			flush()
		}
	}
	flush()

	b.ResetTimer()
	var elapsed time.Duration
	for it := 0; it < b.N; it++ {
		out := fmt.Sprintf("t%d", it)
		createTopic(b, l, out, parts, broker.DurabilityNone)
		db, err := state.Open(filepath.Join(dir, "state-"+out), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		spec := benchWindowSpec(b, "CTAS_"+out, out, parts)
		rt := NewRuntime(l, RuntimeOptions{State: db})
		start := time.Now()
		q, err := rt.Start(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		if err := q.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if got := q.Metrics().RecordsOut; got != int64(n) {
			b.Fatalf("%d updates, want %d", got, n)
		}
		rt.Close()
		db.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	}
}

// benchWindowSpec lays out the benchmark's query as the planner would.
func benchWindowSpec(tb testing.TB, id, out string, parts int) *QuerySpec {
	reg := functions.Builtins()
	avg, err := reg.Resolve("AVG", functions.TypeArgs(types.DoubleType))
	if err != nil {
		tb.Fatal(err)
	}
	count, err := reg.Resolve("COUNT", nil)
	if err != nil {
		tb.Fatal(err)
	}
	newAvg, err := avg.Accumulator(nil, functions.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	newCount, err := count.Accumulator(nil, functions.Config{})
	if err != nil {
		tb.Fatal(err)
	}
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
	at := func(i int) Evaluator { return EvalFunc(func(row []any) (any, error) { return row[i], nil }) }
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
			GroupBy: []Evaluator{at(0)},
			Calls: []AggregateCall{
				{New: func() Accumulator { return newAvg() }, Args: []Evaluator{at(1)}},
				{New: func() Accumulator { return newCount() }},
			},
			// Result row: DEVICE, AVG, COUNT, WINDOWSTART, WINDOWEND, pseudo.
			Project:   []Evaluator{at(0), at(1), at(2), at(3)},
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
