package functions

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sluicedb/sluice/types"
)

func TestAnomalyAggregates(t *testing.T) {
	D := types.DoubleType
	stats := func(n int64, mean, variance, last float64, z any) *types.Struct {
		return &types.Struct{Type: runningStatsType, Values: []any{n, mean, variance, math.Sqrt(variance), last, z}}
	}
	runAggCases(t, []aggCase{
		// History 10, 12: mean 11, sd √2, so 14 scores 3/√2; history
		// 10, 12, 14: mean 12, sample sd 2, so 20 is 4 sd above.
		{name: "zscore", fn: "ZSCORE", argTypes: []*types.Type{D}, steps: []aggStep{add(10.0), add(12.0), add(14.0), add(20.0), add(nil)},
			want: arr(nil, nil, 2.1213203435596424, 4.0, 4.0)},
		{name: "zscore constant history", fn: "ZSCORE", argTypes: []*types.Type{D}, steps: []aggStep{add(5.0), add(5.0), add(5.0), add(9.0)}, want: arr(nil, nil, nil, nil)},
		{name: "running stats", fn: "RUNNING_STATS", argTypes: []*types.Type{D}, steps: []aggStep{add(10.0), add(12.0), add(14.0), add(20.0)},
			want: arr(stats(1, 10, 0, 10, nil), stats(2, 11, 2, 12, nil), stats(3, 12, 4, 14, 2.1213203435596424), stats(4, 14, 56.0/3, 20, 4.0))},
		// EWMA with alpha 0.5: 10, then 0.5·20 + 0.5·10 = 15, then 12.5.
		{name: "ewma", fn: "EWMA", argTypes: []*types.Type{D}, literals: arr(0.5), steps: []aggStep{add(10.0), add(20.0), add(10.0), add(nil)}, want: arr(10.0, 15.0, 12.5, 12.5)},
		// EWMA_ZSCORE: after 10, 20 the mean is 15 and the variance
		// 0.5·(0 + 10·5) = 25 (sd 5); 25 is then 2 sd above.
		{name: "ewma zscore", fn: "EWMA_ZSCORE", argTypes: []*types.Type{D}, literals: arr(0.5), steps: []aggStep{add(10.0), add(20.0), add(25.0)}, want: arr(nil, nil, 2.0)},
		{name: "ewma undo", fn: "EWMA", argTypes: []*types.Type{D}, literals: arr(0.5), steps: []aggStep{add(1.0), undo(1.0)}, err: "undo"},
	})
	c, err := Builtins().Resolve("EWMA", TypeArgs(types.DoubleType, types.DoubleType))
	if err != nil {
		t.Fatal(err)
	}
	for _, alpha := range []any{0.0, 1.5, -1.0} {
		if _, err := c.Accumulator(arr(alpha), Config{}); err == nil {
			t.Errorf("alpha %v accepted", alpha)
		}
	}
	if _, err := Builtins().Resolve("ZSCORE", TypeArgs(types.IntegerType)); err != nil {
		t.Errorf("ZSCORE(INTEGER) should widen: %v", err)
	}
}

// TestZScoreFlagsInjectedOutliers streams seeded Gaussian noise with a few
// injected spikes and checks that |z| > 5 flags exactly the spikes.
func TestZScoreFlagsInjectedOutliers(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	newAcc, _ := newAgg(t, "ZSCORE", []*types.Type{types.DoubleType}, nil, Config{})
	acc := newAcc()
	spikes := map[int]bool{200: true, 500: true, 777: true}
	for i := 0; i < 1000; i++ {
		x := 50 + 2*rng.NormFloat64()
		// Keep ordinary points within 3 sd so that, with at least 100
		// points of history, none can reach |z| > 5 for any seed.
		x = math.Max(44, math.Min(56, x))
		if spikes[i] {
			x = 50 + 40
		}
		if err := acc.Add([]any{x}); err != nil {
			t.Fatal(err)
		}
		z, _ := acc.Result()
		if i < 100 {
			continue
		}
		flagged := z != nil && math.Abs(z.(float64)) > 5
		if flagged != spikes[i] {
			t.Fatalf("seed %d: point %d (x=%.2f) z=%v flagged=%v", seed, i, x, z, flagged)
		}
	}
}
