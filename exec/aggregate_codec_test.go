package exec

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// TestKeyValueEncoding checks the grouping-key encoding: every value but a
// STRUCT decodes to itself, and distinct values never share a key (an
// ARRAY of one string with a space against two strings used to print
// alike).
func TestKeyValueEncoding(t *testing.T) {
	vals := []any{
		nil, "", "a b", int32(-7), int64(1) << 40, 2.5, true, false,
		[]byte{0, 1}, types.Date(12410), types.Time(1000), types.Timestamp(-5),
		types.MustParseDecimal("3.40"), types.MustParseDecimal("-12345678901234567890.5"),
		[]any{int32(3), int32(4)}, []any{}, []any{"a b"}, []any{"a", "b"}, []any{nil, []any{"x"}},
		&types.Map{Keys: []any{"k", "l"}, Values: []any{int64(1), nil}},
	}
	var keys [][]byte
	for _, v := range vals {
		k := appendKeyValue(nil, v)
		got, err := decodeKeyValues(k, nil)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], v) {
			t.Errorf("%#v: decoded %#v, %v", v, got, err)
		}
		for i, o := range keys {
			if bytes.Equal(o, k) {
				t.Errorf("%#v and %#v share the key %q", vals[i], v, k)
			}
		}
		keys = append(keys, k)
	}
	// Several values in one key, as GROUP BY a, b writes them.
	k := appendKeyValue(appendKeyValue(nil, []any{"a"}), "b")
	if got, err := decodeKeyValues(k, nil); err != nil || !reflect.DeepEqual(got, []any{[]any{"a"}, "b"}) {
		t.Errorf("two values: %#v, %v", got, err)
	}
	// A STRUCT identifies its group but does not decode.
	st := &types.Struct{Type: types.StructOf(types.Field{Name: "A", Type: types.IntegerType}), Values: []any{int32(1)}}
	if _, err := decodeKeyValues(appendKeyValue(nil, st), nil); err == nil {
		t.Error("a STRUCT key decoded")
	}
	for _, bad := range [][]byte{{'a', 5}, {'x'}, {'s', 9, 'a'}, {'m', 1, 'n'}, {'?'}} {
		if _, err := decodeKeyValues(bad, nil); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}
