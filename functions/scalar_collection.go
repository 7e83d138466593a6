package functions

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sluicedb/sluice/types"
)

func arrayFunctions() []*Function {
	arrT := ArrayP(T)
	return []*Function{
		scalar("ARRAY_CONCAT", catArray, "Concatenates two arrays; NULL only if both are NULL, otherwise a NULL input counts as empty.",
			nullable(sig(arrT, "Concatenates the arrays.", func(a []any) (any, error) {
				if a[0] == nil && a[1] == nil {
					return nil, nil
				}
				out := []any{}
				for _, x := range a {
					if arr, ok := x.([]any); ok {
						out = append(out, arr...)
					}
				}
				return out, nil
			}, p("array1", arrT), p("array2", arrT)))),
		scalar("ARRAY_CONTAINS", catArray, "Returns true if the array contains the value (NULL matches a NULL element); false for a NULL array.",
			nullable(sig(PBoolean, "Searches the array.", func(a []any) (any, error) {
				arr, ok := a[0].([]any)
				if !ok {
					return false, nil
				}
				for _, e := range arr {
					if types.NotDistinct(e, a[1]) {
						return true, nil
					}
				}
				return false, nil
			}, p("array", arrT), p("val", T)))),
		scalar("ARRAY_DISTINCT", catArray, "Returns the distinct elements of an array, NULL included once, in order of first occurrence.",
			sig(arrT, "Removes duplicates.", func(a []any) (any, error) { return distinct(a[0].([]any)), nil }, p("array", arrT))),
		scalar("ARRAY_EXCEPT", catArray, "Returns the distinct elements of the first array that are not in the second, in first-array order.",
			sig(arrT, "Set difference.", func(a []any) (any, error) {
				return filterDistinct(a[0].([]any), func(v any) bool { return !containsValue(a[1].([]any), v) }), nil
			}, p("array1", arrT), p("array2", arrT))),
		scalar("ARRAY_INTERSECT", catArray, "Returns the distinct elements present in both arrays, in first-array order.",
			sig(arrT, "Set intersection.", func(a []any) (any, error) {
				return filterDistinct(a[0].([]any), func(v any) bool { return containsValue(a[1].([]any), v) }), nil
			}, p("array1", arrT), p("array2", arrT))),
		scalar("ARRAY_UNION", catArray, "Returns the distinct elements of both arrays, in order of first occurrence.",
			sig(arrT, "Set union.", func(a []any) (any, error) {
				return distinct(append(append([]any{}, a[0].([]any)...), a[1].([]any)...)), nil
			}, p("array1", arrT), p("array2", arrT))),
		scalar("ARRAY_JOIN", catArray, "Joins the elements of an array of primitives into a string with a delimiter (default ',').",
			sig(PString, "Joins with ','.", arrayJoin, p("array", arrT)),
			nullable(sig(PString, "Joins with the delimiter.", arrayJoin, p("array", arrT), p("delimiter", PString)))),
		scalar("ARRAY_LENGTH", catArray, "Returns the number of elements of an array.",
			sig(PInt, "Counts the elements.", func(a []any) (any, error) { return int32(len(a[0].([]any))), nil }, p("array", arrT))),
		scalar("ARRAY_MAX", catArray, "Returns the largest non-NULL element of an array of primitives.",
			sig(T, "Largest element.", arrayExtreme(1), p("array", arrT))),
		scalar("ARRAY_MIN", catArray, "Returns the smallest non-NULL element of an array of primitives.",
			sig(T, "Smallest element.", arrayExtreme(-1), p("array", arrT))),
		scalar("ARRAY_REMOVE", catArray, "Removes every element equal to the value (NULL removes NULL elements).",
			nullable(sig(arrT, "Removes matching elements.", func(a []any) (any, error) {
				arr, ok := a[0].([]any)
				if !ok {
					return nil, nil
				}
				out := []any{}
				for _, e := range arr {
					if !types.NotDistinct(e, a[1]) {
						out = append(out, e)
					}
				}
				return out, nil
			}, p("array", arrT), p("victim", T)))),
		scalar("ARRAY_SORT", catArray, "Sorts an array of primitives in natural order, ascending (default) or DESC; NULLs go last.",
			sig(arrT, "Ascending sort.", arraySort, p("array", arrT)),
			sig(arrT, "Sort in the direction ASC or DESC.", arraySort, p("array", arrT), p("direction", PString))),
		scalar("SLICE", catArray, "Returns the elements from position from to position to, 1-based and inclusive; NULL if a bound is outside the array.",
			nullable(sig(arrT, "Slices the array.", func(a []any) (any, error) {
				arr, ok := a[0].([]any)
				if !ok {
					return nil, nil
				}
				// Bounds outside the array give NULL, as java.util.List.subList
				// failing does in ksqlDB.
				from, to := int64(1), int64(len(arr))
				if a[1] != nil {
					from, _ = asInt64(a[1])
				}
				if a[2] != nil {
					to, _ = asInt64(a[2])
				}
				if from < 1 || to > int64(len(arr)) || from-1 > to {
					return nil, nil
				}
				return append([]any{}, arr[from-1:to]...), nil
			}, p("array", arrT), p("from", PInt), p("to", PInt)))),
	}
}

