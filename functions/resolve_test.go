package functions

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestResolve(t *testing.T) {
	dec := types.DecimalOf(5, 2)
	cases := []struct {
		name   string
		fn     string
		args   []*types.Type
		ret    string // expected return type
		params string // expected converted argument types
		err    string // expected error substring
		kind   error
	}{
		{name: "exact", fn: "abs", args: []*types.Type{types.IntegerType}, ret: "INTEGER", params: "INTEGER"},
		{name: "case-insensitive", fn: "AbS", args: []*types.Type{types.BigintType}, ret: "BIGINT", params: "BIGINT"},
		{name: "decimal keeps type", fn: "ABS", args: []*types.Type{dec}, ret: "DECIMAL(5, 2)", params: "DECIMAL(5, 2)"},
		{name: "widen int to double", fn: "SQRT", args: []*types.Type{types.IntegerType}, ret: "DOUBLE", params: "DOUBLE"},
		{name: "widen decimal to double", fn: "LN", args: []*types.Type{dec}, ret: "DOUBLE", params: "DOUBLE"},
		{name: "round double", fn: "ROUND", args: []*types.Type{types.DoubleType}, ret: "BIGINT", params: "DOUBLE"},
		{name: "round decimal", fn: "ROUND", args: []*types.Type{types.DecimalOf(33, 16)}, ret: "DECIMAL(17, 0)", params: "DECIMAL(33, 16)"},
		{name: "round decimal scale", fn: "ROUND", args: []*types.Type{types.DecimalOf(33, 16), types.IntegerType}, ret: "DECIMAL(33, 16)", params: "DECIMAL(33, 16), INTEGER"},
		{name: "generic binds T", fn: "ARRAY_MAX", args: []*types.Type{types.ArrayOf(types.StringType)}, ret: "STRING", params: "ARRAY<STRING>"},
		{name: "generic map", fn: "MAP_VALUES", args: []*types.Type{types.MapOf(types.StringType, types.DoubleType)}, ret: "ARRAY<DOUBLE>", params: "MAP<STRING, DOUBLE>"},
		{name: "generic widens later arg", fn: "ARRAY_CONTAINS", args: []*types.Type{types.ArrayOf(types.BigintType), types.IntegerType}, ret: "BOOLEAN", params: "ARRAY<BIGINT>, BIGINT"},
		{name: "coalesce widens", fn: "COALESCE", args: []*types.Type{types.IntegerType, types.BigintType}, ret: "BIGINT", params: "BIGINT, BIGINT"},
		{name: "variadic", fn: "CONCAT", args: []*types.Type{types.StringType, types.StringType, types.StringType}, ret: "STRING", params: "STRING, STRING, STRING"},
		{name: "variadic bytes", fn: "CONCAT", args: []*types.Type{types.BytesType, types.BytesType}, ret: "BYTES", params: "BYTES, BYTES"},
		{name: "null fits", fn: "SUBSTRING", args: []*types.Type{types.StringType, types.NullType}, ret: "STRING", params: "STRING, INTEGER"},
		{name: "greatest same type", fn: "GREATEST", args: []*types.Type{types.IntegerType, types.IntegerType}, ret: "INTEGER", params: "INTEGER, INTEGER"},
		{name: "greatest decimals widen", fn: "GREATEST", args: []*types.Type{types.DecimalOf(4, 1), types.DecimalOf(6, 3)}, ret: "DECIMAL(6, 3)", params: "DECIMAL(4, 1), DECIMAL(6, 3)"},
		{name: "count star", fn: "COUNT", args: nil, ret: "BIGINT", params: ""},
		{name: "unknown", fn: "WONT_FIND_ME", args: nil, err: "Can't find any functions with the name 'WONT_FIND_ME'", kind: ErrUnknownFunction},
		{name: "no match", fn: "greatest", args: []*types.Type{types.StringType, types.IntegerType},
			err: "Function 'greatest' does not accept parameters (STRING, INTEGER).\nValid alternatives are:\ngreatest(INTEGER val, INTEGER... vals)\n", kind: ErrNoMatch},
		{name: "no args", fn: "GREATEST", args: nil, err: "Function 'greatest' does not accept parameters ().", kind: ErrNoMatch},
		{name: "coalesce no args", fn: "COALESCE", args: nil, err: "Function 'COALESCE' does not accept parameters ()", kind: ErrNoMatch},
		{name: "ambiguous widening", fn: "GREATEST", args: []*types.Type{types.IntegerType, types.BigintType},
			err: "Function 'greatest' cannot be resolved due to ambiguous method parameters (INTEGER, BIGINT).", kind: ErrAmbiguous},
		{name: "ambiguous nulls", fn: "GREATEST", args: []*types.Type{nil, nil, nil, nil},
			err: "Function 'greatest' cannot be resolved due to ambiguous method parameters (null, null, null, null).", kind: ErrAmbiguous},
		{name: "interval unit is not a timestamp", fn: "TIMESTAMPSUB", args: []*types.Type{types.TimestampType, types.IntegerType, types.TimestampType},
			err: "Function 'timestampsub' does not accept parameters (TIMESTAMP, INTEGER, TIMESTAMP).", kind: ErrNoMatch},
		{name: "geo wrong arity", fn: "GEO_DISTANCE", args: []*types.Type{types.DoubleType}, err: "Function 'geo_distance' does not accept parameters", kind: ErrNoMatch},
		{name: "string is not a double", fn: "geo_distance", args: []*types.Type{types.DoubleType, types.DoubleType, types.StringType, types.IntegerType},
			err: "Function 'geo_distance' does not accept parameters (DOUBLE, DOUBLE, STRING, INTEGER).", kind: ErrNoMatch},
		{name: "decimal literal widens to double", fn: "geo_distance", args: []*types.Type{types.DoubleType, types.DoubleType, types.DecimalOf(3, 1), types.IntegerType},
			ret: "DOUBLE", params: "DOUBLE, DOUBLE, DOUBLE, DOUBLE"},
		{name: "count no args", fn: "count", args: []*types.Type{}, ret: "BIGINT", params: ""},
		{name: "no narrowing", fn: "FROM_DAYS", args: []*types.Type{types.BigintType}, err: "does not accept parameters (BIGINT)", kind: ErrNoMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			call, err := Builtins().Resolve(c.fn, TypeArgs(c.args...))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("want error containing %q, got %v", c.err, err)
				}
				if !errors.Is(err, c.kind) {
					t.Fatalf("error %v is not %v", err, c.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := call.Return.String(); got != c.ret {
				t.Errorf("return %s, want %s", got, c.ret)
			}
			var ps []string
			for _, p := range call.ArgTypes {
				ps = append(ps, p.String())
			}
			if got := strings.Join(ps, ", "); got != c.params {
				t.Errorf("params %s, want %s", got, c.params)
			}
		})
	}
}

