package functions

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/sluicedb/sluice/types"
)

// Aggregate state is persisted in pebble, so every accumulator encodes its
// state to bytes. Values inside the state (COLLECT_LIST elements, MIN's
// current value) use this self-describing tagged encoding: one tag byte,
// then a fixed or length-prefixed body. Struct values carry their type so
// decoding needs no schema.

const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagInt32
	tagInt64
	tagDouble
	tagDecimal
	tagString
	tagBytes
	tagDate
	tagTime
	tagTimestamp
	tagArray
	tagMap
	tagStruct
)

var errCorruptState = errors.New("functions: corrupt aggregate state")

// maxStateScale bounds the scale of a decimal in a stored state, as the
// types package bounds parsed decimals.
const maxStateScale = 4096

// valueEncoder appends encoded values to a buffer.
type valueEncoder struct{ buf []byte }

func (e *valueEncoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *valueEncoder) varint(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *valueEncoder) bytes(b []byte)   { e.uvarint(uint64(len(b))); e.buf = append(e.buf, b...) }
func (e *valueEncoder) float(f float64) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(f))
}

func (e *valueEncoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, tagNull)
	case bool:
		if x {
			e.buf = append(e.buf, tagTrue)
		} else {
			e.buf = append(e.buf, tagFalse)
		}
	case int32:
		e.buf = append(e.buf, tagInt32)
		e.varint(int64(x))
	case int64:
		e.buf = append(e.buf, tagInt64)
		e.varint(x)
	case float64:
		e.buf = append(e.buf, tagDouble)
		e.float(x)
	case types.Decimal:
		e.buf = append(e.buf, tagDecimal)
		e.varint(int64(x.Scale))
		e.bytes([]byte(x.Unscaled.String()))
	case string:
		e.buf = append(e.buf, tagString)
		e.bytes([]byte(x))
	case []byte:
		e.buf = append(e.buf, tagBytes)
		e.bytes(x)
	case types.Date:
		e.buf = append(e.buf, tagDate)
		e.varint(int64(x))
	case types.Time:
		e.buf = append(e.buf, tagTime)
		e.varint(int64(x))
	case types.Timestamp:
		e.buf = append(e.buf, tagTimestamp)
		e.varint(int64(x))
	case []any:
		e.buf = append(e.buf, tagArray)
		e.uvarint(uint64(len(x)))
		for _, el := range x {
			if err := e.value(el); err != nil {
				return err
			}
		}
	case *types.Map:
		e.buf = append(e.buf, tagMap)
		e.uvarint(uint64(len(x.Keys)))
		for i := range x.Keys {
			if err := e.value(x.Keys[i]); err != nil {
				return err
			}
			if err := e.value(x.Values[i]); err != nil {
				return err
			}
		}
	case *types.Struct:
		e.buf = append(e.buf, tagStruct)
		e.typ(x.Type)
		e.uvarint(uint64(len(x.Values)))
		for _, el := range x.Values {
			if err := e.value(el); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("functions: cannot encode %T in aggregate state", v)
	}
	return nil
}

func (e *valueEncoder) typ(t *types.Type) {
	if t == nil {
		e.buf = append(e.buf, byte(types.Null))
		return
	}
	e.buf = append(e.buf, byte(t.Kind))
	switch t.Kind {
	case types.DecimalKind:
		e.uvarint(uint64(t.Precision))
		e.uvarint(uint64(t.Scale))
	case types.Array:
		e.typ(t.Elem)
	case types.MapKind:
		e.typ(t.Key)
		e.typ(t.Elem)
	case types.StructKind:
		e.uvarint(uint64(len(t.Fields)))
		for _, f := range t.Fields {
			e.bytes([]byte(f.Name))
			e.typ(f.Type)
		}
	}
}

// valueDecoder reads what valueEncoder wrote; every read is bounds-checked
// so corrupt state is an error, never a panic.
type valueDecoder struct {
	buf []byte
	err error
}

func (d *valueDecoder) fail() {
	if d.err == nil {
		d.err = errCorruptState
	}
}

