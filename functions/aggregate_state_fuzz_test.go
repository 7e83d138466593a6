package functions

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/sluicedb/sluice/types"
)

// fuzzAgg is one built-in aggregate prepared for fuzzing: its accumulator
// factory, the types of its row arguments and whether it can undo.
type fuzzAgg struct {
	name    string
	newAcc  func() Accumulator
	args    []*types.Type
	canUndo bool
}

// fuzzAggregates prepares every variant of every built-in aggregate, type
// variables bound to INTEGER and to STRING, with small collection limits so
// that the limits' code is reached.
func fuzzAggregates(t testing.TB) []fuzzAgg {
	var out []fuzzAgg
	seen := map[string]bool{}
	for _, f := range Builtins().Functions() {
		if f.Kind != Aggregate {
			continue
		}
		for _, s := range f.Signatures {
			for _, tv := range []*types.Type{types.IntegerType, types.StringType} {
				var all []*types.Type
				var literals []any
				nargs := len(s.Params) - s.Literals
				for i, p := range s.Params {
					typ := fuzzParamType(p.Type, tv)
					all = append(all, typ)
					if i >= nargs {
						literals = append(literals, fuzzLiteral(typ))
					}
				}
				key := fmt.Sprint(f.Name, all)
				if seen[key] {
					continue
				}
				seen[key] = true
				c, err := Builtins().Resolve(f.Name, TypeArgs(all...))
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				newAcc, err := c.Accumulator(literals, Config{CollectListLimit: 4, CollectSetLimit: 4, HistogramLimit: 4})
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				out = append(out, fuzzAgg{name: key, newAcc: newAcc, args: all[:nargs], canUndo: SupportsUndo(f)})
			}
		}
	}
	return out
}

// fuzzParamType is a concrete type for a parameter pattern: tv for a type
// variable, DECIMAL(10, 2) for any decimal.
func fuzzParamType(p *Pattern, tv *types.Type) *types.Type {
	switch p.kind {
	case patVar, patAny:
		return tv
	case patDecimal:
		return types.DecimalOf(10, 2)
	case patArray:
		return types.ArrayOf(fuzzParamType(p.elem, tv))
	case patMap:
		return types.MapOf(fuzzParamType(p.key, tv), fuzzParamType(p.elem, tv))
	}
	return p.typ
}

// fuzzLiteral is a valid literal argument of type t (TOPK's k, an offset
// aggregate's n and ignoreNulls, EWMA's alpha).
func fuzzLiteral(t *types.Type) any {
	switch t.Kind {
	case types.Integer:
		return int32(3)
	case types.Boolean:
		return false
	case types.Double:
		return 0.5
	}
	return nil
}

// fuzzSource hands out fuzz input piece by piece (zeros once it runs dry).
type fuzzSource struct{ b []byte }

func (f *fuzzSource) byte1() byte {
	if len(f.b) == 0 {
		return 0
	}
	c := f.b[0]
	f.b = f.b[1:]
	return c
}

func (f *fuzzSource) uint64() uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v = v<<8 | uint64(f.byte1())
	}
	return v
}

// value builds a value of SQL type t, NULL one time in eight.
func (f *fuzzSource) value(t *types.Type) any {
	c := f.byte1()
	if c%8 == 0 {
		return nil
	}
	small := int64(int8(c)) // values that repeat, for distinct counts and ties
	switch t.Kind {
	case types.Integer:
		if c&0x10 != 0 {
			return int32(small)
		}
		return int32(f.uint64())
	case types.Bigint:
		if c&0x10 != 0 {
			return small
		}
		return int64(f.uint64())
	case types.Double:
		if c&0x10 != 0 {
			return float64(small) / 4
		}
		return math.Float64frombits(f.uint64())
	case types.DecimalKind:
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil)
		u := new(big.Int).SetUint64(f.uint64())
		u.Mod(u, limit)
		if c&0x20 != 0 {
			u.Neg(u)
		}
		return types.DecimalFromBig(u, int32(t.Scale))
	case types.String:
		return string(rune('a'+c%5)) + string(rune('a'+f.byte1()%3))
	case types.Bytes:
		return []byte{c, f.byte1()}
	case types.Boolean:
		return c&0x10 != 0
	case types.DateKind:
		return types.Date(small)
	case types.TimeKind:
		return types.Time(int32(f.uint64() % 86_400_000))
	case types.TimestampKind:
		return types.Timestamp(int64(f.uint64()))
	case types.Array:
		out := make([]any, f.byte1()%4)
		for i := range out {
			out[i] = f.value(t.Elem)
		}
		return out
	}
	panic(fmt.Sprintf("fuzz: no values of %s", t))
}

func (f *fuzzSource) row(args []*types.Type) []any {
	row := make([]any, len(args))
	for i, t := range args {
		row[i] = f.value(t)
	}
	return row
}

// sameResult compares two results: the same value, or both an error.
func sameResult(a any, aerr error, b any, berr error) bool {
	if aerr != nil || berr != nil {
		return aerr != nil && berr != nil && aerr.Error() == berr.Error()
	}
	return sameValue(a, b)
}

