package types

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// allTypesSchema has one column of every SQL type, nested ones included.
func allTypesSchema() *Schema {
	inner := StructOf(Field{"X", IntegerType}, Field{"Y", ArrayOf(StringType)})
	return MustSchema(
		Column{Name: "K", Type: StringType, Key: true},
		Column{Name: "B", Type: BooleanType},
		Column{Name: "I", Type: IntegerType},
		Column{Name: "L", Type: BigintType},
		Column{Name: "D", Type: DoubleType},
		Column{Name: "DEC", Type: DecimalOf(38, 4)},
		Column{Name: "S", Type: StringType},
		Column{Name: "BY", Type: BytesType},
		Column{Name: "DT", Type: DateType},
		Column{Name: "T", Type: TimeType},
		Column{Name: "TS", Type: TimestampType},
		Column{Name: "A", Type: ArrayOf(BigintType)},
		Column{Name: "M", Type: MapOf(StringType, DoubleType)},
		Column{Name: "ST", Type: inner},
		Column{Name: "AA", Type: ArrayOf(ArrayOf(inner))},
	)
}

// randomValue returns a random Go value of type t (NULL one time in eight).
func randomValue(r *rand.Rand, t *Type) any {
	if r.Intn(8) == 0 {
		return nil
	}
	switch t.Kind {
	case Boolean:
		return r.Intn(2) == 0
	case Integer:
		return int32(r.Uint32())
	case Bigint:
		return int64(r.Uint64())
	case Double:
		return math.Float64frombits(r.Uint64() &^ (0x7ff << 52)) // finite
	case DecimalKind:
		digits := r.Intn(t.Precision) + 1
		s := make([]byte, digits)
		for i := range s {
			s[i] = byte('0' + r.Intn(10))
		}
		d := MustParseDecimal(string(s))
		d.Scale = int32(t.Scale)
		if r.Intn(2) == 0 {
			d = d.Neg()
		}
		return d
	case String:
		return fmt.Sprintf("s-%d-é", r.Intn(1000))
	case Bytes:
		b := make([]byte, r.Intn(5))
		r.Read(b)
		return b
	case DateKind:
		return Date(r.Int31n(100000) - 50000)
	case TimeKind:
		return Time(r.Int31n(msPerDay))
	case TimestampKind:
		return Timestamp(r.Int63n(1 << 42))
	case Array:
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = randomValue(r, t.Elem)
		}
		return a
	case MapKind:
		m := &Map{}
		for i := r.Intn(4); i > 0; i-- {
			m.Put(fmt.Sprint("k", r.Intn(10)), randomValue(r, t.Elem))
		}
		return m
	case StructKind:
		s := &Struct{Type: t, Values: make([]any, len(t.Fields))}
		for i, f := range t.Fields {
			s.Values[i] = randomValue(r, f.Type)
		}
		return s
	}
	return nil
}

