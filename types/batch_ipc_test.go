package types

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestBatchArrowIPC writes a batch of every type as Arrow IPC and reads it
// back: the arrays the builders produce must be valid Arrow that other
// tools (pandas, polars, DuckDB) can read, not just readable by us.
func TestBatchArrowIPC(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	s := allTypesSchema()
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	for i := 0; i < 100; i++ {
		row := make([]any, s.Len())
		for c, col := range s.Columns {
			row[c] = randomValue(r, col.Type)
		}
		if err := bb.AppendRow(RowMeta{}, row); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	for i, col := range b.Record().Columns() {
		if v, ok := col.(interface{ ValidateFull() error }); ok {
			if err := v.ValidateFull(); err != nil {
				t.Fatalf("seed %d: column %s invalid: %v", seed, s.Columns[i].Name, err)
			}
		}
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s.Arrow()), ipc.WithAllocator(memory.DefaultAllocator))
	if err := w.Write(b.Record()); err != nil {
		t.Fatalf("seed %d: write: %v", seed, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rd, err := ipc.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("seed %d: no record read back: %v", seed, rd.Err())
	}
	if !array.RecordEqual(rd.RecordBatch(), b.Record()) {
		t.Fatalf("seed %d: record changed through IPC", seed)
	}
}
