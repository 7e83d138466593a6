package types

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"testing"
)

func TestParseAndFormatDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.12", "10.12"},
		{"01.00", "1.00"},
		{"-0.5", "-0.5"},
		{".5", "0.5"},
		{"5.", "5"},
		{"1E+3", "1000"},
		{"1.5e-3", "0.0015"},
		{"+7", "7"},
		{"123456789012345678901234567890.123", "123456789012345678901234567890.123"},
		{"-0.000", "0.000"},
	}
	for _, tc := range tests {
		d, err := ParseDecimal(tc.in)
		if err != nil {
			t.Fatalf("ParseDecimal(%q): %v", tc.in, err)
		}
		if got := d.String(); got != tc.want {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.2.3", "1e", "abc", "1e99999999999", "1e5000", "1e-5000", "--1", "1,5"} {
		if _, err := ParseDecimal(bad); !errors.Is(err, ErrParse) {
			t.Errorf("ParseDecimal(%q) error = %v, want parse error", bad, err)
		}
	}
}

func TestDecimalRescaleHalfUp(t *testing.T) {
	tests := []struct {
		in    string
		scale int32
		want  string
	}{
		{"0.05", 1, "0.1"},
		{"0.04", 1, "0.0"},
		{"-0.05", 1, "-0.1"},
		{"-0.04", 1, "0.0"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"1.25", 3, "1.250"},
		{"99999999999999999999.95", 1, "100000000000000000000.0"},
		{"-99999999999999999999.95", 1, "-100000000000000000000.0"},
	}
	for _, tc := range tests {
		if got := MustParseDecimal(tc.in).Rescale(tc.scale).String(); got != tc.want {
			t.Errorf("Rescale(%s, %d) = %s, want %s", tc.in, tc.scale, got, tc.want)
		}
	}
}

func TestDecimalFitHugeExponents(t *testing.T) {
	// These must answer at once, not build numbers with thousands of digits
	// per column value.
	huge := DecimalFromBig(new(big.Int).SetInt64(1), -1_000_000_000)
	if _, err := huge.Fit(10, 2); !errors.Is(err, ErrCast) {
		t.Fatalf("Fit(1E+1000000000) error = %v", err)
	}
	tiny := DecimalFromBig(new(big.Int).SetInt64(7), 1_000_000_000)
	got, err := tiny.Fit(10, 2)
	if err != nil || got.Sign() != 0 || got.Scale != 2 {
		t.Fatalf("Fit(7E-1000000000) = %v, %v; want 0.00", got, err)
	}
	if got := MustParseDecimal("0.5").Rescale(0).String(); got != "1" {
		t.Fatalf("Rescale(0.5, 0) = %s", got)
	}
	if got := MustParseDecimal("0.05").Rescale(0).String(); got != "0" {
		t.Fatalf("Rescale(0.05, 0) = %s", got)
	}
}

func TestDecimalFit(t *testing.T) {
	if _, err := MustParseDecimal("10").Fit(2, 1); !errors.Is(err, ErrCast) {
		t.Fatalf("Fit(10, 2, 1) error = %v, want cast error", err)
	}
	d, err := MustParseDecimal("9.94").Fit(2, 1)
	if err != nil || d.String() != "9.9" {
		t.Fatalf("Fit(9.94) = %s, %v", d, err)
	}
	if _, err := MustParseDecimal("9.95").Fit(2, 1); err == nil {
		t.Fatalf("Fit(9.95, 2, 1) should fail after rounding to 10.0")
	}
}

