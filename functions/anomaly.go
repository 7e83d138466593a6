package functions

import (
	"fmt"
	"math"

	"github.com/sluicedb/sluice/types"
)

// Anomaly detection at the edge runs inside ordinary GROUP BY / WINDOW
// queries: these aggregates keep constant-size state per group (a few
// floats), merge across session windows, and persist like any other
// aggregate. docs/functions.md has example queries.

// runningStatsType is the result of RUNNING_STATS.
var runningStatsType = types.StructOf(
	types.Field{Name: "N", Type: types.BigintType},
	types.Field{Name: "MEAN", Type: types.DoubleType},
	types.Field{Name: "VARIANCE", Type: types.DoubleType},
	types.Field{Name: "STDDEV", Type: types.DoubleType},
	types.Field{Name: "LAST", Type: types.DoubleType},
	types.Field{Name: "ZSCORE", Type: types.DoubleType},
)

// zscoreAcc keeps Welford statistics of every value but the latest, and
// the latest value, so the z-score measures how unusual the newest value
// is against the history before it (an outlier does not dilute its own
// score).
type zscoreAcc struct {
	hist    welford
	last    float64
	hasLast bool
	stats   bool // RUNNING_STATS instead of ZSCORE
}

func (a *zscoreAcc) Add(args []any) error {
	x, ok := asFloat64(args[0])
	if !ok {
		return nil
	}
	if a.hasLast {
		a.hist.add(a.last)
	}
	a.last, a.hasLast = x, true
	return nil
}

func (a *zscoreAcc) Undo([]any) error { return ErrUndoUnsupported }

func (a *zscoreAcc) Merge(o Accumulator) error {
	b, err := sameKind[*zscoreAcc](o)
	if err != nil {
		return err
	}
	// The merged history is both histories plus this side's latest; the
	// other side's latest stays the latest (it is the newer window).
	if a.hasLast && b.hasLast {
		a.hist.add(a.last)
	}
	a.hist.merge(b.hist)
	if b.hasLast {
		a.last, a.hasLast = b.last, true
	}
	return nil
}

func (a *zscoreAcc) zscore() any {
	if !a.hasLast || a.hist.n < 2 {
		return nil
	}
	sd := math.Sqrt(a.hist.sampleVariance())
	if sd == 0 {
		return nil
	}
	return (a.last - a.hist.mean) / sd
}

func (a *zscoreAcc) Result() (any, error) {
	if !a.stats {
		return a.zscore(), nil
	}
	if !a.hasLast {
		return nil, nil
	}
	all := a.hist
	all.add(a.last)
	v := all.sampleVariance()
	return &types.Struct{Type: runningStatsType, Values: []any{all.n, all.mean, v, math.Sqrt(v), a.last, a.zscore()}}, nil
}

func (a *zscoreAcc) MarshalBinary() ([]byte, error) {
	return encodeValues(append(a.hist.values(), a.last, a.hasLast)...)
}

func (a *zscoreAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 5)
	if err != nil {
		return err
	}
	if err := a.hist.load(vs[:3]); err != nil {
		return err
	}
	last, ok1 := vs[3].(float64)
	has, ok2 := vs[4].(bool)
	if !ok1 || !ok2 {
		return errCorruptState
	}
	a.last, a.hasLast = last, has
	return nil
}

// ewmaAcc is an exponentially weighted moving average and variance
// (West's incremental form): mean += α·(x − mean),
// var = (1 − α)·(var + α·(x − mean_old)²). With withZ the result is the
// z-score of the newest value against the average and variance before it,
// which tracks drifting signals where a plain z-score would not.
type ewmaAcc struct {
	alpha     float64
	withZ     bool
	mean, v   float64
	n         int64
	lastZ     float64
	haveZ     bool
	lastOrder int64
}

