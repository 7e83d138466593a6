package types

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/internal/golden"
)

// checkGolden compares got with the named file under testdata/types.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("..", "testdata", "types", name), got)
}

// TestCastGolden prints CAST of a fixed set of values to every scalar type
// (and a few containers) so any change in cast semantics shows up as a
// reviewable diff in testdata/types/cast.txt.
func TestCastGolden(t *testing.T) {
	st := StructOf(Field{"F0", IntegerType}, Field{"f1", StringType})
	sources := []struct {
		v any
		t *Type
	}{
		{true, BooleanType},
		{int32(-7), IntegerType},
		{int32(2147483647), IntegerType},
		{int64(2147483648), BigintType},
		{int64(-9223372036854775808), BigintType},
		{0.0, DoubleType},
		{-1.5, DoubleType},
		{0.995, DoubleType},
		{1e21, DoubleType},
		{3e-5, DoubleType},
		{MustParseDecimal("10.125"), DecimalOf(5, 3)},
		{MustParseDecimal("-0.005"), DecimalOf(3, 3)},
		{"42", StringType},
		{" 4.55 ", StringType},
		{"true", StringType},
		{"Y", StringType},
		{"2022-04-28", StringType},
		{"2022-04-28T21:44:47.943+02:00", StringType},
		{"21:44:47.5", StringType},
		{"abc", StringType},
		{"", StringType},
		{[]byte("hi"), BytesType},
		{Date(19000), DateType},
		{Time(3723004), TimeType},
		{Timestamp(1651182287943), TimestampType},
		{Timestamp(-1), TimestampType},
		{[]any{int64(1), nil}, ArrayOf(BigintType)},
		{&Map{Keys: []any{"k"}, Values: []any{"10"}}, MapOf(StringType, StringType)},
		{&Struct{Type: st, Values: []any{int32(1), nil}}, st},
	}
	targets := []*Type{BooleanType, IntegerType, BigintType, DoubleType, DecimalOf(4, 2), StringType, BytesType,
		DateType, TimeType, TimestampType, ArrayOf(StringType), MapOf(StringType, IntegerType), StructOf(Field{"F0", StringType})}
	var b strings.Builder
	b.WriteString("# CAST(value AS type): result, or the error. Regenerate with go test ./types -run TestCastGolden -rewrite\n")
	for _, src := range sources {
		fmt.Fprintf(&b, "\n%s %s\n", src.t, SQLLiteral(src.v))
		for _, to := range targets {
			got, err := Cast(src.v, src.t, to)
			switch {
			case err != nil:
				fmt.Fprintf(&b, "  %-22s error: %v\n", to, err)
			case got == nil:
				fmt.Fprintf(&b, "  %-22s NULL\n", to)
			default:
				fmt.Fprintf(&b, "  %-22s %s\n", to, SQLLiteral(got))
			}
		}
	}
	checkGolden(t, "cast.txt", b.String())
}
