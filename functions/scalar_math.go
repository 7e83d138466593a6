package functions

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/sluicedb/sluice/types"
)

func mathFunctions() []*Function {
	fs := []*Function{
		scalar("ABS", catMath, "Returns the absolute value of its argument.", numericUnary(
			func(v int32) (any, error) { return absInt32(v) },
			func(v int64) (any, error) { return absInt64(v) },
			func(v float64) (any, error) { return math.Abs(v), nil },
			func(d types.Decimal) (any, error) {
				return types.DecimalFromBig(new(big.Int).Abs(d.Unscaled), d.Scale), nil
			},
		)...),
		scalar("CEIL", catMath, "Returns the smallest integer value that is greater than or equal to its argument.", numericUnary(
			func(v int32) (any, error) { return v, nil },
			func(v int64) (any, error) { return v, nil },
			func(v float64) (any, error) { return math.Ceil(v), nil },
			func(d types.Decimal) (any, error) { return roundDecimal(d, 0, roundCeil).Rescale(d.Scale), nil },
		)...),
		scalar("FLOOR", catMath, "Returns the largest integer value that is less than or equal to its argument.", numericUnary(
			func(v int32) (any, error) { return v, nil },
			func(v int64) (any, error) { return v, nil },
			func(v float64) (any, error) { return math.Floor(v), nil },
			func(d types.Decimal) (any, error) { return roundDecimal(d, 0, roundFloor).Rescale(d.Scale), nil },
		)...),
		roundLike("ROUND", "Rounds a value to the number of decimal places given by scale (default 0); ties round towards positive infinity.", roundHalfUpPositive),
		roundLike("TRUNC", "Truncates a value to the number of decimal places given by scale (default 0), towards zero.", roundDown),
		scalar("SIGN", catMath, "Returns the sign of its argument as an INTEGER: -1, 0 or 1.",
			sig(PInt, "Sign of an INTEGER.", func(a []any) (any, error) { return int32(sign(float64(a[0].(int32)))), nil }, p("col1", PInt)),
			sig(PInt, "Sign of a BIGINT.", func(a []any) (any, error) { return int32(sign(float64(a[0].(int64)))), nil }, p("col1", PBigint)),
			sig(PInt, "Sign of a DOUBLE.", func(a []any) (any, error) { return int32(sign(a[0].(float64))), nil }, p("col1", PDouble)),
			sig(PInt, "Sign of a DECIMAL.", func(a []any) (any, error) { return int32(a[0].(types.Decimal).Sign()), nil }, p("col1", PDecimal)),
		),
		doubleFn("SQRT", "Returns the square root of its argument.", math.Sqrt),
		doubleFn("CBRT", "Returns the cube root of its argument.", math.Cbrt),
		doubleFn("EXP", "Returns e raised to the power of its argument.", math.Exp),
		doubleFn("LN", "Returns the natural logarithm of its argument.", math.Log),
		doubleFn("ACOS", "Returns the arc cosine of its argument, in radians; NaN outside [-1, 1].", math.Acos),
		doubleFn("ASIN", "Returns the arc sine of its argument, in radians; NaN outside [-1, 1].", math.Asin),
		doubleFn("ATAN", "Returns the arc tangent of its argument, in radians.", math.Atan),
		doubleFn("COS", "Returns the cosine of an angle in radians.", math.Cos),
		doubleFn("COSH", "Returns the hyperbolic cosine of its argument.", math.Cosh),
		doubleFn("COT", "Returns the cotangent of an angle in radians.", func(x float64) float64 { return 1 / math.Tan(x) }),
		doubleFn("SIN", "Returns the sine of an angle in radians.", math.Sin),
		doubleFn("SINH", "Returns the hyperbolic sine of its argument.", math.Sinh),
		doubleFn("TAN", "Returns the tangent of an angle in radians.", math.Tan),
		doubleFn("TANH", "Returns the hyperbolic tangent of its argument.", math.Tanh),
		doubleFn("DEGREES", "Converts radians to degrees.", func(x float64) float64 { return x * 180 / math.Pi }),
		doubleFn("RADIANS", "Converts degrees to radians.", func(x float64) float64 { return x / 180 * math.Pi }),
		scalar("ATAN2", catMath, "Returns the angle theta of the polar coordinates of (x, y), in radians.",
			sig(PDouble, "Arc tangent of y / x.", func(a []any) (any, error) { return math.Atan2(a[0].(float64), a[1].(float64)), nil },
				p("y", PDouble), p("x", PDouble))),
		scalar("POWER", catMath, "Returns base raised to the power exponent.",
			sig(PDouble, "base ^ exponent; Infinity on overflow.", func(a []any) (any, error) { return math.Pow(a[0].(float64), a[1].(float64)), nil },
				p("base", PDouble), p("exponent", PDouble))),
		scalar("LOG", catMath, "Returns the logarithm of a value: natural (as LN), or in the given base.",
			sig(PDouble, "Natural logarithm of value.", func(a []any) (any, error) { return math.Log(a[0].(float64)), nil }, p("value", PDouble)),
			sig(PDouble, "Logarithm of value in the given base.", func(a []any) (any, error) { return logBase(a[0].(float64), a[1].(float64)), nil },
				p("base", PDouble), p("value", PDouble))),
		scalar("PI", catMath, "Returns an approximate value of pi.",
			sig(PDouble, "The constant pi.", func([]any) (any, error) { return math.Pi, nil })),
		scalar("RANDOM", catMath, "Returns a random DOUBLE between 0.0 (inclusive) and 1.0 (exclusive).",
			sig(PDouble, "A random value.", func([]any) (any, error) { return rand.Float64(), nil })),
		greatestLeast("GREATEST", 1, "Returns the largest non-NULL argument."),
		greatestLeast("LEAST", -1, "Returns the smallest non-NULL argument."),
		scalar("GEO_DISTANCE", catMath, "Returns the great-circle distance between two latitude/longitude points given in decimal degrees, in KM (default) or MILES.",
			sig(PDouble, "Distance in kilometers.", geoDistance, p("lat1", PDouble), p("lon1", PDouble), p("lat2", PDouble), p("lon2", PDouble)),
			sig(PDouble, "Distance in the given unit: KM, KILOMETERS, MI, MILES.", geoDistance, p("lat1", PDouble), p("lon1", PDouble), p("lat2", PDouble), p("lon2", PDouble), p("unit", PString)),
		),
		scalar("GENERATE_SERIES", catArray, "Constructs an array of values from start to end inclusive, with an optional step (default 1, or -1 when end is below start).",
			sig(ArrayP(PInt), "INTEGER series with step 1.", generateSeries, p("start", PInt), p("end", PInt)),
			sig(ArrayP(PInt), "INTEGER series with the given step.", generateSeries, p("start", PInt), p("end", PInt), p("step", PInt)),
			sig(ArrayP(PBigint), "BIGINT series with step 1.", generateSeries, p("start", PBigint), p("end", PBigint)),
			sig(ArrayP(PBigint), "BIGINT series with the given step.", generateSeries, p("start", PBigint), p("end", PBigint), p("step", PInt)),
		),
		scalar("AS_VALUE", catOther, "Copies a row's key column into the row's value.",
			sig(T, "Returns its argument unchanged.", func(a []any) (any, error) { return a[0], nil }, p("keyColumn", T))),
	}
	return fs
}

