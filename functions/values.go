package functions

import (
	"fmt"

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
