package state

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/sluicedb/sluice/broker"
)

// restoreBatchBytes is the size at which a restore applies its batch. Big
// enough that pebble's per-batch cost vanishes, small enough that a batch
// never becomes a flushable batch of its own.
const restoreBatchBytes = 4 << 20

// RestoreStats reports one changelog replay.
type RestoreStats struct {
	// Records is the number of changelog records applied.
	Records int64
	// Bytes is the key and value bytes applied.
	Bytes int64
	// Next is the changelog offset after the last record read.
	Next int64
	// Duration is the wall time of the replay.
	Duration time.Duration
}

// RecordsPerSecond is the replay speed.
func (r RestoreStats) RecordsPerSecond() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Records) / r.Duration.Seconds()
}

// replay applies the committed changelog records of tp from offset from to
// the end straight into pebble, in unsynced batches: a crash midway leaves a
// prefix applied, and replaying again from the same offset converges,
// because records are whole values in log order. The caller makes the
// result durable with a synced Commit recording Next.
func (st *store) replay(ctx context.Context, log broker.Log, tp broker.TopicPartition, from int64) (RestoreStats, error) {
	begin := time.Now()
	stats := RestoreStats{Next: from}
	if err := st.t.flushStore(st); err != nil {
		return stats, err
	}
	st.t.dropStoreEntries(st, nil)
	r, err := log.NewReader(tp, broker.ReaderOptions{Offset: from, Isolation: broker.ReadCommitted, MaxBytes: restoreBatchBytes})
	if err != nil {
		return stats, fmt.Errorf("state: restore %s from %s/%d: %w", st.name, tp.Topic, tp.Partition, err)
	}
	defer r.Close()
	b := st.t.db.pdb.NewBatch()
	defer func() { b.Close() }()
	maxT, streamTime := int64(noTime), int64(noTime)
	var keyBuf []byte // reused: the batch copies keys
	for {
		recs, err := r.Fetch(ctx)
		if err != nil {
			return stats, fmt.Errorf("state: restore %s from %s/%d: %w", st.name, tp.Topic, tp.Partition, err)
		}
		if len(recs) == 0 {
			break
		}
		for i := range recs {
			rec := &recs[i]
			stats.Records++
			stats.Bytes += int64(len(rec.Key) + len(rec.Value))
			if st.seg != nil && bytes.Equal(rec.Key, streamTimeKey) {
				if len(rec.Value) == time8Len {
					streamTime = max(streamTime, decodeTime(rec.Value))
				}
				continue
			}
			full, t, err := st.fullKey(keyBuf[:0], rec.Key)
			if err != nil {
				return stats, fmt.Errorf("%w: changelog %s/%d offset %d: %v", ErrCorrupt, tp.Topic, tp.Partition, rec.Offset, err)
			}
			keyBuf = full
			if rec.Value == nil {
				err = b.Delete(full, nil)
			} else {
				err = b.Set(full, rec.Value, nil)
				maxT = max(maxT, t)
			}
			if err != nil {
				return stats, fmt.Errorf("state: restore %s: %w", st.name, err)
			}
		}
		if b.Len() >= restoreBatchBytes {
			if err := st.t.db.pdb.Apply(b, pebble.NoSync); err != nil {
				return stats, fmt.Errorf("state: restore %s: %w", st.name, err)
			}
			b.Reset()
		}
	}
	if !b.Empty() {
		if err := st.t.db.pdb.Apply(b, pebble.NoSync); err != nil {
			return stats, fmt.Errorf("state: restore %s: %w", st.name, err)
		}
	}
	stats.Next = r.Position()
	if st.seg != nil {
		if err := st.seg.loadMaxSeg(); err != nil {
			return stats, err
		}
	}
	// The changelog records the stream time of windowed stores; expire
	// against it, so the restored store holds exactly what the original
	// did. A changelog written without it falls back to the newest window,
	// a lower bound of the stream time.
	if st.seg != nil {
		if streamTime == noTime {
			streamTime = maxT
		}
		if streamTime != noTime {
			if err := st.seg.expire(streamTime); err != nil {
				return stats, err
			}
		}
	}
	stats.Duration = time.Since(begin)
	return stats, nil
}

