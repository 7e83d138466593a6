package exec

import (
	"context"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// TestSinkNullKeysWithoutValue: for a null-value record the keys listed in
// NullKeysWithoutValue are written NULL and the others keep their value;
// records with a value are untouched.
func TestSinkNullKeysWithoutValue(t *testing.T) {
	s := types.MustSchema(
		types.Column{Name: "K", Type: types.StringType, Key: true},
		types.Column{Name: "ID", Type: types.BigintType, Key: true},
		types.Column{Name: "V", Type: types.StringType})
	bb := types.NewBatchBuilder(nil, s)
	rows := []struct {
		change types.ChangeKind
		vals   []any
	}{
		{types.Insert, []any{"a", int64(1), "x"}},
		{types.Delete, []any{"b", int64(2), nil}},
	}
	for i, r := range rows {
		if err := bb.AppendRow(types.RowMeta{Offset: int64(i), Change: r.change}, r.vals); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	tc := &TaskContext{QueryID: "Q", Topic: "in", Log: &memProcessingLog{}}
	free := make(chan *outBuf, 1)
	free <- &outBuf{parts: make([][]broker.Record, 1)}
	sk, err := newSink(&SinkSpec{Topic: "out", Partitions: 1, TimestampColumn: -1,
		KeyColumns: []int{0, 1}, Key: SerdeSpec{Format: format.JSON, Columns: s.Columns[:2], Options: format.Options{Key: true}},
		ValueColumns: []int{2}, Value: SerdeSpec{Format: format.JSON, Columns: s.Columns[2:]},
		NullKeysWithoutValue: []int{1}}, s, tc, free)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sk.add(context.Background(), b); err != nil || n != 2 {
		t.Fatalf("added %d, %v", n, err)
	}
	recs := sk.take().parts[0]
	want := []struct{ key, value string }{
		{`{"K":"a","ID":1}`, `{"V":"x"}`},
		{`{"K":"b","ID":null}`, ``},
	}
	for i, w := range want {
		if string(recs[i].Key) != w.key || string(recs[i].Value) != w.value {
			t.Errorf("record %d: key %s value %q, want key %s value %q", i, recs[i].Key, recs[i].Value, w.key, w.value)
		}
	}
	if recs[1].Value != nil {
		t.Errorf("null-value record got value %q", recs[1].Value)
	}
}
