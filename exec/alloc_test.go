package exec

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/sluicedb/sluice/types"
)

// TestPoolAllocator: buffers are aligned, zeroed when handed out again,
// and survive Arrow's grow/shrink pattern.
func TestPoolAllocator(t *testing.T) {
	a := &poolAllocator{}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := 0; i < 2000; i++ {
		size := rng.IntN(1 << (6 + rng.IntN(15)))
		b := a.Allocate(size)
		if len(b) != size || uintptr(unsafe.Pointer(unsafe.SliceData(b[:cap(b)])))%alignment != 0 {
			t.Fatalf("Allocate(%d): len %d, misaligned or short", size, len(b))
		}
		for j, c := range b[:cap(b)] {
			if c != 0 {
				t.Fatalf("Allocate(%d): byte %d is %d, want zeroed memory", size, j, c)
			}
		}
		for j := range b {
			b[j] = 0xff
		}
		if rng.IntN(2) == 0 {
			b = a.Reallocate(size*2+1, b)
			if len(b) != size*2+1 || b[size/2] != 0xff && size > 0 {
				t.Fatalf("Reallocate lost data")
			}
		}
		a.Free(b)
	}
}

// TestPooledBatchesStayIntact builds batches through the pool while
// earlier ones are still alive: a buffer must never be handed out twice.
func TestPooledBatchesStayIntact(t *testing.T) {
	s := types.MustSchema(types.Column{Name: "S", Type: types.StringType}, types.Column{Name: "N", Type: types.BigintType})
	bb := types.NewBatchBuilder(batchAllocator, s)
	defer bb.Release()
	var live []*types.Batch
	for round := 0; round < 50; round++ {
		for i := 0; i < 100+round; i++ {
			if err := bb.AppendRow(types.RowMeta{}, []any{string(rune('a' + round%26)), int64(round)}); err != nil {
				t.Fatal(err)
			}
		}
		b, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		live = append(live, b)
		if len(live) > 3 {
			live[0].Release()
			live = live[1:]
		}
		for _, l := range live {
			r := int(l.Int64s(1)[0])
			for i := 0; i < l.NumRows(); i++ {
				if l.StringView(0, i) != string(rune('a'+r%26)) || l.Int64s(1)[i] != int64(r) {
					t.Fatalf("round %d: batch of round %d corrupted at row %d", round, r, i)
				}
			}
		}
	}
	for _, l := range live {
		l.Release()
	}
}
