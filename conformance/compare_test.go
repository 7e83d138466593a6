package conformance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func TestCompareValue(t *testing.T) {
	dec := types.DecimalOf(4, 2)
	value := func(cols ...types.Field) *types.Type { return types.StructOf(cols...) }
	tests := []struct {
		name      string
		want, got string
		typ       *types.Type
		match     bool
	}{
		{"null", `null`, `null`, nil, true},
		{"null vs value", `null`, `1`, nil, false},
		{"string", `"a"`, `"a"`, nil, true},
		{"string differs", `"a"`, `"A"`, nil, false},
		{"number vs string", `1`, `"1"`, nil, false},
		{"bool", `true`, `true`, nil, true},
		{"field names upper-cased", `{"name": "a"}`, `{"NAME": "a"}`, nil, true},
		{"field names as written", `{"name": "a"}`, `{"name": "a"}`, nil, true},
		{"actual lower case does not match", `{"NAME": "a"}`, `{"name": "a"}`, nil, false},
		{"field count differs", `{"A": 1}`, `{"A": 1, "B": 2}`, nil, false},
		{"missing field reads as null", `{"A": 1, "C": null}`, `{"A": 1, "B": null}`, nil, true},
		{"missing field with a value", `{"A": 1, "C": 3}`, `{"A": 1, "B": 3}`, nil, false},
		{"nested struct", `{"S": {"x": [1, 2]}}`, `{"S": {"X": [1, 2]}}`, nil, true},
		{"array order", `[1, 2]`, `[2, 1]`, nil, false},
		{"array length", `[1]`, `[1, 1]`, nil, false},
		{"double within 1e-6", `1.5`, `1.5000000001`, types.DoubleType, true},
		{"double too far", `1.5`, `1.50001`, types.DoubleType, false},
		{"double given as integer", `2`, `2.0`, types.DoubleType, true},
		{"large doubles compare relatively", `1.0E20`, `100000000000000000000.00001`, types.DoubleType, true},
		{"untyped fraction compares as double", `0.1`, `0.10000000001`, nil, true},
		{"decimal numerically", `12.30`, `12.3`, dec, true},
		{"decimal differs", `12.30`, `12.31`, dec, false},
		{"decimal given as text", `"12.30"`, `12.30`, dec, true},
		{"decimal text differs", `"12.31"`, `12.30`, dec, false},
		{"decimal text is not a number", `"x"`, `12.30`, dec, false},
		{"text is text where no decimal is due", `"12.30"`, `12.30`, types.StringType, false},
		{"integer matches only scale 0 decimal", `1`, `1.00`, dec, false},
		{"integer matches scale 0 decimal", `1`, `1`, types.DecimalOf(4, 0), true},
		{"bigint exact", `9223372036854775807`, `9223372036854775806`, types.BigintType, false},
		{"bigint equal", `9223372036854775807`, `9223372036854775807`, types.BigintType, true},
		{"struct field types steer numbers", `{"D": 1}`, `{"D": 1.00}`, value(types.Field{Name: "D", Type: dec}), false},
		{"map values typed", `{"k": 1.5}`, `{"k": 1.5000000001}`, types.MapOf(types.StringType, types.DoubleType), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := compareValue("v", mustJSON(t, tt.want), mustJSON(t, tt.got), tt.typ)
			if (d == "") != tt.match {
				t.Errorf("compareValue(%s, %s) = %q, want match=%v", tt.want, tt.got, d, tt.match)
			}
		})
	}
}

func TestCompareRecord(t *testing.T) {
	ts := func(v int64) *int64 { return &v }
	rec := func(key, value string, t *int64, w *Window, h []Header) expected {
		r := Record{Topic: "T", Key: json.RawMessage(key), Value: json.RawMessage(value), Timestamp: t, Window: w, Headers: h}
		e, err := parseExpected(r)
		if err != nil {
			panic(err)
		}
		return e
	}
	got := actual{Key: json.Number("1"), Value: map[string]any{"A": "x"}, Timestamp: 5}
	tests := []struct {
		name string
		want expected
		got  actual
		diff string
	}{
		{"timestamp not given", rec(`1`, `{"A":"x"}`, nil, nil, nil), got, ""},
		{"timestamp given", rec(`1`, `{"A":"x"}`, ts(5), nil, nil), got, ""},
		{"timestamp differs", rec(`1`, `{"A":"x"}`, ts(6), nil, nil), got, "timestamp"},
		{"key differs", rec(`2`, `{"A":"x"}`, nil, nil, nil), got, "key"},
		{"absent key wants none", rec(``, `{"A":"x"}`, nil, nil, nil), got, "key"},
		{"headers must be absent when not given", rec(`1`, `{"A":"x"}`, nil, nil, nil),
			actual{Key: json.Number("1"), Value: map[string]any{"A": "x"}, Headers: []Header{{Key: "h"}}}, "headers"},
		{"headers given", rec(`1`, `{"A":"x"}`, nil, nil, []Header{{Key: "h", Value: []byte("!")}}),
			actual{Key: json.Number("1"), Value: map[string]any{"A": "x"}, Headers: []Header{{Key: "h", Value: []byte("!")}}}, ""},
		{"header null vs empty", rec(`1`, `{"A":"x"}`, nil, nil, []Header{{Key: "h"}}),
			actual{Key: json.Number("1"), Value: map[string]any{"A": "x"}, Headers: []Header{{Key: "h", Value: []byte{}}}}, "header 0"},
		{"window given", rec(`1`, `{"A":"x"}`, nil, &Window{Start: 0, End: 10}, nil),
			actual{Key: json.Number("1"), Value: map[string]any{"A": "x"}, Window: &Window{Start: 0, End: 10}}, ""},
		{"window missing", rec(`1`, `{"A":"x"}`, nil, &Window{Start: 0, End: 10}, nil), got, "window"},
		{"tombstone", rec(`1`, `null`, nil, nil, nil), actual{Key: json.Number("1")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := compareRecord(tt.want, tt.got, nil, nil)
			if tt.diff == "" && d != "" || tt.diff != "" && !strings.HasPrefix(d, tt.diff) {
				t.Errorf("compareRecord = %q, want prefix %q", d, tt.diff)
			}
		})
	}
}

