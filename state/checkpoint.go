package state

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sluicedb/sluice/broker"
)

// Checkpoint is what a task's Commit records beside its state: the point in
// the log that the state reflects.
type Checkpoint struct {
	// Seq counts the task's commits (1 for the first). Commit assigns it.
	Seq uint64
	// Offsets are the task's next input offsets (the group offsets its log
	// transaction committed).
	Offsets map[broker.TopicPartition]int64
	// Changelogs are, per changelog partition, the offset after the last
	// changelog record this state includes. Recovery replays a changelog
	// from here to catch up with a log that committed further.
	Changelogs map[broker.TopicPartition]int64
}

// merge returns c updated with the entries of d and the next sequence.
func (c Checkpoint) merge(d Checkpoint) Checkpoint {
	out := Checkpoint{
		Seq:        c.Seq + 1,
		Offsets:    maps.Clone(c.Offsets),
		Changelogs: maps.Clone(c.Changelogs),
	}
	if out.Offsets == nil {
		out.Offsets = map[broker.TopicPartition]int64{}
	}
	if out.Changelogs == nil {
		out.Changelogs = map[broker.TopicPartition]int64{}
	}
	maps.Copy(out.Offsets, d.Offsets)
	maps.Copy(out.Changelogs, d.Changelogs)
	return out
}

// String renders the checkpoint deterministically, for tests and logs.
func (c Checkpoint) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seq=%d", c.Seq)
	for _, part := range []struct {
		name string
		m    map[broker.TopicPartition]int64
	}{{"offsets", c.Offsets}, {"changelogs", c.Changelogs}} {
		fmt.Fprintf(&b, " %s=[", part.name)
		for i, tp := range sortedPartitions(part.m) {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s/%d:%d", tp.Topic, tp.Partition, part.m[tp])
		}
		b.WriteByte(']')
	}
	return b.String()
}

func sortedPartitions(m map[broker.TopicPartition]int64) []broker.TopicPartition {
	tps := slices.Collect(maps.Keys(m))
	slices.SortFunc(tps, func(a, b broker.TopicPartition) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return int(a.Partition) - int(b.Partition)
	})
	return tps
}

// checkpointVersion is the first byte of an encoded checkpoint.
const checkpointVersion = 1

// encode writes: version, uvarint seq, then the two maps, each as a uvarint
// count of (uvarint topic length, topic, varint partition, varint offset),
// partitions sorted so equal checkpoints encode equally.
func (c Checkpoint) encode() []byte {
	b := []byte{checkpointVersion}
	b = binary.AppendUvarint(b, c.Seq)
	for _, m := range []map[broker.TopicPartition]int64{c.Offsets, c.Changelogs} {
		b = binary.AppendUvarint(b, uint64(len(m)))
		for _, tp := range sortedPartitions(m) {
			b = binary.AppendUvarint(b, uint64(len(tp.Topic)))
			b = append(b, tp.Topic...)
			b = binary.AppendVarint(b, int64(tp.Partition))
			b = binary.AppendVarint(b, m[tp])
		}
	}
	return b
}

func decodeCheckpoint(b []byte) (Checkpoint, error) {
	bad := fmt.Errorf("%w: checkpoint", ErrCorrupt)
	if len(b) == 0 || b[0] != checkpointVersion {
		return Checkpoint{}, bad
	}
	b = b[1:]
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	sv := func() (int64, bool) {
		v, n := binary.Varint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	var c Checkpoint
	var ok bool
	if c.Seq, ok = uv(); !ok {
		return Checkpoint{}, bad
	}
	for i := range 2 {
		n, ok := uv()
		if !ok || n > uint64(len(b)) {
			return Checkpoint{}, bad
		}
		m := make(map[broker.TopicPartition]int64, n)
		for range n {
			l, ok := uv()
			if !ok || l > uint64(len(b)) {
				return Checkpoint{}, bad
			}
			topic := string(b[:l])
			b = b[l:]
			p, ok1 := sv()
			off, ok2 := sv()
			if !ok1 || !ok2 {
				return Checkpoint{}, bad
			}
			m[broker.TopicPartition{Topic: topic, Partition: int32(p)}] = off
		}
		if i == 0 {
			c.Offsets = m
		} else {
			c.Changelogs = m
		}
	}
	if len(b) != 0 {
		return Checkpoint{}, bad
	}
	return c, nil
}