func TestBatchRoundTrip(t *testing.T) {
	seed := rand.Int63()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	s := allTypesSchema()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	bb := NewBatchBuilder(mem, s)
	defer bb.Release()
	for round := 0; round < 3; round++ {
		var rows [][]any
		var metas []RowMeta
		for i := 0; i < 200; i++ {
			row := make([]any, s.Len())
			for c, col := range s.Columns {
				row[c] = randomValue(r, col.Type)
			}
			m := RowMeta{Rowtime: r.Int63(), Partition: int32(i % 4), Offset: int64(i), Key: []byte{byte(i)}, Change: ChangeKind(i % 4)}
			if err := bb.AppendRow(m, row); err != nil {
				t.Fatalf("seed %d: AppendRow: %v", seed, err)
			}
			rows = append(rows, row)
			metas = append(metas, m)
		}
		b, err := bb.NewBatch()
		if err != nil {
			t.Fatal(err)
		}
		if b.NumRows() != len(rows) {
			t.Fatalf("NumRows = %d, want %d", b.NumRows(), len(rows))
		}
		var got []any
		for i, want := range rows {
			got = b.Row(i, got)
			for c := range want {
				if !sameValue(got[c], want[c]) {
					t.Fatalf("seed %d: row %d col %s = %s, want %s", seed, i, s.Columns[c].Name, Format(got[c]), Format(want[c]))
				}
			}
			if m := b.Meta(i); m.Rowtime != metas[i].Rowtime || m.Partition != metas[i].Partition || m.Offset != metas[i].Offset || string(m.Key) != string(metas[i].Key) || m.Change != metas[i].Change {
				t.Fatalf("meta %d = %+v, want %+v", i, m, metas[i])
			}
		}
		// Zero-copy slices read the same rows, nested types included.
		for _, bounds := range [][2]int{{0, 0}, {0, 1}, {17, 93}, {199, 200}} {
			sl, err := b.Slice(bounds[0], bounds[1])
			if err != nil {
				t.Fatal(err)
			}
			if sl.NumRows() != bounds[1]-bounds[0] {
				t.Fatalf("slice %v has %d rows", bounds, sl.NumRows())
			}
			for r := 0; r < sl.NumRows(); r++ {
				got = sl.Row(r, got)
				for c, want := range rows[bounds[0]+r] {
					if !sameValue(got[c], want) {
						t.Fatalf("seed %d: slice %v row %d col %s = %s, want %s", seed, bounds, r, s.Columns[c].Name, Format(got[c]), Format(want))
					}
				}
				if sl.Meta(r).Offset != metas[bounds[0]+r].Offset {
					t.Fatalf("slice %v row %d meta offset %d", bounds, r, sl.Meta(r).Offset)
				}
			}
			sl.Release()
		}
		if _, err := b.Slice(5, 4); err == nil {
			t.Fatal("Slice(5, 4) accepted")
		}
		b.Release()
	}
}

func TestBatchRejectsBadRows(t *testing.T) {
	s := MustSchema(Column{Name: "I", Type: IntegerType}, Column{Name: "DEC", Type: DecimalOf(3, 1)}, Column{Name: "M", Type: MapOf(StringType, IntegerType)})
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	bad := [][]any{
		{int64(1), nil, nil},                  // wrong Go type
		{nil, MustParseDecimal("100.0"), nil}, // too wide
		{nil, nil, &Map{Keys: []any{nil}, Values: []any{int32(1)}}},
		{nil, nil},
	}
	for _, row := range bad {
		if err := bb.AppendRow(RowMeta{}, row); err == nil {
			t.Errorf("AppendRow(%v) succeeded", row)
		}
	}
	if err := bb.AppendRow(RowMeta{}, []any{int32(1), MustParseDecimal("1.25"), nil}); err != nil {
		t.Fatal(err)
	}
	b, err := bb.NewBatch()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.NumRows() != 1 {
		t.Fatalf("bad rows left traces: %d rows", b.NumRows())
	}
	if got := b.Value(1, 0).(Decimal).String(); got != "1.3" {
		t.Fatalf("decimal rescaled to %s, want 1.3", got)
	}
	// Typed appends that forget a column are caught at NewBatch.
	bb.Col(0).AppendInt32(1)
	bb.AppendMeta(RowMeta{})
	if _, err := bb.NewBatch(); err == nil {
		t.Fatal("NewBatch accepted a short column")
	}
	bb.Discard()
	if err := bb.AppendRow(RowMeta{Offset: 7}, []any{int32(2), nil, nil}); err != nil {
		t.Fatal(err)
	}
	b2, err := bb.NewBatch()
	if err != nil {
		t.Fatalf("NewBatch after Discard: %v", err)
	}
	defer b2.Release()
	if b2.NumRows() != 1 || b2.Value(0, 0) != int32(2) || b2.Meta(0).Offset != 7 {
		t.Fatalf("after Discard: %d rows, %v", b2.NumRows(), b2.Value(0, 0))
	}
}