func (d *valueDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *valueDecoder) varint() int64 {
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *valueDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.buf)) {
		d.fail()
		return nil
	}
	b := append([]byte{}, d.buf[:n]...)
	d.buf = d.buf[n:]
	return b
}

func (d *valueDecoder) float() float64 {
	if len(d.buf) < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(d.buf))
	d.buf = d.buf[8:]
	return v
}

func (d *valueDecoder) byte1() byte {
	if len(d.buf) == 0 {
		d.fail()
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

// count reads a collection length, bounded by the remaining input so a
// corrupt length cannot allocate gigabytes.
func (d *valueDecoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *valueDecoder) value() any {
	if d.err != nil {
		return nil
	}
	switch d.byte1() {
	case tagNull:
		return nil
	case tagFalse:
		return false
	case tagTrue:
		return true
	case tagInt32:
		return int32(d.varint())
	case tagInt64:
		return d.varint()
	case tagDouble:
		return d.float()
	case tagDecimal:
		scale := d.varint()
		u, ok := new(big.Int).SetString(string(d.bytes()), 10)
		// SQL decimals have scales far below maxStateScale; a corrupt
		// scale (up to 2^63) would make every later operation on the
		// value compute a power of ten that size and never finish.
		if !ok || scale > maxStateScale || scale < -maxStateScale {
			d.fail()
			return nil
		}
		return types.DecimalFromBig(u, int32(scale))
	case tagString:
		return string(d.bytes())
	case tagBytes:
		return d.bytes()
	case tagDate:
		return types.Date(d.varint())
	case tagTime:
		return types.Time(d.varint())
	case tagTimestamp:
		return types.Timestamp(d.varint())
	case tagArray:
		n := d.count()
		out := make([]any, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			out = append(out, d.value())
		}
		return out
	case tagMap:
		n := d.count()
		m := &types.Map{}
		for i := 0; i < n && d.err == nil; i++ {
			m.Keys = append(m.Keys, d.value())
			m.Values = append(m.Values, d.value())
		}
		return m
	case tagStruct:
		t := d.typ(0)
		n := d.count()
		s := &types.Struct{Type: t}
		for i := 0; i < n && d.err == nil; i++ {
			s.Values = append(s.Values, d.value())
		}
		return s
	}
	d.fail()
	return nil
}

func (d *valueDecoder) typ(depth int) *types.Type {
	if depth > 64 {
		d.fail()
		return nil
	}
	k := types.Kind(d.byte1())
	switch k {
	case types.Null:
		return types.NullType
	case types.DecimalKind:
		p := int(d.uvarint())
		return types.DecimalOf(p, int(d.uvarint()))
	case types.Array:
		return types.ArrayOf(d.typ(depth + 1))
	case types.MapKind:
		key := d.typ(depth + 1)
		return types.MapOf(key, d.typ(depth+1))
	case types.StructKind:
		n := d.count()
		fs := make([]types.Field, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			name := string(d.bytes())
			fs = append(fs, types.Field{Name: name, Type: d.typ(depth + 1)})
		}
		return types.StructOf(fs...)
	case types.Boolean, types.Integer, types.Bigint, types.Double, types.String,
		types.Bytes, types.DateKind, types.TimeKind, types.TimestampKind:
		return &types.Type{Kind: k}
	}
	d.fail()
	return nil
}

// encodeValues encodes a list of values (the common state shape).
func encodeValues(vs ...any) ([]byte, error) {
	e := valueEncoder{}
	e.uvarint(uint64(len(vs)))
	for _, v := range vs {
		if err := e.value(v); err != nil {
			return nil, err
		}
	}
	return e.buf, nil
}

// decodeValues decodes what encodeValues wrote, checking the count.
func decodeValues(b []byte, want int) ([]any, error) {
	d := valueDecoder{buf: b}
	n := d.count()
	if d.err != nil || (want >= 0 && n != want) {
		return nil, errCorruptState
	}
	out := make([]any, n)
	for i := range out {
		out[i] = d.value()
	}
	if d.err != nil || len(d.buf) != 0 {
		return nil, errCorruptState
	}
	return out, nil
}
