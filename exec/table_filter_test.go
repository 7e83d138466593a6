package exec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// changes runs op over in and returns each output row's key, name and
// change.
func changes(t *testing.T, op Operator, tc *TaskContext, in *types.Batch) (rows [][]any, batches int, same bool) {
	t.Helper()
	err := op.Process(tc, in, func(b *types.Batch) error {
		defer b.Release()
		batches++
		same = b == in
		for i := 0; i < b.NumRows(); i++ {
			r := b.Row(i, nil)
			rows = append(rows, []any{r[0], r[1], b.Meta(i).Change, b.Meta(i).Offset})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, batches, same
}

func TestTableFilter(t *testing.T) {
	bb := types.NewBatchBuilder(nil, testSchema)
	add := func(id int32, name any, ch types.ChangeKind, off int64) {
		if err := bb.AppendRow(types.RowMeta{Rowtime: 100 + off, Offset: off, Change: ch}, []any{id, name, nil}); err != nil {
			t.Fatal(err)
		}
	}
	add(1, "a", types.Insert, 0)
	add(2, "b", types.Insert, 1)
	add(3, nil, types.Insert, 2) // predicate fails: logged, a tombstone
	add(2, nil, types.Delete, 3) // input tombstone passes through
	add(4, "x", types.Insert, 4) // FALSE: a tombstone
	in, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	log := &recordingLog{}
	tc := &TaskContext{QueryID: "Q", Log: log}
	pred := EvalFunc(func(row []any) (any, error) {
		if row[1] == nil {
			return nil, errors.New("boom")
		}
		return row[1] != "x", nil
	})
	got, n, same := changes(t, NewTableFilter(testSchema, pred), tc, in)
	want := [][]any{
		{int32(1), "a", types.Insert, int64(0)},
		{int32(2), "b", types.Insert, int64(1)},
		{int32(3), nil, types.Delete, int64(2)},
		{int32(2), nil, types.Delete, int64(3)},
		{int32(4), "x", types.Delete, int64(4)},
	}
	if !reflect.DeepEqual(got, want) || n != 1 || same {
		t.Fatalf("got %v in %d batches (same %v), want %v in a new batch", got, n, same, want)
	}
	if len(log.errs) != 1 || log.errs[0].Offset != 2 {
		t.Fatalf("processing log: %+v", log.errs)
	}
	// Every row passes: the batch goes on as it is.
	all, _, same := changes(t, NewTableFilter(testSchema, EvalFunc(func([]any) (any, error) { return true, nil })), tc, in)
	if len(all) != 5 || !same || all[3][2] != types.Delete || all[2][2] != types.Insert {
		t.Fatalf("pass-through: %v (same batch %v)", all, same)
	}
}

func TestDropNullKeys(t *testing.T) {
	in := testBatch(t, []any{int32(1), "a", nil}, []any{nil, "b", nil}, []any{int32(3), nil, nil})
	defer in.Release()
	tc := &TaskContext{QueryID: "Q"}
	got := collect(t, NewDropNullKeys(testSchema, []int{0}), tc, in)
	want := [][]any{{int32(1), "a", nil, int64(100)}, {int32(3), nil, nil, int64(102)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// No null key: the batch passes as it is.
	one := testBatch(t, []any{int32(7), "x", nil})
	defer one.Release()
	if got := collect(t, NewDropNullKeys(testSchema, []int{0}), tc, one); len(got) != 1 {
		t.Fatalf("got %v", got)
	}
}