func TestResolveLambda(t *testing.T) {
	// TRANSFORM(ARRAY<INTEGER>, x => CAST(x AS STRING)): the body's type is
	// computed from the element type the resolver hands the callback.
	var seen []*types.Type
	lam := &LambdaArg{Arity: 1, Body: func(in []*types.Type) (*types.Type, error) {
		seen = in
		return types.StringType, nil
	}}
	call, err := Builtins().Resolve("transform", []Arg{{Type: types.ArrayOf(types.IntegerType)}, {Lambda: lam}})
	if err != nil {
		t.Fatal(err)
	}
	if call.Return.String() != "ARRAY<STRING>" || len(seen) != 1 || seen[0].Kind != types.Integer {
		t.Fatalf("return %s, lambda inputs %v", call.Return, seen)
	}
	// Map form with two lambdas.
	kl := &LambdaArg{Arity: 2, Body: func(in []*types.Type) (*types.Type, error) { return types.BigintType, nil }}
	vl := &LambdaArg{Arity: 2, Body: func(in []*types.Type) (*types.Type, error) { return in[1], nil }}
	call, err = Builtins().Resolve("TRANSFORM", []Arg{{Type: types.MapOf(types.StringType, types.DoubleType)}, {Lambda: kl}, {Lambda: vl}})
	if err != nil || call.Return.String() != "MAP<BIGINT, DOUBLE>" {
		t.Fatalf("map transform: %v %v", call, err)
	}
	// REDUCE: the state type binds S; a lambda returning a wider type than
	// the state is accepted (widening), a lambda of the wrong arity is not.
	rl := &LambdaArg{Arity: 2, Body: func(in []*types.Type) (*types.Type, error) { return in[0], nil }}
	call, err = Builtins().Resolve("REDUCE", []Arg{{Type: types.ArrayOf(types.IntegerType)}, {Type: types.BigintType}, {Lambda: rl}})
	if err != nil || call.Return.String() != "BIGINT" {
		t.Fatalf("reduce: %v %v", call, err)
	}
	bad := &LambdaArg{Arity: 3, Body: func(in []*types.Type) (*types.Type, error) { return types.BooleanType, nil }}
	if _, err := Builtins().Resolve("FILTER", []Arg{{Type: types.ArrayOf(types.IntegerType)}, {Lambda: bad}}); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("wrong arity lambda: %v", err)
	}
	// FILTER's lambda must return BOOLEAN.
	notBool := &LambdaArg{Arity: 1, Body: func(in []*types.Type) (*types.Type, error) { return types.StringType, nil }}
	if _, err := Builtins().Resolve("FILTER", []Arg{{Type: types.ArrayOf(types.IntegerType)}, {Lambda: notBool}}); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("non-boolean filter lambda: %v", err)
	}
}

