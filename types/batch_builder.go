package types

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ChangeKind says what a row means to a table downstream. Streams only
// carry inserts; table changelogs carry upserts and deletes (tombstones).
type ChangeKind uint8

// The change kinds.
const (
	Insert ChangeKind = iota
	// UpdateBefore is the old image of an updated row, emitted when an
	// aggregate must retract what it added (table aggregations' undo).
	UpdateBefore
	// UpdateAfter is the new image of an updated row.
	UpdateAfter
	// Delete is a tombstone: the key's row is gone.
	Delete
)

// String names the kind.
func (c ChangeKind) String() string {
	switch c {
	case Insert:
		return "INSERT"
	case UpdateBefore:
		return "UPDATE_BEFORE"
	case UpdateAfter:
		return "UPDATE_AFTER"
	case Delete:
		return "DELETE"
	}
	return "CHANGE(?)"
}

// RowMeta is the per-row metadata carried beside the columns.
type RowMeta struct {
	Rowtime   int64 // ms since the epoch: ROWTIME
	Partition int32 // ROWPARTITION
	Offset    int64 // ROWOFFSET
	// Key is the serialized record key; the decoded key columns are in the
	// schema. Sinks re-use it when the key columns are unchanged.
	Key    []byte
	Change ChangeKind
}

// BatchBuilder accumulates rows and produces a Batch. Two ways in: AppendRow
// converts a row of Go values (the slow, general path), while formats on
// the hot path call Col(i).AppendInt64 and friends for each column and then
// AppendMeta once per row. Every column must receive exactly one value per
// row before NewBatch; the builder checks. A builder is not safe for
// concurrent use; each task owns its own.
type BatchBuilder struct {
	schema *Schema
	mem    memory.Allocator
	rb     *array.RecordBuilder
	cols   []ColumnBuilder
	meta   metaColumns
}

type metaColumns struct {
	rowtime   []int64
	partition []int32
	offset    []int64
	key       [][]byte
	change    []ChangeKind
}

// NewBatchBuilder returns a builder for the schema using mem for the Arrow
// buffers (memory.DefaultAllocator when nil).
func NewBatchBuilder(mem memory.Allocator, s *Schema) *BatchBuilder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rb := array.NewRecordBuilder(mem, s.arrow)
	bb := &BatchBuilder{schema: s, mem: mem, rb: rb, cols: make([]ColumnBuilder, len(s.Columns))}
	for i, c := range s.Columns {
		bb.cols[i] = newColumnBuilder(c.Type, rb.Field(i))
	}
	return bb
}

// Schema returns the builder's schema.
func (bb *BatchBuilder) Schema() *Schema { return bb.schema }

// Len returns the number of complete rows appended so far.
func (bb *BatchBuilder) Len() int { return len(bb.meta.rowtime) }

// Reserve makes room for n more rows in every column.
func (bb *BatchBuilder) Reserve(n int) { bb.rb.Reserve(n) }

// Col returns the builder of column i for typed appends.
func (bb *BatchBuilder) Col(i int) *ColumnBuilder { return &bb.cols[i] }

// AppendMeta completes a row whose columns were appended through Col.
func (bb *BatchBuilder) AppendMeta(m RowMeta) {
	bb.meta.rowtime = append(bb.meta.rowtime, m.Rowtime)
	bb.meta.partition = append(bb.meta.partition, m.Partition)
	bb.meta.offset = append(bb.meta.offset, m.Offset)
	bb.meta.key = append(bb.meta.key, m.Key)
	bb.meta.change = append(bb.meta.change, m.Change)
}

// AppendRow appends one row of Go values (see the package doc for the
// representation). The row is checked before anything is appended, so a
// bad value leaves the builder unchanged.
func (bb *BatchBuilder) AppendRow(m RowMeta, row []any) error {
	if len(row) != len(bb.cols) {
		return errorf(CodeCast, "row has %d values, schema has %d columns", len(row), len(bb.cols))
	}
	for i, v := range row {
		if err := CheckValue(v, bb.schema.Columns[i].Type); err != nil {
			return wrapf(CodeCast, err, "column %s", bb.schema.Columns[i].Name)
		}
	}
	for i, v := range row {
		bb.cols[i].appendChecked(v)
	}
	bb.AppendMeta(m)
	return nil
}

// NewBatch returns the rows appended so far as a Batch and resets the
// builder for the next one. The caller owns the batch and must Release it.
func (bb *BatchBuilder) NewBatch() (*Batch, error) {
	n := bb.Len()
	for i := range bb.cols {
		if l := bb.cols[i].b.Len(); l != n {
			return nil, errorf(CodeCast, "column %s has %d values for %d rows", bb.schema.Columns[i].Name, l, n)
		}
	}
	rec := bb.rb.NewRecordBatch()
	b := newBatch(bb.schema, rec, bb.meta)
	bb.meta = metaColumns{
		rowtime:   make([]int64, 0, n),
		partition: make([]int32, 0, n),
		offset:    make([]int64, 0, n),
		key:       make([][]byte, 0, n),
		change:    make([]ChangeKind, 0, n),
	}
	return b, nil
}

