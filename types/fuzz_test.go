package types

import "testing"

// FuzzParse feeds arbitrary text to every parser that sees user data (CAST
// from STRING, DELIMITED fields, JSON strings). None may panic; whatever
// parses must print back to text that parses to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"10.12", "-1E+3", "2022-04-28T21:44:47.943Z", "2019-01-01T00:00:00+0445", "1970-01",
		"23:59:59.999999999", "NaN", "1.7976931348623159E308", "true", "STRUCT<a INT>", "DECIMAL(38, 38)", " 42 ", "", "-"} {
		f.Add(s)
	}
	targets := []*Type{BooleanType, IntegerType, BigintType, DoubleType, DecimalOf(10, 2), DecimalOf(38, 0), DateType, TimeType, TimestampType}
	f.Fuzz(func(t *testing.T, s string) {
		for _, to := range targets {
			v, err := Cast(s, StringType, to)
			if err != nil {
				continue
			}
			text, err := Cast(v, to, StringType)
			if err != nil {
				t.Fatalf("%q as %s = %v, which does not print: %v", s, to, v, err)
			}
			back, err := Cast(text, StringType, to)
			if err != nil || !NotDistinct(back, v) {
				t.Fatalf("%q as %s = %v, printed %q, read back %v, %v", s, to, v, text, back, err)
			}
		}
		if d, err := ParseDecimal(s); err == nil {
			if back, err := ParseDecimal(d.String()); err != nil || back.Cmp(d) != 0 {
				t.Fatalf("decimal %q -> %s -> %v, %v", s, d, back, err)
			}
		}
		if ty, err := ParseType(s, nil); err == nil {
			if back, err := ParseType(ty.String(), nil); err != nil || !back.Equal(ty) {
				t.Fatalf("type %q -> %s -> %v, %v", s, ty, back, err)
			}
		}
		_, _, _ = ParseNumericLiteral(s)
	})
}
