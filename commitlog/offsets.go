package commitlog

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/broker"
)

// offsetStore is the in-memory view of __consumer_offsets: the latest
// committed offset of every group and partition. The topic is the truth; the
// map is rebuilt from it (read-committed) on open.
type offsetStore struct {
	mu     sync.Mutex
	groups map[string]map[broker.TopicPartition]int64
}

var offsetsTP = broker.TopicPartition{Topic: OffsetsTopic, Partition: 0}

// offsetKey is group NUL topic NUL partition: NUL cannot occur in topic
// names, and the key is what compaction keeps the latest value of.
func offsetKey(group string, tp broker.TopicPartition) []byte {
	return []byte(group + "\x00" + tp.Topic + "\x00" + strconv.Itoa(int(tp.Partition)))
}

func parseOffsetKey(k []byte) (string, broker.TopicPartition, bool) {
	parts := strings.Split(string(k), "\x00")
	if len(parts) != 3 {
		return "", broker.TopicPartition{}, false
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil {
		return "", broker.TopicPartition{}, false
	}
	return parts[0], broker.TopicPartition{Topic: parts[1], Partition: int32(n)}, true
}

// offsetRecords encodes a commit as records, in a stable order.
func offsetRecords(group string, offsets map[broker.TopicPartition]int64) ([]broker.Record, error) {
	if group == "" {
		return nil, fmt.Errorf("%w: empty consumer group name", broker.ErrInvalidRecord)
	}
	if strings.IndexByte(group, 0) >= 0 {
		return nil, fmt.Errorf("%w: consumer group name contains NUL", broker.ErrInvalidRecord)
	}
	tps := make([]broker.TopicPartition, 0, len(offsets))
	for tp, off := range offsets {
		if off < 0 {
			return nil, fmt.Errorf("%w: negative offset %d for %s-%d", broker.ErrInvalidRecord, off, tp.Topic, tp.Partition)
		}
		tps = append(tps, tp)
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
	recs := make([]broker.Record, len(tps))
	for i, tp := range tps {
		recs[i] = broker.Record{Key: offsetKey(group, tp), Value: binary.BigEndian.AppendUint64(nil, uint64(offsets[tp]))}
	}
	return recs, nil
}

func (s *offsetStore) apply(group string, offsets map[broker.TopicPartition]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[group]
	if g == nil {
		g = map[broker.TopicPartition]int64{}
		s.groups[group] = g
	}
	for tp, off := range offsets {
		g[tp] = off
	}
}

// load replays __consumer_offsets; it runs after transaction recovery so
// that offsets sent in aborted transactions are skipped.
func (s *offsetStore) load(l *Log) error {
	s.groups = map[string]map[broker.TopicPartition]int64{}
	p, err := l.partition(offsetsTP)
	if err != nil {
		return err
	}
	r, err := newReader(p, broker.ReaderOptions{Offset: broker.OffsetEarliest, Isolation: broker.ReadCommitted})
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		recs, err := r.Fetch(context.Background())
		if err != nil {
			return fmt.Errorf("commitlog: load consumer offsets: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		for _, rec := range recs {
			group, tp, ok := parseOffsetKey(rec.Key)
			if !ok {
				return fmt.Errorf("commitlog: load consumer offsets: bad key %q at offset %d", rec.Key, rec.Offset)
			}
			if rec.Value == nil {
				if g := s.groups[group]; g != nil {
					delete(g, tp)
				}
				continue
			}
			if len(rec.Value) != 8 {
				return fmt.Errorf("commitlog: load consumer offsets: bad value at offset %d", rec.Offset)
			}
			s.apply(group, map[broker.TopicPartition]int64{tp: int64(binary.BigEndian.Uint64(rec.Value))})
		}
	}
}

// CommitOffsets implements broker.Log.
func (l *Log) CommitOffsets(ctx context.Context, group string, offsets map[broker.TopicPartition]int64) error {
	recs, err := offsetRecords(group, offsets)
	if err != nil || len(recs) == 0 {
		return err
	}
	p, err := l.partition(offsetsTP)
	if err != nil {
		return err
	}
	if _, err := p.append(recs, batchMeta{producerID: -1, baseSeq: -1}); err != nil {
		return err
	}
	l.offsets.apply(group, offsets)
	return nil
}

// CommittedOffsets implements broker.Log.
func (l *Log) CommittedOffsets(ctx context.Context, group string) (map[broker.TopicPartition]int64, error) {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return nil, broker.ErrClosed
	}
	l.offsets.mu.Lock()
	defer l.offsets.mu.Unlock()
	out := map[broker.TopicPartition]int64{}
	for tp, off := range l.offsets.groups[group] {
		out[tp] = off
	}
	return out, nil
}

// DeleteGroup implements broker.Log: a tombstone per partition the group
// committed, so that the group stays gone when the offsets topic is
// replayed on open (load drops a partition on a null value).
func (l *Log) DeleteGroup(ctx context.Context, group string) error {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return broker.ErrClosed
	}
	l.offsets.mu.Lock()
	tps := make([]broker.TopicPartition, 0, len(l.offsets.groups[group]))
	for tp := range l.offsets.groups[group] {
		tps = append(tps, tp)
	}
	l.offsets.mu.Unlock()
	if len(tps) == 0 {
		return nil
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
	recs := make([]broker.Record, len(tps))
	for i, tp := range tps {
		recs[i] = broker.Record{Key: offsetKey(group, tp)}
	}
	p, err := l.partition(offsetsTP)
	if err != nil {
		return err
	}
	if _, err := p.append(recs, batchMeta{producerID: -1, baseSeq: -1}); err != nil {
		return err
	}
	l.offsets.mu.Lock()
	defer l.offsets.mu.Unlock()
	if g := l.offsets.groups[group]; g != nil {
		for _, tp := range tps {
			delete(g, tp)
		}
		if len(g) == 0 {
			delete(l.offsets.groups, group)
		}
	}
	return nil
}