// Discard drops everything appended since the last NewBatch, including a
// row left half-appended through Col, so a caller can recover from an
// error without rebuilding the builder.
func (bb *BatchBuilder) Discard() {
	// Each column separately: the record builder refuses uneven columns.
	for i := range bb.cols {
		bb.rb.Field(i).NewArray().Release()
	}
	bb.meta.rowtime = bb.meta.rowtime[:0]
	bb.meta.partition = bb.meta.partition[:0]
	bb.meta.offset = bb.meta.offset[:0]
	clear(bb.meta.key)
	bb.meta.key = bb.meta.key[:0]
	bb.meta.change = bb.meta.change[:0]
}

// Release frees the builder's buffers.
func (bb *BatchBuilder) Release() { bb.rb.Release() }

// ColumnBuilder appends values of one SQL type to an Arrow builder. The
// typed methods are the hot path: they do no type switch and no boxing.
// Calling a typed method that does not match the column's type panics
// inside Arrow, so formats pick the method from the column type once, when
// they compile a schema.
type ColumnBuilder struct {
	typ *Type
	b   array.Builder
	// Exactly one of these is set, matching typ.
	boolB *array.BooleanBuilder
	i32   *array.Int32Builder
	i64   *array.Int64Builder
	f64   *array.Float64Builder
	dec   *array.Decimal128Builder
	str   *array.StringBuilder
	bin   *array.BinaryBuilder
	date  *array.Date32Builder
	time  *array.Time32Builder
	ts    *array.TimestampBuilder
	list  *array.ListBuilder
	mapB  *array.MapBuilder
	strct *array.StructBuilder
	// children for nested types: list element, map key and value, fields.
	children []ColumnBuilder
}

func newColumnBuilder(t *Type, b array.Builder) ColumnBuilder {
	c := ColumnBuilder{typ: t, b: b}
	switch x := b.(type) {
	case *array.BooleanBuilder:
		c.boolB = x
	case *array.Int32Builder:
		c.i32 = x
	case *array.Int64Builder:
		c.i64 = x
	case *array.Float64Builder:
		c.f64 = x
	case *array.Decimal128Builder:
		c.dec = x
	case *array.StringBuilder:
		c.str = x
	case *array.BinaryBuilder:
		c.bin = x
	case *array.Date32Builder:
		c.date = x
	case *array.Time32Builder:
		c.time = x
	case *array.TimestampBuilder:
		c.ts = x
	case *array.ListBuilder:
		c.list = x
		c.children = []ColumnBuilder{newColumnBuilder(t.Elem, x.ValueBuilder())}
	case *array.MapBuilder:
		c.mapB = x
		c.children = []ColumnBuilder{newColumnBuilder(t.Key, x.KeyBuilder()), newColumnBuilder(t.Elem, x.ItemBuilder())}
	case *array.StructBuilder:
		c.strct = x
		c.children = make([]ColumnBuilder, len(t.Fields))
		for i, f := range t.Fields {
			c.children[i] = newColumnBuilder(f.Type, x.FieldBuilder(i))
		}
	}
	return c
}

// Type returns the column's SQL type.
func (c *ColumnBuilder) Type() *Type { return c.typ }

// Len returns the number of values appended.
func (c *ColumnBuilder) Len() int { return c.b.Len() }

// AppendNull appends NULL.
func (c *ColumnBuilder) AppendNull() { c.b.AppendNull() }

// AppendBool appends to a BOOLEAN column.
func (c *ColumnBuilder) AppendBool(v bool) { c.boolB.Append(v) }

// AppendInt32 appends to an INTEGER column.
func (c *ColumnBuilder) AppendInt32(v int32) { c.i32.Append(v) }

// AppendInt64 appends to a BIGINT column.
func (c *ColumnBuilder) AppendInt64(v int64) { c.i64.Append(v) }

// AppendFloat64 appends to a DOUBLE column.
func (c *ColumnBuilder) AppendFloat64(v float64) { c.f64.Append(v) }

// AppendString appends to a STRING column.
func (c *ColumnBuilder) AppendString(v string) { c.str.Append(v) }

// AppendStringBytes appends UTF-8 bytes to a STRING column; the bytes are
// copied, so a decoder may pass a view into its input.
func (c *ColumnBuilder) AppendStringBytes(v []byte) { c.str.BinaryBuilder.Append(v) }

// AppendBytes appends to a BYTES column (copied).
func (c *ColumnBuilder) AppendBytes(v []byte) { c.bin.Append(v) }

// AppendDate appends to a DATE column.
func (c *ColumnBuilder) AppendDate(v Date) { c.date.Append(arrow.Date32(v)) }

// AppendTime appends to a TIME column.
func (c *ColumnBuilder) AppendTime(v Time) { c.time.Append(arrow.Time32(v)) }

// AppendTimestamp appends to a TIMESTAMP column.
func (c *ColumnBuilder) AppendTimestamp(v Timestamp) { c.ts.Append(arrow.Timestamp(v)) }

