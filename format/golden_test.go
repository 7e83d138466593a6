package format

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sluicedb/sluice/internal/golden"
	"github.com/sluicedb/sluice/types"
)

// TestEncodeGolden writes fixed rows in every format to
// testdata/format/encode.txt, so a change in the bytes Sluice produces is a
// reviewable diff. Regenerate with: go test ./format -run TestEncodeGolden -rewrite
func TestEncodeGolden(t *testing.T) {
	st := types.StructOf(types.Field{Name: "A", Type: types.DoubleType}, types.Field{Name: "b", Type: types.ArrayOf(types.StringType)})
	rows := []struct {
		cols []types.Column
		row  []any
	}{
		{[]types.Column{col("DEVICEID", types.StringType), col("TEMPERATURE", types.DoubleType), col("HUMIDITY", types.IntegerType), col("TS", types.TimestampType)},
			[]any{"d-17", 61.2, int32(33), types.Timestamp(1700000000123)}},
		{[]types.Column{col("S", types.StringType), col("N", types.BigintType), col("E", types.StringType)},
			[]any{"-quoted, \"first\"", nil, ""}},
		{[]types.Column{col("B", types.BooleanType), col("DEC", types.DecimalOf(6, 3)), col("BY", types.BytesType), col("D", types.DateType), col("T", types.TimeType)},
			[]any{false, types.MustParseDecimal("-12.500"), []byte{0, 0xff, '!'}, types.Date(-10), types.Time(45296789)}},
		{[]types.Column{col("D", types.DoubleType), col("D2", types.DoubleType), col("D3", types.DoubleType)},
			[]any{1e-7, 12345678.9, -0.0}},
		{[]types.Column{col("V", st), col("M", types.MapOf(types.StringType, types.BigintType))},
			[]any{&types.Struct{Type: st, Values: []any{2.5, []any{"x", nil}}}, &types.Map{Keys: []any{"k", "j"}, Values: []any{int64(1), nil}}}},
		{[]types.Column{col("V", types.IntegerType)}, []any{int32(-2)}},
		{[]types.Column{col("V", types.StringType)}, []any{"tab\there é"}},
	}
	type variant struct {
		format string
		opts   Options
	}
	variants := []variant{
		{JSON, Options{}},
		{JSON, Options{WrapSingleValue: boolPtr(false)}},
		{JSON, Options{Key: true}},
		{Delimited, Options{}},
		{Delimited, Options{Delimiter: "TAB"}},
		{Delimited, Options{Delimiter: "|"}},
		{Kafka, Options{}},
	}
	var b strings.Builder
	b.WriteString("# Encoded rows per format. KAFKA is shown in hex. Regenerate with: go test ./format -run TestEncodeGolden -rewrite\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "\nschema: %s\nrow:    ", columnList(r.cols))
		for i, v := range r.row {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(types.SQLLiteral(v))
		}
		b.WriteByte('\n')
		for _, v := range variants {
			name := v.format
			switch {
			case v.opts.WrapSingleValue != nil:
				name += " unwrapped"
			case v.opts.Key:
				name += " key"
			case v.opts.Delimiter != "":
				name += " " + v.opts.Delimiter
			}
			f, _ := Lookup(v.format)
			enc, err := f.NewEncoder(r.cols, v.opts)
			if err != nil {
				fmt.Fprintf(&b, "  %-20s rejected: %v\n", name, err)
				continue
			}
			out, err := enc.EncodeRow(nil, r.row)
			switch {
			case err != nil:
				fmt.Fprintf(&b, "  %-20s error: %v\n", name, err)
			case v.format == Kafka:
				fmt.Fprintf(&b, "  %-20s %s\n", name, hex.EncodeToString(out))
			case printable(out):
				fmt.Fprintf(&b, "  %-20s %s\n", name, out)
			default:
				fmt.Fprintf(&b, "  %-20s %q (quoted)\n", name, out)
			}
		}
	}
	path := filepath.Join("..", "testdata", "format", "encode.txt")
	got := b.String()
	golden.Check(t, path, got)
}

// printable reports whether b reads unambiguously as is in a golden file.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