// restoreFull wipes st and rebuilds it from the whole changelog tp, then
// commits the task checkpoint with the changelog position. It commits the
// wipe first, marking the changelog to be replayed from the start, so a
// crash midway makes the next attempt start over instead of mixing old and
// new state.
func (st *store) restoreFull(ctx context.Context, log broker.Log, tp broker.TopicPartition) (RestoreStats, error) {
	if err := st.wipe(); err != nil {
		return RestoreStats{}, err
	}
	start := map[broker.TopicPartition]int64{tp: broker.OffsetEarliest}
	if err := st.t.Commit(Checkpoint{Changelogs: start}); err != nil {
		return RestoreStats{}, err
	}
	stats, err := st.replay(ctx, log, tp, broker.OffsetEarliest)
	if err != nil {
		return stats, err
	}
	err = st.t.Commit(Checkpoint{Changelogs: map[broker.TopicPartition]int64{tp: stats.Next}})
	return stats, err
}

// Restore rebuilds the store from its changelog partition tp: the store is
// wiped, every committed record is replayed, and the task commits (synced)
// with the changelog position. Call it before the task processes records;
// it commits whatever else the task has pending.
func (s *KVStore) Restore(ctx context.Context, log broker.Log, tp broker.TopicPartition) (RestoreStats, error) {
	return s.st.restoreFull(ctx, log, tp)
}

// Restore rebuilds the store from its changelog as KVStore.Restore does;
// windows past retention (relative to the newest window) are dropped.
func (s *WindowStore) Restore(ctx context.Context, log broker.Log, tp broker.TopicPartition) (RestoreStats, error) {
	return s.st.restoreFull(ctx, log, tp)
}

// Restore rebuilds the store from its changelog as KVStore.Restore does;
// sessions past retention (relative to the newest session end) are dropped.
func (s *SessionStore) Restore(ctx context.Context, log broker.Log, tp broker.TopicPartition) (RestoreStats, error) {
	return s.st.restoreFull(ctx, log, tp)
}

// RecoverOptions names what Recover compares the checkpoint with.
type RecoverOptions struct {
	// Group is the consumer group whose committed offsets the task's log
	// transactions advance.
	Group string
	// Inputs are the task's input partitions.
	Inputs []broker.TopicPartition
	// Changelogs maps the name of each of the task's stores to its
	// changelog partition. A store without one cannot be rebuilt and is
	// wiped if the state turns out to be ahead of the log.
	Changelogs map[string]broker.TopicPartition
}

// Outcome says what Recover found.
type Outcome string

// The recovery outcomes.
const (
	// OutcomeFresh: no checkpoint and no committed offsets; nothing to do.
	OutcomeFresh Outcome = "fresh"
	// OutcomeInSync: state and log agreed.
	OutcomeInSync Outcome = "in-sync"
	// OutcomeRolledForward: the log had committed beyond the state (a crash
	// between the log commit and the pebble commit, or a lost state
	// directory); the changelog tails were replayed.
	OutcomeRolledForward Outcome = "rolled-forward"
	// OutcomeRebuilt: the state was ahead of the log (the log lost
	// acknowledged data, or a runtime committed pebble first), or its
	// changelog position is no longer in the log; the stores were wiped
	// and rebuilt from their changelogs.
	OutcomeRebuilt Outcome = "rebuilt"
)

// Recovery is the result of Recover.
type Recovery struct {
	Outcome Outcome
	// Offsets are where the task resumes reading its inputs.
	Offsets map[broker.TopicPartition]int64
	// Restored reports each store's changelog replay.
	Restored map[string]RestoreStats
	// Checkpoint is the checkpoint committed at the end.
	Checkpoint Checkpoint
}

