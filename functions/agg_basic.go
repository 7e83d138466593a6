package functions

import (
	"fmt"
	"math"
	"reflect"

	"github.com/sluicedb/sluice/types"
)

// countAcc counts rows (COUNT(*)) or non-NULL values (COUNT(x)).
type countAcc struct {
	star bool
	n    int64
}

func (a *countAcc) counts(args []any) bool { return a.star || (len(args) > 0 && args[0] != nil) }

func (a *countAcc) Add(args []any) error {
	if a.counts(args) {
		a.n++
	}
	return nil
}

func (a *countAcc) Undo(args []any) error {
	if a.counts(args) {
		a.n--
	}
	return nil
}

func (a *countAcc) Merge(o Accumulator) error {
	b, err := sameKind[*countAcc](o)
	if err != nil {
		return err
	}
	a.n += b.n
	return nil
}

func (a *countAcc) Result() (any, error)           { return a.n, nil }
func (a *countAcc) MarshalBinary() ([]byte, error) { return encodeValues(a.n) }
func (a *countAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 1)
	if err != nil {
		return err
	}
	n, ok := vs[0].(int64)
	if !ok {
		return errCorruptState
	}
	a.n = n
	return nil
}

// numOps are the arithmetic a numeric aggregate needs for one SQL type.
type numOps struct {
	zero     any
	add, sub func(a, b any) (any, error)
}

func numericOps(t *types.Type) (numOps, error) {
	switch t.Kind {
	case types.Integer:
		// Java int arithmetic wraps; ksqlDB's SUM(INT) inherits that.
		return numOps{zero: int32(0),
			add: func(a, b any) (any, error) { return a.(int32) + b.(int32), nil },
			sub: func(a, b any) (any, error) { return a.(int32) - b.(int32), nil }}, nil
	case types.Bigint:
		return numOps{zero: int64(0),
			add: func(a, b any) (any, error) { return a.(int64) + b.(int64), nil },
			sub: func(a, b any) (any, error) { return a.(int64) - b.(int64), nil }}, nil
	case types.Double:
		return numOps{zero: 0.0,
			add: func(a, b any) (any, error) { return a.(float64) + b.(float64), nil },
			sub: func(a, b any) (any, error) { return a.(float64) - b.(float64), nil }}, nil
	case types.DecimalKind:
		p, s := t.Precision, t.Scale
		fit := func(d types.Decimal) (any, error) {
			r, err := d.Fit(p, s)
			if err != nil {
				return nil, fmt.Errorf("functions: SUM: %w", err)
			}
			return r, nil
		}
		return numOps{zero: types.NewDecimal(0, int32(s)),
			add: func(a, b any) (any, error) { return fit(a.(types.Decimal).Add(b.(types.Decimal))) },
			sub: func(a, b any) (any, error) { return fit(a.(types.Decimal).Sub(b.(types.Decimal))) }}, nil
	}
	return numOps{}, fmt.Errorf("functions: no arithmetic for %s", t)
}

// sumAcc sums non-NULL values; an empty sum is zero, as in ksqlDB.
type sumAcc struct {
	ops  numOps
	sum  any
	list bool // SUM_LIST: the argument is an array of values
}