// overflow is the error of an exact integer result that does not fit.
func overflow(fn string) error { return fmt.Errorf("functions: %s: integer overflow", fn) }

func absInt32(v int32) (any, error) {
	if v == math.MinInt32 {
		return nil, overflow("ABS")
	}
	if v < 0 {
		return -v, nil
	}
	return v, nil
}

func absInt64(v int64) (any, error) {
	if v == math.MinInt64 {
		return nil, overflow("ABS")
	}
	if v < 0 {
		return -v, nil
	}
	return v, nil
}

// numericUnary builds the four variants of a function defined on each
// numeric type and returning the same type.
func numericUnary(i func(int32) (any, error), l func(int64) (any, error), d func(float64) (any, error), dec func(types.Decimal) (any, error)) []*Signature {
	return []*Signature{
		sig(PInt, "INTEGER variant.", func(a []any) (any, error) { return i(a[0].(int32)) }, p("col1", PInt)),
		sig(PBigint, "BIGINT variant.", func(a []any) (any, error) { return l(a[0].(int64)) }, p("col1", PBigint)),
		sig(PDouble, "DOUBLE variant.", func(a []any) (any, error) { return d(a[0].(float64)) }, p("col1", PDouble)),
		withReturn(sig(nil, "DECIMAL variant; the result has the argument's type.", func(a []any) (any, error) { return dec(a[0].(types.Decimal)) }, p("col1", PDecimal)), sameAsArg(0)),
	}
}

