package format

import (
	"errors"
	"math"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestDelimitedEncode(t *testing.T) {
	tests := []struct {
		name  string
		cols  []types.Column
		delim string
		row   []any
		want  string
	}{
		{"plain", []types.Column{col("A", types.BigintType), col("B", types.StringType), col("C", types.DoubleType)}, "", []any{int64(0), "zero", 1.5}, "0,zero,1.5"},
		{"nulls are empty", []types.Column{col("A", types.StringType), col("B", types.IntegerType), col("C", types.StringType)}, "", []any{nil, int32(456), "foo"}, ",456,foo"},
		{"trailing null", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "", []any{int32(0), nil}, "0,"},
		{"all null", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "", []any{nil, nil}, ","},
		{"first field non-alnum quoted", []types.Column{col("A", types.DateType)}, "", []any{types.Date(-10)}, `"-10"`},
		{"later negative unquoted", []types.Column{col("A", types.IntegerType), col("B", types.IntegerType)}, "", []any{int32(1), int32(-1)}, "1,-1"},
		{"low first char quoted", []types.Column{col("A", types.StringType), col("B", types.BytesType), col("C", types.StringType)}, "", []any{"!", []byte("!"), "!"}, `"!",IQ==,"!"`},
		{"whitespace", []types.Column{col("A", types.StringType), col("B", types.StringType), col("C", types.StringType), col("D", types.StringType)}, "",
			[]any{" \t with white space \t", " \t WITH WHITE SPACE \t", "with white space", "\t wit"},
			"\" \t with white space \t\",\" \t WITH WHITE SPACE \t\",with white space,\"\t wit\""},
		{"embedded quotes", []types.Column{col("A", types.StringType)}, "", []any{`" + x + "`}, `""" + x + """`},
		{"delimiter in text", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "", []any{int32(1), "a,b"}, `1,"a,b"`},
		{"empty string first", []types.Column{col("A", types.StringType), col("B", types.StringType)}, "", []any{"", ""}, `"",`},
		{"decimal and temporal", []types.Column{col("A", types.DecimalOf(21, 19)), col("B", types.TimestampType), col("C", types.TimeType), col("D", types.BooleanType)}, "",
			[]any{types.MustParseDecimal("10.1234512345123451234"), types.Timestamp(10), types.Time(5), true}, "10.1234512345123451234,10,5,true"},
		{"double notation", []types.Column{col("A", types.DoubleType), col("B", types.DoubleType)}, "", []any{4.9e-324, math.MaxFloat64}, "4.9E-324,1.7976931348623157E308"},
		{"tab", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "TAB", []any{int32(1), "a,b"}, "1\ta,b"},
		{"space", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "SPACE", []any{int32(1), "a b"}, `1 "a b"`},
		{"pipe", []types.Column{col("A", types.IntegerType), col("B", types.StringType)}, "|", []any{int32(1), "x|y"}, `1|"x|y"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := delimitedFormat{}.NewEncoder(tc.cols, Options{Delimiter: tc.delim})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EncodeRow(nil, tc.row)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("EncodeRow = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDelimitedDecode(t *testing.T) {
	cols := []types.Column{col("ID", types.BigintType), col("NAME", types.StringType), col("V", types.DecimalOf(4, 2))}
	tests := []struct {
		in   string
		want []any
		bad  bool
	}{
		{"0,zero,1.5", []any{int64(0), "zero", types.MustParseDecimal("1.50")}, false},
		{"0,zero,1.5\n", []any{int64(0), "zero", types.MustParseDecimal("1.50")}, false},
		{"0,zero,1.5\r\n", []any{int64(0), "zero", types.MustParseDecimal("1.50")}, false},
		{`1,"a,""b""",`, []any{int64(1), `a,"b"`, nil}, false},
		{",,", []any{nil, nil, nil}, false},
		{`2,"",0.005`, []any{int64(2), nil, types.MustParseDecimal("0.01")}, false},
		{"1,\"multi\nline\",1", []any{int64(1), "multi\nline", types.MustParseDecimal("1.00")}, false},
		{"1,a", nil, true},
		{"1,a,2,3", nil, true},
		{"x,a,1", nil, true},
		{"1,a,100.00", nil, true},
		{`1,"a,1`, nil, true},
		{`1,"a"b,1`, nil, true},
		{`1,a"b,1`, nil, true},
	}
	d, err := delimitedFormat{}.NewDecoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bb := types.NewBatchBuilder(nil, types.MustSchema(cols...))
	defer bb.Release()
	out, _ := BuildersFor(bb, cols)
	for _, tc := range tests {
		got, err := d.DecodeRow([]byte(tc.in), nil)
		if tc.bad {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Errorf("DecodeRow(%q) = %v, %v; want *DecodeError", tc.in, got, err)
			}
			if ok, _ := d.DecodeInto([]byte(tc.in), out); ok || bb.Col(0).Len() != 0 {
				t.Errorf("DecodeInto(%q) appended a bad record", tc.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("DecodeRow(%q): %v", tc.in, err)
			continue
		}
		for i := range tc.want {
			if !same(got[i], tc.want[i]) {
				t.Errorf("DecodeRow(%q)[%d] = %#v, want %#v", tc.in, i, got[i], tc.want[i])
			}
		}
	}
	if row, err := d.DecodeRow(nil, nil); row != nil || err != nil {
		t.Fatalf("nil record = %v, %v; want null record", row, err)
	}
}

func TestKafkaFormat(t *testing.T) {
	tests := []struct {
		t     *types.Type
		v     any
		bytes string
	}{
		{types.IntegerType, int32(2), "\x00\x00\x00\x02"},
		{types.IntegerType, int32(-1), "\xff\xff\xff\xff"},
		{types.BigintType, int64(1), "\x00\x00\x00\x00\x00\x00\x00\x01"},
		{types.DoubleType, 1.1, "\x3f\xf1\x99\x99\x99\x99\x99\x9a"},
		{types.StringType, "bär", "b\xc3\xa4r"},
		{types.BytesType, []byte{0, 1}, "\x00\x01"},
	}
	for _, tc := range tests {
		cols := []types.Column{col("V", tc.t)}
		e, _ := kafkaFormat{}.NewEncoder(cols, Options{})
		d, _ := kafkaFormat{}.NewDecoder(cols, Options{})
		got, err := e.EncodeRow(nil, []any{tc.v})
		if err != nil || string(got) != tc.bytes {
			t.Errorf("encode %s %v = %q, %v; want %q", tc.t, tc.v, got, err, tc.bytes)
		}
		row, err := d.DecodeRow([]byte(tc.bytes), nil)
		if err != nil || !same(row[0], tc.v) {
			t.Errorf("decode %s %q = %v, %v", tc.t, tc.bytes, row, err)
		}
	}
	for _, ty := range []*types.Type{types.IntegerType, types.BigintType, types.DoubleType} {
		d, _ := kafkaFormat{}.NewDecoder([]types.Column{col("V", ty)}, Options{})
		var de *DecodeError
		if _, err := d.DecodeRow([]byte("abc"), nil); !errors.As(err, &de) {
			t.Errorf("decode 3 bytes as %s: %v", ty, err)
		}
		if row, err := d.DecodeRow(nil, nil); row != nil || err != nil {
			t.Errorf("null record as %s = %v, %v", ty, row, err)
		}
	}
	// Empty is not null: an empty STRING or BYTES is a record.
	for _, ty := range []*types.Type{types.StringType, types.BytesType} {
		cols := []types.Column{col("V", ty)}
		e, _ := kafkaFormat{}.NewEncoder(cols, Options{})
		d, _ := kafkaFormat{}.NewDecoder(cols, Options{})
		var v any
		if ty.Kind == types.String {
			v = ""
		} else {
			v = []byte{}
		}
		b, err := e.EncodeRow(nil, []any{v})
		if b == nil || len(b) != 0 || err != nil {
			t.Fatalf("encode empty %s = %#v, %v; want non-nil empty", ty, b, err)
		}
		if row, err := d.DecodeRow(b, nil); err != nil || row == nil || !same(row[0], v) {
			t.Fatalf("decode empty %s = %#v, %v", ty, row, err)
		}
	}
	dl, _ := delimitedFormat{}.NewEncoder([]types.Column{col("V", types.StringType)}, Options{})
	if b, err := dl.EncodeRow(nil, []any{nil}); b == nil || err != nil {
		t.Fatalf("DELIMITED lone NULL = %#v, %v; want an empty record, not a tombstone", b, err)
	}
	e, _ := kafkaFormat{}.NewEncoder([]types.Column{col("V", types.IntegerType)}, Options{})
	if b, err := e.EncodeRow(nil, []any{nil}); b != nil || err != nil {
		t.Errorf("encode NULL = %q, %v; want no bytes", b, err)
	}
}

func TestNoneFormat(t *testing.T) {
	d, err := noneFormat{}.NewDecoder(nil, Options{Key: true})
	if err != nil {
		t.Fatal(err)
	}
	row, err := d.DecodeRow([]byte("anything"), nil)
	if err != nil || row == nil || len(row) != 0 {
		t.Fatalf("DecodeRow = %v, %v", row, err)
	}
	e, _ := noneFormat{}.NewEncoder(nil, Options{Key: true})
	if b, err := e.EncodeRow(nil, []any{}); len(b) != 0 || err != nil {
		t.Fatalf("EncodeRow = %q, %v", b, err)
	}
}
