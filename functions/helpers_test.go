package functions

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// typeOf infers a SQL type from a Go value for tests. Typed NULLs are
// written as typedNull{t}.
func typeOf(v any) *types.Type {
	switch x := v.(type) {
	case nil:
		return types.NullType
	case typedNull:
		return x.t
	case typedVal:
		return x.t
	case bool:
		return types.BooleanType
	case int32:
		return types.IntegerType
	case int64:
		return types.BigintType
	case float64:
		return types.DoubleType
	case types.Decimal:
		p := max(x.Precision(), int(x.Scale)+1)
		return types.DecimalOf(p, int(x.Scale))
	case string:
		return types.StringType
	case []byte:
		return types.BytesType
	case types.Date:
		return types.DateType
	case types.Time:
		return types.TimeType
	case types.Timestamp:
		return types.TimestampType
	case []any:
		for _, e := range x {
			if e != nil {
				return types.ArrayOf(typeOf(e))
			}
		}
		return types.ArrayOf(types.NullType)
	case *types.Map:
		if len(x.Keys) == 0 {
			return types.MapOf(types.StringType, types.StringType)
		}
		var vt *types.Type = types.NullType
		for _, e := range x.Values {
			if e != nil {
				vt = typeOf(e)
				break
			}
		}
		return types.MapOf(typeOf(x.Keys[0]), vt)
	case *types.Struct:
		return x.Type
	}
	panic(fmt.Sprintf("typeOf %T", v))
}

// typedNull is a NULL argument with a known type.
type typedNull struct{ t *types.Type }

func tnull(t *types.Type) typedNull { return typedNull{t} }

// typedVal is an argument whose type cannot be inferred from its value
// (an array of NULLs).
type typedVal struct {
	v any
	t *types.Type
}

// eval resolves name against the argument values' types and calls it.
func eval(t *testing.T, name string, args ...any) (any, error) {
	t.Helper()
	argTypes := make([]*types.Type, len(args))
	vals := make([]any, len(args))
	for i, a := range args {
		argTypes[i] = typeOf(a)
		switch x := a.(type) {
		case typedNull:
		case typedVal:
			vals[i] = x.v
		default:
			vals[i] = a
		}
	}
	c, err := Builtins().Resolve(name, TypeArgs(argTypes...))
	if err != nil {
		t.Fatalf("resolve %s%v: %v", name, argTypes, err)
	}
	fn, err := c.Scalar()
	if err != nil {
		t.Fatalf("scalar %s: %v", name, err)
	}
	// Convert the arguments to the resolved parameter types, as the
	// planner's implicit casts do.
	for i, v := range vals {
		if v != nil && !argTypes[i].Equal(c.ArgTypes[i]) {
			if vals[i], err = types.Cast(v, argTypes[i], c.ArgTypes[i]); err != nil {
				t.Fatalf("cast argument %d of %s: %v", i+1, name, err)
			}
		}
	}
	return fn(vals)
}

// scalarCase is one row of a table-driven scalar test.
type scalarCase struct {
	fn   string
	args []any
	want any
	err  string // substring of the expected error; "" for none
}

func runScalarCases(t *testing.T, cases []scalarCase) {
	t.Helper()
	for _, c := range cases {
		name := fmt.Sprintf("%s%v", c.fn, c.args)
		t.Run(name, func(t *testing.T) {
			got, err := eval(t, c.fn, c.args...)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("want error containing %q, got %v (value %#v)", c.err, err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !sameValue(got, c.want) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, c.want, c.want)
			}
		})
	}
}

// sameValue compares values exactly: same Go type, decimals with the
// same scale, NaN equal to NaN, floats within 1e-9 relative.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(x) || math.IsNaN(y) {
			return math.IsNaN(x) && math.IsNaN(y)
		}
		if math.IsInf(x, 0) || math.IsInf(y, 0) {
			return x == y
		}
		return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y))
	case types.Decimal:
		y, ok := b.(types.Decimal)
		return ok && x.Scale == y.Scale && x.Unscaled.Cmp(y.Unscaled) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *types.Map:
		y, ok := b.(*types.Map)
		if !ok || len(x.Keys) != len(y.Keys) {
			return false
		}
		for i := range x.Keys {
			if !sameValue(x.Keys[i], y.Keys[i]) || !sameValue(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	case *types.Struct:
		y, ok := b.(*types.Struct)
		return ok && x.Type.Equal(y.Type) && sameValue(x.Values, y.Values)
	}
	return reflect.DeepEqual(a, b)
}

func dec(s string) types.Decimal { return types.MustParseDecimal(s) }

func arr(vs ...any) []any { return vs }

func smap(kv ...any) *types.Map {
	m := &types.Map{}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Keys = append(m.Keys, kv[i])
		m.Values = append(m.Values, kv[i+1])
	}
	return m
}
