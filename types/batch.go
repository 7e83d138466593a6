package types

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Batch is an immutable micro-batch: an Arrow record batch of SQL-typed
// columns plus per-row metadata. Functions read it row-at-a-time through
// Value and Row; kernels reach the Arrow arrays directly through Column.
// A batch is reference counted like the Arrow arrays inside it: Retain when
// keeping it past the call that received it, Release when done.
type Batch struct {
	schema *Schema
	rec    arrow.RecordBatch
	cols   []columnReader
	meta   metaColumns
}

func newBatch(s *Schema, rec arrow.RecordBatch, meta metaColumns) *Batch {
	b := &Batch{schema: s, rec: rec, meta: meta, cols: make([]columnReader, len(s.Columns))}
	for i, c := range s.Columns {
		b.cols[i] = newColumnReader(c.Type, rec.Column(i))
	}
	return b
}

// Schema returns the batch's schema.
func (b *Batch) Schema() *Schema { return b.schema }

// NumRows returns the number of rows.
func (b *Batch) NumRows() int { return int(b.rec.NumRows()) }

// Record returns the Arrow record batch (not retained for the caller).
func (b *Batch) Record() arrow.RecordBatch { return b.rec }

// Column returns the Arrow array of column i (not retained for the caller).
func (b *Batch) Column(i int) arrow.Array { return b.rec.Column(i) }

// Retain adds a reference.
func (b *Batch) Retain() { b.rec.Retain() }

// Release drops a reference; the Arrow buffers go back to the allocator
// when the last one is gone.
func (b *Batch) Release() { b.rec.Release() }

// Meta returns the metadata of a row.
func (b *Batch) Meta(row int) RowMeta {
	return RowMeta{
		Rowtime:   b.meta.rowtime[row],
		Partition: b.meta.partition[row],
		Offset:    b.meta.offset[row],
		Key:       b.meta.key[row],
		Change:    b.meta.change[row],
	}
}

// Rowtimes returns the ROWTIME column (shared, do not modify).
func (b *Batch) Rowtimes() []int64 { return b.meta.rowtime }

// IsNull reports whether the value at (col, row) is NULL.
func (b *Batch) IsNull(col, row int) bool { return b.cols[col].arr.IsNull(row) }

// Value returns the value at (col, row) in the Go representation. Strings
// and bytes are copies, so values may outlive the batch (an aggregate
// keeping a COLLECT_LIST, say).
func (b *Batch) Value(col, row int) any { return b.cols[col].value(row) }

// Row fills dst (grown if needed) with every column of a row.
func (b *Batch) Row(row int, dst []any) []any {
	if cap(dst) < len(b.cols) {
		dst = make([]any, len(b.cols))
	}
	dst = dst[:len(b.cols)]
	for i := range b.cols {
		dst[i] = b.cols[i].value(row)
	}
	return dst
}

// Int64s returns the values of a BIGINT column without copying, for
// kernels; NULL slots hold unspecified values (check IsNull).
func (b *Batch) Int64s(col int) []int64 { return b.cols[col].i64.Int64Values() }

// Float64s returns the values of a DOUBLE column without copying.
func (b *Batch) Float64s(col int) []float64 { return b.cols[col].f64.Float64Values() }

// Int32s returns the values of an INTEGER column without copying.
func (b *Batch) Int32s(col int) []int32 { return b.cols[col].i32.Int32Values() }

// StringView returns the string at (col, row) without copying; it is only
// valid while the batch is retained.
func (b *Batch) StringView(col, row int) string { return b.cols[col].str.Value(row) }

// columnReader turns Arrow slots back into Go values; the concrete array is
// resolved once per batch, not per value.
type columnReader struct {
	typ      *Type
	arr      arrow.Array
	boolA    *array.Boolean
	i32      *array.Int32
	i64      *array.Int64
	f64      *array.Float64
	dec      *array.Decimal128
	str      *array.String
	bin      *array.Binary
	date     *array.Date32
	time     *array.Time32
	ts       *array.Timestamp
	list     *array.List
	mapA     *array.Map
	strct    *array.Struct
	children []columnReader
}

func newColumnReader(t *Type, a arrow.Array) columnReader {
	r := columnReader{typ: t, arr: a}
	switch x := a.(type) {
	case *array.Boolean:
		r.boolA = x
	case *array.Int32:
		r.i32 = x
	case *array.Int64:
		r.i64 = x
	case *array.Float64:
		r.f64 = x
	case *array.Decimal128:
		r.dec = x
	case *array.String:
		r.str = x
	case *array.Binary:
		r.bin = x
	case *array.Date32:
		r.date = x
	case *array.Time32:
		r.time = x
	case *array.Timestamp:
		r.ts = x
	case *array.Map: // before List: a Map is also a list underneath
		r.mapA = x
		r.children = []columnReader{newColumnReader(t.Key, x.Keys()), newColumnReader(t.Elem, x.Items())}
	case *array.List:
		r.list = x
		r.children = []columnReader{newColumnReader(t.Elem, x.ListValues())}
	case *array.Struct:
		r.strct = x
		r.children = make([]columnReader, len(t.Fields))
		for i, f := range t.Fields {
			r.children[i] = newColumnReader(f.Type, x.Field(i))
		}
	}
	return r
}

