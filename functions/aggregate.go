package functions

import (
	"errors"
	"fmt"
	"math"

	"github.com/sluicedb/sluice/types"
)

// Accumulator is the running state of one aggregate for one group (and
// window). The aggregate operator creates one with the factory (init),
// feeds it rows with Add, retracts rows with Undo when aggregating a table
// (an update retracts the old row, then adds the new one), combines two
// with Merge when session windows merge, and reads Result after each
// change. State must round-trip through MarshalBinary/UnmarshalBinary
// because the stateful layer keeps it in pebble between records.
type Accumulator interface {
	// Add folds in one row's arguments (the non-literal parameters).
	Add(args []any) error
	// Undo retracts a row previously added. Aggregates that cannot retract
	// (MIN, MAX, LATEST_BY_OFFSET) return ErrUndoUnsupported; the planner
	// rejects them on tables.
	Undo(args []any) error
	// Merge folds another accumulator of the same aggregate into this one.
	Merge(other Accumulator) error
	// Result returns the aggregate's current value.
	Result() (any, error)
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// AggregateFactory prepares an aggregate variant for a call, returning the
// function that creates a fresh accumulator (init).
type AggregateFactory func(ctx AggregateContext) (func() Accumulator, error)

// AggregateContext is what an aggregate variant is prepared with: the
// resolved argument and result types, the values of its literal parameters
// and the query's configuration.
type AggregateContext struct {
	Args     []*types.Type
	Return   *types.Type
	Literals []any
	Config   Config
}

// Config holds the ksqlDB properties that change aggregate behaviour. Zero
// fields take ksqlDB's defaults; a negative limit means no limit.
type Config struct {
	// CollectListLimit is ksql.functions.collect_list.limit (default 1000).
	CollectListLimit int
	// CollectSetLimit is ksql.functions.collect_set.limit (default 1000).
	CollectSetLimit int
	// HistogramLimit bounds HISTOGRAM's distinct values (default 1000).
	HistogramLimit int
}

func orDefault(v, def int) int {
	switch {
	case v < 0:
		return math.MaxInt
	case v == 0:
		return def
	}
	return v
}

// ErrUndoUnsupported is returned by Undo of aggregates that only work on
// streams.
var ErrUndoUnsupported = errors.New("functions: aggregate does not support undo (stream sources only)")

// SupportsUndo reports whether an aggregate function can be applied to a
// table source. It is declared per function because the planner must know
// before any row arrives.
func SupportsUndo(f *Function) bool { return f.Kind == Aggregate && !streamOnly[f.Name] }

var streamOnly = map[string]bool{
	"MIN": true, "MAX": true, "EARLIEST_BY_OFFSET": true, "LATEST_BY_OFFSET": true,
	"TOPK": true, "TOPKDISTINCT": true, "COUNT_DISTINCT": true, "COLLECT_SET": true,
	"ZSCORE": true, "EWMA": true, "EWMA_ZSCORE": true, "RUNNING_STATS": true,
}

// Accumulator returns the accumulator factory of a resolved aggregate
// call. literals holds the values of the trailing literal parameters, in
// order; the planner checks they are constants.
func (c *Call) Accumulator(literals []any, cfg Config) (func() Accumulator, error) {
	if c.Function.Kind != Aggregate {
		return nil, fmt.Errorf("functions: %s is not an aggregate function", c.Function.Name)
	}
	if len(literals) != c.Signature.Literals {
		return nil, fmt.Errorf("functions: %s expects %d literal arguments, got %d", c.Function.Name, c.Signature.Literals, len(literals))
	}
	for i, l := range literals {
		if l == nil {
			return nil, fmt.Errorf("functions: parameter %d passed to function %s must not be NULL",
				len(c.ArgTypes)-len(literals)+i+1, c.Function.Name)
		}
	}
	return c.Signature.Aggregate(AggregateContext{Args: c.ArgTypes, Return: c.Return, Literals: literals, Config: cfg})
}

// Table returns the implementation of a resolved table-function call.
func (c *Call) Table() (TableFunc, error) {
	if c.Function.Kind != Table {
		return nil, fmt.Errorf("functions: %s is not a table function", c.Function.Name)
	}
	return c.Signature.Table, nil
}

// aggregate declares an aggregate function.
func aggregate(name, description string, sigs ...*Signature) *Function {
	return &Function{Name: name, Kind: Aggregate, Category: catAggregate, Description: description, Signatures: sigs}
}

// asig declares an aggregate variant; literals counts trailing literal
// parameters.
func asig(ret *Pattern, description string, literals int, f AggregateFactory, params ...Param) *Signature {
	return &Signature{Params: params, Returns: ret, Description: description, Literals: literals, Aggregate: f}
}

// simple wraps a constructor that needs no types or literals.
func simple(newAcc func() Accumulator) AggregateFactory {
	return func(AggregateContext) (func() Accumulator, error) { return newAcc, nil }
}

// sameKind checks Merge's argument.
func sameKind[A Accumulator](other Accumulator) (A, error) {
	o, ok := other.(A)
	if !ok {
		var zero A
		return zero, fmt.Errorf("functions: cannot merge %T into %T", other, zero)
	}
	return o, nil
}