func TestCompareTopic(t *testing.T) {
	mk := func(keys ...string) ([]expected, []actual) {
		var es []expected
		var as []actual
		for _, k := range keys {
			es = append(es, expected{rec: Record{Topic: "T"}, key: json.Number(k)})
			as = append(as, actual{Key: json.Number(k)})
		}
		return es, as
	}
	want, got := mk("1", "2", "3")
	if d := compareTopic("T", want, got, true, nil, nil); d != "" {
		t.Errorf("same records: %s", d)
	}
	swapped := []actual{got[1], got[0], got[2]}
	if d := compareTopic("T", want, swapped, true, nil, nil); d == "" {
		t.Error("one partition: order must matter")
	}
	if d := compareTopic("T", want, swapped, false, nil, nil); d != "" {
		t.Errorf("several partitions: order across them must not matter: %s", d)
	}
	if d := compareTopic("T", want, got[:2], true, nil, nil); !strings.Contains(d, "first missing") {
		t.Errorf("missing record: %q", d)
	}
	if d := compareTopic("T", want[:2], got, true, nil, nil); !strings.Contains(d, "first extra") {
		t.Errorf("extra record: %q", d)
	}
	if d := compareTopic("T", want[:2], got, false, nil, nil); !strings.Contains(d, "unexpected") {
		t.Errorf("extra record, several partitions: %q", d)
	}
	dup, _ := mk("1", "1")
	if d := compareTopic("T", dup, got[:1], false, nil, nil); d == "" {
		t.Error("a record must not match two expected records")
	}
}

func TestComparePostWindow(t *testing.T) {
	size := int64(30000)
	tests := []struct {
		want *PostFormat
		got  *planner.WindowInfo
		ok   bool
	}{
		{&PostFormat{Format: "KAFKA"}, nil, true},
		{&PostFormat{Format: "KAFKA"}, &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: size}, false},
		{&PostFormat{WindowType: "TUMBLING", WindowSize: &size}, &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: size}, true},
		{&PostFormat{WindowType: "HOPPING"}, &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: size}, false},
		{&PostFormat{WindowType: "SESSION"}, &planner.WindowInfo{Kind: ast.SessionWindow}, true},
		{&PostFormat{WindowType: "TUMBLING", WindowSize: &size}, &planner.WindowInfo{Kind: ast.TumblingWindow, SizeMs: 1000}, false},
		{&PostFormat{WindowType: "SESSION"}, nil, false},
	}
	for _, tt := range tests {
		if d := compareWindow(tt.want, tt.got); (d == "") != tt.ok {
			t.Errorf("compareWindow(%+v, %+v) = %q, want ok=%v", tt.want, tt.got, d, tt.ok)
		}
	}
}

func TestCompareSchema(t *testing.T) {
	src := &planner.Source{
		Kind: ast.StreamSource,
		Columns: []types.Column{
			{Name: "ID", Type: types.IntegerType, Key: true},
			{Name: "NAME", Type: types.StringType},
			{Name: "H", Type: types.BytesType, Headers: true},
		},
		HeaderKeys: map[string]string{"H": "abc"},
	}
	tests := []struct {
		schema string
		ok     bool
	}{
		{"ID INT KEY, NAME STRING, H BYTES HEADER('abc')", true},
		{"`ID` INTEGER KEY, `NAME` VARCHAR, `H` BYTES HEADER('abc')", true},
		{"ID BIGINT KEY, NAME STRING, H BYTES HEADER('abc')", false},
		{"ID INT, NAME STRING, H BYTES HEADER('abc')", false},
		{"ID INT KEY, NAME STRING, H BYTES HEADERS", false},
		{"ID INT KEY, NAME STRING", false},
		{"NAME STRING, ID INT KEY, H BYTES HEADER('abc')", false},
		{"not a schema (", false},
	}
	for _, tt := range tests {
		if d := compareSchema(tt.schema, src); (d == "") != tt.ok {
			t.Errorf("compareSchema(%q) = %q, want ok=%v", tt.schema, d, tt.ok)
		}
	}
}
