package exec

import (
	"fmt"
	"testing"

	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/types"
)

// FuzzRegroupedRecord: a record of a regrouping stage's repartition topic
// (JSON value with the row, its group, its pseudo columns and the change
// flag) as the aggregation reads it: any value bytes either are a bad
// record or decode into a row whose flag changeFlag accepts exactly when
// it is one of the three change flags; the flags the stage writes all
// decode.
func FuzzRegroupedRecord(f *testing.F) {
	cols := []types.Column{
		{Name: "K", Type: types.StringType, Key: true},
		{Name: "V", Type: types.IntegerType},
		{Name: "G", Type: types.StringType},
	}
	cols = append(cols, RegroupColumns...)
	schema := types.MustSchema(cols...)
	flagCol := len(cols) - 1
	for _, flag := range []int32{ChangeAdd, ChangeSubtract, ChangeReplace} {
		f.Add([]byte(fmt.Sprintf(`{"V":1,"G":"g","ROWTIME":5,"ROWPARTITION":0,"ROWOFFSET":9,"SLUICE_CHANGE":%d}`, flag)), int64(flag))
	}
	f.Add([]byte(`{"V":null,"G":"g","SLUICE_CHANGE":null}`), int64(2))
	f.Add([]byte(`{"SLUICE_CHANGE":"1"}`), int64(-2))
	f.Add([]byte(`{"SLUICE_CHANGE":1.5}`), int64(1<<40))
	f.Fuzz(func(t *testing.T, value []byte, flag int64) {
		src, err := newSource(&SourceSpec{Topic: "repartition", Schema: schema,
			Key:   SerdeSpec{Format: format.Kafka, Columns: cols[:1], Options: format.Options{Key: true}},
			Value: SerdeSpec{Format: format.JSON, Columns: cols[1:]}, TimestampColumn: -1},
			&TaskContext{QueryID: "Q", Topic: "repartition", Log: &memProcessingLog{}}, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer src.close()
		b, err := src.decode([]broker.Record{{Key: []byte("k"), Value: value}})
		if err != nil {
			t.Fatalf("%q: %v", value, err)
		}
		if b != nil {
			row := b.Row(0, nil)
			b.Release()
			got, err := changeFlag(row[flagCol])
			v, isInt := row[flagCol].(int32)
			valid := isInt && v >= ChangeSubtract && v <= ChangeAdd
			if (err == nil) != valid || (valid && got != v) {
				t.Fatalf("%q: row %#v: flag %d, %v", value, row, got, err)
			}
		}
		// A written flag: an INTEGER decodes as itself and is accepted
		// exactly when it is a change flag; beyond INTEGER the record is
		// a bad record.
		written := fmt.Sprintf(`{"V":1,"G":"g","ROWTIME":5,"ROWPARTITION":0,"ROWOFFSET":9,"SLUICE_CHANGE":%d}`, flag)
		b, err = src.decode([]broker.Record{{Key: []byte("k"), Value: []byte(written)}})
		if err != nil {
			t.Fatalf("%s: %v", written, err)
		}
		if flag != int64(int32(flag)) {
			if b != nil {
				b.Release()
				t.Fatalf("%s decoded", written)
			}
			return
		}
		if b == nil {
			t.Fatalf("%s is a bad record", written)
		}
		last := b.Row(0, nil)
		b.Release()
		got, err := changeFlag(last[flagCol])
		inRange := flag >= int64(ChangeSubtract) && flag <= int64(ChangeAdd)
		if (err == nil) != inRange || (inRange && int64(got) != flag) {
			t.Fatalf("flag %d written, read %#v: %d, %v", flag, last[flagCol], got, err)
		}
	})
}

// FuzzTableFilterKey: the stored key of the table filter (and of a
// regrouping stage's current rows) built from a batch's cells equals the
// key built from the row's values, decodes to one value per key column
// with the same encoding, and two rows share a key exactly when their key
// values are equal.
func FuzzTableFilterKey(f *testing.F) {
	cols := []types.Column{
		{Name: "S", Type: types.StringType, Key: true},
		{Name: "I", Type: types.IntegerType, Key: true},
		{Name: "L", Type: types.BigintType, Key: true},
		{Name: "D", Type: types.DoubleType, Key: true},
		{Name: "X", Type: types.DecimalOf(12, 3), Key: true},
		{Name: "B", Type: types.BooleanType, Key: true},
		{Name: "Y", Type: types.BytesType, Key: true},
		{Name: "DT", Type: types.DateType, Key: true},
		{Name: "T", Type: types.TimeType, Key: true},
		{Name: "TS", Type: types.TimestampType, Key: true},
		{Name: "A", Type: types.ArrayOf(types.StringType), Key: true},
	}
	schema := types.MustSchema(cols...)
	f.Add([]byte("seed"), []byte("seed"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11})
	f.Add([]byte{}, []byte{0xFF})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		rows := [2][]any{fuzzRow(cols, a), fuzzRow(cols, b)}
		bb := types.NewBatchBuilder(nil, schema)
		for _, r := range rows {
			if err := bb.AppendRow(types.RowMeta{}, r); err != nil {
				t.Fatalf("row %#v: %v", r, err)
			}
		}
		batch, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		defer batch.Release()
		var keys [2][]byte
		for i, r := range rows {
			var fromRow []byte
			for c := range cols {
				keys[i] = appendKeyValue(keys[i], cellView(batch, c, i))
				fromRow = appendKeyValue(fromRow, r[c])
			}
			if string(keys[i]) != string(fromRow) {
				t.Fatalf("row %#v: key %x from the batch, %x from the values", r, keys[i], fromRow)
			}
			vals, err := decodeKeyValues(keys[i], nil)
			if err != nil || len(vals) != len(cols) {
				t.Fatalf("key %x: %d values (%v)", keys[i], len(vals), err)
			}
			for c, v := range vals {
				if !sameKeyValue(v, r[c]) {
					t.Fatalf("key %x: column %s decodes to %#v, was %#v", keys[i], cols[c].Name, v, r[c])
				}
			}
		}
		same := true
		for c := range cols {
			same = same && sameKeyValue(rows[0][c], rows[1][c])
		}
		if same != (string(keys[0]) == string(keys[1])) {
			t.Fatalf("rows %#v and %#v: equal %v, keys %x and %x", rows[0], rows[1], same, keys[0], keys[1])
		}
	})
}

// fuzzRow builds a row of cols' types from fuzz input.
func fuzzRow(cols []types.Column, in []byte) []any {
	src := &fuzzBytes{b: in}
	row := make([]any, len(cols))
	for c, col := range cols {
		sel := src.byte1()
		if sel%7 == 0 {
			continue // NULL
		}
		small := int64(sel % 3)
		switch col.Type.Kind {
		case types.String:
			row[c] = string(rune('a' + small))
		case types.Integer:
			row[c] = int32(small)
		case types.Bigint:
			row[c] = small - 1
		case types.Double:
			row[c] = []float64{0, 1.5, -2}[small]
		case types.DecimalKind:
			row[c] = types.NewDecimal(small*1001, int32(col.Type.Scale))
		case types.Boolean:
			row[c] = small == 1
		case types.Bytes:
			row[c] = []byte{byte(small), 0}
		case types.DateKind:
			row[c] = types.Date(small)
		case types.TimeKind:
			row[c] = types.Time(small * 1000)
		case types.TimestampKind:
			row[c] = types.Timestamp(small)
		case types.Array:
			out := make([]any, small)
			for i := range out {
				out[i] = []any{"x", nil, "y"}[src.byte1()%3]
			}
			row[c] = out
		}
	}
	return row
}
