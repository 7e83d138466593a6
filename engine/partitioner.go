package engine

import "sync/atomic"

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
	return int32((murmur2(key) & 0x7fffffff) % uint32(n))
}

// murmur2 is the 32-bit MurmurHash2 with Kafka's seed, as its Java client
// computes it (Utils.murmur2).
func murmur2(data []byte) uint32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	length := len(data)
	h := uint32(seed) ^ uint32(length)
	n4 := length / 4
	for i := 0; i < n4; i++ {
		j := i * 4
		k := uint32(data[j]) | uint32(data[j+1])<<8 | uint32(data[j+2])<<16 | uint32(data[j+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n4*4:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
