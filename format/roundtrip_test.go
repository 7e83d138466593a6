package format

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/sluicedb/sluice/types"
)

// genValue returns a random value of type t, NULL one time in eight when
// nullable; strings include quotes, delimiters, escapes and non-ASCII so
// quoting and escaping are exercised.
func genValue(r *rand.Rand, t *types.Type, nullable bool) any {
	if nullable && r.Intn(8) == 0 {
		return nil
	}
	switch t.Kind {
	case types.Boolean:
		return r.Intn(2) == 0
	case types.Integer:
		return int32(r.Uint32())
	case types.Bigint:
		return int64(r.Uint64())
	case types.Double:
		switch r.Intn(6) {
		case 0:
			return float64(r.Intn(100))
		case 1:
			return math.Float64frombits(r.Uint64() &^ (0x7ff << 52)) // tiny or subnormal
		default:
			return (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(40)-20))
		}
	case types.DecimalKind:
		digits := make([]byte, r.Intn(t.Precision)+1)
		for i := range digits {
			digits[i] = byte('0' + r.Intn(10))
		}
		d := types.MustParseDecimal(string(digits))
		d.Scale = int32(t.Scale)
		if r.Intn(2) == 0 {
			d = d.Neg()
		}
		return d
	case types.String:
		pieces := []string{"a", "Z", "9", " ", ",", "\"", "\\", "\n", "\t", "é", "日本", "\u2028", "{", "'", "|", "#", "\x01"}
		var s string
		for i := r.Intn(6); i > 0; i-- {
			s += pieces[r.Intn(len(pieces))]
		}
		return s
	case types.Bytes:
		b := make([]byte, r.Intn(6))
		r.Read(b)
		return b
	case types.DateKind:
		return types.Date(r.Int31n(200000) - 100000)
	case types.TimeKind:
		return types.Time(r.Int31n(86400000))
	case types.TimestampKind:
		return types.Timestamp(r.Int63n(1<<44) - 1<<43)
	case types.Array:
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = genValue(r, t.Elem, true)
		}
		return a
	case types.MapKind:
		m := &types.Map{}
		for i := r.Intn(4); i > 0; i-- {
			m.Put(genValue(r, t.Key, false), genValue(r, t.Elem, true))
		}
		return m
	case types.StructKind:
		s := &types.Struct{Type: t, Values: make([]any, len(t.Fields))}
		for i, f := range t.Fields {
			s.Values[i] = genValue(r, f.Type, true)
		}
		return s
	}
	return nil
}

// same compares decoded and original values: exact Go types, decimals by
// value and scale, NaN equal to NaN.
func same(a, b any) bool {
	switch x := a.(type) {
	case types.Decimal:
		y, ok := b.(types.Decimal)
		return ok && x.Scale == y.Scale && x.Cmp(y) == 0
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !same(x[i], y[i]) {
				return false
			}
		}
		return true
	case *types.Map:
		y, ok := b.(*types.Map)
		if !ok || len(x.Keys) != len(y.Keys) {
			return false
		}
		// Entry order is not part of a map's value (the JSON decoder
		// puts entries in ksqlDB's HashMap order).
		for i := range x.Keys {
			j := slices.IndexFunc(y.Keys, func(k any) bool { return same(x.Keys[i], k) })
			if j < 0 || !same(x.Values[i], y.Values[j]) {
				return false
			}
		}
		return true
	case *types.Struct:
		y, ok := b.(*types.Struct)
		return ok && same(x.Values, y.Values)
	}
	return a == b
}

var (
	scalarTypes = []*types.Type{types.BooleanType, types.IntegerType, types.BigintType, types.DoubleType,
		types.DecimalOf(10, 3), types.DecimalOf(38, 0), types.StringType, types.BytesType, types.DateType, types.TimeType, types.TimestampType}
	nestedType = types.StructOf(
		types.Field{Name: "Id", Type: types.BigintType},
		types.Field{Name: "TAGS", Type: types.ArrayOf(types.StringType)},
		types.Field{Name: "M", Type: types.MapOf(types.StringType, types.DecimalOf(6, 2))},
		types.Field{Name: "IM", Type: types.MapOf(types.IntegerType, types.DateType)},
		types.Field{Name: "DEEP", Type: types.ArrayOf(types.StructOf(types.Field{Name: "X", Type: types.BytesType}))},
	)
)