func (r *columnReader) value(i int) any {
	if r.arr.IsNull(i) {
		return nil
	}
	switch r.typ.Kind {
	case Boolean:
		return r.boolA.Value(i)
	case Integer:
		return r.i32.Value(i)
	case Bigint:
		return r.i64.Value(i)
	case Double:
		return r.f64.Value(i)
	case DecimalKind:
		n := r.dec.Value(i)
		var u *big.Int
		if hi := n.HighBits(); (hi == 0 && n.LowBits() < 1<<63) || (hi == -1 && n.LowBits() >= 1<<63) {
			u = big.NewInt(int64(n.LowBits()))
		} else {
			u = n.BigInt()
		}
		return Decimal{Unscaled: u, Scale: int32(r.typ.Scale)}
	case String:
		return strings.Clone(r.str.Value(i))
	case Bytes:
		return append([]byte(nil), r.bin.Value(i)...)
	case DateKind:
		return Date(r.date.Value(i))
	case TimeKind:
		return Time(r.time.Value(i))
	case TimestampKind:
		return Timestamp(r.ts.Value(i))
	case Array:
		start, end := r.list.ValueOffsets(i)
		out := make([]any, end-start)
		for j := range out {
			out[j] = r.children[0].value(int(start) + j)
		}
		return out
	case MapKind:
		start, end := r.mapA.ValueOffsets(i)
		n := int(end - start)
		m := &Map{Keys: make([]any, n), Values: make([]any, n)}
		for j := 0; j < n; j++ {
			m.Keys[j] = r.children[0].value(int(start) + j)
			m.Values[j] = r.children[1].value(int(start) + j)
		}
		return m
	case StructKind:
		s := &Struct{Type: r.typ, Values: make([]any, len(r.children))}
		for j := range r.children {
			s.Values[j] = r.children[j].value(i)
		}
		return s
	}
	return nil
}

// AppendDecimalText appends the plain text of the DECIMAL at (col, row),
// formatting straight from the 128-bit Arrow value when it fits 64 bits so
// encoders need no big.Int per value.
func (b *Batch) AppendDecimalText(dst []byte, col, row int) []byte {
	r := &b.cols[col]
	n := r.dec.Value(row)
	if hi, lo := n.HighBits(), n.LowBits(); (hi == 0 && lo < 1<<63) || (hi == -1 && lo >= 1<<63) {
		return appendUnscaled(dst, int64(lo), r.typ.Scale)
	}
	return Decimal{Unscaled: n.BigInt(), Scale: int32(r.typ.Scale)}.AppendText(dst)
}

// appendUnscaled appends v × 10^-scale in plain notation.
func appendUnscaled(dst []byte, v int64, scale int) []byte {
	var tmp [24]byte
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	digits := strconv.AppendUint(tmp[:0], u, 10)
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		return append(dst, digits...)
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for i := len(digits); i < scale; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

// Bool returns the BOOLEAN at (col, row); the slot must not be NULL.
func (b *Batch) Bool(col, row int) bool { return b.cols[col].boolA.Value(row) }

// TimestampAt returns the TIMESTAMP at (col, row) unboxed; the slot must not
// be NULL.
func (b *Batch) TimestampAt(col, row int) Timestamp { return Timestamp(b.cols[col].ts.Value(row)) }

// DateAt returns the DATE at (col, row) unboxed.
func (b *Batch) DateAt(col, row int) Date { return Date(b.cols[col].date.Value(row)) }

// TimeAt returns the TIME at (col, row) unboxed.
func (b *Batch) TimeAt(col, row int) Time { return Time(b.cols[col].time.Value(row)) }

// Slice returns rows [i, j) as a new batch sharing the Arrow buffers and
// the metadata (zero-copy). The caller must Release it; the parent may be
// released independently.
func (b *Batch) Slice(i, j int) (*Batch, error) {
	if i < 0 || j < i || j > b.NumRows() {
		return nil, errorf(CodeCast, "slice [%d, %d) out of range for %d rows", i, j, b.NumRows())
	}
	rec := b.rec.NewSlice(int64(i), int64(j))
	meta := metaColumns{
		rowtime:   b.meta.rowtime[i:j:j],
		partition: b.meta.partition[i:j:j],
		offset:    b.meta.offset[i:j:j],
		key:       b.meta.key[i:j:j],
		change:    b.meta.change[i:j:j],
	}
	return newBatch(b.schema, rec, meta), nil
}