// doubleFn declares a DOUBLE → DOUBLE function; INTEGER, BIGINT and
// DECIMAL arguments widen to DOUBLE.
func doubleFn(name, description string, f func(float64) float64) *Function {
	return scalar(name, catMath, description,
		sig(PDouble, description, func(a []any) (any, error) { return f(a[0].(float64)), nil }, p("col1", PDouble)))
}

func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// logBase follows Java's Math.log(value)/Math.log(base) with ksqlDB's
// documented edge cases: NaN for a base that is <= 0 or 1, -Infinity for a
// value of 0.
func logBase(base, value float64) float64 {
	if base <= 0 || base == 1 || value < 0 {
		return math.NaN()
	}
	if value == 0 {
		return math.Inf(-1)
	}
	return math.Log(value) / math.Log(base)
}

// roundMode selects how roundDecimal treats dropped digits.
type roundMode uint8

const (
	roundHalfUpPositive roundMode = iota // ties towards +Inf (Java Math.round)
	roundDown                            // towards zero (truncate)
	roundFloor                           // towards -Inf
	roundCeil                            // towards +Inf
)

// roundDecimal rounds d to n decimal places (n may be negative), returning
// a value with scale max(n, 0).
func roundDecimal(d types.Decimal, n int, mode roundMode) types.Decimal {
	drop := int(d.Scale) - n
	if drop <= 0 {
		if n < 0 {
			return d
		}
		return d.Rescale(int32(n))
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(drop)), nil)
	q, r := new(big.Int).DivMod(d.Unscaled, div, new(big.Int)) // floor division, r >= 0
	switch mode {
	case roundHalfUpPositive:
		if new(big.Int).Lsh(r, 1).Cmp(div) >= 0 {
			q.Add(q, big.NewInt(1))
		}
	case roundDown:
		if d.Unscaled.Sign() < 0 && r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
	case roundCeil:
		if r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
	case roundFloor:
	}
	if n < 0 {
		q.Mul(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n)), nil))
		return types.DecimalFromBig(q, 0)
	}
	return types.DecimalFromBig(q, int32(n))
}

// roundDouble rounds through the shortest decimal text of x, as ksqlDB
// does with BigDecimal.valueOf, so 1.005 rounds as the user sees it.
func roundDouble(x float64, n int, mode roundMode) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	d, err := types.DecimalFromFloat64(x)
	if err != nil {
		return x
	}
	return roundDecimal(d, n, mode).Float64()
}

// roundLike declares ROUND and TRUNC, which share their signatures.
func roundLike(name, description string, mode roundMode) *Function {
	toInt := func(x float64) (any, error) {
		r := roundDouble(x, 0, mode)
		if math.IsNaN(r) || r >= math.MaxInt64 || r < math.MinInt64 {
			return nil, fmt.Errorf("functions: %s: %v does not fit in a BIGINT", name, x)
		}
		return int64(r), nil
	}
	return scalar(name, catMath, description,
		sig(PBigint, "INTEGER values are already whole; the result is a BIGINT as in ksqlDB.", func(a []any) (any, error) { return int64(a[0].(int32)), nil }, p("col1", PInt)),
		sig(PBigint, "BIGINT values are already whole.", func(a []any) (any, error) { return a[0], nil }, p("col1", PBigint)),
		sig(PBigint, "DOUBLE to a whole BIGINT.", func(a []any) (any, error) { return toInt(a[0].(float64)) }, p("col1", PDouble)),
		sig(PDouble, "DOUBLE to scale decimal places.", func(a []any) (any, error) {
			n, _ := asInt64(a[1])
			return roundDouble(a[0].(float64), int(n), mode), nil
		}, p("col1", PDouble), p("scale", PInt)),
		withReturn(sig(nil, "DECIMAL(p, s) to a whole DECIMAL(p - s, 0).", func(a []any) (any, error) {
			return roundDecimal(a[0].(types.Decimal), 0, mode), nil
		}, p("col1", PDecimal)), func(args []*types.Type) (*types.Type, error) {
			return types.DecimalOf(max(1, args[0].Precision-args[0].Scale), 0), nil
		}),
		withReturn(sig(nil, "DECIMAL to scale decimal places, keeping the argument's type.", func(a []any) (any, error) {
			d := a[0].(types.Decimal)
			n, _ := asInt64(a[1])
			return roundDecimal(d, int(n), mode).Rescale(d.Scale), nil
		}, p("col1", PDecimal), p("scale", PInt)), sameAsArg(0)),
	)
}

