package functions

import (
	"math"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestMathFunctions(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	runScalarCases(t, []scalarCase{
		// ABS keeps the argument type; NULL in, NULL out.
		{fn: "ABS", args: arr(int32(-1)), want: int32(1)},
		{fn: "ABS", args: arr(int64(-2)), want: int64(2)},
		{fn: "ABS", args: arr(-3.1), want: 3.1},
		{fn: "ABS", args: arr(dec("-3.2")), want: dec("3.2")},
		{fn: "ABS", args: arr(tnull(types.IntegerType)), want: nil},
		{fn: "ABS", args: arr(int32(math.MinInt32)), err: "overflow"},
		// CEIL / FLOOR.
		{fn: "CEIL", args: arr(1.2), want: 2.0},
		{fn: "CEIL", args: arr(-1.2), want: -1.0},
		{fn: "CEIL", args: arr(dec("1.1")), want: dec("2.0")},
		{fn: "FLOOR", args: arr(dec("-1.1")), want: dec("-2.0")},
		{fn: "FLOOR", args: arr(1.7), want: 1.0},
		{fn: "FLOOR", args: arr(int32(5)), want: int32(5)},
		// ROUND: ties towards positive infinity, BIGINT for DOUBLE.
		{fn: "ROUND", args: arr(1.5), want: int64(2)},
		{fn: "ROUND", args: arr(-1.5), want: int64(-1)},
		{fn: "ROUND", args: arr(1.234567, int32(2)), want: 1.23},
		{fn: "ROUND", args: arr(1.2, int32(-1)), want: 0.0},
		{fn: "ROUND", args: arr(1.005, int32(2)), want: 1.01},
		{fn: "ROUND", args: arr(dec("12345678987654321.2345678987654321")), want: dec("12345678987654321")},
		{fn: "ROUND", args: arr(dec("12345678987654321.2345678987654321"), int32(10)), want: dec("12345678987654321.2345678988000000")},
		{fn: "ROUND", args: arr(dec("12345678987654321.2345678987654321"), int32(-2)), want: dec("12345678987654300.0000000000000000")},
		{fn: "ROUND", args: arr(dec("-2.5")), want: dec("-2")},
		{fn: "ROUND", args: arr(math.Inf(1)), err: "does not fit"},
		// TRUNC: towards zero.
		{fn: "TRUNC", args: arr(1.7), want: int64(1)},
		{fn: "TRUNC", args: arr(-1.7), want: int64(-1)},
		{fn: "TRUNC", args: arr(1.234567, int32(2)), want: 1.23},
		{fn: "TRUNC", args: arr(dec("1.2345670"), int32(2)), want: dec("1.2300000")},
		{fn: "TRUNC", args: arr(dec("-1.99")), want: dec("-1")},
		{fn: "TRUNC", args: arr(int64(111)), want: int64(111)},
		{fn: "TRUNC", args: arr(int32(111)), want: int64(111)},
		{fn: "ROUND", args: arr(int32(-7)), want: int64(-7)},
		// SIGN.
		{fn: "SIGN", args: arr(-4.2), want: int32(-1)},
		{fn: "SIGN", args: arr(int64(0)), want: int32(0)},
		{fn: "SIGN", args: arr(dec("0.01")), want: int32(1)},
		// DOUBLE functions widen their argument.
		{fn: "SQRT", args: arr(int32(4)), want: 2.0},
		{fn: "SQRT", args: arr(-1.0), want: nan},
		{fn: "CBRT", args: arr(int64(27)), want: 3.0},
		{fn: "EXP", args: arr(int32(0)), want: 1.0},
		{fn: "LN", args: arr(0.0), want: math.Inf(-1)},
		{fn: "ACOS", args: arr(2.0), want: nan},
		{fn: "ASIN", args: arr(int32(1)), want: math.Pi / 2},
		{fn: "ATAN2", args: arr(1.0, 0.0), want: math.Pi / 2},
		{fn: "COT", args: arr(0.0), want: inf},
		{fn: "DEGREES", args: arr(math.Pi), want: 180.0},
		{fn: "RADIANS", args: arr(int32(180)), want: math.Pi},
		{fn: "POWER", args: arr(int32(2), int32(10)), want: 1024.0},
		{fn: "POWER", args: arr(10.0, 400.0), want: inf},
		{fn: "LOG", args: arr(int32(100)), want: math.Log(100)},
		{fn: "LOG", args: arr(int32(13)), want: 2.5649493574615367},
		{fn: "LOG", args: arr(2.0, 8.0), want: 3.0},
		{fn: "LOG", args: arr(1.0, 8.0), want: nan},
		{fn: "LOG", args: arr(2.0, 0.0), want: math.Inf(-1)},
		{fn: "LOG", args: arr(-2.0, 8.0), want: nan},
		{fn: "PI", args: arr(), want: math.Pi},
		// GREATEST / LEAST skip NULLs.
		{fn: "GREATEST", args: arr(int32(1), tnull(types.IntegerType), int32(7)), want: int32(7)},
		{fn: "LEAST", args: arr("zebra", "apple", "mango"), want: "apple"},
		{fn: "GREATEST", args: arr(dec("1.5"), dec("10.25")), want: dec("10.25")},
		{fn: "LEAST", args: arr(dec("1.5"), dec("10.25")), want: dec("1.50")},
		{fn: "GREATEST", args: arr(tnull(types.DoubleType), tnull(types.DoubleType)), want: nil},
		// GEO_DISTANCE.
		{fn: "GEO_DISTANCE", args: arr(37.4439, -122.1663, int32(51), int32(0)), want: 8682.459061368269},
		{fn: "GEO_DISTANCE", args: arr(37.4439, -122.1663, 51.0, 0.0, "miles"), want: 8682.459061368269 / 6371 * 3959},
		{fn: "GEO_DISTANCE", args: arr(0.0, 0.0, 0.0, 0.0), want: 0.0},
		{fn: "GEO_DISTANCE", args: arr(91.0, 0.0, 0.0, 0.0), err: "latitude"},
		{fn: "GEO_DISTANCE", args: arr(0.0, 0.0, 0.0, 0.0, "parsecs"), err: "unknown unit"},
		// GENERATE_SERIES.
		{fn: "GENERATE_SERIES", args: arr(int32(1), int32(4)), want: arr(int32(1), int32(2), int32(3), int32(4))},
		{fn: "GENERATE_SERIES", args: arr(int64(5), int64(1), int32(-2)), want: arr(int64(5), int64(3), int64(1))},
		{fn: "GENERATE_SERIES", args: arr(int32(1), int32(1)), want: arr(int32(1))},
		{fn: "GENERATE_SERIES", args: arr(int32(4), int32(0)), want: arr(int32(4), int32(3), int32(2), int32(1), int32(0))},
		{fn: "GENERATE_SERIES", args: arr(int32(-2), int32(1), int32(2)), want: arr(int32(-2), int32(0))},
		{fn: "GENERATE_SERIES", args: arr(int32(9), int32(0), int32(-3)), want: arr(int32(9), int32(6), int32(3), int32(0))},
		{fn: "GENERATE_SERIES", args: arr(int32(1), int32(5), int32(0)), err: "zero"},
		{fn: "GENERATE_SERIES", args: arr(int32(1), int32(5), int32(-1)), err: "wrong sign"},
		{fn: "AS_VALUE", args: arr("k1"), want: "k1"},
	})
}

func TestRandom(t *testing.T) {
	for i := 0; i < 100; i++ {
		v, err := eval(t, "RANDOM")
		f, ok := v.(float64)
		if err != nil || !ok || f < 0 || f >= 1 {
			t.Fatalf("RANDOM() = %v, %v", v, err)
		}
	}
}
