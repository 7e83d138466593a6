package types

import (
	"errors"
	"math"
	"testing"
)

func TestCast(t *testing.T) {
	dec := MustParseDecimal
	st := StructOf(Field{"F0", IntegerType}, Field{"f1", IntegerType})
	tests := []struct {
		name     string
		v        any
		from, to *Type
		want     any
		code     ErrorCode // 0: success
	}{
		{"null to int", nil, StringType, IntegerType, nil, 0},
		{"null type", nil, NullType, ArrayOf(IntegerType), nil, 0},
		{"bool to string", true, BooleanType, StringType, "true", 0},
		{"int to string", int32(-1), IntegerType, StringType, "-1", 0},
		{"bigint to string", int64(2147483648), BigintType, StringType, "2147483648", 0},
		{"double to string", 10.0, DoubleType, StringType, "10.0", 0},
		{"double to string sci", 1e10, DoubleType, StringType, "1.0E10", 0},
		{"decimal to string", dec("10.00"), DecimalOf(4, 2), StringType, "10.00", 0},
		{"date to string", Date(10), DateType, StringType, "1970-01-11", 0},
		{"date before epoch", Date(-1), DateType, StringType, "1969-12-31", 0},
		{"time to string", Time(60220000), TimeType, StringType, "16:43:40", 0},
		{"timestamp to string", Timestamp(10), TimestampType, StringType, "1970-01-01T00:00:00.010", 0},
		{"array to string", []any{int32(1), int32(3)}, ArrayOf(IntegerType), StringType, "[1, 3]", 0},
		{"map to string", &Map{Keys: []any{"this"}, Values: []any{int32(1)}}, MapOf(StringType, IntegerType), StringType, "{this=1}", 0},
		{"struct to string", &Struct{Type: st, Values: []any{int32(1), int32(3)}}, st, StringType, "Struct{F0=1,f1=3}", 0},
		{"string to bool", " TRUE ", StringType, BooleanType, true, 0},
		{"string to bool no", "no", StringType, BooleanType, false, 0},
		{"string to bool bad", "maybe", StringType, BooleanType, nil, CodeParse},
		{"string to int", " 42 ", StringType, IntegerType, int32(42), 0},
		{"string to int bad", "4x", StringType, IntegerType, nil, CodeParse},
		{"string to int overflow", "2147483648", StringType, IntegerType, nil, CodeParse},
		{"string to bigint", "-9223372036854775808", StringType, BigintType, int64(math.MinInt64), 0},
		{"string to double", "1.5e3", StringType, DoubleType, 1500.0, 0},
		{"string to double suffix", "2.5d", StringType, DoubleType, 2.5, 0},
		{"string to double bad", "inf", StringType, DoubleType, nil, CodeParse},
		{"string to double overflow", "1e400", StringType, DoubleType, math.Inf(1), 0},
		{"string to double underflow", "-1e-400", StringType, DoubleType, math.Copysign(0, -1), 0},
		{"string to decimal", "0.99", StringType, DecimalOf(2, 1), dec("1.0"), 0},
		{"string to decimal down", "0.01", StringType, DecimalOf(2, 1), dec("0.0"), 0},
		{"string to decimal bad", "x", StringType, DecimalOf(2, 1), nil, CodeParse},
		{"string to date", "1970-01-10", StringType, DateType, Date(9), 0},
		{"string to partial date", "1970-01", StringType, DateType, Date(0), 0},
		{"string to date bad", "foo", StringType, DateType, nil, CodeParse},
		{"string to date bad day", "2021-02-29", StringType, DateType, nil, CodeParse},
		{"string to time", "01:02:03.5", StringType, TimeType, Time(3723500), 0},
		{"string to timestamp", "2022-04-28T21:44:47.943", StringType, TimestampType, Timestamp(1651182287943), 0},
		{"string to timestamp Z", "2022-04-28T21:44:47.943Z", StringType, TimestampType, Timestamp(1651182287943), 0},
		{"string to timestamp offset", "2019-01-01T00:00:00+0445", StringType, TimestampType, Timestamp(1546300800000 - 17100000), 0},
		{"string to timestamp partial", "2018", StringType, TimestampType, Timestamp(1514764800000), 0},
		{"int to bigint", int32(-1), IntegerType, BigintType, int64(-1), 0},
		{"bigint to int wraps", int64(2147483648), BigintType, IntegerType, int32(math.MinInt32), 0},
		{"double to int truncates", 1.2000000000000002, DoubleType, IntegerType, int32(1), 0},
		{"double to int negative", -1.9, DoubleType, IntegerType, int32(-1), 0},
		{"double to int saturates", 1e20, DoubleType, IntegerType, int32(math.MaxInt32), 0},
		{"double NaN to bigint", math.NaN(), DoubleType, BigintType, int64(0), 0},
		{"int to decimal", int32(1), IntegerType, DecimalOf(2, 1), dec("1.0"), 0},
		{"int to decimal too wide", int32(10), IntegerType, DecimalOf(2, 1), nil, CodeCast},
		{"double to decimal", 0.99, DoubleType, DecimalOf(2, 1), dec("1.0"), 0},
		{"double to decimal tenth", 0.1, DoubleType, DecimalOf(2, 1), dec("0.1"), 0},
		{"double NaN to decimal", math.NaN(), DoubleType, DecimalOf(2, 1), nil, CodeCast},
		{"decimal to decimal", dec("10.12"), DecimalOf(4, 2), DecimalOf(5, 3), dec("10.120"), 0},
		{"decimal to int", dec("10.01"), DecimalOf(4, 2), IntegerType, int32(10), 0},
		{"decimal to int negative", dec("-10.99"), DecimalOf(4, 2), IntegerType, int32(-10), 0},
		{"decimal to bigint", dec("99999999999.9"), DecimalOf(12, 1), BigintType, int64(99999999999), 0},
		{"decimal to double", dec("10.01"), DecimalOf(4, 2), DoubleType, 10.01, 0},
		{"timestamp to date", Timestamp(-2000), TimestampType, DateType, Date(-1), 0},
		{"timestamp to date next", Timestamp(86400100), TimestampType, DateType, Date(1), 0},
		{"timestamp to time", Timestamp(86400100), TimestampType, TimeType, Time(100), 0},
		{"date to timestamp", Date(1), DateType, TimestampType, Timestamp(86400000), 0},
		{"array bigint to int", []any{int64(1), nil, int64(2147483648)}, ArrayOf(BigintType), ArrayOf(IntegerType), []any{int32(1), nil, int32(math.MinInt32)}, 0},
		{"array nested to string", []any{[]any{int64(1)}}, ArrayOf(ArrayOf(BigintType)), ArrayOf(ArrayOf(StringType)), []any{[]any{"1"}}, 0},
		{"map values", &Map{Keys: []any{"k1"}, Values: []any{"10"}}, MapOf(StringType, StringType), MapOf(StringType, IntegerType), &Map{Keys: []any{"k1"}, Values: []any{int32(10)}}, 0},
		{"map bad value", &Map{Keys: []any{"k1"}, Values: []any{"x"}}, MapOf(StringType, StringType), MapOf(StringType, IntegerType), nil, CodeParse},
		{"struct by name", &Struct{Type: st, Values: []any{int32(1), int32(3)}}, st, StructOf(Field{"F0", StringType}, Field{"F3", StringType}),
			&Struct{Type: StructOf(Field{"F0", StringType}, Field{"F3", StringType}), Values: []any{"1", nil}}, 0},
		{"string to array", "x", StringType, ArrayOf(IntegerType), nil, CodeUnsupportedCast},
		{"string to map", "x", StringType, MapOf(StringType, IntegerType), nil, CodeUnsupportedCast},
		{"string to struct", "x", StringType, st, nil, CodeUnsupportedCast},
		{"bool to int", true, BooleanType, IntegerType, nil, CodeUnsupportedCast},
		{"int to bool", int32(1), IntegerType, BooleanType, nil, CodeUnsupportedCast},
		{"bytes to string", []byte("hi"), BytesType, StringType, "aGk=", 0},
		{"string to bytes", "aGk=", StringType, BytesType, nil, CodeUnsupportedCast},
		{"time to timestamp", Time(1), TimeType, TimestampType, nil, CodeUnsupportedCast},
		{"to null type", int32(1), IntegerType, NullType, nil, CodeUnsupportedCast},
		{"same type", []byte{1}, BytesType, BytesType, []byte{1}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Cast(tc.v, tc.from, tc.to)
			if tc.code != 0 {
				var te *Error
				if !errors.As(err, &te) || te.Code != tc.code {
					t.Fatalf("Cast(%v) = %v, %v; want error code %v", tc.v, Format(got), err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("Cast(%v): %v", tc.v, err)
			}
			if !sameValue(got, tc.want) {
				t.Fatalf("Cast(%v) = %#v (%s), want %#v (%s)", tc.v, got, Format(got), tc.want, Format(tc.want))
			}
		})
	}
}

// sameValue is strict equality: same Go types and same values (decimals
// must match in scale too), so a test catches a wrong representation.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && x.Unscaled.Cmp(y.Unscaled) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || len(x.Keys) != len(y.Keys) {
			return false
		}
		for i := range x.Keys {
			if !sameValue(x.Keys[i], y.Keys[i]) || !sameValue(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	case *Struct:
		y, ok := b.(*Struct)
		if !ok || !x.Type.Equal(y.Type) {
			return false
		}
		return sameValue(x.Values, y.Values)
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	}
	return a == b
}

