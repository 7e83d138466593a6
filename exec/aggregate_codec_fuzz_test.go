package exec

import (
	"bytes"
	"math"
	"math/big"
	"testing"

	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// fuzzBytes hands out fuzz input piece by piece; once it runs dry every
// read returns zeros, so any input yields a value.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) byte1() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzBytes) uint64() uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v = v<<8 | uint64(f.byte1())
	}
	return v
}

func (f *fuzzBytes) text() string {
	n := int(f.byte1() % 12)
	if n > len(f.b) {
		n = len(f.b)
	}
	s := string(f.b[:n])
	f.b = f.b[n:]
	return s
}

// value builds a grouping value of any SQL type appendKeyValue decodes
// (every type but STRUCT), nested up to depth.
func (f *fuzzBytes) value(depth int) any {
	k := f.byte1() % 15
	if depth <= 0 && k >= 13 {
		k %= 13
	}
	switch k {
	case 0:
		return nil
	case 1:
		return f.text()
	case 2:
		return int32(f.uint64())
	case 3:
		return int64(f.uint64())
	case 4:
		return math.Float64frombits(f.uint64())
	case 5:
		return f.byte1()&1 == 1
	case 6:
		return []byte(f.text())
	case 7:
		return types.Date(int32(f.uint64()))
	case 8:
		return types.Time(int32(f.uint64() % 86_400_000))
	case 9:
		return types.Timestamp(int64(f.uint64()))
	case 10, 11:
		u := new(big.Int).SetUint64(f.uint64())
		u.Mul(u, new(big.Int).SetUint64(f.uint64()))
		if f.byte1()&1 == 1 {
			u.Neg(u)
		}
		return types.DecimalFromBig(u, int32(f.byte1()%40))
	case 12:
		return ""
	case 13:
		out := make([]any, f.byte1()%4)
		for i := range out {
			out[i] = f.value(depth - 1)
		}
		return out
	default:
		m := &types.Map{}
		for i := byte(0); i < f.byte1()%4; i++ {
			m.Keys = append(m.Keys, f.value(0))
			m.Values = append(m.Values, f.value(depth-1))
		}
		return m
	}
}

// sameKeyValue compares grouping values as the store does: by their
// encodings, which are exact (float bits, decimal scale), plus their Go
// types.
func sameKeyValue(a, b any) bool {
	return bytes.Equal(appendKeyValue(nil, a), appendKeyValue(nil, b)) && sameGoType(a, b)
}

func sameGoType(a, b any) bool {
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameGoType(a[i], b[i]) {
				return false
			}
		}
		return true
	case *types.Map:
		b, ok := b.(*types.Map)
		if !ok || len(a.Keys) != len(b.Keys) {
			return false
		}
		for i := range a.Keys {
			if !sameGoType(a.Keys[i], b.Keys[i]) || !sameGoType(a.Values[i], b.Values[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	}
	switch b.(type) {
	case []any, *types.Map, nil:
		return false
	}
	return true
}

// groupingKeySeeds are real encodings of keys with values of every type.
func groupingKeySeeds() [][]byte {
	dec := types.MustParseDecimal("-12345678901234567890.125")
	vals := [][]any{
		{"k1"},
		{int32(-7), int64(math.MinInt64), 2.5, true},
		{nil, []byte{0, 1, 0xFF}, types.Date(-3), types.Time(86_399_999), types.Timestamp(1_700_000_000_000)},
		{dec, types.MustParseDecimal("0.00")},
		{[]any{int32(1), nil, []any{"x"}}, &types.Map{Keys: []any{"a", "b"}, Values: []any{int64(1), nil}}},
		{math.NaN(), math.Copysign(0, -1), math.Inf(-1)},
	}
	var out [][]byte
	for _, vs := range vals {
		var k []byte
		for _, v := range vs {
			k = appendKeyValue(k, v)
		}
		out = append(out, k)
	}
	return out
}

// FuzzGroupingKey checks the store keys of aggregations (and of the
// table filter, which uses the same encoding): values of every decodable
// SQL type come back from decodeKeyValues as they went in, and arbitrary
// bytes (a corrupted pebble key, a changelog record of another build)
// either fail to decode or are exactly the encoding of what they decode
// to, so two different stored keys never stand for the same group.
func FuzzGroupingKey(f *testing.F) {
	for _, k := range groupingKeySeeds() {
		f.Add(k)
	}
	f.Add([]byte{'a', 0xFF, 0xFF, 0xFF, 0xFF, 0x0F})
	f.Add([]byte{'x', 0x02, 0x01, '+'})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Round trip of values generated from the input.
		src := &fuzzBytes{b: b}
		var want []any
		var key []byte
		for n := src.byte1() % 5; n > 0; n-- {
			v := src.value(3)
			want = append(want, v)
			key = appendKeyValue(key, v)
		}
		got, err := decodeKeyValues(key, nil)
		if err != nil {
			t.Fatalf("%x: values %#v: %v", key, want, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%x: %d values back, %d in", key, len(got), len(want))
		}
		for i := range want {
			if !sameKeyValue(got[i], want[i]) {
				t.Fatalf("%x: value %d: %#v back, %#v in", key, i, got[i], want[i])
			}
		}
		// Every proper prefix of one value fails: values are
		// self-delimiting.
		if len(want) == 1 {
			for cut := 0; cut < len(key); cut++ {
				if v, rest, err := decodeKeyValue(key[:cut]); err == nil {
					t.Fatalf("%x: prefix of %d bytes decoded to %#v, rest %x", key, cut, v, rest)
				}
			}
		}
		// Arbitrary bytes.
		vals, err := decodeKeyValues(b, nil)
		if err != nil {
			return
		}
		var again []byte
		for _, v := range vals {
			again = appendKeyValue(again, v)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%x decodes to %#v, which encodes as %x", b, vals, again)
		}
	})
}

