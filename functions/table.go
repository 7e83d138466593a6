package functions

import "fmt"

// maxCubeColumns bounds CUBE_EXPLODE, whose output has 2^n rows.
const maxCubeColumns = 20

func tableFunctions() []*Function {
	table := func(name, description string, sigs ...*Signature) *Function {
		return &Function{Name: name, Kind: Table, Category: catTable, Description: description, Signatures: sigs}
	}
	return []*Function{
		table("EXPLODE", "Produces one output row per element of an array; several table functions in one SELECT are zipped, shorter ones padded with NULL.",
			&Signature{Params: []Param{p("array", ArrayP(T))}, Returns: T, Description: "One row per element.",
				Table: func(a []any) ([]any, error) {
					arr, _ := a[0].([]any)
					return append([]any{}, arr...), nil
				}}),
		table("CUBE_EXPLODE", "Produces one output row per combination of the array's elements and NULL (a cube), without duplicate rows.",
			&Signature{Params: []Param{p("cols", ArrayP(T))}, Returns: ArrayP(T), Description: "One row per grouping combination.",
				Table: cubeExplode}),
	}
}

// cubeExplode emits every combination where each position is NULL or the
// value, NULL-first, in binary counting order (as ksqlDB does); positions
// that are NULL in the input give duplicates, which are dropped.
func cubeExplode(a []any) ([]any, error) {
	arr, ok := a[0].([]any)
	if !ok {
		return nil, nil
	}
	n := len(arr)
	if n > maxCubeColumns {
		return nil, fmt.Errorf("functions: CUBE_EXPLODE supports at most %d columns, got %d", maxCubeColumns, n)
	}
	var out []any
	for mask := 0; mask < 1<<n; mask++ {
		row := make([]any, n)
		dup := false
		for i := 0; i < n; i++ {
			if mask&(1<<(n-1-i)) != 0 {
				if arr[i] == nil {
					dup = true
					break
				}
				row[i] = arr[i]
			}
		}
		if !dup {
			out = append(out, row)
		}
	}
	return out, nil
}

// ZipTableResults combines the outputs of several table functions called
// in one SELECT into output rows, as ksqlDB does: row i takes the i-th
// value of each function, and functions with fewer values contribute NULL.
func ZipTableResults(results [][]any) [][]any {
	n := 0
	for _, r := range results {
		n = max(n, len(r))
	}
	rows := make([][]any, n)
	for i := range rows {
		row := make([]any, len(results))
		for j, r := range results {
			if i < len(r) {
				row[j] = r[i]
			}
		}
		rows[i] = row
	}
	return rows
}