// TestCanCastMatrix checks every pair of scalar kinds against the table of
// what ksqlDB accepts, so a change to CanCast is a visible decision.
func TestCanCastMatrix(t *testing.T) {
	scalars := []*Type{BooleanType, IntegerType, BigintType, DoubleType, DecimalOf(10, 2), StringType, BytesType, DateType, TimeType, TimestampType}
	// Rows: from; columns: to, in the order above. 1 = supported.
	want := [][]int{
		{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}, // BOOLEAN
		{0, 1, 1, 1, 1, 1, 0, 0, 0, 0}, // INTEGER
		{0, 1, 1, 1, 1, 1, 0, 0, 0, 0}, // BIGINT
		{0, 1, 1, 1, 1, 1, 0, 0, 0, 0}, // DOUBLE
		{0, 1, 1, 1, 1, 1, 0, 0, 0, 0}, // DECIMAL
		{1, 1, 1, 1, 1, 1, 0, 1, 1, 1}, // STRING
		{0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, // BYTES
		{0, 0, 0, 0, 0, 1, 0, 1, 0, 1}, // DATE
		{0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, // TIME
		{0, 0, 0, 0, 0, 1, 0, 1, 1, 1}, // TIMESTAMP
	}
	for i, from := range scalars {
		for j, to := range scalars {
			if got := CanCast(from, to); got != (want[i][j] == 1) {
				t.Errorf("CanCast(%s, %s) = %v, want %v", from, to, got, !got)
			}
		}
	}
}

func TestCanImplicitlyCast(t *testing.T) {
	tests := []struct {
		from, to *Type
		want     bool
	}{
		{IntegerType, BigintType, true},
		{IntegerType, DoubleType, true},
		{IntegerType, DecimalOf(10, 0), true},
		{IntegerType, DecimalOf(9, 0), false},
		{IntegerType, DecimalOf(12, 2), true},
		{BigintType, IntegerType, false},
		{BigintType, DecimalOf(19, 0), true},
		{BigintType, DecimalOf(18, 0), false},
		{BigintType, DoubleType, true},
		{DecimalOf(4, 2), DecimalOf(5, 3), true},
		{DecimalOf(4, 2), DecimalOf(5, 1), false},
		{DecimalOf(4, 2), DoubleType, true},
		{DoubleType, DecimalOf(38, 10), false},
		{DoubleType, BigintType, false},
		{StringType, DateType, false},
		{NullType, StructOf(Field{"A", IntegerType}), true},
		{ArrayOf(IntegerType), ArrayOf(BigintType), true},
		{ArrayOf(BigintType), ArrayOf(IntegerType), false},
		{MapOf(StringType, IntegerType), MapOf(StringType, DoubleType), true},
		{StructOf(Field{"A", IntegerType}), StructOf(Field{"A", BigintType}), true},
		{StructOf(Field{"A", IntegerType}), StructOf(Field{"B", IntegerType}), false},
		{BooleanType, StringType, false},
	}
	for _, tc := range tests {
		if got := CanImplicitlyCast(tc.from, tc.to); got != tc.want {
			t.Errorf("CanImplicitlyCast(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestCommonType(t *testing.T) {
	tests := []struct {
		a, b *Type
		want *Type // nil: error
	}{
		{IntegerType, BigintType, BigintType},
		{IntegerType, DoubleType, DoubleType},
		{IntegerType, DecimalOf(4, 2), DecimalOf(12, 2)},
		{BigintType, DecimalOf(4, 2), DecimalOf(21, 2)},
		{DecimalOf(4, 2), DecimalOf(5, 4), DecimalOf(6, 4)},
		{DecimalOf(4, 2), DoubleType, DoubleType},
		{NullType, StringType, StringType},
		{StringType, IntegerType, nil},
		{ArrayOf(IntegerType), ArrayOf(BigintType), ArrayOf(BigintType)},
		{MapOf(StringType, IntegerType), MapOf(StringType, NullType), MapOf(StringType, IntegerType)},
		{StructOf(Field{"A", IntegerType}), StructOf(Field{"B", IntegerType}), nil},
		{BooleanType, BooleanType, BooleanType},
	}
	for _, tc := range tests {
		got, err := CommonType(tc.a, tc.b)
		switch {
		case tc.want == nil && err == nil:
			t.Errorf("CommonType(%s, %s) = %s, want error", tc.a, tc.b, got)
		case tc.want != nil && (err != nil || !got.Equal(tc.want)):
			t.Errorf("CommonType(%s, %s) = %s, %v; want %s", tc.a, tc.b, got, err, tc.want)
		}
	}
}