func TestDecimalArithmetic(t *testing.T) {
	dec := MustParseDecimal
	tests := []struct {
		op   ArithOp
		a, b string
		want string // "" means division by zero
	}{
		{OpAdd, "10.01", "5.1", "15.11"},
		{OpAdd, "10.01", "-5.0", "5.01"},
		{OpSub, "10.1", "5.1", "5.0"},
		{OpMul, "10.1", "-2.0", "-20.20"},
		{OpMul, "0.1", "0.1", "0.01"},
		{OpDiv, "10.1", "2.0", "5.050000"},
		{OpDiv, "1", "3", "0.333333"},
		{OpDiv, "2", "3", "0.666667"},
		{OpDiv, "-2", "3", "-0.666667"},
		{OpDiv, "10.1", "0.0", ""},
		{OpMod, "10.1", "2.0", "0.1"},
		{OpMod, "10.1", "-2.0", "0.1"},
		{OpMod, "-10.1", "2.0", "-0.1"},
		{OpMod, "10.1", "0.0", ""},
	}
	for _, tc := range tests {
		a, b := dec(tc.a), dec(tc.b)
		at, bt := DecimalOf(max(a.Precision(), int(a.Scale)), int(a.Scale)), DecimalOf(max(b.Precision(), int(b.Scale)), int(b.Scale))
		got, err := Arith(tc.op, a, at, b, bt)
		if tc.want == "" {
			if !errors.Is(err, ErrDivideByZero) {
				t.Errorf("%s %s %s: err = %v, want division by zero", tc.a, tc.op, tc.b, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s %s: %v", tc.a, tc.op, tc.b, err)
			continue
		}
		d := got.(Decimal)
		if d.Cmp(dec(tc.want)) != 0 {
			t.Errorf("%s %s %s = %s, want %s", tc.a, tc.op, tc.b, d, tc.want)
		}
	}
}

func TestDecimalResultTypes(t *testing.T) {
	a, b := DecimalOf(4, 2), DecimalOf(3, 1)
	for _, tc := range []struct {
		got, want *Type
	}{
		{DecimalAddType(a, b), DecimalOf(5, 2)},
		{DecimalMulType(a, b), DecimalOf(8, 3)},
		{DecimalDivType(a, b), DecimalOf(9, 6)},
		{DecimalModType(a, b), DecimalOf(4, 2)},
		{DecimalMulType(DecimalOf(38, 10), DecimalOf(38, 10)), DecimalOf(38, 0)},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

// TestDecimalRandomAgainstBigRat checks the int64 fast paths against exact
// big.Rat arithmetic on random operands near the int64 limits.
func TestDecimalRandomAgainstBigRat(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	rnd := func() Decimal {
		var u int64
		switch r.Intn(3) {
		case 0:
			u = r.Int63n(1000) - 500
		case 1:
			u = r.Int63() - r.Int63()
		default:
			u = r.Int63n(1 << 40)
		}
		return NewDecimal(u, int32(r.Intn(8)))
	}
	rat := func(d Decimal) *big.Rat {
		return new(big.Rat).SetFrac(d.Unscaled, pow10(int(d.Scale)))
	}
	for i := 0; i < 20000; i++ {
		a, b := rnd(), rnd()
		if got, want := rat(a.Add(b)), new(big.Rat).Add(rat(a), rat(b)); got.Cmp(want) != 0 {
			t.Fatalf("seed %d: %s + %s = %s, want %s", seed, a, b, a.Add(b), want.FloatString(10))
		}
		if got, want := rat(a.Mul(b)), new(big.Rat).Mul(rat(a), rat(b)); got.Cmp(want) != 0 {
			t.Fatalf("seed %d: %s * %s = %s", seed, a, b, a.Mul(b))
		}
		if c, want := a.Cmp(b), rat(a).Cmp(rat(b)); c != want {
			t.Fatalf("seed %d: Cmp(%s, %s) = %d, want %d", seed, a, b, c, want)
		}
		s := int32(r.Intn(10))
		got := a.Rescale(s)
		// |got - a| must be at most half a unit in the last place.
		diff := new(big.Rat).Sub(rat(got), rat(a))
		half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Mul(big.NewInt(2), pow10(int(s))))
		if diff.Abs(diff).Cmp(half) > 0 {
			t.Fatalf("seed %d: Rescale(%s, %d) = %s", seed, a, s, got)
		}
		if p, want := a.Precision(), len(fmt.Sprint(new(big.Int).Abs(a.Unscaled))); p != want {
			t.Fatalf("seed %d: Precision(%s) = %d, want %d", seed, a, p, want)
		}
	}
}

func TestDecimalIntegerConversions(t *testing.T) {
	big20 := MustParseDecimal("18446744073709551617.9") // 2^64 + 1.9
	if v, ok := big20.Int64(); ok || v != 1 {
		t.Fatalf("Int64(2^64+1.9) = %d, %v; want 1 (low bits), false", v, ok)
	}
	if v, ok := MustParseDecimal("-3.99").Int64(); !ok || v != -3 {
		t.Fatalf("Int64(-3.99) = %d, %v", v, ok)
	}
	if f := MustParseDecimal("10.01").Float64(); f != 10.01 {
		t.Fatalf("Float64 = %v", f)
	}
	if f := MustParseDecimal("123456789012345678901234.5").Float64(); f != 1.2345678901234568e23 {
		t.Fatalf("Float64 big = %v", f)
	}
}

func BenchmarkDecimalAdd(b *testing.B) {
	x, y := MustParseDecimal("12345.67"), MustParseDecimal("0.125")
	for i := 0; i < b.N; i++ {
		_ = x.Add(y)
	}
}

func BenchmarkDecimalRescale(b *testing.B) {
	x := MustParseDecimal("12345.6789")
	for i := 0; i < b.N; i++ {
		_ = x.Rescale(2)
	}
}
