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