// greatestLeast declares GREATEST/LEAST with one variadic variant per
// comparable type, as ksqlDB does, so mixed numeric types are ambiguous
// rather than silently widened.
func greatestLeast(name string, dir int, description string) *Function {
	eval := func(a []any) (any, error) {
		var best any
		for _, v := range a {
			if v == nil {
				continue
			}
			if best == nil {
				best = v
				continue
			}
			c, err := types.Compare(v, best)
			if err != nil {
				return nil, err
			}
			if c*dir > 0 {
				best = v
			}
		}
		return best, nil
	}
	var sigs []*Signature
	for _, t := range []*Pattern{PInt, PBigint, PDouble, PString, PBytes, PDate, PTime, PTimestamp} {
		sigs = append(sigs, nullable(variadic(sig(t, "Compares "+t.String()+" values.", eval, p("val", t), p("vals", t)))))
	}
	dec := nullable(variadic(withReturn(sig(nil, "Compares DECIMAL values; the result is wide enough for each.", func(a []any) (any, error) {
		return eval(a)
	}, p("val", PDecimal), p("vals", PDecimal)), widestDecimal)))
	// Values keep their own scale; rescale to the result type's scale.
	dec.Eval = nil
	dec.Prepare = func(_ []*types.Type, ret *types.Type) (ScalarFunc, error) {
		return func(a []any) (any, error) {
			v, err := eval(a)
			if v == nil || err != nil {
				return v, err
			}
			return v.(types.Decimal).Rescale(int32(ret.Scale)), nil
		}, nil
	}
	sigs = append(sigs, dec)
	return scalar(name, catMath, description, sigs...)
}

// widestDecimal returns the DECIMAL type holding every argument exactly.
func widestDecimal(args []*types.Type) (*types.Type, error) {
	intDigits, scale := 0, 0
	for _, t := range args {
		if t == nil || t.Kind != types.DecimalKind {
			continue
		}
		intDigits = max(intDigits, t.Precision-t.Scale)
		scale = max(scale, t.Scale)
	}
	return types.DecimalOf(min(types.MaxDecimalPrecision, max(1, intDigits+scale)), scale), nil
}

func geoDistance(a []any) (any, error) {
	lat1, lon1, lat2, lon2 := a[0].(float64), a[1].(float64), a[2].(float64), a[3].(float64)
	radius := 6371.0
	if len(a) > 4 {
		switch lower(a[4].(string)) {
		case "km", "kilometers", "kilometres":
		case "mi", "miles":
			radius = 3959.0
		default:
			return nil, fmt.Errorf("functions: GEO_DISTANCE: unknown unit %q, use KM or MILES", a[4])
		}
	}
	for _, lat := range []float64{lat1, lat2} {
		if lat < -90 || lat > 90 {
			return nil, fmt.Errorf("functions: GEO_DISTANCE: valid latitude values are between -90 and 90 degrees: %v", lat)
		}
	}
	for _, lon := range []float64{lon1, lon2} {
		if lon < -180 || lon > 180 {
			return nil, fmt.Errorf("functions: GEO_DISTANCE: valid longitude values are between -180 and 180 degrees: %v", lon)
		}
	}
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(lat2-lat1), rad(lon2-lon1)
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Pow(math.Sin(dLon/2), 2)
	return 2 * radius * math.Asin(math.Sqrt(h)), nil
}

// maxSeries bounds GENERATE_SERIES so one bad row cannot exhaust memory.
const maxSeries = 10_000_000

func generateSeries(a []any) (any, error) {
	start, _ := asInt64(a[0])
	end, _ := asInt64(a[1])
	// Without a step the series counts towards end in either direction.
	step := int64(1)
	if end < start {
		step = -1
	}
	if len(a) > 2 {
		step, _ = asInt64(a[2])
	}
	if step == 0 {
		return nil, fmt.Errorf("functions: GENERATE_SERIES step cannot be zero")
	}
	if (end-start)*step < 0 && end != start {
		return nil, fmt.Errorf("functions: GENERATE_SERIES step has wrong sign")
	}
	n := (end-start)/step + 1
	if n > maxSeries {
		return nil, fmt.Errorf("functions: GENERATE_SERIES: %d elements exceed the limit of %d", n, maxSeries)
	}
	_, isInt := a[0].(int32)
	out := make([]any, 0, n)
	for v := start; (step > 0 && v <= end) || (step < 0 && v >= end); v += step {
		if isInt {
			out = append(out, int32(v))
		} else {
			out = append(out, v)
		}
	}
	return out, nil
}
