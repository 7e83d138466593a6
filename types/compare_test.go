package types

import (
	"errors"
	"math"
	"math/rand"
	"testing"
	"unicode/utf16"
)

func TestCompare(t *testing.T) {
	st := StructOf(Field{"A", IntegerType})
	tests := []struct {
		a, b any
		want int
		code ErrorCode
	}{
		{int32(1), int64(2), -1, 0},
		{int64(2), int32(2), 0, 0},
		{int32(3), 2.5, 1, 0},
		{2.5, int64(3), -1, 0},
		{MustParseDecimal("10.01"), int32(12), -1, 0},
		{MustParseDecimal("10.01"), MustParseDecimal("10.010"), 0, 0},
		{MustParseDecimal("10.01"), MustParseDecimal("10.012"), -1, 0},
		{int64(10), MustParseDecimal("9.99"), 1, 0},
		{MustParseDecimal("0.5"), 0.5, 0, 0},
		{math.NaN(), 1.0, 1, 0},
		{math.NaN(), math.NaN(), 0, 0},
		{math.Copysign(0, -1), 0.0, 0, 0},
		{"a", "b", -1, 0},
		{"b", "a", 1, 0},
		{"ab", "a", 1, 0},
		{"\uffff", "😀", 1, 0},   // UTF-16 order: U+1F600 is D83D DE00 < FFFF
		{"x\ue000", "x😀", 1, 0}, // same, after a common prefix
		{"😀", "😁", -1, 0},
		{"é", "z", 1, 0},
		{false, true, -1, 0},
		{[]byte{0x7f}, []byte{0x80}, 1, 0}, // signed bytes, as Java
		{[]byte{1}, []byte{1, 0}, -1, 0},
		{Date(10), Date(10), 0, 0},
		{Date(10), Timestamp(864000000), 0, 0},
		{Date(10), Timestamp(864000005), -1, 0},
		{Timestamp(863999999), Date(10), -1, 0},
		{Date(10), "1970-01-11", 0, 0},
		{"1970-01-12", Date(10), 1, 0},
		{Timestamp(11), "1970-01-01T00:00:00.010", 1, 0},
		{Time(1000), "00:00:01", 0, 0},
		{Date(1), "bogus", 0, CodeParse},
		{nil, int32(1), 0, CodeIncomparable},
		{int32(1), "1", 0, CodeIncomparable},
		{[]any{int32(1)}, []any{int32(1)}, 0, CodeIncomparable},
		{&Struct{Type: st, Values: []any{int32(1)}}, int32(1), 0, CodeIncomparable},
	}
	for _, tc := range tests {
		got, err := Compare(tc.a, tc.b)
		if tc.code != 0 {
			var te *Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("Compare(%v, %v) error = %v, want code %v", tc.a, tc.b, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Compare(%v, %v) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
	}
}

func TestEqual(t *testing.T) {
	st := StructOf(Field{"A", IntegerType}, Field{"B", StringType})
	st2 := StructOf(Field{"A", IntegerType}, Field{"C", StringType})
	tests := []struct {
		a, b        any
		equal, same bool // Equal, NotDistinct
	}{
		{nil, nil, false, true},
		{nil, int32(1), false, false},
		{int32(1), int64(1), true, true},
		{"x", "x", true, true},
		{"x", "X", false, false},
		{[]any{int32(1), nil}, []any{int32(1), nil}, true, true},
		{[]any{int32(1)}, []any{int32(1), int32(2)}, false, false},
		{&Map{Keys: []any{"a", "b"}, Values: []any{int32(1), int32(2)}}, &Map{Keys: []any{"b", "a"}, Values: []any{int32(2), int32(1)}}, true, true},
		{&Map{Keys: []any{"a"}, Values: []any{int32(1)}}, &Map{Keys: []any{"a"}, Values: []any{int32(2)}}, false, false},
		{&Struct{Type: st, Values: []any{int32(1), "x"}}, &Struct{Type: st, Values: []any{int32(1), "x"}}, true, true},
		{&Struct{Type: st, Values: []any{int32(1), "x"}}, &Struct{Type: st2, Values: []any{int32(1), "x"}}, false, false},
		{[]byte("ab"), []byte("ab"), true, true},
		{MustParseDecimal("1.0"), MustParseDecimal("1.00"), true, true},
	}
	for _, tc := range tests {
		if got := Equal(tc.a, tc.b); got != tc.equal {
			t.Errorf("Equal(%v, %v) = %v", tc.a, tc.b, got)
		}
		if got := NotDistinct(tc.a, tc.b); got != tc.same {
			t.Errorf("NotDistinct(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCheckedArithmetic(t *testing.T) {
	tests := []struct {
		op   ArithOp
		a    any
		at   *Type
		b    any
		bt   *Type
		want any
		code ErrorCode
	}{
		{OpAdd, int32(1), IntegerType, int32(2), IntegerType, int32(3), 0},
		{OpAdd, int32(math.MaxInt32), IntegerType, int32(1), IntegerType, nil, CodeOverflow},
		{OpSub, int32(math.MinInt32), IntegerType, int32(1), IntegerType, nil, CodeOverflow},
		{OpMul, int32(65536), IntegerType, int32(65536), IntegerType, nil, CodeOverflow},
		{OpDiv, int32(7), IntegerType, int32(-2), IntegerType, int32(-3), 0},
		{OpDiv, int32(7), IntegerType, int32(0), IntegerType, nil, CodeDivideByZero},
		{OpDiv, int32(math.MinInt32), IntegerType, int32(-1), IntegerType, nil, CodeOverflow},
		{OpMod, int32(-7), IntegerType, int32(2), IntegerType, int32(-1), 0},
		{OpMod, int32(math.MinInt32), IntegerType, int32(-1), IntegerType, int32(0), 0},
		{OpMod, int32(1), IntegerType, int32(0), IntegerType, nil, CodeDivideByZero},
		{OpAdd, int32(1), IntegerType, int64(math.MaxInt64), BigintType, nil, CodeOverflow},
		{OpAdd, int64(-1), BigintType, int64(math.MinInt64), BigintType, nil, CodeOverflow},
		{OpSub, int64(0), BigintType, int64(math.MinInt64), BigintType, nil, CodeOverflow},
		{OpSub, int64(-1), BigintType, int64(math.MaxInt64), BigintType, int64(math.MinInt64), 0},
		{OpMul, int64(math.MinInt64), BigintType, int64(-1), BigintType, nil, CodeOverflow},
		{OpMul, int64(1 << 32), BigintType, int64(1 << 31), BigintType, nil, CodeOverflow},
		{OpMul, int64(-1 << 31), BigintType, int64(1 << 32), BigintType, int64(math.MinInt64), 0},
		{OpDiv, int64(1), BigintType, int64(0), BigintType, nil, CodeDivideByZero},
		{OpAdd, int32(3), IntegerType, 0.21, DoubleType, 3.21, 0},
		{OpDiv, 1.0, DoubleType, int32(0), IntegerType, math.Inf(1), 0},
		{OpAdd, MustParseDecimal("10.01"), DecimalOf(4, 2), int32(5), IntegerType, MustParseDecimal("15.01"), 0},
		{OpAdd, nil, IntegerType, int32(5), IntegerType, nil, 0},
		{OpAdd, "x", StringType, int32(5), IntegerType, nil, CodeUnsupportedCast},
		{OpAdd, int64(1), IntegerType, int32(5), IntegerType, nil, CodeCast},
	}
	for _, tc := range tests {
		got, err := Arith(tc.op, tc.a, tc.at, tc.b, tc.bt)
		if tc.code != 0 {
			var te *Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Errorf("%v %s %v: error = %v, want code %v", tc.a, tc.op, tc.b, err, tc.code)
			}
			continue
		}
		if err != nil || !NotDistinct(got, tc.want) {
			t.Errorf("%v %s %v = %v, %v; want %v", tc.a, tc.op, tc.b, got, err, tc.want)
		}
	}
	for _, v := range []int64{math.MinInt64, -1, 0, 1, math.MaxInt64} {
		if _, err := NegInt64(v); (err != nil) != (v == math.MinInt64) {
			t.Errorf("NegInt64(%d) error = %v", v, err)
		}
	}
}

func TestErrorsArePrefixed(t *testing.T) {
	_, err := Cast("x", StringType, IntegerType)
	if err == nil || err.Error()[:7] != "types: " {
		t.Fatalf("error %q lacks package prefix", err)
	}
	if !errors.Is(err, ErrParse) || errors.Is(err, ErrOverflow) {
		t.Fatalf("errors.Is misclassifies %v", err)
	}
}

// TestZeroDecimalRefused: a zero Decimal is not a value; operations refuse
// it instead of dereferencing nil.
func TestZeroDecimalRefused(t *testing.T) {
	var z Decimal
	if _, err := Compare(z, int32(1)); err == nil {
		t.Error("Compare accepted a zero Decimal")
	}
	if _, err := Cast(z, DecimalOf(4, 2), StringType); err == nil {
		t.Error("Cast accepted a zero Decimal")
	}
	if _, err := Arith(OpAdd, z, DecimalOf(4, 2), int32(1), IntegerType); err == nil {
		t.Error("Arith accepted a zero Decimal")
	}
	if Equal(z, z) {
		t.Error("Equal(zero, zero) = true")
	}
}

// TestNilTypesRefused: the type rules answer "no" for a missing type
// rather than dereferencing nil.
func TestNilTypesRefused(t *testing.T) {
	if Comparable(nil, IntegerType) || EqualityComparable(IntegerType, nil) || CanImplicitlyCast(nil, IntegerType) || CanCast(IntegerType, nil) {
		t.Fatal("a nil type was accepted")
	}
	if _, err := ArithResultType(OpAdd, nil, IntegerType); err == nil {
		t.Fatal("ArithResultType accepted nil")
	}
	if _, err := CommonType(nil, IntegerType); err == nil {
		t.Fatal("CommonType accepted nil")
	}
	if DecimalTypeOf(nil) != nil {
		t.Fatal("DecimalTypeOf(nil) != nil")
	}
}

// TestMalformedContainers: comparing or printing a malformed MAP or STRUCT
// answers instead of panicking.
func TestMalformedContainers(t *testing.T) {
	bad := []any{(*Map)(nil), &Map{Keys: []any{"a"}}, (*Struct)(nil), &Struct{}, &Struct{Type: StructOf(Field{"A", IntegerType})}}
	for _, v := range bad {
		if NotDistinct(v, v) {
			t.Errorf("NotDistinct(%#v, itself) = true", v)
		}
		_ = Format(v)
		_ = TypeOf(v)
	}
}

// TestJavaStringOrder checks compareJavaStrings against a direct UTF-16
// comparison on random strings mixing ASCII, BMP and astral characters.
func TestJavaStringOrder(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	pick := []rune{'a', 'b', 'é', 0xE000, 0xFFFF, 0x1F600, 0x1F601, 0x10000, 0x10FFFF}
	gen := func() string {
		rs := make([]rune, r.Intn(4))
		for i := range rs {
			rs[i] = pick[r.Intn(len(pick))]
		}
		return string(rs)
	}
	ref := func(a, b string) int {
		ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
		for i := 0; i < len(ua) && i < len(ub); i++ {
			if ua[i] != ub[i] {
				return cmpInt(int64(ua[i]), int64(ub[i]))
			}
		}
		return cmpInt(int64(len(ua)), int64(len(ub)))
	}
	for i := 0; i < 20000; i++ {
		a, b := gen(), gen()
		if got, want := compareJavaStrings(a, b), ref(a, b); got != want {
			t.Fatalf("seed %d: compare(%q, %q) = %d, want %d", seed, a, b, got, want)
		}
	}
}
