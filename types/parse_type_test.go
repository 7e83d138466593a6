package types

import (
	"errors"
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	address := MustParseType("STRUCT<number INTEGER, street VARCHAR, city VARCHAR>")
	resolve := func(name string) (*Type, bool) {
		if strings.EqualFold(name, "ADDRESS") {
			return address, true
		}
		return nil, false
	}
	tests := []struct{ in, want string }{
		{"int", "INTEGER"},
		{"VARCHAR", "STRING"},
		{"decimal(4,2)", "DECIMAL(4, 2)"},
		{"DECIMAL ( 10 )", "DECIMAL(10, 0)"},
		{"ARRAY<MAP<STRING, ARRAY<BIGINT>>>", "ARRAY<MAP<STRING, ARRAY<BIGINT>>>"},
		{"STRUCT<a INT, `b c` STRING, \"d\" DATE>", "STRUCT<`A` INTEGER, `b c` STRING, `d` DATE>"},
		{"STRUCT<>", "STRUCT<>"},
		{"STRUCT<name VARCHAR, address ADDRESS>", "STRUCT<`NAME` STRING, `ADDRESS` STRUCT<`NUMBER` INTEGER, `STREET` STRING, `CITY` STRING>>"},
		{"bytes", "BYTES"},
		{"TIMESTAMP", "TIMESTAMP"},
	}
	for _, tc := range tests {
		got, err := ParseType(tc.in, resolve)
		if err != nil {
			t.Errorf("ParseType(%q): %v", tc.in, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("ParseType(%q) = %s, want %s", tc.in, got, tc.want)
		}
		// The canonical spelling parses back to an equal type.
		again, err := ParseType(got.String(), resolve)
		if err != nil || !again.Equal(got) {
			t.Errorf("ParseType(%q) = %v, %v; want %s", got.String(), again, err, got)
		}
	}
	for _, bad := range []string{"", "FOO", "ARRAY<INT", "MAP<INT>", "DECIMAL(0, 0)", "DECIMAL(4, 5)", "DECIMAL(39, 0)", "STRUCT<A INT, A STRING>", "INT INT", "STRUCT<`a INT>", strings.Repeat("ARRAY<", 100) + "INT" + strings.Repeat(">", 100)} {
		if _, err := ParseType(bad, resolve); !errors.Is(err, ErrParse) {
			t.Errorf("ParseType(%q) error = %v", bad, err)
		}
	}
}

func TestParseNumericLiteral(t *testing.T) {
	tests := []struct {
		in   string
		v    any
		typ  string
		fail string
	}{
		{"-00002147483647", int32(-2147483647), "INTEGER", ""},
		{"2147483648", int64(2147483648), "BIGINT", ""},
		{"000009223372036854775807", int64(9223372036854775807), "BIGINT", ""},
		{"9223372036854775808", nil, "", "Invalid numeric literal: 9223372036854775808"},
		{"2.345", MustParseDecimal("2.345"), "DECIMAL(4, 3)", ""},
		{"0.05", MustParseDecimal("0.05"), "DECIMAL(2, 2)", ""},
		{"04.90E-324", 4.9e-324, "DOUBLE", ""},
		{"1.7976931348623159E308", nil, "", "Number overflows DOUBLE: 1.7976931348623159E308"},
		{"-1.7976931348623160E308", nil, "", "Number overflows DOUBLE"},
	}
	for _, tc := range tests {
		v, typ, err := ParseNumericLiteral(tc.in)
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("ParseNumericLiteral(%s) error = %v, want %q", tc.in, err, tc.fail)
			}
			continue
		}
		if err != nil || typ.String() != tc.typ || !sameValue(v, tc.v) {
			t.Errorf("ParseNumericLiteral(%s) = %v %v %v; want %v %s", tc.in, v, typ, err, tc.v, tc.typ)
		}
	}
}

func TestSQLLiteral(t *testing.T) {
	st := StructOf(Field{"A", IntegerType})
	tests := []struct {
		v    any
		want string
	}{
		{nil, "NULL"},
		{"it's", "'it''s'"},
		{int32(5), "5"},
		{int64(5), "CAST(5 AS BIGINT)"},
		{int64(1 << 40), "1099511627776"},
		{1.5, "1.5E0"},
		{MustParseDecimal("1.50"), "1.50"},
		{Date(10), "CAST('1970-01-11' AS DATE)"},
		{[]any{int32(1), nil}, "ARRAY[1, NULL]"},
		{&Map{Keys: []any{"k"}, Values: []any{true}}, "MAP('k' := true)"},
		{&Struct{Type: st, Values: []any{int32(1)}}, "STRUCT(`A` := 1)"},
	}
	for _, tc := range tests {
		if got := SQLLiteral(tc.v); got != tc.want {
			t.Errorf("SQLLiteral(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
	// Numeric literals read back with the same type and value.
	for _, v := range []any{int32(-7), int64(1 << 40), MustParseDecimal("12.340"), 2.5e-7} {
		text := SQLLiteral(v)
		got, _, err := ParseNumericLiteral(text)
		if err != nil || !sameValue(got, v) {
			t.Errorf("%v -> %s -> %v, %v", v, text, got, err)
		}
	}
}

func TestTypeOf(t *testing.T) {
	st := StructOf(Field{"A", IntegerType})
	tests := []struct {
		v    any
		want string
	}{
		{nil, "NULL"},
		{int32(1), "INTEGER"},
		{MustParseDecimal("12.345"), "DECIMAL(5, 3)"},
		{MustParseDecimal("0.05"), "DECIMAL(2, 2)"},
		{MustParseDecimal("1E+3"), "DECIMAL(4, 0)"},
		{[]any{int32(1), int64(2), nil}, "ARRAY<BIGINT>"},
		{[]any{}, "ARRAY<NULL>"},
		{&Map{Keys: []any{"a"}, Values: []any{1.5}}, "MAP<STRING, DOUBLE>"},
		{&Struct{Type: st, Values: []any{nil}}, "STRUCT<`A` INTEGER>"},
		{Timestamp(1), "TIMESTAMP"},
	}
	for _, tc := range tests {
		if got := TypeOf(tc.v); got == nil || got.String() != tc.want {
			t.Errorf("TypeOf(%#v) = %v, want %s", tc.v, got, tc.want)
		}
	}
	if TypeOf([]any{"a", int32(1)}) == nil {
		return
	}
	t.Error("TypeOf of a mixed array should be nil")
}
