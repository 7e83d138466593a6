package broker

// PartitionForKey returns the partition a keyed record belongs to: Kafka's
// default partitioner (murmur2 of the key, sign bit cleared, modulo the
// partition count). Using Kafka's function everywhere, the built-in log
// included, means a topic's data lands in the same partitions whether it is
// written by Sluice, by a Kafka client, or moved from one to the other, and
// co-partitioned joins line up. n must be positive.
func PartitionForKey(key []byte, n int) int32 {
	return int32(uint32(murmur2(key)&0x7fffffff) % uint32(n))
}

// murmur2 is the 32-bit MurmurHash2 with the seed Kafka uses, reading the
// input as little-endian 4-byte words and folding the tail the way Kafka's
// Utils.murmur2 does.
func murmur2(data []byte) int32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	n := len(data)
	h := uint32(seed) ^ uint32(n)
	i := 0
	for ; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch n - i {
	case 3:
		h ^= uint32(data[i+2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[i+1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[i])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}
