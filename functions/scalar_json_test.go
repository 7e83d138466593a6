package functions

import (
	"testing"

	"github.com/sluicedb/sluice/types"
)

func TestJSONFunctions(t *testing.T) {
	ns := tnull(types.StringType)
	doc := `{"log": {"cloud": "gcp836Csd", "app": "ksProcessor", "instance": 4, "tags": ["a", {"b": null}], "ratio": 1.50}}`
	person := types.StructOf(types.Field{Name: "ID", Type: types.IntegerType}, types.Field{Name: "NAME", Type: types.StringType})
	runScalarCases(t, []scalarCase{
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.cloud"), want: "gcp836Csd"},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.instance"), want: "4"},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.ratio"), want: "1.5"},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.tags[1]"), want: `{"b":null}`},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.tags[1].b"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$['log']['app']"), want: "ksProcessor"},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.missing"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "$.log.tags[9]"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr("not json", "$.a"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a":"\u00e9\n"}`, "$.a"), want: "é\n"},
		{fn: "EXTRACTJSONFIELD", args: arr(doc, "log.cloud"), err: "must start with $"},
		{fn: "EXTRACTJSONFIELD", args: arr(` { "a b" : { "c\"d" : [ 1 , { "e" : "x" } ] } } `, `$['a b']['c"d'][1].e`), want: "x"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": [1, 2]}`, "$.a[2]"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": []}`, "$.a[0]"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": [[1, 2], [3, 1e2]]}`, "$.a[1]"), want: "[3,100.0]"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": {"b": 1}}`, "$.a.b.c"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": {"b": 1}}`, "$.a[0]"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": 1, "a": 2}`, "$.a"), want: "2"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": 1} trailing`, "$.a"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": 1, "b": tru}`, "$.a"), want: nil},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": true}`, "$.a"), want: "true"},
		{fn: "EXTRACTJSONFIELD", args: arr(`{"a": -12}`, "$"), want: `{"a":-12}`},
		{fn: "IS_JSON_STRING", args: arr("[1, 2, 3]"), want: true},
		{fn: "IS_JSON_STRING", args: arr(`"abc"`), want: true},
		{fn: "IS_JSON_STRING", args: arr("null"), want: true},
		{fn: "IS_JSON_STRING", args: arr(""), want: false},
		{fn: "IS_JSON_STRING", args: arr("abc"), want: false},
		{fn: "IS_JSON_STRING", args: arr("{} {}"), want: false},
		{fn: "IS_JSON_STRING", args: arr(ns), want: false},
		{fn: "JSON_ARRAY_LENGTH", args: arr("[1, [1, [2]], 3]"), want: int32(3)},
		{fn: "JSON_ARRAY_LENGTH", args: arr("[]"), want: int32(0)},
		{fn: "JSON_ARRAY_LENGTH", args: arr("{}"), want: nil},
		{fn: "JSON_ARRAY_LENGTH", args: arr("abc"), want: nil},
		{fn: "JSON_CONCAT", args: arr(`{"a": 1}`, `{"b": 2}`), want: `{"a":1,"b":2}`},
		{fn: "JSON_CONCAT", args: arr(`{"a": {"5": 6}}`, `{"a": {"3": 4}}`), want: `{"a":{"3":4}}`},
		{fn: "JSON_CONCAT", args: arr("[1, [2]]", "[[[3]], [[[4]]]]"), want: "[1,[2],[[3]],[[[4]]]]"},
		{fn: "JSON_CONCAT", args: arr("null", "null"), want: "[null,null]"},
		{fn: "JSON_CONCAT", args: arr("[1, 2]", `{"a": 1}`), want: `[1,2,{"a":1}]`},
		{fn: "JSON_CONCAT", args: arr("1", "2"), want: "[1,2]"},
		{fn: "JSON_CONCAT", args: arr("abc", "[1]"), want: nil},
		{fn: "JSON_CONCAT", args: arr(ns, "[1]"), want: nil},
		{fn: "JSON_KEYS", args: arr(`{"a": "abc", "b": { "c": "a" }, "d": 1}`), want: arr("a", "b", "d")},
		{fn: "JSON_KEYS", args: arr("{}"), want: arr()},
		{fn: "JSON_KEYS", args: arr("[]"), want: nil},
		{fn: "JSON_RECORDS", args: arr(`{"a": "abc", "b": { "c": "a" }, "d": 1}`), want: smap("a", `"abc"`, "b", `{"c":"a"}`, "d", "1")},
		{fn: "JSON_RECORDS", args: arr("123"), want: nil},
		{fn: "JSON_ITEMS", args: arr(`[{"t": 1}, 2, "x"]`), want: arr(`{"t":1}`, "2", `"x"`)},
		{fn: "JSON_ITEMS", args: arr(`{}`), want: nil},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`["Pink", null]`, "Pink"), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1, 2, 3]`, int32(3)), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1.0, 2]`, int64(1)), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1.5, 2]`, 1.5), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[true]`, true), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`{"a": 1}`, int32(1)), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[null]`, tnull(types.StringType)), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`bad`, "x"), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[1.5]`, dec("1.5")), want: false},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[[1], 1]`, int32(1)), want: true},
		{fn: "JSON_ARRAY_CONTAINS", args: arr(`[[1]]`, int32(1)), want: false},
		{fn: "TO_JSON_STRING", args: arr(int32(1)), want: "1"},
		{fn: "TO_JSON_STRING", args: arr(tnull(types.IntegerType)), want: "null"},
		{fn: "TO_JSON_STRING", args: arr("abc"), want: `"abc"`},
		{fn: "TO_JSON_STRING", args: arr(123.456), want: "123.456"},
		{fn: "TO_JSON_STRING", args: arr(dec("123.456")), want: "123.456"},
		{fn: "TO_JSON_STRING", args: arr([]byte{0x21}), want: `"IQ=="`},
		{fn: "TO_JSON_STRING", args: arr(types.Time(60220000)), want: `"16:43:40"`},
		{fn: "TO_JSON_STRING", args: arr(types.Date(1000)), want: `"1972-09-27"`},
		{fn: "TO_JSON_STRING", args: arr(types.Timestamp(60220000000)), want: `"1971-11-28T23:46:40.000"`},
		{fn: "TO_JSON_STRING", args: arr(arr(int32(1), int32(2), int32(3))), want: "[1,2,3]"},
		{fn: "TO_JSON_STRING", args: arr(&types.Struct{Type: person, Values: arr(int32(1), "Alice")}), want: `{"ID":1,"NAME":"Alice"}`},
		{fn: "TO_JSON_STRING", args: arr(smap("id", arr(int32(1), int32(2), int32(3)))), want: `{"id":[1,2,3]}`},
		{fn: "TO_JSON_STRING", args: arr("quote\"and\\slash\n"), want: `"quote\"and\\slash\n"`},
	})
}

func TestParseJSONRejects(t *testing.T) {
	for _, s := range []string{"", "{", `{"a"}`, `{"a":}`, "[1,]", "01x", "-", "1.", "1e", `"\x"`, `"abc`, "tru", "[1 2]", "\"\x01\""} {
		if _, err := parseJSON(s); err == nil {
			t.Errorf("parseJSON(%q) accepted", s)
		}
	}
	deep := ""
	for i := 0; i < 1000; i++ {
		deep += "["
	}
	if _, err := parseJSON(deep); err == nil {
		t.Error("unbounded nesting accepted")
	}
}
