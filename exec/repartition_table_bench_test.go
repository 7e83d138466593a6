package exec

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
)

// BenchmarkTableRegroup is a GROUP BY over a 4-partition table by a value
// column, both queries of regroupSpecs (the regrouping stage with its
// store of current rows, the repartition topic, the aggregation applying
// subtract/add), durable and exactly once, over SLUICE_REGROUP_BENCH_CHANGES
// table changes (default 200,000; tableChange: 97 keys moving between 5
// groups, so almost every change is a subtract and an add). It reports
// table changes per second from the first read to the aggregation caught
// up. Run with -benchtime=1x.
func BenchmarkTableRegroup(b *testing.B) {
	n := int(envInt("SLUICE_REGROUP_BENCH_CHANGES", 200_000))
	var elapsed time.Duration
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		dir := b.TempDir()
		l := openLog(b, dir)
		createTopic(b, l, "users", 4, broker.DurabilityNone)
		createTopic(b, l, "users-repartition", 4, broker.DurabilityNone)
		createTopic(b, l, "by_region", 3, broker.DurabilityNone)
		byPart := make([][]broker.Record, 4)
		for i := 0; i < n; i++ {
			r := tableChange(i)
			p := broker.PartitionForKey(r.Key, 4)
			byPart[p] = append(byPart[p], r)
		}
		for p, recs := range byPart {
			if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "users", Partition: int32(p)}, recs); err != nil {
				b.Fatal(err)
			}
		}
		db, err := state.Open(filepath.Join(dir, "state"), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rt := NewRuntime(l, RuntimeOptions{State: db})
		stageSpec, aggSpec, err := regroupSpecs()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		stage, err := rt.Start(context.Background(), stageSpec)
		if err != nil {
			b.Fatal(err)
		}
		agg, err := rt.Start(context.Background(), aggSpec)
		if err != nil {
			b.Fatal(err)
		}
		if err := stage.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := agg.WaitCaughtUp(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		if m := stage.Metrics(); m.RecordsIn != int64(n) {
			b.Fatalf("stage read %d changes, want %d (last error %q)", m.RecordsIn, n, m.LastError)
		}
		b.ReportMetric(float64(agg.Metrics().RecordsIn)/float64(n), "records/change")
		rt.Close()
		db.Close()
		l.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "changes/s")
}
