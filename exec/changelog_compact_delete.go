package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/broker"
)

// WindowedChangelogExtraRetentionMs is how much longer than its window
// store a windowed changelog keeps records: a day, as Kafka Streams'
// windowstore.changelog.additional.retention.ms. The changelog's records
// carry the time they were written and its retention runs on the log's
// clock, while the store's retention runs on stream time; the margin
// covers the two drifting apart (a stream that pauses, input that lags
// behind the wall clock), so that a restore still finds every window the
// store would hold.
const WindowedChangelogExtraRetentionMs = 24 * 60 * 60 * 1000

// windowedChangelogConfig is the configuration of the changelog of a
// windowed aggregation's store: compacted like any changelog, and also
// deleted past the store's retention plus WindowedChangelogExtraRetentionMs.
// Every window is a new key, so compaction alone would keep every window
// ever written. Segments roll once per retention period (instead of the
// log's default week) so that whole segments can expire while the
// changelog is written to.
func windowedChangelogConfig(partitions int, w *WindowSpec) broker.TopicConfig {
	retention := max(w.Retention, w.Size+w.Grace) + WindowedChangelogExtraRetentionMs
	return broker.TopicConfig{
		Partitions:    partitions,
		CleanupPolicy: broker.CleanupCompactDelete,
		RetentionMs:   retention,
		SegmentMs:     retention,
	}
}

// ensureAggregateChangelog creates the changelog topic of an aggregation's
// store, unless it exists: compact,delete for a windowed aggregation
// (windowedChangelogConfig), compacted otherwise (ensureChangelog). A
// changelog created before windowed changelogs were bounded keeps its
// compact-only policy.
func ensureAggregateChangelog(ctx context.Context, log broker.Log, topic string, tc *TaskContext, w *WindowSpec) error {
	if w == nil {
		return ensureChangelog(ctx, log, topic, tc)
	}
	d, err := log.DescribeTopic(ctx, tc.Topic)
	if err != nil {
		return fmt.Errorf("exec: aggregate input %s: %w", tc.Topic, err)
	}
	err = log.CreateTopic(ctx, topic, windowedChangelogConfig(len(d.Partitions), w))
	if err != nil && !errors.Is(err, broker.ErrTopicExists) {
		return fmt.Errorf("exec: aggregate changelog %s: %w", topic, err)
	}
	return nil
}
