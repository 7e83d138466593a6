package state

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/internal/golden"
)

// TestKeyEncodingGolden pins the on-disk key encodings: changing them
// breaks existing state directories, so the diff must be deliberate.
func TestKeyEncodingGolden(t *testing.T) {
	var b strings.Builder
	for _, tm := range []int64{math.MinInt64, -1000, -1, 0, 1, 1000, math.MaxInt64} {
		fmt.Fprintf(&b, "time8(%d) = %x\n", tm, appendTime(nil, tm))
	}
	for _, k := range [][]byte{{}, []byte("a"), {0x00}, {'a', 0x00, 'b'}, {0xFF, 0x00, 0x00}} {
		fmt.Fprintf(&b, "esc(%x) = %x\n", k, appendEscaped(nil, k))
	}
	fmt.Fprintf(&b, "storePrefix(1) = %x\n", storePrefix(1))
	fmt.Fprintf(&b, "checkpoint key(q1/0) = %x\n", metaKey(metaCheckpoint, []byte("q1/0")))
	for _, d := range []struct{ a, b int64 }{{7, 2}, {-7, 2}, {-8, 2}, {0, 5}, {-1, 5}} {
		fmt.Fprintf(&b, "floorDiv(%d, %d) = %d\n", d.a, d.b, floorDiv(d.a, d.b))
	}
	got := b.String()
	path := filepath.Join("..", "testdata", "state", "keys.golden")
	golden.Check(t, path, got)
}

func TestDecodeEscapedErrors(t *testing.T) {
	for _, b := range [][]byte{{}, {'a'}, {0x00}, {0x00, 0x02}, {'a', 0x00, 0xFF}} {
		if _, _, err := decodeEscaped(b); err == nil {
			t.Errorf("decodeEscaped(%x): no error", b)
		}
	}
}

// TestKeyOrderRandomized checks that the encodings preserve order: for
// random (key, time) pairs, comparing encodings equals comparing the
// values, and decoding gives the values back.
func TestKeyOrderRandomized(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 3))
	randKey := func() []byte {
		k := make([]byte, rng.IntN(5))
		for i := range k {
			k[i] = []byte{0x00, 0x01, 0x7F, 0xFF}[rng.IntN(4)]
		}
		return k
	}
	randTime := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return int64(rng.Uint64())
		case 1:
			return []int64{math.MinInt64, -1, 0, 1, math.MaxInt64}[rng.IntN(5)]
		default:
			return rng.Int64N(200) - 100
		}
	}
	for range 20000 {
		k1, k2 := randKey(), randKey()
		t1, t2 := randTime(), randTime()
		e1 := appendTime(appendEscaped(nil, k1), t1)
		e2 := appendTime(appendEscaped(nil, k2), t2)
		want := bytes.Compare(k1, k2)
		if want == 0 {
			want = cmp.Compare(t1, t2)
		}
		if got := bytes.Compare(e1, e2); got != want {
			t.Fatalf("seed %d: order of (%x,%d) vs (%x,%d): encoded %d, want %d", seed, k1, t1, k2, t2, got, want)
		}
		k, rest, err := decodeEscaped(e1)
		if err != nil || !bytes.Equal(k, k1) || decodeTime(rest) != t1 {
			t.Fatalf("seed %d: decode (%x,%d): got (%x,%d,%v)", seed, k1, t1, k, decodeTime(rest), err)
		}
	}
}

func TestCheckpointEncoding(t *testing.T) {
	cases := []Checkpoint{
		{},
		{Seq: 1},
		{Seq: 1 << 40, Offsets: map[brokerTP]int64{{Topic: "in", Partition: 3}: 17, {Topic: "a", Partition: 0}: 0},
			Changelogs: map[brokerTP]int64{{Topic: "cl", Partition: 3}: -2}},
	}
	for _, c := range cases {
		got, err := decodeCheckpoint(c.encode())
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if got.String() != c.String() {
			t.Errorf("round trip: got %s, want %s", got, c)
		}
		enc := c.encode()
		for i := range enc {
			if _, err := decodeCheckpoint(enc[:i]); err == nil {
				t.Errorf("%s: truncated to %d bytes decodes", c, i)
			}
		}
	}
}

type brokerTP = broker.TopicPartition
