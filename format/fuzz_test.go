package format

import (
	"testing"

	"github.com/sluicedb/sluice/types"
)

// The fuzz targets feed arbitrary bytes to the decoders. They must never
// panic, a decoded row must re-encode, and DecodeInto must either append a
// full row or nothing. Seeds come from the table tests; run longer with
// `go test -fuzz FuzzJSONDecode ./format` (see make fuzz).

var fuzzCols = []types.Column{
	col("ID", types.BigintType),
	col("NAME", types.StringType),
	col("PRICE", types.DecimalOf(10, 2)),
	col("TEMP", types.DoubleType),
	col("OK", types.BooleanType),
	col("TS", types.TimestampType),
	col("TAGS", types.ArrayOf(types.StringType)),
	col("ATTRS", types.MapOf(types.StringType, types.IntegerType)),
	col("S", types.StructOf(types.Field{Name: "X", Type: types.DateType}, types.Field{Name: "Y", Type: types.BytesType})),
}

func FuzzJSONDecode(f *testing.F) {
	for _, s := range []string{
		`{"deviceId":"d-17","temperature":61.2,"humidity":33,"ts":1700000000123}`,
		`{"id": 1, "name": "a\"b\u00e9", "price": "12.345", "temp": -1e-3, "ok": true, "ts": "2022-04-28T21:44:47.943Z",
		  "tags": ["x", null, 1], "attrs": {"k": "2"}, "s": {"x": "1970-01-02", "y": "IQ=="}}`,
		`null`, ``, `{}`, `{"ID": 2147483648123}`, `[1,2]`, `{"NAME": {"nested": [1, {"a": null}]}}`,
		`{"ID": 1e400}`, `{"S": {"X": 99999999999}}`, `{"TAGS": [[[[]]]]}`,
	} {
		f.Add([]byte(s))
	}
	dec, err := jsonFormat{}.NewDecoder(fuzzCols, Options{})
	if err != nil {
		f.Fatal(err)
	}
	enc, _ := jsonFormat{}.NewEncoder(fuzzCols, Options{})
	bb := types.NewBatchBuilder(nil, types.MustSchema(fuzzCols...))
	out, _ := BuildersFor(bb, fuzzCols)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecoder(t, dec, enc, bb, out, data)
	})
}

func FuzzDelimitedDecode(f *testing.F) {
	cols := []types.Column{col("ID", types.BigintType), col("NAME", types.StringType), col("PRICE", types.DecimalOf(10, 2)),
		col("TEMP", types.DoubleType), col("OK", types.BooleanType), col("TS", types.TimestampType), col("B", types.BytesType)}
	for _, s := range []string{
		"1,a,1.5,2.0,true,10,IQ==", `"1","a,""b""",,,,,`, ",,,,,,", "1,a", `"unterminated`, "1,a\"b,,,,,",
		"-9223372036854775809,,,,,,", "1,x,123456789.999,NaN,yes,-1,!!", "1,\"a\nb\",,,,,\n",
	} {
		f.Add([]byte(s))
	}
	dec, err := delimitedFormat{}.NewDecoder(cols, Options{})
	if err != nil {
		f.Fatal(err)
	}
	enc, _ := delimitedFormat{}.NewEncoder(cols, Options{})
	bb := types.NewBatchBuilder(nil, types.MustSchema(cols...))
	out, _ := BuildersFor(bb, cols)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecoder(t, dec, enc, bb, out, data)
	})
}

func fuzzDecoder(t *testing.T, dec Decoder, enc Encoder, bb *types.BatchBuilder, out []*types.ColumnBuilder, data []byte) {
	row, err := dec.DecodeRow(data, nil)
	if err == nil && row != nil {
		b, err := enc.EncodeRow(nil, row)
		if err != nil {
			t.Fatalf("decoded %q to %v but cannot re-encode: %v", data, row, err)
		}
		again, err := dec.DecodeRow(b, nil)
		if err != nil {
			t.Fatalf("re-encoded %q as %q which does not decode: %v", data, b, err)
		}
		for i := range row {
			if !same(row[i], again[i]) && !(isEmptyText(row[i]) && again[i] == nil) {
				t.Fatalf("%q -> %q: column %d %v != %v", data, b, i, row[i], again[i])
			}
		}
	}
	before := bb.Col(0).Len()
	ok, err := dec.DecodeInto(data, out)
	after := make([]int, len(out))
	for i := range out {
		after[i] = out[i].Len()
		want := before
		if ok {
			want++
		}
		if after[i] != want {
			t.Fatalf("DecodeInto(%q) = %v, %v left column %d with %d values, want %d", data, ok, err, i, after[i], want)
		}
	}
	if ok {
		bb.AppendMeta(types.RowMeta{})
	}
	if bb.Len() > 1000 {
		b, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
}

// isEmptyText: DELIMITED cannot tell an empty string or byte string from
// NULL, as in ksqlDB.
func isEmptyText(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case []byte:
		return len(x) == 0
	}
	return false
}