func TestBatchAppendDecimalText(t *testing.T) {
	s := MustSchema(Column{Name: "D", Type: DecimalOf(38, 3)})
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	in := []string{"0.000", "-0.005", "12.345", "-9223372036854775.808", "9223372036854775.807", "12345678901234567890123.456", "-0.100"}
	for _, v := range in {
		if err := bb.AppendRow(RowMeta{}, []any{MustParseDecimal(v)}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := bb.NewBatch()
	defer b.Release()
	for i, want := range in {
		if got := string(b.AppendDecimalText(nil, 0, i)); got != want {
			t.Errorf("AppendDecimalText row %d = %s, want %s", i, got, want)
		}
	}
}

func TestSchema(t *testing.T) {
	if _, err := NewSchema(Column{Name: "A", Type: IntegerType}, Column{Name: "A", Type: StringType}); err == nil {
		t.Fatal("duplicate column accepted")
	}
	if _, err := NewSchema(Column{Name: "A", Type: DecimalOf(40, 2)}); err == nil {
		t.Fatal("DECIMAL(40, 2) accepted")
	}
	s := allTypesSchema()
	if s.Index("TS") != 10 || s.Index("nope") != -1 {
		t.Fatal("Index")
	}
	want := "K STRING KEY, B BOOLEAN"
	if got := s.String(); got[:len(want)] != want {
		t.Fatalf("String() = %s", got)
	}
}

// benchRows is a typical event row: a key, a few scalars and a string.
func benchSchemaRows(n int) (*Schema, [][]any) {
	s := MustSchema(
		Column{Name: "DEVICEID", Type: StringType},
		Column{Name: "TEMPERATURE", Type: DoubleType},
		Column{Name: "HUMIDITY", Type: IntegerType},
		Column{Name: "TS", Type: BigintType},
		Column{Name: "PRICE", Type: DecimalOf(10, 2)},
	)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("d-%d", i%100), 61.2 + float64(i%10), int32(i % 100), int64(1700000000123 + i), NewDecimal(int64(12345+i), 2)}
	}
	return s, rows
}

// BenchmarkBatchAppendRows measures row → columnar conversion; rows/s is
// the number to watch.
func BenchmarkBatchAppendRows(b *testing.B) {
	s, rows := benchSchemaRows(1024)
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, row := range rows {
			if err := bb.AppendRow(RowMeta{}, row); err != nil {
				b.Fatal(err)
			}
		}
		batch, err := bb.NewBatch()
		if err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchReadRows measures columnar → row conversion.
func BenchmarkBatchReadRows(b *testing.B) {
	s, rows := benchSchemaRows(1024)
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	for _, row := range rows {
		if err := bb.AppendRow(RowMeta{}, row); err != nil {
			b.Fatal(err)
		}
	}
	batch, _ := bb.NewBatch()
	defer batch.Release()
	var dst []any
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for r := 0; r < batch.NumRows(); r++ {
			dst = batch.Row(r, dst)
		}
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBatchTypedAppend is the formats' hot path: typed appends with
// no boxing.
func BenchmarkBatchTypedAppend(b *testing.B) {
	s, rows := benchSchemaRows(1024)
	bb := NewBatchBuilder(nil, s)
	defer bb.Release()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, row := range rows {
			bb.Col(0).AppendString(row[0].(string))
			bb.Col(1).AppendFloat64(row[1].(float64))
			bb.Col(2).AppendInt32(row[2].(int32))
			bb.Col(3).AppendInt64(row[3].(int64))
			bb.Col(4).AppendDecimal(row[4].(Decimal))
			bb.AppendMeta(RowMeta{})
		}
		batch, err := bb.NewBatch()
		if err != nil {
			b.Fatal(err)
		}
		batch.Release()
	}
	b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
}
