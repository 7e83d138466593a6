package commitlog

import (
	"sync/atomic"
	"time"
)

// Stats are cumulative counters since Open, for metrics endpoints and
// benchmarks. They cover every topic, internal ones included.
type Stats struct {
	// Batches and AppendedRecords count appended batches (transaction
	// markers included) and their records; AppendedBytes is their size on
	// disk.
	Batches         int64
	AppendedRecords int64
	AppendedBytes   int64
	// Syncs counts fdatasync calls on segment files, SyncTime their total
	// duration: AppendedRecords/Syncs is the group-commit batching factor.
	Syncs    int64
	SyncTime time.Duration
	// TornTails counts segment tails truncated by recovery, and segments
	// found ending short of an empty successor that recovery removed;
	// RecoveredCommits and RecoveredAborts count transactions recovery
	// completed or aborted, per partition.
	TornTails        int64
	RecoveredCommits int64
	RecoveredAborts  int64
	// SegmentsCompacted counts segment rewrites by compaction and
	// SegmentsDeleted segments removed by retention.
	SegmentsCompacted int64
	SegmentsDeleted   int64
}

type stats struct {
	batches, records, bytes  atomic.Int64
	syncs, syncNanos         atomic.Int64
	tornTails                atomic.Int64
	recCommits, recAbortions atomic.Int64
	compacted, deleted       atomic.Int64
}

// Stats returns a snapshot of the log's counters.
func (l *Log) Stats() Stats {
	s := &l.stats
	return Stats{
		Batches: s.batches.Load(), AppendedRecords: s.records.Load(), AppendedBytes: s.bytes.Load(),
		Syncs: s.syncs.Load(), SyncTime: time.Duration(s.syncNanos.Load()),
		TornTails: s.tornTails.Load(), RecoveredCommits: s.recCommits.Load(), RecoveredAborts: s.recAbortions.Load(),
		SegmentsCompacted: s.compacted.Load(), SegmentsDeleted: s.deleted.Load(),
	}
}

// timedSync syncs a segment file and counts it.
func (l *Log) timedSync(s *segment) error {
	t0 := time.Now()
	err := s.f.Sync()
	l.stats.syncs.Add(1)
	l.stats.syncNanos.Add(int64(time.Since(t0)))
	return err
}