func TestRoundTrip(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	allCols := func(tys []*types.Type) []types.Column {
		var cols []types.Column
		for i, ty := range tys {
			cols = append(cols, col(fmt.Sprintf("C%d", i), ty))
		}
		return cols
	}
	kafkaTypes := []*types.Type{types.IntegerType, types.BigintType, types.DoubleType, types.StringType, types.BytesType}
	type setup struct {
		name   string
		format string
		cols   []types.Column
		opts   Options
		// emptyIsNull: the format cannot tell an empty string from NULL.
		emptyIsNull bool
	}
	setups := []setup{
		{"json scalars", JSON, allCols(scalarTypes), Options{}, false},
		{"json nested", JSON, allCols([]*types.Type{nestedType, types.ArrayOf(types.ArrayOf(types.DoubleType))}), Options{}, false},
		{"json multi key", JSON, allCols([]*types.Type{types.StringType, types.IntegerType}), Options{Key: true}, false},
		{"delimited", Delimited, allCols(scalarTypes), Options{}, true},
		{"delimited tab", Delimited, allCols(scalarTypes), Options{Delimiter: "TAB"}, true},
		{"delimited space", Delimited, allCols(scalarTypes), Options{Delimiter: "SPACE"}, true},
		{"delimited pipe", Delimited, allCols(scalarTypes), Options{Delimiter: "|"}, true},
	}
	for _, ty := range append(append([]*types.Type{}, scalarTypes...), nestedType) {
		setups = append(setups, setup{"json unwrapped " + ty.String(), JSON, allCols([]*types.Type{ty}), Options{WrapSingleValue: boolPtr(false)}, false})
		setups = append(setups, setup{"json key " + ty.String(), JSON, allCols([]*types.Type{ty}), Options{Key: true}, false})
	}
	for _, ty := range kafkaTypes {
		setups = append(setups, setup{"kafka " + ty.String(), Kafka, allCols([]*types.Type{ty}), Options{}, false})
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			f, err := Lookup(s.format)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := f.NewEncoder(s.cols, s.opts)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := f.NewDecoder(s.cols, s.opts)
			if err != nil {
				t.Fatal(err)
			}
			schema := types.MustSchema(s.cols...)
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			bb := types.NewBatchBuilder(mem, schema)
			defer bb.Release()
			out, err := BuildersFor(bb, s.cols)
			if err != nil {
				t.Fatal(err)
			}
			single := len(s.cols) == 1 && (s.format == Kafka || s.opts.Key || s.opts.WrapSingleValue != nil)
			var want [][]any
			var buf []byte
			var row []any
			for i := 0; i < 300; i++ {
				in := make([]any, len(s.cols))
				for c, column := range s.cols {
					in[c] = genValue(r, column.Type, !single)
					if s.emptyIsNull {
						if str, ok := in[c].(string); ok && str == "" {
							in[c] = nil
						}
						if b, ok := in[c].([]byte); ok && len(b) == 0 {
							in[c] = nil
						}
					}
				}
				buf, err = enc.EncodeRow(buf[:0], in)
				if err != nil {
					t.Fatalf("seed %d: encode %v: %v", seed, in, err)
				}
				row, err = dec.DecodeRow(buf, row)
				if err != nil {
					t.Fatalf("seed %d: decode %q: %v", seed, buf, err)
				}
				for c := range in {
					if !same(row[c], in[c]) {
						t.Fatalf("seed %d: column %s: %q decoded to %s, want %s", seed, s.cols[c].Name, buf, types.Format(row[c]), types.Format(in[c]))
					}
				}
				ok, err := dec.DecodeInto(buf, out)
				if err != nil || !ok {
					t.Fatalf("seed %d: DecodeInto %q: %v, %v", seed, buf, ok, err)
				}
				bb.AppendMeta(types.RowMeta{Offset: int64(i)})
				want = append(want, in)
			}
			b, err := bb.NewBatch()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			idx := make([]int, len(s.cols))
			for i := range idx {
				idx[i] = i
			}
			for i, w := range want {
				for c := range w {
					if got := b.Value(c, i); !same(got, w[c]) {
						t.Fatalf("seed %d: batch row %d column %d = %s, want %s", seed, i, c, types.Format(got), types.Format(w[c]))
					}
				}
				// Encoding from the batch gives the same bytes as from the
				// row it holds (decoded maps are in HashMap order, so not
				// necessarily the order of w's).
				fromRow, err := enc.EncodeRow(nil, b.Row(i, nil))
				if err != nil {
					t.Fatal(err)
				}
				fromBatch, err := enc.EncodeBatchRow(nil, b, idx, i)
				if err != nil {
					t.Fatal(err)
				}
				if string(fromRow) != string(fromBatch) {
					t.Fatalf("seed %d: EncodeBatchRow = %q, EncodeRow = %q", seed, fromBatch, fromRow)
				}
			}
		})
	}
}