// AppendDecimal appends to a DECIMAL column; the value must already have
// the column's scale and fit its precision (see Decimal.Fit).
func (c *ColumnBuilder) AppendDecimal(v Decimal) {
	if v.Unscaled.IsInt64() {
		c.dec.Append(decimal128.FromI64(v.Unscaled.Int64()))
		return
	}
	c.dec.Append(decimal128.FromBigInt(v.Unscaled))
}

// AppendUnscaled appends to a DECIMAL column the value unscaled ×
// 10^-scale, where scale is the column's; the caller has checked that it
// fits the precision. Decoders use it to skip big.Int for small values.
func (c *ColumnBuilder) AppendUnscaled(unscaled int64) { c.dec.Append(decimal128.FromI64(unscaled)) }

// AppendValue appends a Go value of the column's type after checking it;
// NULL is always accepted.
func (c *ColumnBuilder) AppendValue(v any) error {
	if err := CheckValue(v, c.typ); err != nil {
		return err
	}
	c.appendChecked(v)
	return nil
}

// appendChecked appends a value CheckValue accepted.
func (c *ColumnBuilder) appendChecked(v any) {
	if v == nil {
		c.b.AppendNull()
		return
	}
	switch c.typ.Kind {
	case Boolean:
		c.boolB.Append(v.(bool))
	case Integer:
		c.i32.Append(v.(int32))
	case Bigint:
		c.i64.Append(v.(int64))
	case Double:
		c.f64.Append(v.(float64))
	case DecimalKind:
		d := v.(Decimal)
		if int(d.Scale) != c.typ.Scale {
			d = d.Rescale(int32(c.typ.Scale))
		}
		c.AppendDecimal(d)
	case String:
		c.str.Append(v.(string))
	case Bytes:
		c.bin.Append(v.([]byte))
	case DateKind:
		c.date.Append(arrow.Date32(v.(Date)))
	case TimeKind:
		c.time.Append(arrow.Time32(v.(Time)))
	case TimestampKind:
		c.ts.Append(arrow.Timestamp(v.(Timestamp)))
	case Array:
		c.list.Append(true)
		for _, e := range v.([]any) {
			c.children[0].appendChecked(e)
		}
	case MapKind:
		m := v.(*Map)
		c.mapB.Append(true)
		for i := range m.Keys {
			c.children[0].appendChecked(m.Keys[i])
			c.children[1].appendChecked(m.Values[i])
		}
	case StructKind:
		s := v.(*Struct)
		c.strct.Append(true)
		for i := range c.children {
			c.children[i].appendChecked(s.Values[i])
		}
	case Null:
		c.b.AppendNull()
	}
}

// CheckValue reports whether v is a valid Go value of SQL type t: the right
// Go type at every level, decimals within precision, structs with one value
// per field, maps without NULL keys (Arrow maps cannot hold them).
func CheckValue(v any, t *Type) error {
	if v == nil {
		return nil
	}
	ok := false
	switch t.Kind {
	case Boolean:
		_, ok = v.(bool)
	case Integer:
		_, ok = v.(int32)
	case Bigint:
		_, ok = v.(int64)
	case Double:
		_, ok = v.(float64)
	case DecimalKind:
		var d Decimal
		if d, ok = v.(Decimal); ok {
			if d.Unscaled == nil {
				return errorf(CodeCast, "invalid DECIMAL value")
			}
			if _, err := d.Fit(t.Precision, t.Scale); err != nil {
				return err
			}
		}
	case String:
		_, ok = v.(string)
	case Bytes:
		_, ok = v.([]byte)
	case DateKind:
		_, ok = v.(Date)
	case TimeKind:
		_, ok = v.(Time)
	case TimestampKind:
		_, ok = v.(Timestamp)
	case Array:
		var a []any
		if a, ok = v.([]any); ok {
			for _, e := range a {
				if err := CheckValue(e, t.Elem); err != nil {
					return err
				}
			}
		}
	case MapKind:
		var m *Map
		if m, ok = v.(*Map); ok {
			if m == nil || len(m.Keys) != len(m.Values) {
				return errorf(CodeCast, "malformed MAP value")
			}
			for i := range m.Keys {
				if m.Keys[i] == nil {
					return errorf(CodeCast, "MAP keys cannot be NULL")
				}
				if err := CheckValue(m.Keys[i], t.Key); err != nil {
					return err
				}
				if err := CheckValue(m.Values[i], t.Elem); err != nil {
					return err
				}
			}
		}
	case StructKind:
		var s *Struct
		if s, ok = v.(*Struct); ok {
			if s == nil || len(s.Values) != len(t.Fields) {
				return errorf(CodeCast, "STRUCT value does not match %s", t)
			}
			for i, f := range t.Fields {
				if err := CheckValue(s.Values[i], f.Type); err != nil {
					return err
				}
			}
		}
	}
	if !ok {
		return errorf(CodeCast, "value %s (%T) is not of type %s", Format(v), v, t)
	}
	return nil
}
