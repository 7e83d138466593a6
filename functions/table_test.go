package functions

import (
	"testing"

	"github.com/sluicedb/sluice/types"
)

func callTable(t *testing.T, name string, v any) ([]any, error) {
	t.Helper()
	c, err := Builtins().Resolve(name, TypeArgs(typeOf(v)))
	if err != nil {
		t.Fatal(err)
	}
	fn, err := c.Table()
	if err != nil {
		t.Fatal(err)
	}
	if tv, ok := v.(typedVal); ok {
		v = tv.v
	}
	return fn([]any{v})
}

func TestTableFunctions(t *testing.T) {
	cases := []struct {
		fn   string
		in   any
		want []any
	}{
		{"EXPLODE", arr(int32(1), int32(2)), arr(int32(1), int32(2))},
		{"EXPLODE", typedVal{arr(), types.ArrayOf(types.IntegerType)}, nil},
		{"EXPLODE", arr("a", nil), arr("a", nil)},
		{"CUBE_EXPLODE", arr(int32(1), int32(2)), arr(arr(nil, nil), arr(nil, int32(2)), arr(int32(1), nil), arr(int32(1), int32(2)))},
		{"CUBE_EXPLODE", arr(int32(1), nil), arr(arr(nil, nil), arr(int32(1), nil))},
		{"CUBE_EXPLODE", arr("one", "two", "three"), arr(
			arr(nil, nil, nil), arr(nil, nil, "three"), arr(nil, "two", nil), arr(nil, "two", "three"),
			arr("one", nil, nil), arr("one", nil, "three"), arr("one", "two", nil), arr("one", "two", "three"))},
	}
	for _, c := range cases {
		got, err := callTable(t, c.fn, c.in)
		if err != nil {
			t.Fatalf("%s(%v): %v", c.fn, c.in, err)
		}
		if len(got) != len(c.want) || (len(got) > 0 && !sameValue(got, c.want)) {
			t.Errorf("%s(%v) = %#v, want %#v", c.fn, c.in, got, c.want)
		}
	}
	big := make([]any, maxCubeColumns+1)
	for i := range big {
		big[i] = int32(i)
	}
	if _, err := callTable(t, "CUBE_EXPLODE", big); err == nil {
		t.Error("CUBE_EXPLODE of too many columns accepted")
	}
	c, err := Builtins().Resolve("EXPLODE", TypeArgs(types.ArrayOf(types.StringType)))
	if err != nil || c.Return.String() != "STRING" {
		t.Fatalf("EXPLODE return type: %v %v", c, err)
	}
	if _, err := c.Scalar(); err == nil {
		t.Error("table function usable as scalar")
	}
}

func TestZipTableResults(t *testing.T) {
	// SELECT EXPLODE(a), EXPLODE(b) with a = [1, 2], b = [10, 11, 12].
	rows := ZipTableResults([][]any{arr(int32(1), int32(2)), arr(int32(10), int32(11), int32(12))})
	want := [][]any{{int32(1), int32(10)}, {int32(2), int32(11)}, {nil, int32(12)}}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows", len(rows))
	}
	for i := range want {
		if !sameValue(rows[i], want[i]) {
			t.Errorf("row %d = %v, want %v", i, rows[i], want[i])
		}
	}
	if len(ZipTableResults([][]any{nil, nil})) != 0 {
		t.Error("empty inputs produced rows")
	}
}