func (a *sumAcc) each(args []any, f func(any) error) error {
	if len(args) == 0 || args[0] == nil {
		return nil
	}
	if !a.list {
		return f(args[0])
	}
	for _, e := range args[0].([]any) {
		if e != nil {
			if err := f(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// set keeps a new sum, or the old one when the arithmetic failed (an
// overflow): the row is reported and skipped, the group's sum stays.
func (a *sumAcc) set(sum any, err error) error {
	if err == nil {
		a.sum = sum
	}
	return err
}

func (a *sumAcc) Add(args []any) error {
	return a.each(args, func(v any) error { return a.set(a.ops.add(a.sum, v)) })
}

func (a *sumAcc) Undo(args []any) error {
	return a.each(args, func(v any) error { return a.set(a.ops.sub(a.sum, v)) })
}

func (a *sumAcc) Merge(o Accumulator) error {
	b, err := sameKind[*sumAcc](o)
	if err != nil {
		return err
	}
	return a.set(a.ops.add(a.sum, b.sum))
}

func (a *sumAcc) Result() (any, error)           { return a.sum, nil }
func (a *sumAcc) MarshalBinary() ([]byte, error) { return encodeValues(a.sum) }
func (a *sumAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 1)
	if err != nil {
		return err
	}
	// The sum has the Go type of the call's result (never NULL): a state
	// of another type (a record of another build or query) would make the
	// next add fail its type assertion.
	if reflect.TypeOf(vs[0]) != reflect.TypeOf(a.ops.zero) {
		return errCorruptState
	}
	a.sum = vs[0]
	return nil
}

func sumFactory(list bool) AggregateFactory {
	return func(ctx AggregateContext) (func() Accumulator, error) {
		ops, err := numericOps(ctx.Return)
		if err != nil {
			return nil, err
		}
		return func() Accumulator { return &sumAcc{ops: ops, sum: ops.zero, list: list} }, nil
	}
}

// avgAcc keeps an exact or floating sum and a count.
type avgAcc struct {
	sum float64
	dec *types.Decimal
	n   int64
}

func (a *avgAcc) apply(args []any, sign int64) {
	if len(args) == 0 || args[0] == nil {
		return
	}
	if d, ok := args[0].(types.Decimal); ok {
		if sign < 0 {
			d = d.Neg()
		}
		if a.dec == nil {
			a.dec = &d
		} else {
			s := a.dec.Add(d)
			a.dec = &s
		}
	} else {
		f, _ := asFloat64(args[0])
		a.sum += float64(sign) * f
	}
	a.n += sign
}

func (a *avgAcc) Add(args []any) error  { a.apply(args, 1); return nil }
func (a *avgAcc) Undo(args []any) error { a.apply(args, -1); return nil }

func (a *avgAcc) Merge(o Accumulator) error {
	b, err := sameKind[*avgAcc](o)
	if err != nil {
		return err
	}
	a.sum += b.sum
	a.n += b.n
	if b.dec != nil {
		a.apply([]any{*b.dec}, 1)
		a.n--
	}
	return nil
}

func (a *avgAcc) Result() (any, error) {
	if a.n == 0 {
		return 0.0, nil
	}
	total := a.sum
	if a.dec != nil {
		total += a.dec.Float64()
	}
	return total / float64(a.n), nil
}

func (a *avgAcc) MarshalBinary() ([]byte, error) {
	var dec any
	if a.dec != nil {
		dec = *a.dec
	}
	return encodeValues(a.sum, dec, a.n)
}

func (a *avgAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 3)
	if err != nil {
		return err
	}
	s, ok1 := vs[0].(float64)
	n, ok2 := vs[2].(int64)
	if !ok1 || !ok2 {
		return errCorruptState
	}
	a.sum, a.n, a.dec = s, n, nil
	if d, ok := vs[1].(types.Decimal); ok {
		a.dec = &d
	}
	return nil
}

// extremeAcc keeps the MIN or MAX non-NULL value.
type extremeAcc struct {
	dir  int
	best any
}

func (a *extremeAcc) Add(args []any) error {
	if len(args) == 0 || args[0] == nil {
		return nil
	}
	if a.best == nil {
		a.best = args[0]
		return nil
	}
	c, err := types.Compare(args[0], a.best)
	if err != nil {
		return err
	}
	if c*a.dir > 0 {
		a.best = args[0]
	}
	return nil
}

func (a *extremeAcc) Undo([]any) error { return ErrUndoUnsupported }

func (a *extremeAcc) Merge(o Accumulator) error {
	b, err := sameKind[*extremeAcc](o)
	if err != nil {
		return err
	}
	return a.Add([]any{b.best})
}

func (a *extremeAcc) Result() (any, error)           { return a.best, nil }
func (a *extremeAcc) MarshalBinary() ([]byte, error) { return encodeValues(a.best) }
func (a *extremeAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 1)
	if err != nil {
		return err
	}
	a.best = vs[0]
	return nil
}

// attrAcc is ATTR: the value when every row has the same one, else NULL.
// NULL counts as a value (a group of "1" and NULL has no single value), and
// each distinct value is counted so a table update can retract rows.
type attrAcc struct {
	vals   []any
	counts []int64
}

func (a *attrAcc) find(v any) int {
	for i, x := range a.vals {
		if types.NotDistinct(x, v) {
			return i
		}
	}
	return -1
}

func (a *attrAcc) Add(args []any) error {
	if i := a.find(args[0]); i >= 0 {
		a.counts[i]++
		return nil
	}
	a.vals = append(a.vals, args[0])
	a.counts = append(a.counts, 1)
	return nil
}

func (a *attrAcc) Undo(args []any) error {
	if i := a.find(args[0]); i >= 0 {
		if a.counts[i]--; a.counts[i] <= 0 {
			a.vals = append(a.vals[:i], a.vals[i+1:]...)
			a.counts = append(a.counts[:i], a.counts[i+1:]...)
		}
	}
	return nil
}

func (a *attrAcc) Merge(o Accumulator) error {
	b, err := sameKind[*attrAcc](o)
	if err != nil {
		return err
	}
	// Counts are added, not replayed one row at a time: a stored count
	// can be large (or, corrupt, near 2^63).
	for i, v := range b.vals {
		if k := a.find(v); k >= 0 {
			a.counts[k] += b.counts[i]
			continue
		}
		a.vals = append(a.vals, v)
		a.counts = append(a.counts, b.counts[i])
	}
	return nil
}

func (a *attrAcc) Result() (any, error) {
	if len(a.vals) == 1 {
		return a.vals[0], nil
	}
	return nil, nil
}

func (a *attrAcc) MarshalBinary() ([]byte, error) {
	counts := make([]any, len(a.counts))
	for i, c := range a.counts {
		counts[i] = c
	}
	return encodeValues(append([]any{}, a.vals...), counts)
}

func (a *attrAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 2)
	if err != nil {
		return err
	}
	vals, ok1 := vs[0].([]any)
	counts, ok2 := vs[1].([]any)
	if !ok1 || !ok2 || len(vals) != len(counts) {
		return errCorruptState
	}
	a.vals, a.counts = vals, make([]int64, len(counts))
	for i, c := range counts {
		n, ok := c.(int64)
		if !ok || n <= 0 {
			return errCorruptState
		}
		a.counts[i] = n
	}
	return nil
}

