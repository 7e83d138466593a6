package exec

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// tableRowsSchema has a column of every type the planner lets into a
// table's rows, scalars and nested.
var tableRowsSchema = types.MustSchema(
	types.Column{Name: "B", Type: types.BooleanType},
	types.Column{Name: "I", Type: types.IntegerType},
	types.Column{Name: "L", Type: types.BigintType},
	types.Column{Name: "D", Type: types.DoubleType},
	types.Column{Name: "DEC", Type: types.DecimalOf(10, 2)},
	types.Column{Name: "S", Type: types.StringType},
	types.Column{Name: "BY", Type: types.BytesType},
	types.Column{Name: "DT", Type: types.DateType},
	types.Column{Name: "TM", Type: types.TimeType},
	types.Column{Name: "TS", Type: types.TimestampType},
	types.Column{Name: "A", Type: types.ArrayOf(types.StringType)},
	types.Column{Name: "M", Type: types.MapOf(types.StringType, types.BigintType)},
	types.Column{Name: "ST", Type: types.StructOf(types.Field{Name: "X", Type: types.IntegerType}, types.Field{Name: "Y", Type: types.StringType})},
)

// tableRowsRows are rows of tableRowsSchema: every column set, every
// column NULL, and edge values. Maps have one key: JSON keeps no order
// between a map's entries.
func tableRowsRows() [][]any {
	st := func(x any, y any) *types.Struct {
		return &types.Struct{Type: tableRowsSchema.Columns[12].Type, Values: []any{x, y}}
	}
	return [][]any{
		{true, int32(7), int64(1) << 40, 2.5, types.MustParseDecimal("3.40"), "a b", []byte{0, 1, 0xff},
			types.Date(12410), types.Time(1000), types.Timestamp(1700000000123),
			[]any{"x", "y"}, &types.Map{Keys: []any{"k"}, Values: []any{int64(-1)}}, st(int32(1), "s")},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{false, int32(-2147483648), int64(-1), -0.125, types.MustParseDecimal("-99999999.99"), "", []byte{0},
			types.Date(-1), types.Time(0), types.Timestamp(-5),
			[]any{}, &types.Map{Keys: []any{"k"}, Values: []any{nil}}, st(nil, "\"quoted\"\n")},
	}
}