func (a *ewmaAcc) Add(args []any) error {
	x, ok := asFloat64(args[0])
	if !ok {
		return nil
	}
	a.lastOrder = offsetSeq.Add(1)
	if a.n == 0 {
		a.mean, a.v, a.n, a.haveZ = x, 0, 1, false
		return nil
	}
	diff := x - a.mean
	if sd := math.Sqrt(a.v); sd > 0 {
		a.lastZ, a.haveZ = diff/sd, true
	} else {
		a.haveZ = false
	}
	incr := a.alpha * diff
	a.mean += incr
	a.v = (1 - a.alpha) * (a.v + diff*incr)
	a.n++
	return nil
}

func (a *ewmaAcc) Undo([]any) error { return ErrUndoUnsupported }

// Merge keeps the state of the side updated last: an exponentially
// weighted average is dominated by recent values, and session windows
// merge a newer session into an older one.
func (a *ewmaAcc) Merge(o Accumulator) error {
	b, err := sameKind[*ewmaAcc](o)
	if err != nil {
		return err
	}
	if b.n > 0 && (a.n == 0 || b.lastOrder > a.lastOrder) {
		alpha, withZ := a.alpha, a.withZ
		n := a.n + b.n
		*a = *b
		a.alpha, a.withZ, a.n = alpha, withZ, n
	}
	return nil
}

func (a *ewmaAcc) Result() (any, error) {
	if a.n == 0 {
		return nil, nil
	}
	if a.withZ {
		if !a.haveZ {
			return nil, nil
		}
		return a.lastZ, nil
	}
	return a.mean, nil
}

func (a *ewmaAcc) MarshalBinary() ([]byte, error) {
	return encodeValues(a.mean, a.v, a.n, a.lastZ, a.haveZ, a.lastOrder)
}

func (a *ewmaAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 6)
	if err != nil {
		return err
	}
	mean, ok1 := vs[0].(float64)
	v, ok2 := vs[1].(float64)
	n, ok3 := vs[2].(int64)
	z, ok4 := vs[3].(float64)
	hz, ok5 := vs[4].(bool)
	ord, ok6 := vs[5].(int64)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return errCorruptState
	}
	a.mean, a.v, a.n, a.lastZ, a.haveZ, a.lastOrder = mean, v, n, z, hz, ord
	return nil
}

func ewmaFactory(name string, withZ bool) AggregateFactory {
	return func(ctx AggregateContext) (func() Accumulator, error) {
		alpha, _ := asFloat64(ctx.Literals[0])
		if !(alpha > 0 && alpha <= 1) {
			return nil, fmt.Errorf("functions: %s: alpha must be in (0, 1], got %v", name, alpha)
		}
		return func() Accumulator { return &ewmaAcc{alpha: alpha, withZ: withZ} }, nil
	}
}

func anomalyFunctions() []*Function {
	tag := func(f *Function) *Function { f.Category = catAnomaly; return f }
	return []*Function{
		tag(aggregate("ZSCORE", "Returns the z-score of the newest value of a column against the mean and sample standard deviation of the earlier values in the group or window; NULL until two earlier values exist or when they are constant.",
			asig(PDouble, "z-score of the newest value.", 0, simple(func() Accumulator { return &zscoreAcc{} }), p("val", PDouble)))),
		tag(aggregate("RUNNING_STATS", "Returns streaming statistics of a column as STRUCT<N, MEAN, VARIANCE, STDDEV, LAST, ZSCORE> (sample variance; ZSCORE of LAST against the earlier values).",
			asig(Of(runningStatsType), "Count, mean, variance, standard deviation, newest value and its z-score.", 0,
				simple(func() Accumulator { return &zscoreAcc{stats: true} }), p("val", PDouble)))),
		tag(aggregate("EWMA", "Returns the exponentially weighted moving average of a column with smoothing factor alpha in (0, 1]: larger alpha follows recent values more closely.",
			asig(PDouble, "EWMA with the given alpha.", 1, ewmaFactory("EWMA", false), p("val", PDouble), p("alpha", PDouble)))),
		tag(aggregate("EWMA_ZSCORE", "Returns the z-score of the newest value against the exponentially weighted moving average and variance of the values before it (smoothing factor alpha in (0, 1]).",
			asig(PDouble, "Exponentially weighted z-score.", 1, ewmaFactory("EWMA_ZSCORE", true), p("val", PDouble), p("alpha", PDouble)))),
	}
}