// welford keeps count, mean and the sum of squared deviations (M2), with
// Chan's parallel merge and exact retraction, for STDDEV and the anomaly
// aggregates.
type welford struct {
	n        int64
	mean, m2 float64
}

func (w *welford) add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m2 += d * (x - w.mean)
}

func (w *welford) remove(x float64) {
	if w.n <= 1 {
		*w = welford{}
		return
	}
	oldMean := (float64(w.n)*w.mean - x) / float64(w.n-1)
	w.m2 -= (x - w.mean) * (x - oldMean)
	w.mean = oldMean
	w.n--
	if w.m2 < 0 {
		w.m2 = 0
	}
}

func (w *welford) merge(o welford) {
	if o.n == 0 {
		return
	}
	if w.n == 0 {
		*w = o
		return
	}
	n := w.n + o.n
	d := o.mean - w.mean
	w.mean += d * float64(o.n) / float64(n)
	w.m2 += o.m2 + d*d*float64(w.n)*float64(o.n)/float64(n)
	w.n = n
}

func (w *welford) sampleVariance() float64 {
	if w.n < 2 {
		return 0
	}
	return w.m2 / float64(w.n-1)
}

func (w *welford) values() []any { return []any{w.n, w.mean, w.m2} }

func (w *welford) load(vs []any) error {
	n, ok1 := vs[0].(int64)
	mean, ok2 := vs[1].(float64)
	m2, ok3 := vs[2].(float64)
	if !ok1 || !ok2 || !ok3 {
		return errCorruptState
	}
	*w = welford{n: n, mean: mean, m2: m2}
	return nil
}

