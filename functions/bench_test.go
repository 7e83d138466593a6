package functions

import (
	"sync"
	"testing"

	"github.com/sluicedb/sluice/types"
)

func benchScalar(b *testing.B, name string, argTypes []*types.Type, args []any) {
	c, err := Builtins().Resolve(name, TypeArgs(argTypes...))
	if err != nil {
		b.Fatal(err)
	}
	fn, err := c.Scalar()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScalar(b *testing.B) {
	S, I, TS := types.StringType, types.IntegerType, types.TimestampType
	doc := `{"deviceId":"d-17","temperature":61.2,"humidity":33,"ts":1700000000123}`
	b.Run("UCASE", func(b *testing.B) { benchScalar(b, "UCASE", []*types.Type{S}, []any{"device-17"}) })
	b.Run("SUBSTRING", func(b *testing.B) {
		benchScalar(b, "SUBSTRING", []*types.Type{S, I, I}, []any{"device-17", int32(2), int32(4)})
	})
	b.Run("ABS", func(b *testing.B) { benchScalar(b, "ABS", []*types.Type{types.DoubleType}, []any{-61.2}) })
	b.Run("ROUND_DOUBLE_2", func(b *testing.B) {
		benchScalar(b, "ROUND", []*types.Type{types.DoubleType, I}, []any{61.2345, int32(2)})
	})
	b.Run("FORMAT_TIMESTAMP", func(b *testing.B) {
		benchScalar(b, "FORMAT_TIMESTAMP", []*types.Type{TS, S}, []any{types.Timestamp(1700000000123), "yyyy-MM-dd'T'HH:mm:ss.SSS"})
	})
	b.Run("FORMAT_TIMESTAMP_ZONE", func(b *testing.B) {
		benchScalar(b, "FORMAT_TIMESTAMP", []*types.Type{TS, S, S}, []any{types.Timestamp(1700000000123), "yyyy-MM-dd HH:mm:ss zzz", "America/Los_Angeles"})
	})
	b.Run("PARSE_TIMESTAMP", func(b *testing.B) {
		benchScalar(b, "PARSE_TIMESTAMP", []*types.Type{S, S}, []any{"2023-11-14T22:13:20.123", "yyyy-MM-dd'T'HH:mm:ss.SSS"})
	})
	b.Run("EXTRACTJSONFIELD", func(b *testing.B) {
		benchScalar(b, "EXTRACTJSONFIELD", []*types.Type{S, S}, []any{doc, "$.temperature"})
	})
	b.Run("REGEXP_REPLACE", func(b *testing.B) {
		benchScalar(b, "REGEXP_REPLACE", []*types.Type{S, S, S}, []any{"device-17-north", "-[0-9]+-", "_"})
	})
	b.Run("GEO_DISTANCE", func(b *testing.B) {
		D := types.DoubleType
		benchScalar(b, "GEO_DISTANCE", []*types.Type{D, D, D, D}, []any{37.4439, -122.1663, 51.5257, -0.1122})
	})
}

func BenchmarkResolve(b *testing.B) {
	args := TypeArgs(types.StringType, types.IntegerType, types.IntegerType)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Builtins().Resolve("substring", args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAggregate measures one Add plus the state round trip the
// stateful layer performs per record.
func BenchmarkAggregate(b *testing.B) {
	for _, c := range []struct {
		fn   string
		typ  *types.Type
		lits []any
		val  any
	}{
		{"SUM", types.BigintType, nil, int64(7)},
		{"AVG", types.DoubleType, nil, 61.2},
		{"ZSCORE", types.DoubleType, nil, 61.2},
		{"EWMA", types.DoubleType, []any{0.2}, 61.2},
		{"TOPK", types.IntegerType, []any{int32(5)}, int32(7)},
	} {
		b.Run(c.fn, func(b *testing.B) {
			all := []*types.Type{c.typ}
			for _, l := range c.lits {
				all = append(all, typeOf(l))
			}
			call, err := Builtins().Resolve(c.fn, TypeArgs(all...))
			if err != nil {
				b.Fatal(err)
			}
			newAcc, err := call.Accumulator(c.lits, Config{})
			if err != nil {
				b.Fatal(err)
			}
			acc := newAcc()
			args := []any{c.val}
			b.ReportAllocs()
			for b.Loop() {
				if err := acc.Add(args); err != nil {
					b.Fatal(err)
				}
				state, err := acc.MarshalBinary()
				if err != nil {
					b.Fatal(err)
				}
				acc = newAcc()
				if err := acc.UnmarshalBinary(state); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestConcurrentUse resolves and evaluates from many goroutines while
// another registry is extended; run with -race.
func TestConcurrentUse(t *testing.T) {
	r := NewRegistry()
	if err := r.AddAll(Builtins()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c, err := r.Resolve("FORMAT_TIMESTAMP", TypeArgs(types.TimestampType, types.StringType, types.StringType))
				if err != nil {
					t.Error(err)
					return
				}
				fn, _ := c.Scalar()
				if _, err := fn([]any{types.Timestamp(i), "yyyy-MM-dd HH:mm:ss.SSS", "Europe/Paris"}); err != nil {
					t.Error(err)
					return
				}
				if _, err := fn([]any{types.Timestamp(i), "yyyy-MM-dd HH:mm:ss.SSS'" + string(rune('a'+g)) + "'", "UTC"}); err != nil {
					t.Error(err)
					return
				}
			}
			_ = r.Register(scalar("EXTRA_"+string(rune('A'+g)), catOther, "Test fixture.",
				sig(PInt, "Constant.", func([]any) (any, error) { return int32(g), nil })))
		}(g)
	}
	wg.Wait()
	if len(r.Functions()) != len(Builtins().Functions())+8 {
		t.Fatalf("got %d functions", len(r.Functions()))
	}
}
