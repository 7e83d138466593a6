package functions

import (
	"math"
	"math/big"
	randv1 "math/rand"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sluicedb/sluice/types"
)

// randomValue builds a random value of any kind, nested up to depth.
func randomValue(r *rand.Rand, depth int) any {
	k := r.IntN(15)
	if depth <= 0 && k >= 12 {
		k = r.IntN(12)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return int32(r.Uint32())
	case 3:
		return int64(r.Uint64())
	case 4:
		return []float64{r.NormFloat64() * 1e6, math.Inf(1), math.Copysign(0, -1), 1e-300}[r.IntN(4)]
	case 5:
		u := new(big.Int).Rand(randv1.New(r2(r)), new(big.Int).Lsh(big.NewInt(1), 120))
		if r.IntN(2) == 0 {
			u.Neg(u)
		}
		return types.DecimalFromBig(u, int32(r.IntN(20)))
	case 6:
		b := make([]rune, r.IntN(8))
		for i := range b {
			b[i] = rune(r.IntN(0x2000))
		}
		return string(b)
	case 7:
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	case 8:
		return types.Date(int32(r.Uint32()))
	case 9:
		return types.Time(r.IntN(86_400_000))
	case 10:
		return types.Timestamp(int64(r.Uint64()))
	case 11:
		return "plain"
	case 12:
		n := r.IntN(4)
		out := make([]any, n)
		for i := range out {
			out[i] = randomValue(r, depth-1)
		}
		return out
	case 13:
		m := &types.Map{}
		for i := 0; i < r.IntN(4); i++ {
			m.Keys = append(m.Keys, randomValue(r, 0))
			m.Values = append(m.Values, randomValue(r, depth-1))
		}
		return m
	default:
		st := types.StructOf(types.Field{Name: "A", Type: types.IntegerType},
			types.Field{Name: "B`x", Type: types.ArrayOf(types.MapOf(types.StringType, types.DecimalOf(9, 2)))})
		return &types.Struct{Type: st, Values: []any{randomValue(r, 0), randomValue(r, depth-1)}}
	}
}

// r2 adapts math/rand/v2 to the io.Reader-free source big.Int.Rand wants.
func r2(r *rand.Rand) *randV1 { return &randV1{r} }

func TestValueCodecRoundTrip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < 2000; i++ {
		vs := []any{randomValue(r, 3), randomValue(r, 3)}
		b, err := encodeValues(vs...)
		if err != nil {
			t.Fatalf("seed %d: encode %#v: %v", seed, vs, err)
		}
		got, err := decodeValues(b, 2)
		if err != nil {
			t.Fatalf("seed %d: decode: %v", seed, err)
		}
		if !sameValue(got, vs) {
			t.Fatalf("seed %d: round trip %#v -> %#v", seed, vs, got)
		}
		// Every truncation must fail cleanly, never panic.
		for cut := 0; cut < len(b); cut++ {
			if _, err := decodeValues(b[:cut], 2); err == nil {
				t.Fatalf("seed %d: truncated state at %d/%d decoded", seed, cut, len(b))
			}
		}
	}
	if _, err := encodeValues(struct{}{}); err == nil {
		t.Fatal("unsupported Go type encoded")
	}
}

// randV1 supplies big.Int.Rand with a math/rand (v1) compatible source.
type randV1 struct{ r *rand.Rand }

func (s *randV1) Int63() int64 { return int64(s.r.Uint64() >> 1) }
func (s *randV1) Seed(int64)   {}
