package functions

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// aggStep is one input row: added, or retracted when undo is set.
type aggStep struct {
	args []any
	undo bool
}

func add(args ...any) aggStep  { return aggStep{args: args} }
func undo(args ...any) aggStep { return aggStep{args: args, undo: true} }

// aggCase feeds rows to one aggregate and checks the result after each
// step. Every step also round-trips the state through its encoding, as the
// stateful layer does between records.
type aggCase struct {
	name     string
	fn       string
	argTypes []*types.Type
	literals []any
	cfg      Config
	steps    []aggStep
	want     []any
	err      string // error expected from the last step
}

func newAgg(t *testing.T, fn string, argTypes []*types.Type, literals []any, cfg Config) (func() Accumulator, *Call) {
	t.Helper()
	all := append([]*types.Type{}, argTypes...)
	for _, l := range literals {
		all = append(all, typeOf(l))
	}
	c, err := Builtins().Resolve(fn, TypeArgs(all...))
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.Accumulator(literals, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func runAggCases(t *testing.T, cases []aggCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			newAcc, _ := newAgg(t, c.fn, c.argTypes, c.literals, c.cfg)
			acc := newAcc()
			for i, s := range c.steps {
				var err error
				if s.undo {
					err = acc.Undo(s.args)
				} else {
					err = acc.Add(s.args)
				}
				if c.err != "" && i == len(c.steps)-1 {
					if err == nil || !errorContains(err, c.err) {
						t.Fatalf("step %d: want error %q, got %v", i, c.err, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				b, err := acc.MarshalBinary()
				if err != nil {
					t.Fatalf("step %d: marshal: %v", i, err)
				}
				fresh := newAcc()
				if err := fresh.UnmarshalBinary(b); err != nil {
					t.Fatalf("step %d: unmarshal: %v", i, err)
				}
				acc = fresh
				got, err := acc.Result()
				if err != nil {
					t.Fatalf("step %d: result: %v", i, err)
				}
				if i < len(c.want) && !sameValue(got, c.want[i]) {
					t.Fatalf("step %d: got %#v, want %#v", i, got, c.want[i])
				}
			}
		})
	}
}

func errorContains(err error, s string) bool {
	return err != nil && (s == "" || contains(err.Error(), s))
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestAggregates(t *testing.T) {
	I, B, D, S := types.IntegerType, types.BigintType, types.DoubleType, types.StringType
	dec41 := types.DecimalOf(4, 1)
	runAggCases(t, []aggCase{
		{name: "count star", fn: "COUNT", steps: []aggStep{add(), add(), undo()}, want: arr(int64(1), int64(2), int64(1))},
		{name: "count skips nulls", fn: "COUNT", argTypes: []*types.Type{S}, steps: []aggStep{add("a"), add(nil), add("b")}, want: arr(int64(1), int64(1), int64(2))},
		{name: "sum int wraps like Java", fn: "SUM", argTypes: []*types.Type{I}, steps: []aggStep{add(int32(math.MaxInt32)), add(int32(1))}, want: arr(int32(math.MaxInt32), int32(math.MinInt32))},
		{name: "sum long", fn: "SUM", argTypes: []*types.Type{B}, steps: []aggStep{add(int64(2147483648)), add(int64(100)), add(nil), undo(int64(100))},
			want: arr(int64(2147483648), int64(2147483748), int64(2147483748), int64(2147483648))},
		{name: "sum empty is zero", fn: "SUM", argTypes: []*types.Type{D}, steps: []aggStep{add(nil)}, want: arr(0.0)},
		{name: "sum decimal", fn: "SUM", argTypes: []*types.Type{dec41}, steps: []aggStep{add(dec("5.4")), add(dec("100.1"))}, want: arr(dec("5.4"), dec("105.5"))},
		{name: "sum decimal overflow", fn: "SUM", argTypes: []*types.Type{types.DecimalOf(3, 1)}, steps: []aggStep{add(dec("50.9")), add(dec("50.8"))}, err: "DECIMAL(3, 1)"},
		{name: "sum list", fn: "SUM_LIST", argTypes: []*types.Type{types.ArrayOf(I)}, steps: []aggStep{add(arr(int32(1), int32(1))), add(arr(int32(100), nil))}, want: arr(int32(2), int32(102))},
		{name: "avg", fn: "AVG", argTypes: []*types.Type{I}, steps: []aggStep{add(int32(1)), add(int32(2)), add(nil), undo(int32(1))}, want: arr(1.0, 1.5, 1.5, 2.0)},
		{name: "avg decimal", fn: "AVG", argTypes: []*types.Type{dec41}, steps: []aggStep{add(dec("1.5")), add(dec("2.0"))}, want: arr(1.5, 1.75)},
		{name: "avg empty", fn: "AVG", argTypes: []*types.Type{D}, steps: []aggStep{add(nil)}, want: arr(0.0)},
		{name: "min", fn: "MIN", argTypes: []*types.Type{S}, steps: []aggStep{add("b"), add(nil), add("a")}, want: arr("b", "b", "a")},
		{name: "max", fn: "MAX", argTypes: []*types.Type{types.TimestampType}, steps: []aggStep{add(types.Timestamp(5)), add(types.Timestamp(3))}, want: arr(types.Timestamp(5), types.Timestamp(5))},
		{name: "max undo unsupported", fn: "MAX", argTypes: []*types.Type{I}, steps: []aggStep{add(int32(1)), undo(int32(1))}, err: "undo"},
		{name: "attr same", fn: "ATTR", argTypes: []*types.Type{S}, steps: []aggStep{add("s"), add("s")}, want: arr("s", "s")},
		{name: "attr differs", fn: "ATTR", argTypes: []*types.Type{S}, steps: []aggStep{add("1"), add("2"), undo("2")}, want: arr("1", nil, "1")},
		{name: "attr null is a value", fn: "ATTR", argTypes: []*types.Type{S}, steps: []aggStep{add("1"), add(nil), add("1")}, want: arr("1", nil, nil)},
		{name: "count distinct", fn: "COUNT_DISTINCT", argTypes: []*types.Type{S}, steps: []aggStep{add("one"), add("two"), add("one"), add(nil)}, want: arr(int64(1), int64(2), int64(2), int64(2))},
		{name: "collect list", fn: "COLLECT_LIST", argTypes: []*types.Type{I}, steps: []aggStep{add(int32(0)), add(int32(100)), add(int32(0)), undo(int32(0))},
			want: arr(arr(int32(0)), arr(int32(0), int32(100)), arr(int32(0), int32(100), int32(0)), arr(int32(0), int32(100)))},
		{name: "collect list unlimited", fn: "COLLECT_LIST", argTypes: []*types.Type{I}, cfg: Config{CollectListLimit: -1}, steps: []aggStep{add(int32(0)), add(nil)},
			want: arr(arr(int32(0)), arr(int32(0), nil))},
		{name: "collect list limit", fn: "COLLECT_LIST", argTypes: []*types.Type{I}, cfg: Config{CollectListLimit: 1}, steps: []aggStep{add(int32(0)), add(int32(100))},
			want: arr(arr(int32(0)), arr(int32(0)))},
		{name: "collect list of structs", fn: "COLLECT_LIST", argTypes: []*types.Type{types.StructOf(types.Field{Name: "A", Type: S})},
			steps: []aggStep{add(&types.Struct{Type: types.StructOf(types.Field{Name: "A", Type: S}), Values: arr("x")})},
			want:  arr(arr(&types.Struct{Type: types.StructOf(types.Field{Name: "A", Type: S}), Values: arr("x")}))},
		{name: "collect set", fn: "COLLECT_SET", argTypes: []*types.Type{S}, steps: []aggStep{add("a"), add("b"), add("a")}, want: arr(arr("a"), arr("a", "b"), arr("a", "b"))},
		{name: "histogram", fn: "HISTOGRAM", argTypes: []*types.Type{S}, steps: []aggStep{add("foo"), add("bar"), add("foo"), undo("bar"), add(nil)},
			want: arr(smap("foo", int64(1)), smap("foo", int64(1), "bar", int64(1)), smap("foo", int64(2), "bar", int64(1)), smap("foo", int64(2)), smap("foo", int64(2)))},
		{name: "histogram limit", fn: "HISTOGRAM", argTypes: []*types.Type{S}, cfg: Config{HistogramLimit: 1}, steps: []aggStep{add("a"), add("b"), add("a")},
			want: arr(smap("a", int64(1)), smap("a", int64(1)), smap("a", int64(2)))},
		{name: "topk", fn: "TOPK", argTypes: []*types.Type{I}, literals: arr(int32(3)), steps: []aggStep{add(int32(0)), add(int32(100)), add(int32(99)), add(int32(100)), add(nil)},
			want: arr(arr(int32(0)), arr(int32(100), int32(0)), arr(int32(100), int32(99), int32(0)), arr(int32(100), int32(100), int32(99)), arr(int32(100), int32(100), int32(99)))},
		{name: "topk distinct", fn: "TOPKDISTINCT", argTypes: []*types.Type{S}, literals: arr(int32(3)), steps: []aggStep{add("a"), add("b"), add("c"), add("b"), add("d")},
			want: arr(arr("a"), arr("b", "a"), arr("c", "b", "a"), arr("c", "b", "a"), arr("d", "c", "b"))},
		{name: "topk distinct decimal", fn: "TOPKDISTINCT", argTypes: []*types.Type{types.DecimalOf(2, 1)}, literals: arr(int32(2)), steps: []aggStep{add(dec("9.8")), add(dec("9.9")), add(dec("9.8"))},
			want: arr(arr(dec("9.8")), arr(dec("9.9"), dec("9.8")), arr(dec("9.9"), dec("9.8")))},
		{name: "earliest ignores nulls", fn: "EARLIEST_BY_OFFSET", argTypes: []*types.Type{I}, steps: []aggStep{add(nil), add(int32(13)), add(int32(14))}, want: arr(nil, int32(13), int32(13))},
		{name: "earliest keeps nulls", fn: "EARLIEST_BY_OFFSET", argTypes: []*types.Type{I}, literals: arr(false), steps: []aggStep{add(nil), add(int32(13))}, want: arr(nil, nil)},
		{name: "earliest n", fn: "EARLIEST_BY_OFFSET", argTypes: []*types.Type{I}, literals: arr(int32(2)), steps: []aggStep{add(nil), add(int32(13)), add(int32(14)), add(int32(15))},
			want: arr(arr(), arr(int32(13)), arr(int32(13), int32(14)), arr(int32(13), int32(14)))},
		{name: "earliest n keeps nulls", fn: "EARLIEST_BY_OFFSET", argTypes: []*types.Type{I}, literals: arr(int32(2), false), steps: []aggStep{add(int32(12)), add(nil), add(int32(13))},
			want: arr(arr(int32(12)), arr(int32(12), nil), arr(int32(12), nil))},
		{name: "latest", fn: "LATEST_BY_OFFSET", argTypes: []*types.Type{S}, steps: []aggStep{add("a"), add(nil), add("b")}, want: arr("a", "a", "b")},
		{name: "latest keeps nulls", fn: "LATEST_BY_OFFSET", argTypes: []*types.Type{S}, literals: arr(false), steps: []aggStep{add("a"), add(nil)}, want: arr("a", nil)},
		{name: "latest n", fn: "LATEST_BY_OFFSET", argTypes: []*types.Type{S}, literals: arr(int32(2)), steps: []aggStep{add("a"), add("b"), add("c")},
			want: arr(arr("a"), arr("a", "b"), arr("b", "c"))},
		{name: "stddev sample", fn: "STDDEV_SAMPLE", argTypes: []*types.Type{D}, steps: []aggStep{add(10.0), add(12.0), add(13.0), add(14.0), add(16.0), add(nil)},
			want: arr(0.0, 1.4142135623730951, 1.5275252316519465, 1.707825127659933, 2.23606797749979, 2.23606797749979)},
		{name: "stddev samp is the variance", fn: "STDDEV_SAMP", argTypes: []*types.Type{I}, steps: []aggStep{add(int32(0)), add(int32(10))}, want: arr(0.0, 50.0)},
		{name: "stddev undo", fn: "STDDEV_SAMPLE", argTypes: []*types.Type{D}, steps: []aggStep{add(1.0), add(2.0), add(100.0), undo(100.0)}, want: arr(0.0, math.Sqrt(0.5), 56.87119950672162, math.Sqrt(0.5))},
		{name: "correlation", fn: "CORRELATION", argTypes: []*types.Type{D, D}, steps: []aggStep{add(1.0, 2.0), add(2.0, 4.0), add(3.0, 6.5), undo(3.0, 6.5), add(3.0, 6.0)},
			want: arr(math.NaN(), 1.0, 0.9979487157886733, 1.0, 1.0)},
		{name: "correlation negative", fn: "CORRELATION", argTypes: []*types.Type{D, D}, steps: []aggStep{add(1.0, 3.0), add(2.0, 2.0), add(3.0, 1.0)}, want: arr(math.NaN(), -1.0, -1.0)},
	})
}

func TestAggregateLiteralsValidated(t *testing.T) {
	c, err := Builtins().Resolve("TOPK", TypeArgs(types.IntegerType, types.IntegerType))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Accumulator(arr(int32(0)), Config{}); err == nil {
		t.Error("TOPK with k = 0 accepted")
	}
	if _, err := c.Accumulator(arr(nil), Config{}); err == nil {
		t.Error("NULL literal accepted")
	}
	if _, err := c.Accumulator(nil, Config{}); err == nil {
		t.Error("missing literal accepted")
	}
	if !SupportsUndo(mustLookup(t, "SUM")) || SupportsUndo(mustLookup(t, "MAX")) || SupportsUndo(mustLookup(t, "UCASE")) {
		t.Error("SupportsUndo is wrong")
	}
}

func mustLookup(t *testing.T, name string) *Function {
	f, ok := Builtins().Lookup(name)
	if !ok {
		t.Fatalf("%s not registered", name)
	}
	return f
}

// TestAggregateMerge checks, for every aggregate, that merging the
// accumulators of two halves of the input gives the result of adding all
// rows to one accumulator (session windows merge this way).
func TestAggregateMerge(t *testing.T) {
	rows := []any{int32(5), int32(1), nil, int32(9), int32(1), int32(7), int32(3), int32(8)}
	cases := []struct {
		fn       string
		literals []any
	}{
		{"COUNT", nil}, {"SUM", nil}, {"AVG", nil}, {"MIN", nil}, {"MAX", nil}, {"ATTR", nil},
		{"COUNT_DISTINCT", nil}, {"COLLECT_LIST", nil}, {"COLLECT_SET", nil}, {"TOPK", arr(int32(3))},
		{"TOPKDISTINCT", arr(int32(3))}, {"EARLIEST_BY_OFFSET", nil}, {"LATEST_BY_OFFSET", nil},
		{"EARLIEST_BY_OFFSET", arr(int32(3))}, {"LATEST_BY_OFFSET", arr(int32(3), false)},
		{"STDDEV_SAMP", nil}, {"STDDEV_SAMPLE", nil}, {"ZSCORE", nil}, {"RUNNING_STATS", nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.fn, c.literals), func(t *testing.T) {
			argType := types.IntegerType
			if c.fn == "ZSCORE" || c.fn == "RUNNING_STATS" {
				argType = types.DoubleType
			}
			newAcc, _ := newAgg(t, c.fn, []*types.Type{argType}, c.literals, Config{})
			conv := func(v any) any {
				if v != nil && argType == types.DoubleType {
					return float64(v.(int32))
				}
				return v
			}
			whole, left, right := newAcc(), newAcc(), newAcc()
			for i, r := range rows {
				if err := whole.Add([]any{conv(r)}); err != nil {
					t.Fatal(err)
				}
				half := left
				if i >= len(rows)/2 {
					half = right
				}
				if err := half.Add([]any{conv(r)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := left.Merge(right); err != nil {
				t.Fatal(err)
			}
			want, _ := whole.Result()
			got, _ := left.Result()
			if !sameValue(got, want) {
				t.Fatalf("merged %#v, whole %#v", got, want)
			}
			if err := left.Merge(&countAcc{}); err == nil && c.fn != "COUNT" {
				t.Fatal("merging a different aggregate accepted")
			}
		})
	}
}

func TestAggregateStateCorruption(t *testing.T) {
	for _, f := range Builtins().Functions() {
		if f.Kind != Aggregate {
			continue
		}
		for _, s := range f.Signatures {
			if s.Literals > 0 {
				continue
			}
			newAcc, err := s.Aggregate(AggregateContext{Return: types.DoubleType, Args: []*types.Type{types.DoubleType}})
			if err != nil {
				continue
			}
			for _, junk := range [][]byte{nil, {0xff}, {1, 2, 3}, {1, tagString, 200}} {
				if err := newAcc().UnmarshalBinary(junk); err == nil && len(junk) > 1 {
					// Some junk may decode for trivial states; what matters
					// is that nothing panics.
					continue
				} else if err != nil && !errors.Is(err, errCorruptState) {
					t.Errorf("%s: unexpected error type %v", f.Name, err)
				}
			}
		}
	}
}

// TestCountDistinctLarge checks the HyperLogLog regime: the estimate is
// within 5% for 100,000 distinct values, survives the state round trip
// and merges across accumulators.
func TestCountDistinctLarge(t *testing.T) {
	newAcc, _ := newAgg(t, "COUNT_DISTINCT", []*types.Type{types.BigintType}, nil, Config{})
	a, b, whole := newAcc(), newAcc(), newAcc()
	const n = 100_000
	for i := int64(0); i < n; i++ {
		half := a
		if i%2 == 1 {
			half = b
		}
		for _, acc := range []Accumulator{half, whole} {
			if err := acc.Add([]any{i}); err != nil {
				t.Fatal(err)
			}
		}
		// Duplicates do not count.
		if err := whole.Add([]any{i / 2}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, acc Accumulator) {
		t.Helper()
		v, _ := acc.Result()
		got := v.(int64)
		if math.Abs(float64(got-n))/n > 0.05 {
			t.Errorf("%s: estimate %d for %d distinct values", what, got, n)
		}
	}
	check("whole", whole)
	state, err := whole.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	restored := newAcc()
	if err := restored.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	check("restored", restored)
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	check("merged", a)
	// Merging an exact (small) accumulator into a HyperLogLog one.
	small := newAcc()
	for i := int64(0); i < 10; i++ {
		_ = small.Add([]any{n + i})
	}
	if err := small.Merge(whole); err != nil {
		t.Fatal(err)
	}
	check("small+large", small)
}

// TestAggregateMergeTwoArguments covers the merges of aggregates whose
// inputs are not a single integer column.
func TestAggregateMergeTwoArguments(t *testing.T) {
	cases := []struct {
		fn       string
		types    []*types.Type
		literals []any
		rows     [][]any
	}{
		{"CORRELATION", []*types.Type{types.DoubleType, types.DoubleType}, nil,
			[][]any{{1.0, 2.0}, {2.0, 3.9}, {3.0, 6.2}, {4.0, 8.1}, {5.0, 9.7}, {6.0, 12.5}}},
		{"HISTOGRAM", []*types.Type{types.StringType}, nil, [][]any{{"a"}, {"b"}, {"a"}, {nil}, {"c"}, {"b"}}},
		{"EWMA", []*types.Type{types.DoubleType}, []any{0.3}, [][]any{{1.0}, {2.0}, {3.0}, {10.0}}},
		{"EWMA_ZSCORE", []*types.Type{types.DoubleType}, []any{0.3}, [][]any{{1.0}, {2.0}, {3.0}, {10.0}}},
	}
	for _, c := range cases {
		newAcc, _ := newAgg(t, c.fn, c.types, c.literals, Config{})
		whole, left, right := newAcc(), newAcc(), newAcc()
		for i, r := range c.rows {
			_ = whole.Add(r)
			if i < len(c.rows)/2 {
				_ = left.Add(r)
			} else {
				_ = right.Add(r)
			}
		}
		if err := left.Merge(right); err != nil {
			t.Fatal(err)
		}
		got, _ := left.Result()
		want, _ := whole.Result()
		// EWMA merges keep the newer side's average (documented); it
		// equals the whole stream's only when the newer side dominates,
		// so check just that it is the newer side's.
		if c.fn == "EWMA" || c.fn == "EWMA_ZSCORE" {
			want, _ = right.Result()
		}
		if !sameValue(got, want) {
			t.Errorf("%s: merged %v, want %v", c.fn, got, want)
		}
	}
}