func TestRegistryExtension(t *testing.T) {
	r := NewRegistry()
	if err := r.AddAll(Builtins()); err != nil {
		t.Fatal(err)
	}
	testUDF := scalar("TEST_UDF", catOther, "A fixture.",
		sig(PString, "Echo.", func(a []any) (any, error) { return a[0], nil }, p("x", PString)))
	if err := r.Register(testUDF); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(testUDF); err == nil {
		t.Fatal("duplicate registration accepted")
	}
	if _, ok := r.Lookup("test_udf"); !ok {
		t.Fatal("extension function not found")
	}
	if _, ok := Builtins().Lookup("test_udf"); ok {
		t.Fatal("extension leaked into the shipped registry")
	}
	if err := r.Register(&Function{Name: "BROKEN", Kind: Scalar, Signatures: []*Signature{{Returns: PInt}}}); err == nil {
		t.Fatal("function without implementation accepted")
	}
}

func TestNullShortCircuit(t *testing.T) {
	// Most functions return NULL for a NULL argument without being called;
	// those declared CallOnNull see the NULL.
	got, err := eval(t, "UCASE", tnull(types.StringType))
	if err != nil || got != nil {
		t.Fatalf("UCASE(NULL) = %v, %v", got, err)
	}
	got, err = eval(t, "IS_JSON_STRING", tnull(types.StringType))
	if err != nil || got != false {
		t.Fatalf("IS_JSON_STRING(NULL) = %v, %v", got, err)
	}
}

func TestResolveStringAsTemporal(t *testing.T) {
	for _, tt := range []*types.Type{types.DateType, types.TimeType, types.TimestampType} {
		call, err := Builtins().Resolve("GREATEST", TypeArgs(tt, tt, nil, types.StringType))
		if err != nil {
			t.Fatalf("%s: %v", tt, err)
		}
		if !call.Return.Equal(tt) || !call.ArgTypes[3].Equal(tt) {
			t.Fatalf("%s: return %s, string argument converted to %s", tt, call.Return, call.ArgTypes[3])
		}
	}
	// An exact STRING variant still wins.
	call, err := Builtins().Resolve("GREATEST", TypeArgs(types.StringType, types.StringType))
	if err != nil || call.Return.Kind != types.String {
		t.Fatalf("GREATEST(STRING, STRING): %v %v", call, err)
	}
}

