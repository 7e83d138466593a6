package exec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/types"
)

type recordingLog struct{ errs []ProcessingError }

func (l *recordingLog) Record(e ProcessingError) { l.errs = append(l.errs, e) }

var testSchema = types.MustSchema(
	types.Column{Name: "ID", Type: types.IntegerType, Key: true},
	types.Column{Name: "NAME", Type: types.StringType},
	types.Column{Name: "TAGS", Type: types.ArrayOf(types.StringType)},
)

func testBatch(t *testing.T, rows ...[]any) *types.Batch {
	t.Helper()
	bb := types.NewBatchBuilder(nil, testSchema)
	for i, r := range rows {
		if err := bb.AppendRow(types.RowMeta{Rowtime: int64(100 + i), Offset: int64(i)}, r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func collect(t *testing.T, op Operator, tc *TaskContext, in *types.Batch) [][]any {
	t.Helper()
	var out [][]any
	err := op.Process(tc, in, func(b *types.Batch) error {
		defer b.Release()
		for i := 0; i < b.NumRows(); i++ {
			row := append([]any(nil), b.Row(i, nil)...)
			row = append(row, b.Meta(i).Rowtime)
			out = append(out, row)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFilter(t *testing.T) {
	in := testBatch(t, []any{int32(1), "a", nil}, []any{int32(2), "b", nil}, []any{int32(3), nil, nil})
	defer in.Release()
	log := &recordingLog{}
	tc := &TaskContext{QueryID: "Q", Log: log}
	// NAME = 'b', failing on NULL names: exercises keep, drop and error.
	pred := EvalFunc(func(row []any) (any, error) {
		if row[1] == nil {
			return nil, errors.New("boom")
		}
		return row[1] == "b", nil
	})
	got := collect(t, NewFilter(testSchema, pred), tc, in)
	want := [][]any{{int32(2), "b", nil, int64(101)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(log.errs) != 1 || log.errs[0].Offset != 2 || log.errs[0].Kind != "expression" {
		t.Fatalf("processing log: %+v", log.errs)
	}
	// All rows kept: the batch passes through.
	all := collect(t, NewFilter(testSchema, EvalFunc(func([]any) (any, error) { return true, nil })), tc, in)
	if len(all) != 3 {
		t.Fatalf("kept %d rows, want 3", len(all))
	}
}

func TestProjectAndFlatMap(t *testing.T) {
	in := testBatch(t, []any{int32(1), "a", []any{"x", "y"}}, []any{int32(2), "b", nil})
	defer in.Release()
	tc := &TaskContext{QueryID: "Q", Log: &recordingLog{}}
	out := types.MustSchema(
		types.Column{Name: "NAME", Type: types.StringType, Key: true},
		types.Column{Name: "TS", Type: types.BigintType},
	)
	proj := NewProject(out, []Evaluator{
		EvalFunc(func(r []any) (any, error) { return r[1], nil }),
		EvalFunc(func(r []any) (any, error) { return r[3], nil }), // ROWTIME
	})
	got := collect(t, proj, tc, in)
	want := [][]any{{"a", int64(100), int64(100)}, {"b", int64(101), int64(101)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("project: got %v, want %v", got, want)
	}

	fmSchema := types.MustSchema(append(append([]types.Column(nil), testSchema.Columns...),
		types.Column{Name: "TAG", Type: types.StringType})...)
	fm := NewFlatMap(fmSchema, []Evaluator{EvalFunc(func(r []any) (any, error) { return r[2], nil })})
	got = collect(t, fm, tc, in)
	if len(got) != 2 || got[0][3] != "x" || got[1][3] != "y" {
		t.Fatalf("flat-map: %v", got)
	}
}

// TestFilterDropsNullRows: a stream row whose value was null never passes
// WHERE, even a predicate that is TRUE for it (ksqlDB's null.json).
func TestFilterDropsNullRows(t *testing.T) {
	bb := types.NewBatchBuilder(nil, testSchema)
	for i, ch := range []types.ChangeKind{types.Insert, types.Delete, types.Insert} {
		if err := bb.AppendRow(types.RowMeta{Offset: int64(i), Change: ch}, []any{int32(i), nil, nil}); err != nil {
			t.Fatal(err)
		}
	}
	in, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	isNull := EvalReading([]int{1}, func(row []any) (any, error) { return row[1] == nil, nil })
	got := collect(t, NewFilter(testSchema, isNull), &TaskContext{Log: &recordingLog{}}, in)
	if len(got) != 2 || got[0][0] != int32(0) || got[1][0] != int32(2) {
		t.Fatalf("got %v, want rows 0 and 2", got)
	}
}

// TestProjectKernels: copied columns (ColumnRef, including NULLs and a
// type that has no typed kernel), evaluated columns reading only declared
// positions (a pseudo column among them), and a result that does not fit
// its column (NULL plus a processing error).
func TestProjectKernels(t *testing.T) {
	in := testBatch(t,
		[]any{int32(1), "a", []any{"x"}},
		[]any{int32(2), nil, nil},
		[]any{int32(3), "c", []any{}})
	defer in.Release()
	log := &recordingLog{}
	tc := &TaskContext{QueryID: "Q", Log: log}
	out := types.MustSchema(
		types.Column{Name: "NAME", Type: types.StringType},
		types.Column{Name: "TAGS", Type: types.ArrayOf(types.StringType)},
		types.Column{Name: "OFF", Type: types.BigintType},
		types.Column{Name: "BAD", Type: types.IntegerType},
	)
	width := testSchema.Len()
	offset := EvalReading([]int{width + 2}, func(r []any) (any, error) {
		if r[1] != nil || r[2] != nil {
			return nil, errors.New("filled a position no evaluator declared")
		}
		return r[width+2], nil
	})
	bad := EvalReading([]int{0}, func(r []any) (any, error) {
		if r[0] == int32(2) {
			return "not an int", nil
		}
		return r[0], nil
	})
	got := collect(t, NewProject(out, []Evaluator{ColumnRef(1), ColumnRef(2), offset, bad}), tc, in)
	want := [][]any{
		{"a", []any{"x"}, int64(0), int32(1), int64(100)},
		{nil, nil, int64(1), nil, int64(101)},
		{"c", []any{}, int64(2), int32(3), int64(102)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if len(log.errs) != 1 || log.errs[0].Offset != 1 {
		t.Fatalf("processing log %+v", log.errs)
	}
}

// TestFusedFilterProject: the fused operator gives what Filter then
// Project give, including when all or none of the rows pass.
func TestFusedFilterProject(t *testing.T) {
	out := types.MustSchema(
		types.Column{Name: "NAME", Type: types.StringType},
		types.Column{Name: "ID2", Type: types.IntegerType})
	twice := EvalReading([]int{0}, func(r []any) (any, error) { return r[0].(int32) * 2, nil })
	for _, tc := range []struct {
		name string
		pred func(id int32) bool
	}{
		{"some", func(id int32) bool { return id%2 == 1 }},
		{"all", func(int32) bool { return true }},
		{"none", func(int32) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := testBatch(t, []any{int32(1), "a", nil}, []any{int32(2), nil, nil}, []any{int32(3), "c", []any{"x"}})
			defer in.Release()
			pred := EvalReading([]int{0}, func(r []any) (any, error) { return tc.pred(r[0].(int32)), nil })
			ctx := &TaskContext{Log: &recordingLog{}}
			f, p := NewFilter(testSchema, pred), NewProject(out, []Evaluator{ColumnRef(1), twice})
			var chained [][]any
			err := f.Process(ctx, in, func(b *types.Batch) error {
				defer b.Release()
				chained = append(chained, collect(t, p, ctx, b)...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ops := fuse([]Operator{NewFilter(testSchema, pred), NewProject(out, []Evaluator{ColumnRef(1), twice})})
			if len(ops) != 1 {
				t.Fatalf("fuse left %d operators", len(ops))
			}
			fused := collect(t, ops[0], ctx, in)
			if !reflect.DeepEqual(chained, fused) {
				t.Fatalf("chained %v, fused %v", chained, fused)
			}
		})
	}
}
