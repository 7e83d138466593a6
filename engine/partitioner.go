package engine

import (
	"sync/atomic"

	"github.com/sluicedb/sluice/broker"
)

// partitionFor chooses the partition of a record the way Kafka's default
// partitioner does, so that rows inserted with INSERT VALUES land where a
// Kafka producer (and exec's sink) would put them: murmur2 of the key bytes,
// made positive, modulo the partition count. Records without a key are
// spread round-robin.
func partitionFor(key []byte, n int, rr *atomic.Uint32) int32 {
	if n <= 1 {
		return 0
	}
	if key == nil {
		return int32(rr.Add(1) % uint32(n))
	}
	return broker.PartitionForKey(key, n)
}
