package exec

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// BenchmarkTableFilter measures what remembering the output keys costs a
// WHERE over a table: CREATE TABLE KEPT AS SELECT * FROM PEOPLE WHERE
// NAME <> 'x' over SLUICE_BENCH_EVENTS changes (default 200k; one in four
// filtered out) of 1,000 or 100,000 distinct keys, end to end from the
// log to the output topic, durable (fsynced output and changelog) and
// exactly once. "stateless" runs the
// same pipeline with the stream filter (no key store, no changelog, a
// tombstone for nothing), the cost floor; "stateful" is exec.TableFilter
// with its store, cache and changelog.
func BenchmarkTableFilter(b *testing.B) {
	n := int(envInt("SLUICE_BENCH_EVENTS", 200_000))
	for _, keys := range []int{1_000, 100_000} {
		for _, stateful := range []bool{false, true} {
			name := fmt.Sprintf("keys=%d/stateless", keys)
			if stateful {
				name = fmt.Sprintf("keys=%d/stateful", keys)
			}
			b.Run(name, func(b *testing.B) { benchTableFilter(b, n, keys, stateful) })
		}
	}
}

func benchTableFilter(b *testing.B, n, keys int, stateful bool) {
	dir := b.TempDir()
	l := openLog(b, dir)
	defer l.Close()
	const parts = 4
	createTopic(b, l, "people", parts, broker.DurabilityNone)
	byPart := make([][]broker.Record, parts)
	for i := 0; i < n; i++ {
		key := []byte(fmt.Sprintf("p%07d", (i*7919)%keys))
		// The name, and so whether the row passes, is decorrelated from
		// the key: keys come and go from the output.
		name := "abcx"[(uint32(i)*2654435761>>16)%4]
		r := broker.Record{Key: key, Value: []byte(`{"NAME":"` + string(name) + `"}`), Timestamp: 1700000000000 + int64(i)}
		p := broker.PartitionForKey(key, parts)
		byPart[p] = append(byPart[p], r)
	}
	for p, recs := range byPart {
		for len(recs) > 0 {
			k := min(len(recs), 4096)
			if _, err := l.Append(context.Background(), broker.TopicPartition{Topic: "people", Partition: int32(p)}, recs[:k]); err != nil {
				b.Fatal(err)
			}
			recs = recs[k:]
		}
	}
	b.ResetTimer()
	var elapsed time.Duration
	var out, commits int64
	var commitTime time.Duration
	for it := 0; it < b.N; it++ {
		id := fmt.Sprintf("CTAS_KEPT_%d", it)
		sink := fmt.Sprintf("kept%d", it)
		createTopic(b, l, sink, parts, broker.DurabilityFsync)
		db, err := state.Open(filepath.Join(dir, "state-"+sink), state.Options{})
		if err != nil {
			b.Fatal(err)
		}
		spec := keptSpec(id)
		spec.Source.Partitions = parts
		spec.Sink.Topic, spec.Sink.Partitions = sink, parts
		if !stateful {
			f := spec.Operators[0].(*TableFilter).Spec()
			spec.Operators = []Operator{NewFilter(types.MustSchema(peopleCols...), f.Where)}
		}
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
		m := q.Metrics()
		out += m.RecordsOut
		commits += m.Commits
		commitTime += m.CommitLatency * time.Duration(m.Commits)
		rt.Close()
		db.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(out)/float64(b.N), "records-out")
	b.ReportMetric(float64(commits)/float64(b.N), "commits")
	if commits > 0 {
		b.ReportMetric(float64(commitTime.Microseconds())/1000/float64(commits), "commit-ms")
	}
}
