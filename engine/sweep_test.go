package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/commitlog"
)

// TestSweepTransientTopics leaves what a killed process's regrouping push
// query leaves (its repartition topic and consumer group offsets) next to
// a persistent query's internal topic, then opens the engine: the push
// query's leftovers go, the persistent query's topic stays.
func TestSweepTransientTopics(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	e, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := commitlog.Open(dir, commitlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		leftover = "_confluent-ksql-default_query_transient_PAGEVIEWS_0a1b2c3d-Aggregate-GroupBy-repartition"
		group    = "transient_PAGEVIEWS_0a1b2c3d_REPARTITION"
		kept     = "_confluent-ksql-default_query_CTAS_T_0-Aggregate-GroupBy-repartition"
	)
	for _, topic := range []string{leftover, kept} {
		if err := l.CreateTopic(ctx, topic, broker.TopicConfig{Partitions: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.CommitOffsets(ctx, group, map[broker.TopicPartition]int64{{Topic: leftover, Partition: 1}: 7}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	e, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Log().DescribeTopic(ctx, leftover); !errors.Is(err, broker.ErrUnknownTopic) {
		t.Fatalf("leftover topic after open: %v", err)
	}
	if offs, err := e.Log().CommittedOffsets(ctx, group); err != nil || len(offs) != 0 {
		t.Fatalf("leftover group after open: %v %v", offs, err)
	}
	if _, err := e.Log().DescribeTopic(ctx, kept); err != nil {
		t.Fatalf("a persistent query's topic was swept: %v", err)
	}
}