// FuzzAccumulatorRoundTrip: for each built-in aggregate, a random sequence
// of adds (and, for aggregates that support it, undos of added rows)
// survives the state round trip: the restored accumulator has the same
// result, encodes to the same bytes, and goes on exactly like the
// original.
func FuzzAccumulatorRoundTrip(f *testing.F) {
	aggs := fuzzAggregates(f)
	for i := range aggs {
		f.Add(append([]byte{byte(i)}, 0x11, 1, 2, 3, 0x13, 0x11, 9, 9, 0x35, 0x11, 0xF1, 0x12, 0, 0x91, 0x11))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		agg := aggs[int(b[0])%len(aggs)]
		src := &fuzzSource{b: b[1:]}
		acc := agg.newAcc()
		var added [][]any
		for len(src.b) > 0 {
			op := src.byte1()
			if op%4 == 3 && agg.canUndo && len(added) > 0 {
				k := int(src.byte1()) % len(added)
				// An undo may fail like an add (a DECIMAL sum leaving its
				// precision); the row then stays in.
				if err := acc.Undo(added[k]); err == nil {
					added = append(added[:k], added[k+1:]...)
				}
				continue
			}
			row := src.row(agg.args)
			if err := acc.Add(row); err == nil {
				added = append(added, row)
			}
		}
		state, err := acc.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: marshal: %v", agg.name, err)
		}
		back := agg.newAcc()
		if err := back.UnmarshalBinary(state); err != nil {
			t.Fatalf("%s: unmarshal of its own state %x: %v", agg.name, state, err)
		}
		want, werr := acc.Result()
		got, gerr := back.Result()
		if !sameResult(got, gerr, want, werr) {
			t.Fatalf("%s: restored result %#v (%v), original %#v (%v)", agg.name, got, gerr, want, werr)
		}
		again, err := back.MarshalBinary()
		if err != nil || !bytes.Equal(again, state) {
			t.Fatalf("%s: state %x re-encodes as %x (%v)", agg.name, state, again, err)
		}
		next := (&fuzzSource{b: state}).row(agg.args)
		err1, err2 := acc.Add(next), back.Add(next)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s: add %#v after restore: %v, original %v", agg.name, next, err2, err1)
		}
		want, werr = acc.Result()
		got, gerr = back.Result()
		if !sameResult(got, gerr, want, werr) {
			t.Fatalf("%s: after one more add: restored %#v (%v), original %#v (%v)", agg.name, got, gerr, want, werr)
		}
	})
}

// FuzzAccumulatorState: arbitrary bytes given to a built-in aggregate's
// UnmarshalBinary (a corrupted pebble value, a changelog record of another
// build) fail with errCorruptState or give a state the accumulator can
// use: its result, adds and merges do not panic, and it re-encodes to
// bytes that decode to the same state.
func FuzzAccumulatorState(f *testing.F) {
	aggs := fuzzAggregates(f)
	for i, agg := range aggs {
		acc := agg.newAcc()
		src := &fuzzSource{b: []byte{0x11, 1, 2, 3, 0x13, 0x11, 9, 9, 0x35, 0x11, 0xF1, 0x12, 0, 0x91, 0x11, 0x47, 5, 6, 7}}
		for len(src.b) > 0 {
			src.byte1() // COUNT() takes no arguments: consume input anyway
			_ = acc.Add(src.row(agg.args))
			state, err := acc.MarshalBinary()
			if err != nil {
				f.Fatalf("%s: %v", agg.name, err)
			}
			f.Add(append([]byte{byte(i)}, state...))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		agg := aggs[int(b[0])%len(aggs)]
		acc := agg.newAcc()
		if err := acc.UnmarshalBinary(b[1:]); err != nil {
			if !errors.Is(err, errCorruptState) {
				t.Fatalf("%s: %x: error %v is not errCorruptState", agg.name, b[1:], err)
			}
			return
		}
		state, err := acc.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %x decoded but does not encode: %v", agg.name, b[1:], err)
		}
		back := agg.newAcc()
		if err := back.UnmarshalBinary(state); err != nil {
			t.Fatalf("%s: %x decoded, its re-encoding %x does not: %v", agg.name, b[1:], state, err)
		}
		again, err := back.MarshalBinary()
		if err != nil || !bytes.Equal(again, state) {
			t.Fatalf("%s: %x: re-encoding not stable: %x then %x (%v)", agg.name, b[1:], state, again, err)
		}
		want, werr := acc.Result()
		got, gerr := back.Result()
		if !sameResult(got, gerr, want, werr) {
			t.Fatalf("%s: %x: result %#v (%v), after re-encoding %#v (%v)", agg.name, b[1:], want, werr, got, gerr)
		}
		other := agg.newAcc()
		src := &fuzzSource{b: b}
		for i := 0; i < 3; i++ {
			row := src.row(agg.args)
			_ = acc.Add(row)
			_ = other.Add(row)
		}
		_, _ = acc.Result()
		_ = other.Merge(back)
		_, _ = other.Result()
	})
}