// Recover makes the task's state agree with the log before it processes
// anything: the log (committed group offsets and changelogs) is the truth,
// because it holds what downstream consumers may already have seen. See the
// package documentation for the rule. Recover discards anything pending in
// the task and ends with a synced Commit.
func (t *Task) Recover(ctx context.Context, log broker.Log, opts RecoverOptions) (Recovery, error) {
	if err := t.Abort(); err != nil {
		return Recovery{}, err
	}
	cp, hadCheckpoint, err := t.Checkpoint()
	if err != nil {
		return Recovery{}, err
	}
	logOffsets, err := log.CommittedOffsets(ctx, opts.Group)
	if err != nil {
		return Recovery{}, fmt.Errorf("state: recover %s: %w", t.id, err)
	}
	offsets := map[broker.TopicPartition]int64{}
	ahead, moved := false, false
	for _, tp := range opts.Inputs {
		l, lok := logOffsets[tp]
		if lok {
			offsets[tp] = l
		}
		p, pok := cp.Offsets[tp]
		switch {
		case pok && (!lok || p > l):
			ahead = true
		case lok && (!pok || l > p):
			moved = true
		}
	}
	byName := map[string]*store{}
	for _, st := range t.stores {
		byName[st.name] = st
	}
	for name, tp := range opts.Changelogs {
		if byName[name] == nil {
			return Recovery{}, fmt.Errorf("state: recover %s: store %q is not open", t.id, name)
		}
		pos, ok := cp.Changelogs[tp]
		if !ok || pos < 0 {
			continue
		}
		desc, err := log.DescribeTopic(ctx, tp.Topic)
		if err != nil {
			return Recovery{}, fmt.Errorf("state: recover %s: %w", t.id, err)
		}
		if int(tp.Partition) >= len(desc.Partitions) {
			return Recovery{}, fmt.Errorf("state: recover %s: %w: %s/%d", t.id, broker.ErrInvalidPartition, tp.Topic, tp.Partition)
		}
		part := desc.Partitions[tp.Partition]
		// Past the changelog's end: the state has changes the log does
		// not. Before its start: the log no longer holds the tail this
		// state needs. Either way only a rebuild is right.
		if pos > part.StableOffset || pos < part.StartOffset {
			ahead = true
		}
	}

	rec := Recovery{Restored: map[string]RestoreStats{}}
	positions := map[broker.TopicPartition]int64{}
	for _, tp := range opts.Changelogs {
		if pos, ok := cp.Changelogs[tp]; ok {
			positions[tp] = pos
		} else {
			positions[tp] = broker.OffsetEarliest
		}
	}
	if ahead {
		for _, st := range t.stores {
			if err := st.wipe(); err != nil {
				return Recovery{}, err
			}
		}
		for tp := range positions {
			positions[tp] = broker.OffsetEarliest
		}
		// Commit the wipe with the log's offsets and "replay from the
		// start": a crash during the rebuild then resumes correctly.
		if err := t.commit(Checkpoint{Offsets: offsets, Changelogs: positions}, true); err != nil {
			return Recovery{}, err
		}
	}
	var replayed int64
	for name, tp := range opts.Changelogs {
		stats, err := byName[name].replay(ctx, log, tp, positions[tp])
		if err != nil {
			return Recovery{}, err
		}
		rec.Restored[name] = stats
		positions[tp] = stats.Next
		replayed += stats.Records
	}
	next := Checkpoint{Offsets: offsets, Changelogs: positions}
	if err := t.commit(next, true); err != nil {
		return Recovery{}, err
	}
	rec.Checkpoint, _, _ = t.Checkpoint()
	rec.Offsets = maps.Clone(offsets)
	switch {
	case ahead:
		rec.Outcome = OutcomeRebuilt
	case !hadCheckpoint && len(offsets) == 0 && replayed == 0:
		rec.Outcome = OutcomeFresh
	case moved || replayed > 0:
		rec.Outcome = OutcomeRolledForward
	default:
		rec.Outcome = OutcomeInSync
	}
	return rec, nil
}
