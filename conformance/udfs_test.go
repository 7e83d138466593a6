package conformance

import (
	"testing"

	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

func TestTestFunctions(t *testing.T) {
	reg, err := TestFunctions()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := functions.Builtins().Lookup("TEST_UDF"); ok {
		t.Fatal("test functions leaked into the shipped registry")
	}
	if _, ok := reg.Lookup("SUBSTRING"); !ok {
		t.Fatal("built-ins missing from the test registry")
	}
	scalar := func(name string, args []*types.Type, vals ...any) (any, error) {
		t.Helper()
		call, err := reg.Resolve(name, functions.TypeArgs(args...))
		if err != nil {
			t.Fatalf("resolve %s%v: %v", name, args, err)
		}
		return call.Signature.Eval(vals)
	}
	tests := []struct {
		name string
		args []*types.Type
		vals []any
		want any
	}{
		{"TEST_UDF", []*types.Type{types.IntegerType, types.StringType}, []any{int32(1), "a"}, "doStuffIntString"},
		{"TEST_UDF", []*types.Type{types.BigintType, types.NullType}, []any{int64(1), nil}, "doStuffLongString"},
		{"TEST_UDF", []*types.Type{types.BigintType, types.BigintType, types.NullType}, []any{int64(1), int64(1), nil}, "doStuffLongLongString"},
		{"TEST_UDF", []*types.Type{types.BigintType, types.BigintType, types.BigintType, types.BigintType}, []any{int64(0), int64(0), int64(0), int64(0)}, "doStuffLongVarargs"},
		{"TEST_UDF", []*types.Type{structA}, []any{&types.Struct{Type: structA, Values: []any{"v"}}}, "v"},
		{"BAD_UDF", []*types.Type{types.BooleanType}, []any{false}, int32(0)},
	}
	for _, tt := range tests {
		got, err := scalar(tt.name, tt.args, tt.vals...)
		if err != nil || got != tt.want {
			t.Errorf("%s%v(%v) = %v, %v; want %v", tt.name, tt.args, tt.vals, got, err, tt.want)
		}
	}
	if _, err := scalar("BAD_UDF", []*types.Type{types.IntegerType}, int32(1)); err == nil {
		t.Error("BAD_UDF(INT) must fail")
	}
	if _, err := scalar("BAD_UDF", []*types.Type{types.BooleanType}, true); err == nil {
		t.Error("BAD_UDF(true) must fail")
	}
	got, err := scalar("TOSTRUCT", []*types.Type{types.StringType}, "a")
	if s, ok := got.(*types.Struct); err != nil || !ok || s.Values[0] != "a" {
		t.Errorf("TOSTRUCT('a') = %v, %v", got, err)
	}

	udtf := func(args []*types.Type, vals ...any) []any {
		t.Helper()
		call, err := reg.Resolve("TEST_UDTF", functions.TypeArgs(args...))
		if err != nil {
			t.Fatalf("resolve TEST_UDTF%v: %v", args, err)
		}
		out, err := call.Signature.Table(vals)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := []*types.Type{types.IntegerType, types.BigintType, types.DoubleType, types.BooleanType, types.StringType,
		types.DecimalOf(20, 10), structA}
	out := udtf(all, int32(1), int64(2), 3.1, true, "foo", types.MustParseDecimal("123.4560000000"),
		&types.Struct{Type: structA, Values: []any{"bar"}})
	want := []any{"1", "2", "3.1", "true", "foo", "123.4560000000", "Struct{A=bar}"}
	if render(out) != render(want) {
		t.Errorf("TEST_UDTF(scalars) = %v, want %v", out, want)
	}
	if out := udtf([]*types.Type{types.DoubleType}, 3.5); len(out) != 1 || out[0] != 3.5 {
		t.Errorf("TEST_UDTF(DOUBLE) = %v", out)
	}
	call, err := reg.Resolve("THROWING_UDTF", functions.TypeArgs(types.BooleanType))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Signature.Table([]any{true}); err == nil {
		t.Error("THROWING_UDTF(true) must fail")
	}
}

func TestTestAggregates(t *testing.T) {
	reg, err := TestFunctions()
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string, args []*types.Type, literals []any, rows ...[]any) (any, functions.Accumulator) {
		t.Helper()
		call, err := reg.Resolve(name, functions.TypeArgs(args...))
		if err != nil {
			t.Fatalf("resolve %s%v: %v", name, args, err)
		}
		mk, err := call.Accumulator(literals, functions.Config{})
		if err != nil {
			t.Fatal(err)
		}
		acc := mk()
		for _, r := range rows {
			if err := acc.Add(r); err != nil {
				t.Fatalf("%s add %v: %v", name, r, err)
			}
		}
		// The state must survive the store round trip.
		b, err := acc.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back := mk()
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s state %q: %v", name, b, err)
		}
		res, err := back.Result()
		if err != nil {
			t.Fatal(err)
		}
		return res, back
	}

	got, acc := run("TEST_UDAF", []*types.Type{types.IntegerType}, nil, []any{int32(-2147483647)}, []any{int32(5)})
	if got != int64(-2147483642) {
		t.Errorf("TEST_UDAF(INT) = %v", got)
	}
	if err := acc.Undo([]any{int32(5)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := acc.Result(); r != int64(-2147483647) {
		t.Errorf("after undo: %v", r)
	}
	got, _ = run("TEST_UDAF", []*types.Type{structAB}, nil,
		[]any{&types.Struct{Type: structAB, Values: []any{int32(1), int32(2)}}},
		[]any{&types.Struct{Type: structAB, Values: []any{int32(2), int32(3)}}})
	if render(generic(got)) != `{"A":3,"B":5}` {
		t.Errorf("TEST_UDAF(STRUCT) = %s", render(generic(got)))
	}
	got, _ = run("VAR_ARG", []*types.Type{types.BigintType, types.StringType, types.StringType, types.StringType}, nil,
		[]any{int64(6), "hi", "hello", "world"}, []any{nil, "hello", "hello", "world"})
	if got != int64(33) {
		t.Errorf("VAR_ARG = %v, want 33", got)
	}
	if _, err := reg.Resolve("VAR_ARG", functions.TypeArgs(types.BigintType, types.IntegerType)); err == nil {
		t.Error("VAR_ARG(BIGINT, INTEGER) must not resolve")
	}
	dec := types.DecimalOf(5, 1)
	got, _ = run("GENERIC_VAR_ARG", []*types.Type{dec, types.IntegerType, types.DoubleType, types.DoubleType}, nil,
		[]any{types.MustParseDecimal("2.3"), int32(1), 1.2, 1.44},
		[]any{nil, int32(5), 1.6, 12.34},
		[]any{types.MustParseDecimal("5.7"), int32(1), 1.2, 1.44})
	if render(generic(got)) != `[2.3,5.7]` {
		t.Errorf("GENERIC_VAR_ARG = %s", render(generic(got)))
	}
	if _, err := reg.Resolve("GENERIC_VAR_ARG", functions.TypeArgs(dec, types.IntegerType, types.DoubleType, types.StringType, types.DoubleType)); err == nil {
		t.Error("GENERIC_VAR_ARG with mixed variadic types must not resolve")
	}
	// OBJ_COL_ARG's variadic Object parameter takes arguments of different
	// types (a struct, an array, decimals of two scales) unconverted.
	mixed := []*types.Type{types.IntegerType, types.DecimalOf(5, 1), types.DecimalOf(4, 3),
		structAB, types.ArrayOf(types.IntegerType)}
	got, _ = run("OBJ_COL_ARG", mixed, nil,
		[]any{int32(6), types.MustParseDecimal("3.2"), types.MustParseDecimal("1.230"),
			&types.Struct{Type: structAB, Values: []any{int32(1), int32(2)}}, []any{int32(3)}},
		[]any{int32(2), nil, types.MustParseDecimal("1.567"),
			&types.Struct{Type: structAB, Values: []any{int32(1), int32(2)}}, []any{int32(3)}},
		[]any{int32(7), types.MustParseDecimal("0.1"), types.MustParseDecimal("8.760"),
			&types.Struct{Type: structAB, Values: []any{int32(1), int32(2)}}, []any{}})
	if render(generic(got)) != `[6,7]` {
		t.Errorf("OBJ_COL_ARG = %s, want [6,7]", render(generic(got)))
	}
	call, err := reg.Resolve("OBJ_COL_ARG", functions.TypeArgs(mixed...))
	if err != nil {
		t.Fatal(err)
	}
	for i, at := range call.ArgTypes {
		if !at.Equal(mixed[i]) {
			t.Errorf("OBJ_COL_ARG argument %d converted to %s, want %s unchanged", i, at, mixed[i])
		}
	}
	if got, _ := run("OBJ_COL_ARG", []*types.Type{types.IntegerType}, nil, []any{int32(4)}, []any{nil}); render(generic(got)) != `[4]` {
		t.Errorf("OBJ_COL_ARG without variadic arguments = %s, want [4]", render(generic(got)))
	}
}
