package conformance

import (
	"errors"
	"sync/atomic"

	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// ksqlDB's functional tests call functions that exist only in its test
// class path (test_udf, bad_udf, test_udtf, throwing_udtf, tostruct). The
// runner registers look-alikes, with the behaviour the corpus expects, in a
// registry of its own: they never reach functions.Builtins().

// structA is STRUCT<A STRING>, the struct type of the test functions.
var structA = types.StructOf(types.Field{Name: "A", Type: types.StringType})

// TestFunctions returns a registry holding the built-ins and ksqlDB's test
// functions. Each call returns a fresh registry, so the stateful bad_udf
// variant counts per test.
func TestFunctions() (*functions.Registry, error) {
	r := functions.NewRegistry()
	if err := r.AddAll(functions.Builtins()); err != nil {
		return nil, err
	}
	for _, f := range append(testFunctions(), testAggregates()...) {
		if err := r.Register(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func testFunctions() []*functions.Function {
	of := functions.Of
	param := func(name string, p *functions.Pattern) functions.Param {
		return functions.Param{Name: name, Type: p}
	}
	// constant is a test_udf variant that returns which overload ran, which
	// is what the overload-resolution cases check. ksqlDB calls Java UDFs
	// with NULL arguments, so these do not short-circuit on NULL.
	constant := func(result string, variadic bool, params ...functions.Param) *functions.Signature {
		return &functions.Signature{
			Params: params, Variadic: variadic, Returns: functions.PString, CallOnNull: true,
			Eval: func([]any) (any, error) { return result, nil },
		}
	}
	testUDF := &functions.Function{
		Name: "TEST_UDF", DisplayName: "test_udf", Kind: functions.Scalar, Category: "TEST",
		Description: "Returns the name of the overload that ran (ksqlDB test function).",
		Signatures: []*functions.Signature{
			constant("doStuffIntString", false, param("arg1", functions.PInt), param("arg2", functions.PString)),
			constant("doStuffLongString", false, param("arg1", functions.PBigint), param("arg2", functions.PString)),
			constant("doStuffLongLongString", false, param("arg1", functions.PBigint), param("arg2", functions.PBigint), param("arg3", functions.PString)),
			constant("doStuffLongVarargs", true, param("longs", functions.PBigint)),
			{
				Params: []functions.Param{param("struct", of(structA))}, Returns: functions.PString,
				Eval: func(a []any) (any, error) {
					s, ok := a[0].(*types.Struct)
					if !ok {
						return nil, nil
					}
					v, _ := s.Get("A")
					return v, nil
				},
			},
			{
				Returns: of(structA),
				Eval: func([]any) (any, error) {
					return &types.Struct{Type: structA, Values: []any{"foo"}}, nil
				},
			},
		},
	}

	var calls atomic.Int64
	badUDF := &functions.Function{
		Name: "BAD_UDF", DisplayName: "bad_udf", Kind: functions.Scalar, Category: "TEST",
		Description: "Fails on purpose (ksqlDB test function).",
		Signatures: []*functions.Signature{
			{
				Params: []functions.Param{param("arg1", functions.PInt)}, Returns: functions.PString,
				Eval: func([]any) (any, error) { return nil, errors.New("boom!") },
			},
			{
				Params: []functions.Param{param("arg", functions.PBoolean)}, Returns: functions.PInt,
				Eval: func(a []any) (any, error) {
					if b, _ := a[0].(bool); b {
						return nil, errors.New("You asked me to throw...")
					}
					return int32(0), nil
				},
			},
			{
				Params: []functions.Param{param("arg", functions.PString)}, Returns: functions.PString,
				Eval: func(a []any) (any, error) {
					if calls.Add(1)%2 == 1 {
						return nil, nil
					}
					return a[0], nil
				},
			},
		},
	}

	// firsts is a test_udtf variant that returns, as text, the first
	// element of each argument (the argument itself for scalars).
	firsts := func(pick func(any) any, params ...functions.Param) *functions.Signature {
		return &functions.Signature{
			Params: params, Returns: functions.PString,
			Table: func(a []any) ([]any, error) {
				out := make([]any, len(a))
				for i, v := range a {
					out[i] = types.Format(pick(v))
				}
				return out, nil
			},
		}
	}
	scalarParams := func(wrap func(*functions.Pattern) *functions.Pattern) []functions.Param {
		ps := []*functions.Pattern{functions.PInt, functions.PBigint, functions.PDouble, functions.PBoolean,
			functions.PString, functions.PDecimal, of(structA)}
		names := []string{"i", "l", "d", "b", "s", "bd", "struct"}
		out := make([]functions.Param, len(ps))
		for i, p := range ps {
			out[i] = param(names[i], wrap(p))
		}
		return out
	}
	identity := func(v any) any { return v }
	firstElem := func(v any) any {
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			return arr[0]
		}
		return nil
	}
	firstValue := func(v any) any {
		if m, ok := v.(*types.Map); ok && len(m.Values) > 0 {
			return m.Values[0]
		}
		return nil
	}
	mapOf := func(k *functions.Pattern) func(*functions.Pattern) *functions.Pattern {
		return func(p *functions.Pattern) *functions.Pattern { return functions.MapP(k, p) }
	}
	map2 := scalarParams(mapOf(functions.PString))
	map2[0] = param("i", functions.MapP(functions.PBigint, functions.PInt))
	echo := func(p *functions.Pattern, ret functions.ReturnFunc) *functions.Signature {
		s := &functions.Signature{
			Params: []functions.Param{param("v", p)}, Returns: p, ReturnFunc: ret,
			Table: func(a []any) ([]any, error) { return []any{a[0]}, nil },
		}
		return s
	}
	testUDTF := &functions.Function{
		Name: "TEST_UDTF", DisplayName: "test_udtf", Kind: functions.Table, Category: "TEST",
		Description: "Returns its arguments as rows (ksqlDB test table function).",
		Signatures: []*functions.Signature{
			firsts(identity, scalarParams(func(p *functions.Pattern) *functions.Pattern { return p })...),
			firsts(firstElem, scalarParams(functions.ArrayP)...),
			firsts(firstValue, scalarParams(mapOf(functions.PString))...),
			firsts(firstValue, map2...),
			echo(functions.PInt, nil),
			echo(functions.PBigint, nil),
			echo(functions.PDouble, nil),
			echo(functions.PBoolean, nil),
			echo(functions.PString, nil),
			echo(functions.PDecimal, func([]*types.Type) (*types.Type, error) { return types.DecimalOf(30, 10), nil }),
			echo(of(structA), nil),
		},
	}
	throwingUDTF := &functions.Function{
		Name: "THROWING_UDTF", DisplayName: "throwing_udtf", Kind: functions.Table, Category: "TEST",
		Description: "Fails when its argument is true (ksqlDB test table function).",
		Signatures: []*functions.Signature{{
			Params: []functions.Param{param("shouldThrow", functions.PBoolean)}, Returns: functions.PBoolean,
			Table: func(a []any) ([]any, error) {
				if b, _ := a[0].(bool); b {
					return nil, errors.New("You asked me to throw...")
				}
				return []any{a[0]}, nil
			},
		}},
	}
	toStruct := &functions.Function{
		Name: "TOSTRUCT", DisplayName: "tostruct", Kind: functions.Scalar, Category: "TEST",
		Description: "Wraps a string in STRUCT<A STRING> (ksqlDB test function).",
		Signatures: []*functions.Signature{{
			Params: []functions.Param{param("value", functions.PString)}, Returns: of(structA), CallOnNull: true,
			Eval: func(a []any) (any, error) {
				return &types.Struct{Type: structA, Values: []any{a[0]}}, nil
			},
		}},
	}
	return []*functions.Function{testUDF, badUDF, testUDTF, throwingUDTF, toStruct}
}
