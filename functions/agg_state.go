package functions

import "github.com/sluicedb/sluice/types"

// StateFunc returns the SQL type of an aggregate variant's intermediate
// state for the argument types and result type of one call.
type StateFunc func(args []*types.Type, ret *types.Type) *types.Type

// StateType returns the SQL type of the intermediate state ksqlDB keeps for
// this aggregate call between records. ksqlDB stores that state in the
// aggregation's state store and changelog with the source's value format,
// so a format that cannot hold it (DELIMITED and a STRUCT, an ARRAY or a
// MAP) makes ksqlDB refuse the query; the planner applies the same rule
// through this type, although Sluice's own state encoding could hold
// anything. Variants without a State function keep their result as state.
func (c *Call) StateType() *types.Type {
	if c.Signature != nil && c.Signature.State != nil {
		return c.Signature.State(c.ArgTypes, c.Return)
	}
	return c.Return
}

// stateTypes gives the built-in aggregates whose ksqlDB state differs from
// their result: the running sums of AVG, the standard deviations and
// CORRELATION, the offset-stamped values of the *_BY_OFFSET functions and
// COUNT_DISTINCT's register list.
var stateTypes = map[string]StateFunc{
	"AVG": func(args []*types.Type, _ *types.Type) *types.Type {
		return types.StructOf(stateField("SUM", argOr(args, 0, types.DoubleType)), stateField("COUNT", types.BigintType))
	},
	"STDDEV_SAMP":   stddevState,
	"STDDEV_SAMPLE": stddevState,
	"CORRELATION": func([]*types.Type, *types.Type) *types.Type {
		return types.StructOf(stateField("X_SUM", types.DoubleType), stateField("Y_SUM", types.DoubleType),
			stateField("X_SQUARED_SUM", types.DoubleType), stateField("Y_SQUARED_SUM", types.DoubleType),
			stateField("XY_SUM", types.DoubleType), stateField("COUNT", types.BigintType))
	},
	"EARLIEST_BY_OFFSET": offsetState,
	"LATEST_BY_OFFSET":   offsetState,
	"COUNT_DISTINCT": func([]*types.Type, *types.Type) *types.Type {
		return types.ArrayOf(types.IntegerType)
	},
}

func stddevState(args []*types.Type, _ *types.Type) *types.Type {
	return types.StructOf(stateField("SUM", argOr(args, 0, types.DoubleType)), stateField("COUNT", types.BigintType),
		stateField("M2", types.DoubleType))
}

// offsetState is a value stamped with its offset, an array of them for the
// variants that keep N values.
func offsetState(args []*types.Type, ret *types.Type) *types.Type {
	entry := types.StructOf(stateField("SEQ", types.BigintType), stateField("VAL", argOr(args, 0, types.StringType)))
	if ret != nil && ret.Kind == types.Array {
		return types.ArrayOf(entry)
	}
	return entry
}

func stateField(name string, t *types.Type) types.Field { return types.Field{Name: name, Type: t} }

// argOr returns args[i], or def when it is missing or an untyped NULL.
func argOr(args []*types.Type, i int, def *types.Type) *types.Type {
	if i < len(args) && !isNullType(args[i]) {
		return args[i]
	}
	return def
}
