package types

import (
	"errors"
	"math"
	"math/rand"
	"testing"
)

func TestFormatDouble(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{10.3, "10.3"},
		{-1.5, "-1.5"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1234567, "1234567.0"},
		{1e7, "1.0E7"},
		{1.7976931348623157e308, "1.7976931348623157E308"},
		{4.9e-324, "4.9E-324"},
		{2.2250738585072014e-308, "2.2250738585072014E-308"},
		{123.456e10, "1.23456E12"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{0.30000000000000004, "0.30000000000000004"},
		{100, "100.0"},
	}
	for _, tc := range tests {
		if got := FormatDouble(tc.f); got != tc.want {
			t.Errorf("FormatDouble(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestFormatDoubleRoundTrip: whatever the notation, the text reads back as
// the same double.
func TestFormatDoubleRoundTrip(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < 20000; i++ {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) {
			continue
		}
		s := FormatDouble(f)
		back, err := ParseDouble(s)
		if err != nil || back != f {
			t.Fatalf("seed %d: %v -> %q -> %v, %v", seed, f, s, back, err)
		}
	}
}

func TestTemporalText(t *testing.T) {
	dates := []struct {
		d Date
		s string
	}{
		{0, "1970-01-01"}, {-1, "1969-12-31"}, {10, "1970-01-11"}, {19000, "2022-01-08"},
		{-719528, "0000-01-01"}, {11016, "2000-02-29"}, {2932896, "9999-12-31"},
	}
	for _, tc := range dates {
		if got := tc.d.String(); got != tc.s {
			t.Errorf("Date(%d) = %s, want %s", tc.d, got, tc.s)
		}
		back, err := ParseDate(tc.s)
		if err != nil || back != tc.d {
			t.Errorf("ParseDate(%s) = %d, %v", tc.s, back, err)
		}
	}
	times := []struct {
		t Time
		s string
	}{
		{0, "00:00:00"}, {60220000, "16:43:40"}, {500, "00:00:00.5"}, {123, "00:00:00.123"},
		{86399999, "23:59:59.999"}, {10, "00:00:00.01"},
	}
	for _, tc := range times {
		if got := tc.t.String(); got != tc.s {
			t.Errorf("Time(%d) = %s, want %s", tc.t, got, tc.s)
		}
		back, err := ParseTime(tc.s)
		if err != nil || back != tc.t {
			t.Errorf("ParseTime(%s) = %d, %v", tc.s, back, err)
		}
	}
	tss := []struct {
		ts Timestamp
		s  string
	}{
		{0, "1970-01-01T00:00:00.000"}, {10, "1970-01-01T00:00:00.010"},
		{60220000000, "1971-11-28T23:46:40.000"}, {-1, "1969-12-31T23:59:59.999"},
		{1651182287943, "2022-04-28T21:44:47.943"},
	}
	for _, tc := range tss {
		if got := tc.ts.String(); got != tc.s {
			t.Errorf("Timestamp(%d) = %s, want %s", tc.ts, got, tc.s)
		}
		back, err := ParseTimestamp(tc.s)
		if err != nil || back != tc.ts {
			t.Errorf("ParseTimestamp(%s) = %d, %v", tc.s, back, err)
		}
	}
	for _, bad := range []string{"", "2020-13-01", "2020-1-1", "2020-01-01T25:00", "2020-01-01T10:00:00+99", "2020-01-01X", "abcd"} {
		if _, err := ParseTimestamp(bad); !errors.Is(err, ErrParse) {
			t.Errorf("ParseTimestamp(%q) error = %v", bad, err)
		}
	}
	for _, bad := range []string{"24:00", "1:00", "10:60", "10:00:00.", "10:00:00x"} {
		if _, err := ParseTime(bad); !errors.Is(err, ErrParse) {
			t.Errorf("ParseTime(%q) error = %v", bad, err)
		}
	}
}

func TestTemporalRandomRoundTrip(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < 20000; i++ {
		ts := Timestamp(r.Int63n(2*253402300799999) - 253402300799999/2)
		back, err := ParseTimestamp(ts.String())
		if err != nil || back != ts {
			t.Fatalf("seed %d: %d -> %s -> %d, %v", seed, ts, ts, back, err)
		}
	}
}

func TestFormatValue(t *testing.T) {
	st := StructOf(Field{"A", IntegerType}, Field{"B", StringType})
	tests := []struct {
		v    any
		want string
	}{
		{nil, "null"},
		{[]any{"a", nil, []any{int64(1)}}, "[a, null, [1]]"},
		{&Map{Keys: []any{"k", "j"}, Values: []any{1.5, nil}}, "{k=1.5, j=null}"},
		{&Struct{Type: st, Values: []any{int32(1), nil}}, "Struct{A=1}"},
		{[]byte{0xff}, "/w=="},
		{MustParseDecimal("-0.010"), "-0.010"},
	}
	for _, tc := range tests {
		if got := Format(tc.v); got != tc.want {
			t.Errorf("Format(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// TestAppendDoubleFastPath: the strconv fast path for the plain range
// agrees with the general digit-by-digit form.
func TestAppendDoubleFastPath(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < 50000; i++ {
		f := math.Pow(10, r.Float64()*10-3) // [1e-3, 1e7)
		if r.Intn(4) == 0 {
			f = math.Round(f) // integral values take the ".0" branch
		}
		if r.Intn(2) == 0 {
			f = -f
		}
		if math.Abs(f) < 1e-3 || math.Abs(f) >= 1e7 {
			continue
		}
		fast, general := string(AppendDouble(nil, f)), string(appendDoubleDigits(nil, f))
		if fast != general {
			t.Fatalf("seed %d: %v: fast %s, general %s", seed, f, fast, general)
		}
	}
}
