package broker

import "testing"

// The expected hashes are the ones Kafka's own tests pin for
// Utils.murmur2, so a mismatch means records would land in other
// partitions than a Kafka producer puts them.
func TestMurmur2MatchesKafka(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int32
	}{
		{"21", -973932308},
		{"foobar", -790332482},
		{"a-little-bit-long-string", -985981536},
		{"a-little-bit-longer-string", -1486304829},
		{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
		{"abc", 479470107},
	} {
		if got := murmur2([]byte(tc.in)); got != tc.want {
			t.Errorf("murmur2(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestPartitionForKey(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64} {
		for _, k := range []string{"", "a", "21", "foobar", "key-12345"} {
			p := PartitionForKey([]byte(k), n)
			if p < 0 || int(p) >= n {
				t.Fatalf("PartitionForKey(%q, %d) = %d", k, n, p)
			}
		}
	}
	// murmur2("21") is -973932308; & 0x7fffffff = 1173551340.
	if got := PartitionForKey([]byte("21"), 7); got != int32(1173551340%7) {
		t.Fatalf("PartitionForKey(21, 7) = %d", got)
	}
}