// stddevAcc is the sample standard deviation (STDDEV_SAMPLE) or, for
// STDDEV_SAMP, the sample variance: ksqlDB's STDDEV_SAMP returns the
// variance and its conformance tests pin that, so Sluice matches it. Both
// are 0 below two values.
type stddevAcc struct {
	w        welford
	variance bool
}

func (a *stddevAcc) Add(args []any) error {
	if f, ok := asFloat64(args[0]); ok {
		a.w.add(f)
	}
	return nil
}

func (a *stddevAcc) Undo(args []any) error {
	if f, ok := asFloat64(args[0]); ok {
		a.w.remove(f)
	}
	return nil
}

func (a *stddevAcc) Merge(o Accumulator) error {
	b, err := sameKind[*stddevAcc](o)
	if err == nil {
		a.w.merge(b.w)
	}
	return err
}

func (a *stddevAcc) Result() (any, error) {
	if a.variance {
		return a.w.sampleVariance(), nil
	}
	return math.Sqrt(a.w.sampleVariance()), nil
}
func (a *stddevAcc) MarshalBinary() ([]byte, error) { return encodeValues(a.w.values()...) }
func (a *stddevAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 3)
	if err != nil {
		return err
	}
	return a.w.load(vs)
}

// corrAcc is CORRELATION: Pearson's r from running co-moments.
type corrAcc struct {
	n                   int64
	mx, my, m2x, m2y, c float64
}

func (a *corrAcc) apply(args []any, sign float64) {
	x, ok1 := asFloat64(args[0])
	y, ok2 := asFloat64(args[1])
	if !ok1 || !ok2 {
		return
	}
	if sign > 0 {
		a.n++
		n := float64(a.n)
		dx := x - a.mx
		a.mx += dx / n
		dy := y - a.my
		a.my += dy / n
		a.m2x += dx * (x - a.mx)
		a.m2y += dy * (y - a.my)
		a.c += dx * (y - a.my)
		return
	}
	if a.n <= 1 {
		*a = corrAcc{}
		return
	}
	n := float64(a.n)
	omx := (n*a.mx - x) / (n - 1)
	omy := (n*a.my - y) / (n - 1)
	a.m2x -= (x - a.mx) * (x - omx)
	a.m2y -= (y - a.my) * (y - omy)
	a.c -= (x - omx) * (y - a.my)
	a.mx, a.my = omx, omy
	a.n--
}

func (a *corrAcc) Add(args []any) error  { a.apply(args, 1); return nil }
func (a *corrAcc) Undo(args []any) error { a.apply(args, -1); return nil }

func (a *corrAcc) Merge(o Accumulator) error {
	b, err := sameKind[*corrAcc](o)
	if err != nil || b.n == 0 {
		return err
	}
	if a.n == 0 {
		*a = *b
		return nil
	}
	n := float64(a.n + b.n)
	dx, dy := b.mx-a.mx, b.my-a.my
	f := float64(a.n) * float64(b.n) / n
	a.m2x += b.m2x + dx*dx*f
	a.m2y += b.m2y + dy*dy*f
	a.c += b.c + dx*dy*f
	a.mx += dx * float64(b.n) / n
	a.my += dy * float64(b.n) / n
	a.n += b.n
	return nil
}

func (a *corrAcc) Result() (any, error) {
	if a.n < 2 || a.m2x == 0 || a.m2y == 0 {
		return math.NaN(), nil
	}
	return a.c / math.Sqrt(a.m2x*a.m2y), nil
}

func (a *corrAcc) MarshalBinary() ([]byte, error) {
	return encodeValues(a.n, a.mx, a.my, a.m2x, a.m2y, a.c)
}

func (a *corrAcc) UnmarshalBinary(b []byte) error {
	vs, err := decodeValues(b, 6)
	if err != nil {
		return err
	}
	n, ok := vs[0].(int64)
	fs := make([]float64, 5)
	for i := range fs {
		f, okf := vs[i+1].(float64)
		ok = ok && okf
		fs[i] = f
	}
	if !ok {
		return errCorruptState
	}
	*a = corrAcc{n: n, mx: fs[0], my: fs[1], m2x: fs[2], m2y: fs[3], c: fs[4]}
	return nil
}
