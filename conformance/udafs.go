package conformance

import (
	"errors"
	"fmt"

	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// ksqlDB's test aggregates (test_udaf, var_arg, generic_var_arg), with the
// behaviour the corpus expects of them. They run only once the engine
// aggregates; until then the cases that call them are SKIPs.

// structAB is STRUCT<A INT, B INT>, test_udaf's struct variant.
var structAB = types.StructOf(
	types.Field{Name: "A", Type: types.IntegerType},
	types.Field{Name: "B", Type: types.IntegerType},
)

// foldAcc is an accumulator defined by functions over its state. State
// goes through the JSON format with the state's SQL type, which round-trips
// every value of package types.
type foldAcc struct {
	state any
	typ   *types.Type
	add   func(state any, args []any) (any, error)
	// undo is nil for aggregates that cannot retract.
	undo  func(state any, args []any) (any, error)
	merge func(a, b any) (any, error)
	// result maps the state to the result; nil means the state itself.
	result func(state any) any
}

// Add implements functions.Accumulator.
func (a *foldAcc) Add(args []any) (err error) {
	a.state, err = a.add(a.state, args)
	return err
}

// Undo implements functions.Accumulator; aggregates without undo refuse.
func (a *foldAcc) Undo(args []any) (err error) {
	if a.undo == nil {
		return functions.ErrUndoUnsupported
	}
	a.state, err = a.undo(a.state, args)
	return err
}

// Merge implements functions.Accumulator.
func (a *foldAcc) Merge(o functions.Accumulator) (err error) {
	b, ok := o.(*foldAcc)
	if !ok {
		return fmt.Errorf("conformance: cannot merge %T into a test aggregate", o)
	}
	a.state, err = a.merge(a.state, b.state)
	return err
}

// Result implements functions.Accumulator.
func (a *foldAcc) Result() (any, error) {
	if a.result != nil {
		return a.result(a.state), nil
	}
	return a.state, nil
}

func (a *foldAcc) codec() (format.Encoder, format.Decoder, error) {
	f, err := format.Lookup(format.JSON)
	if err != nil {
		return nil, nil, err
	}
	unwrapped := false
	cols := []types.Column{{Name: "STATE", Type: a.typ}}
	opts := format.Options{WrapSingleValue: &unwrapped}
	enc, err := f.NewEncoder(cols, opts)
	if err != nil {
		return nil, nil, err
	}
	dec, err := f.NewDecoder(cols, opts)
	return enc, dec, err
}

// MarshalBinary encodes the state as JSON of its SQL type.
func (a *foldAcc) MarshalBinary() ([]byte, error) {
	enc, _, err := a.codec()
	if err != nil {
		return nil, err
	}
	return enc.EncodeRow(nil, []any{a.state})
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (a *foldAcc) UnmarshalBinary(b []byte) error {
	_, dec, err := a.codec()
	if err != nil {
		return err
	}
	row, err := dec.DecodeRow(b, nil)
	if err != nil {
		return err
	}
	a.state = nil
	if row != nil {
		a.state = row[0]
	}
	return nil
}

// errNullInput is what a Java UDAF does with a NULL it does not expect.
var errNullInput = errors.New("conformance: test aggregate got a NULL argument")

func testAggregates() []*functions.Function {
	param := func(name string, p *functions.Pattern) functions.Param {
		return functions.Param{Name: name, Type: p}
	}
	// factory builds an AggregateFactory from a constructor of fresh
	// accumulators given the resolved types and literals.
	factory := func(mk func(ctx functions.AggregateContext) *foldAcc) functions.AggregateFactory {
		return func(ctx functions.AggregateContext) (func() functions.Accumulator, error) {
			return func() functions.Accumulator { return mk(ctx) }, nil
		}
	}
	sumLong := func(toInt64 func(any) int64) func(functions.AggregateContext) *foldAcc {
		return func(functions.AggregateContext) *foldAcc {
			return &foldAcc{
				state: int64(0), typ: types.BigintType,
				add: func(s any, a []any) (any, error) {
					if a[0] == nil {
						return s, errNullInput
					}
					return s.(int64) + toInt64(a[0]), nil
				},
				undo: func(s any, a []any) (any, error) {
					if a[0] == nil {
						return s, errNullInput
					}
					return s.(int64) - toInt64(a[0]), nil
				},
				merge: func(x, y any) (any, error) { return x.(int64) + y.(int64), nil },
			}
		}
	}
	asInt64 := func(v any) int64 {
		switch x := v.(type) {
		case int32:
			return int64(x)
		case int64:
			return x
		}
		return 0
	}
	sumDouble := func(functions.AggregateContext) *foldAcc {
		return &foldAcc{
			state: 0.0, typ: types.DoubleType,
			add: func(s any, a []any) (any, error) {
				if a[0] == nil {
					return s, errNullInput
				}
				return s.(float64) + a[0].(float64), nil
			},
			undo: func(s any, a []any) (any, error) {
				if a[0] == nil {
					return s, errNullInput
				}
				return s.(float64) - a[0].(float64), nil
			},
			merge: func(x, y any) (any, error) { return x.(float64) + y.(float64), nil },
		}
	}
	sumLength := func(ctx functions.AggregateContext) *foldAcc {
		initial, _ := ctx.Literals[0].(string)
		return &foldAcc{
			state: int64(len([]rune(initial))), typ: types.BigintType,
			add: func(s any, a []any) (any, error) {
				str, ok := a[0].(string)
				if !ok {
					return s, errNullInput
				}
				return s.(int64) + int64(len([]rune(str))), nil
			},
			merge: func(x, y any) (any, error) { return x.(int64) + y.(int64), nil },
		}
	}
	sumStruct := func(functions.AggregateContext) *foldAcc {
		sum := func(x, y any) (any, error) {
			a, ok1 := x.(*types.Struct)
			b, ok2 := y.(*types.Struct)
			if !ok1 || !ok2 {
				return x, errNullInput
			}
			out := &types.Struct{Type: structAB, Values: make([]any, 2)}
			for i := range out.Values {
				av, aok := a.Values[i].(int32)
				bv, bok := b.Values[i].(int32)
				if !aok || !bok {
					return x, errNullInput
				}
				out.Values[i] = av + bv
			}
			return out, nil
		}
		return &foldAcc{
			state: &types.Struct{Type: structAB, Values: []any{int32(0), int32(0)}}, typ: structAB,
			add:   func(s any, a []any) (any, error) { return sum(s, a[0]) },
			merge: sum,
		}
	}
	testUDAF := &functions.Function{
		Name: "TEST_UDAF", DisplayName: "test_udaf", Kind: functions.Aggregate, Category: "TEST",
		Description: "Sums its argument (ksqlDB test aggregate).",
		Signatures: []*functions.Signature{
			{Params: []functions.Param{param("val", functions.PBigint)}, Returns: functions.PBigint,
				Aggregate: factory(sumLong(asInt64))},
			{Params: []functions.Param{param("val", functions.PInt)}, Returns: functions.PBigint,
				Aggregate: factory(sumLong(asInt64))},
			{Params: []functions.Param{param("val", functions.PDouble)}, Returns: functions.PDouble,
				Aggregate: factory(sumDouble)},
			{Params: []functions.Param{param("val", functions.PString), param("initial", functions.PString)},
				Returns: functions.PBigint, Literals: 1, Aggregate: factory(sumLength)},
			{Params: []functions.Param{param("val", functions.Of(structAB))}, Returns: functions.Of(structAB),
				Aggregate: factory(sumStruct)},
		},
	}

	varArg := &functions.Function{
		Name: "VAR_ARG", DisplayName: "VAR_ARG", Kind: functions.Aggregate, Category: "TEST",
		Description: "Sums a BIGINT and the lengths of strings (ksqlDB test aggregate).",
		Signatures: []*functions.Signature{{
			Params:   []functions.Param{param("first", functions.PBigint), param("rest", functions.PString)},
			Variadic: true, Returns: functions.PBigint,
			Aggregate: factory(func(functions.AggregateContext) *foldAcc {
				return &foldAcc{
					state: int64(0), typ: types.BigintType,
					add: func(s any, a []any) (any, error) {
						n := s.(int64)
						if v, ok := a[0].(int64); ok {
							n += v
						}
						for _, r := range a[1:] {
							if str, ok := r.(string); ok {
								n += int64(len([]rune(str)))
							}
						}
						return n, nil
					},
					merge: func(x, y any) (any, error) { return x.(int64) + y.(int64), nil },
				}
			}),
		}},
	}

	// firstOfCompleteRows collects the first argument of each row whose
	// arguments are all non-NULL, in arrival order.
	firstOfCompleteRows := func(ctx functions.AggregateContext) *foldAcc {
		return &foldAcc{
			state: []any{}, typ: ctx.Return,
			add: func(s any, a []any) (any, error) {
				for _, v := range a {
					if v == nil {
						return s, nil
					}
				}
				return append(append([]any{}, s.([]any)...), a[0]), nil
			},
			merge: func(x, y any) (any, error) {
				return append(append([]any{}, x.([]any)...), y.([]any)...), nil
			},
		}
	}
	genericVarArg := &functions.Function{
		Name: "GENERIC_VAR_ARG", DisplayName: "GENERIC_VAR_ARG", Kind: functions.Aggregate, Category: "TEST",
		Description: "Collects its first argument from rows where every argument is non-NULL (ksqlDB test aggregate).",
		Signatures: []*functions.Signature{{
			Params: []functions.Param{param("a", functions.Var("A")), param("b", functions.Var("B")),
				param("c", functions.Var("C"))},
			Variadic: true, Returns: functions.ArrayP(functions.Var("A")),
			Aggregate: factory(firstOfCompleteRows),
		}},
	}
	// objColArg is ksqlDB's test of a variadic Object parameter in an
	// aggregate: the variadic arguments may be of any type, each of its
	// own (primitives, decimals of different scales, collections).
	objColArg := &functions.Function{
		Name: "OBJ_COL_ARG", DisplayName: "OBJ_COL_ARG", Kind: functions.Aggregate, Category: "TEST",
		Description: "Returns an array of the first argument of the rows where all the given columns are non-NULL (ksqlDB test aggregate).",
		Signatures: []*functions.Signature{{
			Params:   []functions.Param{param("first", functions.PInt), param("rest", functions.PAny)},
			Variadic: true, Returns: functions.ArrayP(functions.PInt),
			Aggregate: factory(firstOfCompleteRows),
		}},
	}
	return []*functions.Function{testUDAF, varArg, genericVarArg, objColArg}
}
