package exec

import (
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/state"
	"github.com/sluicedb/sluice/types"
)

// filterStep is one input batch of a table filter test and the rows it
// must pass on: {ID, NAME, change, offset}.
type filterStep struct {
	in   []filterIn
	want [][]any
	// same says the input batch must pass on unchanged.
	same bool
}

type filterIn struct {
	id     int32
	name   any
	change types.ChangeKind
}

// TestTableFilter runs the filter NAME <> 'x' (failing on a NULL name)
// over a table's changelog, batch after batch: a rejected row or a delete
// becomes a tombstone only for a key the filter has output, and is
// dropped otherwise.
func TestTableFilter(t *testing.T) {
	steps := []filterStep{
		{in: []filterIn{{1, "a", types.Insert}, {2, "b", types.Insert}}, same: true,
			want: [][]any{{int32(1), "a", types.Insert, int64(0)}, {int32(2), "b", types.Insert, int64(1)}}},
		{in: []filterIn{
			{3, nil, types.Insert}, // predicate fails (logged), key never output: dropped
			{2, nil, types.Delete}, // an output key deleted: tombstone
			{4, "x", types.Insert}, // FALSE, never output: dropped
			{1, "x", types.Insert}, // FALSE for an output key: tombstone
			{1, "y", types.Insert}, // back in the output
		}, want: [][]any{
			{int32(2), nil, types.Delete, int64(1)},
			{int32(1), "x", types.Delete, int64(3)},
			{int32(1), "y", types.Insert, int64(4)},
		}},
		{in: []filterIn{
			{2, nil, types.Delete}, // deleted already: nothing to say
			{2, "x", types.Insert}, // still not in the output
			{5, nil, types.Delete}, // never seen
		}},
		{in: []filterIn{{2, "c", types.Insert}, {1, "z", types.Insert}}, same: true,
			want: [][]any{{int32(2), "c", types.Insert, int64(0)}, {int32(1), "z", types.Insert, int64(1)}}},
	}
	db, err := state.Open(t.TempDir(), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := &recordingLog{}
	tc := &TaskContext{QueryID: "transient_T_1", Log: log, State: db}
	pred := EvalFunc(func(row []any) (any, error) {
		if row[1] == nil {
			return nil, errors.New("boom")
		}
		return row[1] != "x", nil
	})
	f := NewTableFilter(&TableFilterSpec{Schema: testSchema, Where: pred, KeyColumns: []int{0},
		Operator: "TableFilter-Keys", Transient: true})
	op, err := f.ForTask(tc)
	if err != nil {
		t.Fatal(err)
	}
	for n, st := range steps {
		bb := types.NewBatchBuilder(nil, testSchema)
		for i, r := range st.in {
			m := types.RowMeta{Rowtime: 100 + int64(i), Offset: int64(i), Change: r.change}
			if err := bb.AppendRow(m, []any{r.id, r.name, nil}); err != nil {
				t.Fatal(err)
			}
		}
		in, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		var got [][]any
		same := false
		err = op.Process(tc, in, func(b *types.Batch) error {
			defer b.Release()
			same = b == in
			for i := 0; i < b.NumRows(); i++ {
				r := b.Row(i, nil)
				got = append(got, []any{r[0], r[1], b.Meta(i).Change, b.Meta(i).Offset})
			}
			return nil
		})
		in.Release()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, st.want) || same != st.same {
			t.Fatalf("batch %d: got %v (same batch %v), want %v (same %v)", n, got, same, st.want, st.same)
		}
	}
	if len(log.errs) != 1 || log.errs[0].Offset != 0 {
		t.Fatalf("processing log: %+v", log.errs)
	}
	if err := op.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTableFilterNeedsState checks that a filter over a table refuses to
// run without a state store rather than forgetting what it output.
func TestTableFilterNeedsState(t *testing.T) {
	f := NewTableFilter(&TableFilterSpec{Schema: testSchema, KeyColumns: []int{0}, Operator: "F", Changelog: "c"})
	if _, err := f.ForTask(&TaskContext{QueryID: "Q", Topic: "in"}); err == nil {
		t.Fatal("ForTask without a state DB succeeded")
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
