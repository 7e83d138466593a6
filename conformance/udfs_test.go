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