// aggValueCalls are accumulators of every kind of state for
// FuzzAggregateValue: counters, sums, decimals, collections, offsets.
func aggValueCalls(t testing.TB) []func() functions.Accumulator {
	reg := functions.Builtins()
	calls := []struct {
		name     string
		args     []*types.Type
		literals []any
	}{
		{"COUNT", nil, nil},
		{"SUM", []*types.Type{types.DecimalOf(10, 2)}, nil},
		{"AVG", []*types.Type{types.DoubleType}, nil},
		{"COLLECT_LIST", []*types.Type{types.StringType}, nil},
		{"LATEST_BY_OFFSET", []*types.Type{types.IntegerType, types.IntegerType}, []any{int32(2)}},
		{"MIN", []*types.Type{types.BigintType}, nil},
	}
	var out []func() functions.Accumulator
	for _, c := range calls {
		call, err := reg.Resolve(c.name, functions.TypeArgs(c.args...))
		if err != nil {
			t.Fatal(err)
		}
		f, err := call.Accumulator(c.literals, functions.Config{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// FuzzAggregateValue checks a group's stored value (flag, row time,
// accumulators' states): arbitrary bytes either fail to decode or give
// accumulators whose re-encoding decodes to the same value again, and
// nothing panics while the accumulators are used afterwards.
func FuzzAggregateValue(f *testing.F) {
	newAccs := aggValueCalls(f)
	fresh := func() []Accumulator {
		accs := make([]Accumulator, len(newAccs))
		for i, n := range newAccs {
			accs[i] = n()
		}
		return accs
	}
	accs := fresh()
	seed := func() []byte {
		b, err := encodeAggValue(nil, true, 1_700_000_000_000, accs)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed())
	rows := [][]any{
		{nil, types.MustParseDecimal("1.25"), 2.5, "a", int32(1), int64(-4)},
		{nil, types.MustParseDecimal("-3.00"), math.NaN(), nil, int32(2), int64(9)},
		{nil, nil, 1e300, "bb", nil, nil},
	}
	for _, r := range rows {
		for i, a := range accs {
			var args []any
			if i > 0 {
				args = []any{r[i]}
			}
			if err := a.Add(args); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(seed())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		accs := fresh()
		has, rowtime, err := decodeAggValue(b, accs)
		if err != nil {
			return
		}
		again, err := encodeAggValue(nil, has, rowtime, accs)
		if err != nil {
			t.Fatalf("%x decoded but does not encode: %v", b, err)
		}
		accs2 := fresh()
		has2, rowtime2, err := decodeAggValue(again, accs2)
		if err != nil || has2 != has || rowtime2 != rowtime {
			t.Fatalf("%x: re-encoded %x does not decode alike: %v", b, again, err)
		}
		third, err := encodeAggValue(nil, has2, rowtime2, accs2)
		if err != nil || !bytes.Equal(third, again) {
			t.Fatalf("%x: encoding not stable: %x then %x (%v)", b, again, third, err)
		}
		for i, a := range accs {
			_, _ = a.Result()
			var args []any
			if i > 0 {
				args = []any{rows[0][i]}
			}
			_ = a.Add(args)
			_, _ = a.Result()
		}
	})
}
