package exec

import (
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// TestTombstoneColumns follows the key and window columns of a windowed
// table through a push query's operators to its projection.
func TestTombstoneColumns(t *testing.T) {
	src := types.MustSchema(
		types.Column{Name: "K", Type: types.IntegerType, Key: true},
		types.Column{Name: "WINDOWSTART", Type: types.BigintType},
		types.Column{Name: "WINDOWEND", Type: types.BigintType},
		types.Column{Name: "V", Type: types.IntegerType},
	)
	out := types.MustSchema(
		types.Column{Name: "V", Type: types.IntegerType},
		types.Column{Name: "K", Type: types.IntegerType},
		types.Column{Name: "K1", Type: types.IntegerType},
		types.Column{Name: "WINDOWEND", Type: types.BigintType},
		types.Column{Name: "C", Type: types.StringType},
	)
	plusOne := EvalFunc(func(row []any) (any, error) { return row[0].(int32) + 1, nil })
	konst := EvalFunc(func([]any) (any, error) { return "c", nil })
	spec := &QuerySpec{
		Source: SourceSpec{Schema: src, Window: &SourceWindow{StartColumn: 1, EndColumn: 2}},
		Operators: []Operator{
			NewDropNullKeys(src, []int{0}),
			NewTableFilter(&TableFilterSpec{Schema: src, KeyColumns: []int{0, 1, 2}}),
			NewProject(out, []Evaluator{ColumnRef(3), ColumnRef(0), plusOne, ColumnRef(2), konst}),
		},
	}
	want := []bool{false, true, false, true, false}
	if got := TombstoneColumns(spec); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Without operators the rows are the source's: its key and bounds.
	spec.Operators = nil
	if got := TombstoneColumns(spec); !reflect.DeepEqual(got, []bool{true, true, true, false}) {
		t.Fatalf("source only: %v", got)
	}
}
