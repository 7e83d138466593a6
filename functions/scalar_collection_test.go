package functions

import (
	"errors"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestArrayFunctions(t *testing.T) {
	na := tnull(types.ArrayOf(types.IntegerType))
	i := func(v int32) int32 { return v }
	runScalarCases(t, []scalarCase{
		{fn: "ARRAY_CONCAT", args: arr(arr(i(1), i(2)), arr(i(4), i(1))), want: arr(i(1), i(2), i(4), i(1))},
		{fn: "ARRAY_CONCAT", args: arr(na, arr(i(4))), want: arr(i(4))},
		{fn: "ARRAY_CONCAT", args: arr(na, na), want: nil},
		{fn: "ARRAY_CONTAINS", args: arr(arr(i(1), i(2), i(3)), i(3)), want: true},
		{fn: "ARRAY_CONTAINS", args: arr(arr(int64(1), int64(2)), i(2)), want: true},
		{fn: "ARRAY_CONTAINS", args: arr(arr("a", nil), tnull(types.StringType)), want: true},
		{fn: "ARRAY_CONTAINS", args: arr(na, i(1)), want: false},
		{fn: "ARRAY_DISTINCT", args: arr(arr("apple", "apple", nil, "cherry", nil)), want: arr("apple", nil, "cherry")},
		{fn: "ARRAY_DISTINCT", args: arr(na), want: nil},
		{fn: "ARRAY_EXCEPT", args: arr(arr("apple", "apple", nil, "cherry"), arr("cherry")), want: arr("apple", nil)},
		{fn: "ARRAY_INTERSECT", args: arr(arr(i(1), i(2), i(3), i(1), i(2)), arr(i(2), i(1))), want: arr(i(1), i(2))},
		{fn: "ARRAY_UNION", args: arr(arr(i(1), i(2), i(3), i(1), i(2)), arr(i(4), i(1))), want: arr(i(1), i(2), i(3), i(4))},
		{fn: "ARRAY_UNION", args: arr(arr(i(1)), na), want: nil},
		{fn: "ARRAY_JOIN", args: arr(arr(i(1), nil, i(3))), want: "1,null,3"},
		{fn: "ARRAY_JOIN", args: arr(arr(1.5, 2.0), "|"), want: "1.5|2.0"},
		{fn: "ARRAY_JOIN", args: arr(arr(arr(i(1)))), err: "primitive"},
		{fn: "ARRAY_LENGTH", args: arr(arr(i(1), i(2), i(3))), want: int32(3)},
		{fn: "ARRAY_LENGTH", args: arr(na), want: nil},
		{fn: "ARRAY_MAX", args: arr(arr(i(-1), i(2), nil, i(0))), want: i(2)},
		{fn: "ARRAY_MAX", args: arr(arr(false, nil, true)), want: true},
		{fn: "ARRAY_MAX", args: arr(arr("Foo", "Bar", nil, "baz")), want: "baz"},
		{fn: "ARRAY_MIN", args: arr(arr("Foo", "Bar", nil, "baz")), want: "Bar"},
		{fn: "ARRAY_MIN", args: arr(typedVal{arr(nil, nil), types.ArrayOf(types.IntegerType)}), want: nil},
		{fn: "ARRAY_REMOVE", args: arr(arr(i(1), i(2), i(3), i(2), i(1)), i(2)), want: arr(i(1), i(3), i(1))},
		{fn: "ARRAY_REMOVE", args: arr(arr("Foo", "Bar", nil, "baz"), tnull(types.StringType)), want: arr("Foo", "Bar", "baz")},
		{fn: "ARRAY_REMOVE", args: arr(na, i(1)), want: nil},
		{fn: "ARRAY_SORT", args: arr(arr(i(-1), i(2), nil, i(0))), want: arr(i(-1), i(0), i(2), nil)},
		{fn: "ARRAY_SORT", args: arr(arr("Foo", "Bar", nil, "baz"), "DESC"), want: arr("baz", "Foo", "Bar", nil)},
		{fn: "ARRAY_SORT", args: arr(arr(i(1)), "SIDEWAYS"), want: nil},
		{fn: "SLICE", args: arr(arr("a", "b", "c", "d"), i(2), i(3)), want: arr("b", "c")},
		{fn: "SLICE", args: arr(arr("a", "b", "c"), tnull(types.IntegerType), i(2)), want: arr("a", "b")},
		{fn: "SLICE", args: arr(arr("a", "b", "c"), i(3), i(9)), want: nil},
		{fn: "SLICE", args: arr(arr("a", "b", "c"), i(0), i(2)), want: nil},
		{fn: "SLICE", args: arr(arr("a", "b", "c"), i(3), i(1)), want: nil},
		{fn: "SLICE", args: arr(arr("a", "b", "c"), i(3), i(2)), want: arr()},
	})
}

func TestMapFunctions(t *testing.T) {
	m := smap("apple", int32(10), "banana", int32(20))
	entry := types.StructOf(types.Field{Name: "K", Type: types.StringType}, types.Field{Name: "V", Type: types.IntegerType})
	runScalarCases(t, []scalarCase{
		{fn: "MAP_KEYS", args: arr(m), want: arr("apple", "banana")},
		{fn: "MAP_VALUES", args: arr(m), want: arr(int32(10), int32(20))},
		{fn: "MAP_UNION", args: arr(m, smap("cherry", int32(99))), want: smap("apple", int32(10), "banana", int32(20), "cherry", int32(99))},
		{fn: "MAP_UNION", args: arr(m, smap("apple", int32(50))), want: smap("apple", int32(50), "banana", int32(20))},
		{fn: "MAP_UNION", args: arr(tnull(types.MapOf(types.StringType, types.IntegerType)), m), want: m},
		{fn: "AS_MAP", args: arr(arr("a", "b"), arr(int32(1), int32(2))), want: smap("a", int32(1), "b", int32(2))},
		{fn: "ENTRIES", args: arr(smap("b", int32(2), "a", int32(1)), true), want: arr(
			&types.Struct{Type: entry, Values: arr("a", int32(1))}, &types.Struct{Type: entry, Values: arr("b", int32(2))})},
		{fn: "ENTRIES", args: arr(smap("b", int32(2), "a", int32(1)), false), want: arr(
			&types.Struct{Type: entry, Values: arr("b", int32(2))}, &types.Struct{Type: entry, Values: arr("a", int32(1))})},
	})
}

func TestNullFunctions(t *testing.T) {
	ni := tnull(types.IntegerType)
	runScalarCases(t, []scalarCase{
		{fn: "COALESCE", args: arr(ni, int32(2), int32(3)), want: int32(2)},
		{fn: "COALESCE", args: arr(ni, ni), want: nil},
		{fn: "COALESCE", args: arr(ni, int64(7)), want: int64(7)},
		{fn: "IFNULL", args: arr(ni, int32(5)), want: int32(5)},
		{fn: "IFNULL", args: arr(int32(1), int32(5)), want: int32(1)},
		{fn: "NULLIF", args: arr(int32(1), int32(1)), want: nil},
		{fn: "NULLIF", args: arr(int32(1), int32(2)), want: int32(1)},
		{fn: "NULLIF", args: arr(int32(1), ni), want: int32(1)},
		{fn: "NULLIF", args: arr(arr("a"), arr("a")), want: nil},
	})
}

// callLambda resolves a lambda function with lambda types given by body
// and evaluates it with Go callables.
func callLambda(t *testing.T, name string, vals []any, lambdas map[int]struct {
	arity int
	ret   *types.Type
	fn    Lambda
}) (any, error) {
	t.Helper()
	args := make([]Arg, len(vals))
	in := make([]any, len(vals))
	for i, v := range vals {
		if l, ok := lambdas[i]; ok {
			ret := l.ret
			args[i] = Arg{Lambda: &LambdaArg{Arity: l.arity, Body: func([]*types.Type) (*types.Type, error) { return ret, nil }}}
			in[i] = l.fn
			continue
		}
		args[i] = Arg{Type: typeOf(v)}
		if _, isNull := v.(typedNull); !isNull {
			in[i] = v
		}
	}
	c, err := Builtins().Resolve(name, args)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := c.Scalar()
	if err != nil {
		t.Fatal(err)
	}
	return fn(in)
}

type lam = struct {
	arity int
	ret   *types.Type
	fn    Lambda
}

func TestLambdaFunctions(t *testing.T) {
	double := lam{1, types.IntegerType, func(a ...any) (any, error) { return a[0].(int32) * 2, nil }}
	even := lam{1, types.BooleanType, func(a ...any) (any, error) { return a[0].(int32)%2 == 0, nil }}
	sum := lam{2, types.IntegerType, func(a ...any) (any, error) { return a[0].(int32) + a[1].(int32), nil }}
	upperKey := lam{2, types.StringType, func(a ...any) (any, error) { return "K_" + a[0].(string), nil }}
	incValue := lam{2, types.IntegerType, func(a ...any) (any, error) { return a[1].(int32) + 1, nil }}
	bigValue := lam{2, types.BooleanType, func(a ...any) (any, error) { return a[1].(int32) > 1, nil }}
	sumMap := lam{3, types.IntegerType, func(a ...any) (any, error) { return a[0].(int32) + a[2].(int32), nil }}
	boom := lam{1, types.IntegerType, func(a ...any) (any, error) { return nil, errors.New("boom") }}
	m := smap("a", int32(1), "b", int32(2))
	cases := []struct {
		fn      string
		vals    []any
		lambdas map[int]lam
		want    any
		err     string
	}{
		{"TRANSFORM", arr(arr(int32(1), int32(2)), nil), map[int]lam{1: double}, arr(int32(2), int32(4)), ""},
		{"TRANSFORM", arr(tnull(types.ArrayOf(types.IntegerType)), nil), map[int]lam{1: double}, nil, ""},
		{"TRANSFORM", arr(m, nil, nil), map[int]lam{1: upperKey, 2: incValue}, smap("K_a", int32(2), "K_b", int32(3)), ""},
		{"TRANSFORM", arr(arr(int32(1)), nil), map[int]lam{1: boom}, nil, "boom"},
		{"FILTER", arr(arr(int32(1), int32(2), int32(4)), nil), map[int]lam{1: even}, arr(int32(2), int32(4)), ""},
		{"FILTER", arr(m, nil), map[int]lam{1: bigValue}, smap("b", int32(2)), ""},
		{"REDUCE", arr(arr(int32(1), int32(2), int32(3)), int32(10), nil), map[int]lam{2: sum}, int32(16), ""},
		{"REDUCE", arr(m, int32(0), nil), map[int]lam{2: sumMap}, int32(3), ""},
		{"REDUCE", arr(arr(int32(1)), tnull(types.IntegerType), nil), map[int]lam{2: sum}, nil, ""},
		{"REDUCE", arr(tnull(types.ArrayOf(types.IntegerType)), int32(7), nil), map[int]lam{2: sum}, int32(7), ""},
		{"REDUCE", arr(tnull(types.MapOf(types.StringType, types.IntegerType)), int32(7), nil), map[int]lam{2: sumMap}, int32(7), ""},
		{"REDUCE", arr(m, tnull(types.IntegerType), nil), map[int]lam{2: sumMap}, nil, ""},
	}
	for _, c := range cases {
		got, err := callLambda(t, c.fn, c.vals, c.lambdas)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: want error %q, got %v", c.fn, c.err, err)
			}
			continue
		}
		if err != nil || !sameValue(got, c.want) {
			t.Errorf("%s%v = %#v, %v; want %#v", c.fn, c.vals, got, err, c.want)
		}
	}
}

func TestScalarRecoversFromBadArguments(t *testing.T) {
	c, err := Builtins().Resolve("UCASE", TypeArgs(types.StringType))
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := c.Scalar()
	if _, err := fn([]any{int32(1)}); err == nil {
		t.Fatal("wrong Go type did not produce an error")
	}
}