func containsValue(arr []any, v any) bool {
	for _, e := range arr {
		if types.NotDistinct(e, v) {
			return true
		}
	}
	return false
}

func distinct(arr []any) []any {
	return filterDistinct(arr, func(any) bool { return true })
}

// filterDistinct keeps the first occurrence of each element passing keep.
func filterDistinct(arr []any, keep func(any) bool) []any {
	out := []any{}
	for _, e := range arr {
		if keep(e) && !containsValue(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func arrayJoin(a []any) (any, error) {
	arr, ok := a[0].([]any)
	if !ok {
		return nil, nil
	}
	delim := ","
	if len(a) > 1 {
		delim, _ = a[1].(string)
	}
	parts := make([]string, len(arr))
	for i, e := range arr {
		switch e.(type) {
		case []any, *types.Map, *types.Struct:
			return nil, fmt.Errorf("functions: ARRAY_JOIN only supports arrays of primitive types")
		}
		parts[i] = types.Format(e)
	}
	return strings.Join(parts, delim), nil
}

func arrayExtreme(dir int) ScalarFunc {
	return func(a []any) (any, error) {
		var best any
		for _, e := range a[0].([]any) {
			if e == nil {
				continue
			}
			if best == nil {
				best = e
				continue
			}
			c, err := types.Compare(e, best)
			if err != nil {
				return nil, err
			}
			if c*dir > 0 {
				best = e
			}
		}
		return best, nil
	}
}

func arraySort(a []any) (any, error) {
	arr := a[0].([]any)
	desc := false
	if len(a) > 1 {
		switch strings.ToUpper(a[1].(string)) {
		case "ASC":
		case "DESC":
			desc = true
		default:
			return nil, nil
		}
	}
	out := append([]any{}, arr...)
	var err error
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x == nil || y == nil {
			return x != nil && y == nil
		}
		c, cerr := types.Compare(x, y)
		if cerr != nil {
			err = cerr
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func mapFunctions() []*Function {
	mapKV := MapP(K, V)
	return []*Function{
		scalar("MAP_KEYS", catMap, "Returns the keys of a map as an array.",
			sig(ArrayP(K), "Lists the keys.", func(a []any) (any, error) {
				return append([]any{}, a[0].(*types.Map).Keys...), nil
			}, p("map", mapKV))),
		scalar("MAP_VALUES", catMap, "Returns the values of a map as an array.",
			sig(ArrayP(V), "Lists the values.", func(a []any) (any, error) {
				return append([]any{}, a[0].(*types.Map).Values...), nil
			}, p("map", mapKV))),
		scalar("MAP_UNION", catMap, "Returns the union of two maps; for keys in both, the second map's value wins. NULL only if both are NULL.",
			nullable(sig(mapKV, "Merges the maps.", func(a []any) (any, error) {
				if a[0] == nil && a[1] == nil {
					return nil, nil
				}
				out := &types.Map{}
				for _, x := range a {
					if m, ok := x.(*types.Map); ok {
						for i, k := range m.Keys {
							mapPut(out, k, m.Values[i])
						}
					}
				}
				return out, nil
			}, p("map1", mapKV), p("map2", mapKV)))),
		scalar("AS_MAP", catMap, "Builds a map from an array of keys and an array of values, pairing them by position.",
			sig(MapP(PString, V), "Pairs keys with values.", func(a []any) (any, error) {
				keys, vals := a[0].([]any), a[1].([]any)
				out := &types.Map{}
				for i, k := range keys {
					if i >= len(vals) {
						break
					}
					mapPut(out, k, vals[i])
				}
				return out, nil
			}, p("keys", ArrayP(PString)), p("values", ArrayP(V)))),
		entriesFunction(),
	}
}

// entriesFunction is ENTRIES, whose result type is a struct built from
// the map's value type.
func entriesFunction() *Function {
	ret := func(args []*types.Type) (*types.Type, error) {
		return types.ArrayOf(types.StructOf(types.Field{Name: "K", Type: types.StringType},
			types.Field{Name: "V", Type: args[0].Elem})), nil
	}
	prepare := func(args []*types.Type, rt *types.Type) (ScalarFunc, error) {
		st := rt.Elem
		return func(a []any) (any, error) {
			m := a[0].(*types.Map)
			idx := make([]int, len(m.Keys))
			for i := range idx {
				idx[i] = i
			}
			if a[1].(bool) {
				sort.SliceStable(idx, func(i, j int) bool {
					return fmt.Sprint(m.Keys[idx[i]]) < fmt.Sprint(m.Keys[idx[j]])
				})
			}
			out := make([]any, len(idx))
			for n, i := range idx {
				out[n] = &types.Struct{Type: st, Values: []any{m.Keys[i], m.Values[i]}}
			}
			return out, nil
		}, nil
	}
	s := &Signature{
		Params:      []Param{p("map", MapP(PString, V)), p("sorted", PBoolean)},
		ReturnFunc:  ret,
		Description: "Entries as structs with fields K and V, sorted by key if sorted is true.",
		Prepare:     prepare,
	}
	return scalar("ENTRIES", catMap, "Returns the entries of a map as an array of STRUCT<K STRING, V ...>, optionally sorted by key.", s)
}

func nullFunctions() []*Function {
	coalesce := scalar("COALESCE", catNulls, "Returns the first non-NULL argument.",
		nullable(variadic(sig(T, "First non-NULL value.", func(a []any) (any, error) {
			for _, v := range a {
				if v != nil {
					return v, nil
				}
			}
			return nil, nil
		}, p("first", T), p("others", T)))))
	coalesce.DisplayName = "COALESCE"
	return []*Function{
		coalesce,
		scalar("IFNULL", catNulls, "Returns altValue if expression is NULL, otherwise expression.",
			nullable(sig(T, "Substitutes NULL.", func(a []any) (any, error) {
				if a[0] == nil {
					return a[1], nil
				}
				return a[0], nil
			}, p("expression", T), p("altValue", T)))),
		scalar("NULLIF", catNulls, "Returns NULL if the two arguments are equal, otherwise the first.",
			nullable(sig(T, "NULL when equal.", func(a []any) (any, error) {
				if a[0] != nil && a[1] != nil && types.NotDistinct(a[0], a[1]) {
					return nil, nil
				}
				return a[0], nil
			}, p("expression1", T), p("expression2", T)))),
	}
}

func lambdaFunctions() []*Function {
	kr, vr := Var("KR"), Var("VR")
	return []*Function{
		scalar("TRANSFORM", catLambda, "Applies a lambda to each element of an array, or two lambdas to the keys and values of a map.",
			sig(ArrayP(U), "Transforms each element with x => ...", func(a []any) (any, error) {
				fn, err := argLambda(a, 1)
				if err != nil {
					return nil, err
				}
				arr := a[0].([]any)
				out := make([]any, len(arr))
				for i, e := range arr {
					if out[i], err = fn(e); err != nil {
						return nil, err
					}
				}
				return out, nil
			}, p("array", ArrayP(T)), p("transform", LambdaP(U, T))),
			sig(MapP(kr, vr), "Transforms keys with (k, v) => ... and values with (k, v) => ...", func(a []any) (any, error) {
				kf, err := argLambda(a, 1)
				if err != nil {
					return nil, err
				}
				vf, err := argLambda(a, 2)
				if err != nil {
					return nil, err
				}
				m := a[0].(*types.Map)
				out := &types.Map{}
				for i, k := range m.Keys {
					nk, err := kf(k, m.Values[i])
					if err != nil {
						return nil, err
					}
					nv, err := vf(k, m.Values[i])
					if err != nil {
						return nil, err
					}
					mapPut(out, nk, nv)
				}
				return out, nil
			}, p("map", MapP(K, V)), p("keyTransform", LambdaP(kr, K, V)), p("valueTransform", LambdaP(vr, K, V)))),
		scalar("FILTER", catLambda, "Keeps the elements of an array, or entries of a map, for which a lambda returns true.",
			sig(ArrayP(T), "Filters with x => ...", func(a []any) (any, error) {
				fn, err := argLambda(a, 1)
				if err != nil {
					return nil, err
				}
				out := []any{}
				for _, e := range a[0].([]any) {
					keep, err := fn(e)
					if err != nil {
						return nil, err
					}
					if keep == true {
						out = append(out, e)
					}
				}
				return out, nil
			}, p("array", ArrayP(T)), p("filter", LambdaP(PBoolean, T))),
			sig(MapP(K, V), "Filters with (k, v) => ...", func(a []any) (any, error) {
				fn, err := argLambda(a, 1)
				if err != nil {
					return nil, err
				}
				m := a[0].(*types.Map)
				out := &types.Map{}
				for i, k := range m.Keys {
					keep, err := fn(k, m.Values[i])
					if err != nil {
						return nil, err
					}
					if keep == true {
						out.Keys = append(out.Keys, k)
						out.Values = append(out.Values, m.Values[i])
					}
				}
				return out, nil
			}, p("map", MapP(K, V)), p("filter", LambdaP(PBoolean, K, V)))),
		scalar("REDUCE", catLambda, "Folds an array with (s, x) => ..., or a map with (s, k, v) => ..., from an initial state; NULL if the state is NULL, the initial state if the collection is NULL.",
			nullable(sig(S, "Folds an array; the initial state for a NULL array.", func(a []any) (any, error) {
				if a[1] == nil || a[0] == nil {
					return a[1], nil
				}
				fn, err := argLambda(a, 2)
				if err != nil {
					return nil, err
				}
				state := a[1]
				for _, e := range a[0].([]any) {
					if state, err = fn(state, e); err != nil {
						return nil, err
					}
				}
				return state, nil
			}, p("array", ArrayP(T)), p("initialState", S), p("reducer", LambdaP(S, S, T)))),
			nullable(sig(S, "Folds a map; the initial state for a NULL map.", func(a []any) (any, error) {
				if a[1] == nil || a[0] == nil {
					return a[1], nil
				}
				fn, err := argLambda(a, 2)
				if err != nil {
					return nil, err
				}
				state := a[1]
				m := a[0].(*types.Map)
				for i, k := range m.Keys {
					if state, err = fn(state, k, m.Values[i]); err != nil {
						return nil, err
					}
				}
				return state, nil
			}, p("map", MapP(K, V)), p("initialState", S), p("reducer", LambdaP(S, S, K, V))))),
	}
}
