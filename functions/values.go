package functions

import (
	"fmt"
	"math/big"

	"github.com/sluicedb/sluice/types"
)

// asInt64 returns an INTEGER or BIGINT value as int64.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// asFloat64 returns any numeric value as float64.
func asFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case types.Decimal:
		return x.Float64(), true
	}
	return 0, false
}

// asDecimal returns an exact numeric value as a Decimal.
func asDecimal(v any) (types.Decimal, bool) {
	switch x := v.(type) {
	case int32:
		return types.DecimalFromInt64(int64(x)), true
	case int64:
		return types.DecimalFromInt64(x), true
	case types.Decimal:
		return x, true
	}
	return types.Decimal{}, false
}

// argString returns args[i] as a string. The planner converts arguments to
// the declared parameter types, so a mismatch is an engine bug reported as
// an error rather than a panic.
func argString(args []any, i int) (string, error) {
	if i >= len(args) {
		return "", fmt.Errorf("functions: missing argument %d", i+1)
	}
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("functions: argument %d: want STRING, got %T", i+1, args[i])
	}
	return s, nil
}

// argInt returns an INTEGER or BIGINT argument as int64.
func argInt(args []any, i int) (int64, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("functions: missing argument %d", i+1)
	}
	v, ok := asInt64(args[i])
	if !ok {
		return 0, fmt.Errorf("functions: argument %d: want INTEGER, got %T", i+1, args[i])
	}
	return v, nil
}

// argFloat returns a numeric argument as float64.
func argFloat(args []any, i int) (float64, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("functions: missing argument %d", i+1)
	}
	v, ok := asFloat64(args[i])
	if !ok {
		return 0, fmt.Errorf("functions: argument %d: want DOUBLE, got %T", i+1, args[i])
	}
	return v, nil
}

// argArray returns an ARRAY argument.
func argArray(args []any, i int) ([]any, error) {
	if i >= len(args) {
		return nil, fmt.Errorf("functions: missing argument %d", i+1)
	}
	a, ok := args[i].([]any)
	if !ok {
		return nil, fmt.Errorf("functions: argument %d: want ARRAY, got %T", i+1, args[i])
	}
	return a, nil
}

// argMap returns a MAP argument.
func argMap(args []any, i int) (*types.Map, error) {
	if i >= len(args) {
		return nil, fmt.Errorf("functions: missing argument %d", i+1)
	}
	m, ok := args[i].(*types.Map)
	if !ok {
		return nil, fmt.Errorf("functions: argument %d: want MAP, got %T", i+1, args[i])
	}
	return m, nil
}

// argBytes returns a BYTES argument.
func argBytes(args []any, i int) ([]byte, error) {
	if i >= len(args) {
		return nil, fmt.Errorf("functions: missing argument %d", i+1)
	}
	b, ok := args[i].([]byte)
	if !ok {
		return nil, fmt.Errorf("functions: argument %d: want BYTES, got %T", i+1, args[i])
	}
	return b, nil
}

// argLambda returns a lambda argument.
func argLambda(args []any, i int) (Lambda, error) {
	if i >= len(args) {
		return nil, fmt.Errorf("functions: missing argument %d", i+1)
	}
	l, ok := args[i].(Lambda)
	if !ok {
		return nil, fmt.Errorf("functions: argument %d: want a lambda, got %T", i+1, args[i])
	}
	return l, nil
}

// mapIndex returns the index of key k in m, or -1.
func mapIndex(m *types.Map, k any) int {
	for i, mk := range m.Keys {
		if types.NotDistinct(mk, k) {
			return i
		}
	}
	return -1
}

// mapPut sets m[k] = v, keeping the first position of an existing key.
func mapPut(m *types.Map, k, v any) {
	if i := mapIndex(m, k); i >= 0 {
		m.Values[i] = v
		return
	}
	m.Keys = append(m.Keys, k)
	m.Values = append(m.Values, v)
}

// stringMap is a builder for MAP<STRING, V> values that avoids the linear
// key search of mapPut for large maps.
type stringMap struct {
	m   *types.Map
	idx map[string]int
}

func newStringMap() *stringMap {
	return &stringMap{m: &types.Map{}, idx: map[string]int{}}
}

func (s *stringMap) put(k string, v any) {
	if i, ok := s.idx[k]; ok {
		s.m.Values[i] = v
		return
	}
	s.idx[k] = len(s.m.Keys)
	s.m.Keys = append(s.m.Keys, k)
	s.m.Values = append(s.m.Values, v)
}

// decimalWithScale returns a Decimal from an unscaled big integer.
func decimalWithScale(u *big.Int, scale int32) types.Decimal {
	return types.DecimalFromBig(u, scale)
}