func TestResolveErrorText(t *testing.T) {
	_, err := Builtins().Resolve("GEO_DISTANCE", TypeArgs(types.StringType))
	want := "Function 'geo_distance' does not accept parameters (STRING).\n" +
		"Valid alternatives are:\n" +
		"geo_distance(DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2)\n" +
		"geo_distance(DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2, STRING unit)\n" +
		"For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
	_, err = Builtins().Resolve("LEAST", TypeArgs(types.IntegerType, types.BigintType))
	if err == nil || !strings.Contains(err.Error(), "ambiguous method parameters (INTEGER, BIGINT).\nUse CAST() to explicitly cast your parameters") {
		t.Fatalf("ambiguous: %v", err)
	}
}

func TestResolveAny(t *testing.T) {
	// An Object parameter takes any argument unconverted, and each
	// argument of a variadic Object parameter keeps its own type.
	f := scalar("OBJ", catOther, "Fixture.",
		variadic(sig(PInt, "any", func([]any) (any, error) { return int32(1), nil }, p("a", PInt), p("rest", PAny))),
		sig(PInt, "fixed", func([]any) (any, error) { return int32(2), nil }, p("a", PInt), p("b", PString)),
	)
	args := []*types.Type{types.IntegerType, types.DecimalOf(5, 1), types.MapOf(types.StringType, types.IntegerType), types.NullType, types.DecimalOf(4, 3)}
	c, err := f.Resolve(TypeArgs(args...))
	if err != nil || c.Signature.Description != "any" {
		t.Fatalf("picked %v, %v", c, err)
	}
	for i, at := range c.ArgTypes[:3] {
		if !at.Equal(args[i]) {
			t.Errorf("argument %d converted to %s, want %s", i, at, args[i])
		}
	}
	if !c.ArgTypes[4].Equal(args[4]) {
		t.Errorf("argument 4 converted to %s, want %s", c.ArgTypes[4], args[4])
	}
	if c, err = f.Resolve(TypeArgs(types.IntegerType)); err != nil || c.Signature.Description != "any" {
		t.Fatalf("no variadic arguments: picked %v, %v", c, err)
	}
	// A concrete parameter beats Object.
	if c, err = f.Resolve(TypeArgs(types.IntegerType, types.StringType)); err != nil || c.Signature.Description != "fixed" {
		t.Fatalf("picked %v, %v", c, err)
	}
	if _, err = f.Resolve(TypeArgs(types.StringType)); err == nil {
		t.Fatal("the fixed first parameter accepted a STRING")
	}
	if got := f.alternatives(); !strings.Contains(got, "obj(INTEGER a, ANY... rest)") {
		t.Errorf("alternatives = %q", got)
	}
}

func TestResolvePreference(t *testing.T) {
	// Both the fixed (STRING, STRING) variant of a fixture and its variadic
	// and generic variants match; the fixed, non-generic one wins.
	f := scalar("PICK", catOther, "Fixture.",
		variadic(sig(PInt, "variadic", func([]any) (any, error) { return int32(1), nil }, p("a", PString), p("rest", PString))),
		sig(PInt, "generic", func([]any) (any, error) { return int32(2), nil }, p("a", T), p("b", T)),
		sig(PInt, "fixed", func([]any) (any, error) { return int32(3), nil }, p("a", PString), p("b", PString)),
	)
	c, err := f.Resolve(TypeArgs(types.StringType, types.StringType))
	if err != nil || c.Signature.Description != "fixed" {
		t.Fatalf("picked %v, %v", c, err)
	}
	c, err = f.Resolve(TypeArgs(types.IntegerType, types.IntegerType))
	if err != nil || c.Signature.Description != "generic" {
		t.Fatalf("picked %v, %v", c, err)
	}
	c, err = f.Resolve(TypeArgs(types.StringType, types.StringType, types.StringType))
	if err != nil || c.Signature.Description != "variadic" {
		t.Fatalf("picked %v, %v", c, err)
	}
}