// tableRowsBatch builds a batch of rows with distinct pseudo columns.
func tableRowsBatch(t *testing.T, rows [][]any) *types.Batch {
	t.Helper()
	bb := types.NewBatchBuilder(batchAllocator, tableRowsSchema)
	defer bb.Release()
	for i, r := range rows {
		if err := bb.AppendRow(tableRowsMeta(i), r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func tableRowsMeta(i int) types.RowMeta {
	return types.RowMeta{Rowtime: 1000 + int64(i), Partition: int32(3 + i), Offset: 1<<33 + int64(i)}
}

func newTestTableRowCodec(t *testing.T, marked bool) *tableRowCodec {
	t.Helper()
	c, err := newTableRowCodec(&TaskContext{QueryID: "Q", Topic: "in", Log: &memProcessingLog{}}, tableRowsSchema, "changelog", marked)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

// TestTableRowCodecRoundTrip stores every row in both layouts, checks
// the header bytes and decodes the row back with its own pseudo columns
// (not those of the update that reads it).
func TestTableRowCodecRoundTrip(t *testing.T) {
	rows := tableRowsRows()
	in := tableRowsBatch(t, rows)
	defer in.Release()
	update := types.RowMeta{Rowtime: 1, Partition: 99, Offset: 99}
	for _, marked := range []bool{true, false} {
		c := newTestTableRowCodec(t, marked)
		var stored, got []any
		var buf []byte
		for i, want := range rows {
			m := tableRowsMeta(i)
			var err error
			if buf, err = c.encode(buf[:0], in, i, m); err != nil {
				t.Fatalf("marked=%v row %d: encode: %v", marked, i, err)
			}
			head := binary.BigEndian.AppendUint64(nil, uint64(m.Rowtime))
			if marked {
				head = append(head, storedRowMarker)
			}
			head = binary.BigEndian.AppendUint32(head, uint32(m.Partition))
			head = binary.BigEndian.AppendUint64(head, uint64(m.Offset))
			if len(buf) <= len(head) || string(buf[:len(head)]) != string(head) || buf[len(head)] != '{' {
				t.Fatalf("marked=%v row %d: stored %q, want the header %x then JSON", marked, i, buf, head)
			}
			var b *types.Batch
			if b, got, err = c.decode(buf, update, got); err != nil {
				t.Fatalf("marked=%v row %d: decode %q: %v", marked, i, buf, err)
			}
			stored = append(append(stored[:0], want...), m.Rowtime, m.Partition, m.Offset)
			if !reflect.DeepEqual(got, stored) {
				t.Errorf("marked=%v row %d: decoded\n%#v\nwant\n%#v", marked, i, got, stored)
			}
			b.Release()
		}
	}
}

// TestTableRowCodecStoredBytes pins the stored bytes of one row in each
// layout: rows already in stores and changelogs must keep decoding, and
// a change of layout must be a decision, not an accident.
func TestTableRowCodecStoredBytes(t *testing.T) {
	s := types.MustSchema(types.Column{Name: "ID", Type: types.BigintType}, types.Column{Name: "NAME", Type: types.StringType})
	bb := types.NewBatchBuilder(batchAllocator, s)
	defer bb.Release()
	if err := bb.AppendRow(types.RowMeta{}, []any{int64(7), "x"}); err != nil {
		t.Fatal(err)
	}
	in, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	m := types.RowMeta{Rowtime: 0x0102030405060708, Partition: 0x0a0b0c0d, Offset: 0x1112131415161718}
	for _, tt := range []struct {
		marked bool
		want   string
	}{
		{true, "\x01\x02\x03\x04\x05\x06\x07\x08\xff\x0a\x0b\x0c\x0d\x11\x12\x13\x14\x15\x16\x17\x18" + `{"ID":7,"NAME":"x"}`},
		{false, "\x01\x02\x03\x04\x05\x06\x07\x08\x0a\x0b\x0c\x0d\x11\x12\x13\x14\x15\x16\x17\x18" + `{"ID":7,"NAME":"x"}`},
	} {
		c, err := newTableRowCodec(&TaskContext{QueryID: "Q"}, s, "changelog", tt.marked)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.encode(nil, in, 0, m)
		if err != nil || string(got) != tt.want {
			t.Errorf("marked=%v: stored %q, %v; want %q", tt.marked, got, err, tt.want)
		}
		c.close()
	}
}

// TestTableRowCodecLegacy decodes rows an aggregation stored before the
// marker existed (ROWTIME then JSON): they take the partition and offset
// of the update that reads them.
func TestTableRowCodecLegacy(t *testing.T) {
	rows := tableRowsRows()
	in := tableRowsBatch(t, rows)
	defer in.Release()
	c := newTestTableRowCodec(t, true)
	update := types.RowMeta{Rowtime: 1, Partition: 42, Offset: 4242}
	for i, want := range rows {
		enc, err := c.encode(nil, in, i, tableRowsMeta(i))
		if err != nil {
			t.Fatal(err)
		}
		legacy := append(enc[:8:8], enc[storedRowMeta:]...)
		b, got, err := c.decode(legacy, update, nil)
		if err != nil {
			t.Fatalf("row %d: decode %q: %v", i, legacy, err)
		}
		wantRow := append(append([]any{}, want...), tableRowsMeta(i).Rowtime, update.Partition, update.Offset)
		if !reflect.DeepEqual(got, wantRow) {
			t.Errorf("row %d: decoded\n%#v\nwant\n%#v", i, got, wantRow)
		}
		b.Release()
	}
}

// TestTableRowCodecErrors checks that truncated and garbled rows fail
// with the errors the stages reported before they shared the codec: a
// row too short for its header, or whose JSON does not decode (the
// source sends that record to the processing log and yields no row), is
// errRowDecode.
func TestTableRowCodecErrors(t *testing.T) {
	json := `{"B":true}`
	for _, tt := range []struct {
		marked bool
		stored string
		rowErr bool // errRowDecode rather than any error
	}{
		{marked: true, stored: "", rowErr: true},
		{marked: true, stored: "1234567", rowErr: true},
		{marked: false, stored: "", rowErr: true},
		{marked: false, stored: "12345678901234567890"[:19], rowErr: true},
		{marked: false, stored: "12345678" + json, rowErr: true}, // too short for the header
		{marked: true, stored: "12345678" + "not json", rowErr: true},
		{marked: false, stored: "12345678901234567890" + "not json", rowErr: true},
		{marked: true, stored: "12345678\xff123412345678" + "[1,2", rowErr: true},
	} {
		c := newTestTableRowCodec(t, tt.marked)
		b, row, err := c.decode([]byte(tt.stored), types.RowMeta{}, nil)
		switch {
		case err == nil:
			b.Release()
			t.Errorf("marked=%v %q: decoded %#v", tt.marked, tt.stored, row)
		case tt.rowErr && !errors.Is(err, errRowDecode):
			t.Errorf("marked=%v %q: %v, want %v", tt.marked, tt.stored, err, errRowDecode)
		}
	}
	// One JSON row decodes in both layouts once the header is whole.
	for _, marked := range []bool{true, false} {
		c := newTestTableRowCodec(t, marked)
		stored := "12345678901234567890" + json
		if marked {
			stored = "12345678" + json
		}
		b, row, err := c.decode([]byte(stored), types.RowMeta{}, nil)
		if err != nil || row[0] != true {
			t.Fatalf("marked=%v %q: %#v, %v", marked, stored, row, err)
		}
		b.Release()
	}
}

// colEval reads one column of the row.
type colEval int

func (c colEval) Eval(row []any) (any, error) { return row[c], nil }

// failEval fails every evaluation.
type failEval struct{}

func (failEval) Eval([]any) (any, error) { return nil, errors.New("exec: test evaluation failure") }

// TestTableRowGroup checks the group of a row: filtered out, NULL or
// failing grouping value (reported only with a task context), or the key
// and values of its group.
func TestTableRowGroup(t *testing.T) {
	in := tableRowsBatch(t, tableRowsRows()[:1])
	defer in.Release()
	for _, tt := range []struct {
		name     string
		where    Evaluator
		groupBy  []Evaluator
		row      []any
		want     []any
		reported int
	}{
		{"two values", nil, []Evaluator{colEval(0), colEval(1)}, []any{"a", int64(2)}, []any{"a", int64(2)}, 0},
		{"no group by", nil, nil, []any{"a"}, []any{}, 0},
		{"where true", colEval(1), []Evaluator{colEval(0)}, []any{"a", true}, []any{"a"}, 0},
		{"where false", colEval(1), []Evaluator{colEval(0)}, []any{"a", false}, nil, 0},
		{"where null", colEval(1), []Evaluator{colEval(0)}, []any{"a", nil}, nil, 0},
		{"where fails", failEval{}, []Evaluator{colEval(0)}, []any{"a"}, nil, 1},
		{"null group", nil, []Evaluator{colEval(0), colEval(1)}, []any{"a", nil}, nil, 1},
		{"group fails", nil, []Evaluator{colEval(0), failEval{}}, []any{"a"}, nil, 1},
	} {
		for _, withTC := range []bool{true, false} {
			log := &memProcessingLog{}
			var tc *TaskContext
			if withTC {
				tc = &TaskContext{QueryID: "Q", Log: log}
			}
			key, vals := tableRowGroup(tc, in, 0, tt.where, tt.groupBy, tt.row)
			if tt.want == nil {
				if key != nil || vals != nil {
					t.Errorf("%s: group %q %#v, want none", tt.name, key, vals)
				}
			} else {
				var wantKey []byte
				for _, v := range tt.want {
					wantKey = appendKeyValue(wantKey, v)
				}
				if string(key) != string(wantKey) || !reflect.DeepEqual(vals, tt.want) {
					t.Errorf("%s: group %q %#v, want %q %#v", tt.name, key, vals, wantKey, tt.want)
				}
			}
			want := tt.reported
			if !withTC {
				want = 0
			}
			if got := len(log.all()); got != want {
				t.Errorf("%s (task context %v): %d errors reported, want %d: %v", tt.name, withTC, got, want, log.all())
			}
		}
	}
}
