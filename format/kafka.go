package format

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/sluicedb/sluice/types"
)

// KAFKA is Kafka's own primitive serdes: one column, INTEGER as 4 bytes
// big-endian, BIGINT and DOUBLE as 8 (DOUBLE in IEEE 754 bits), STRING as
// UTF-8 and BYTES raw. It is what kafka-console-producer and most
// non-ksqlDB producers write for keys.
type kafkaFormat struct{}

func (kafkaFormat) Name() string { return Kafka }

func kafkaSupports(t *types.Type) bool {
	switch t.Kind {
	case types.Integer, types.Bigint, types.Double, types.String, types.Bytes:
		return true
	}
	return false
}

func (kafkaFormat) Validate(cols []types.Column, opts Options) error {
	if opts.WrapSingleValue != nil && *opts.WrapSingleValue {
		return &SchemaError{Format: Kafka, Reason: "Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'."}
	}
	if col, kind, bad := unsupportedType(cols, kafkaSupports); bad {
		return &SchemaError{Format: Kafka, Column: col, Reason: "The 'KAFKA' format does not support type '" + kind + "'"}
	}
	if len(cols) > 1 {
		return &SchemaError{Format: Kafka, Reason: "The 'KAFKA' format only supports a single field. Got: " + columnList(cols)}
	}
	return nil
}

func (f kafkaFormat) NewDecoder(cols []types.Column, opts Options) (Decoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	return &kafkaCodec{cols: cols}, nil
}

func (f kafkaFormat) NewEncoder(cols []types.Column, opts Options) (Encoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	return &kafkaCodec{cols: cols}, nil
}

type kafkaCodec struct {
	cols        []types.Column
	staged      any    // staged scalar value
	stagedBytes []byte // staged STRING/BYTES, a view of the record
}

func (c *kafkaCodec) errf(msg string) error {
	col := ""
	if len(c.cols) == 1 {
		col = c.cols[0].Name
	}
	return &DecodeError{Format: Kafka, Column: col, Offset: -1, Msg: msg}
}

// decode returns the single value; ok is false for a null record.
func (c *kafkaCodec) decode(data []byte) (any, bool, error) {
	if len(c.cols) == 0 {
		return nil, true, nil
	}
	if data == nil {
		return nil, false, nil
	}
	switch c.cols[0].Type.Kind {
	case types.Integer:
		if len(data) != 4 {
			return nil, false, c.errf("size of data received by IntegerDeserializer is not 4")
		}
		return int32(binary.BigEndian.Uint32(data)), true, nil
	case types.Bigint:
		if len(data) != 8 {
			return nil, false, c.errf("size of data received by LongDeserializer is not 8")
		}
		return int64(binary.BigEndian.Uint64(data)), true, nil
	case types.Double:
		if len(data) != 8 {
			return nil, false, c.errf("size of data received by DoubleDeserializer is not 8")
		}
		return math.Float64frombits(binary.BigEndian.Uint64(data)), true, nil
	case types.String:
		return validUTF8(data), true, nil
	case types.Bytes:
		return append([]byte{}, data...), true, nil
	}
	return nil, false, c.errf("unsupported type " + c.cols[0].Type.String())
}

func (c *kafkaCodec) DecodeRow(data []byte, dst []any) ([]any, error) {
	v, ok, err := c.decode(data)
	if err != nil || !ok {
		return nil, err
	}
	dst = append(dst[:0], v)[:len(c.cols)]
	return dst, nil
}

func (c *kafkaCodec) DecodeInto(data []byte, out []*types.ColumnBuilder) (bool, error) {
	ok, err := c.stage(data)
	if err != nil || !ok {
		return false, err
	}
	c.commit(out)
	return true, nil
}

// stage decodes the record's single value without touching any builder.
func (c *kafkaCodec) stage(data []byte) (bool, error) {
	c.staged, c.stagedBytes = nil, nil
	if len(c.cols) == 0 {
		return true, nil
	}
	if data == nil {
		return false, nil
	}
	switch c.cols[0].Type.Kind {
	case types.String:
		if utf8.Valid(data) {
			c.stagedBytes = data
			return true, nil
		}
	case types.Bytes:
		c.stagedBytes = data
		return true, nil
	}
	v, ok, err := c.decode(data)
	if err != nil || !ok {
		return false, err
	}
	c.staged = v
	return true, nil
}

// commit appends the staged value.
func (c *kafkaCodec) commit(out []*types.ColumnBuilder) {
	if len(c.cols) == 0 {
		return
	}
	b := out[0]
	if c.stagedBytes != nil {
		if c.cols[0].Type.Kind == types.String {
			b.AppendStringBytes(c.stagedBytes)
		} else {
			b.AppendBytes(c.stagedBytes)
		}
		return
	}
	switch x := c.staged.(type) {
	case int32:
		b.AppendInt32(x)
	case int64:
		b.AppendInt64(x)
	case float64:
		b.AppendFloat64(x)
	case string:
		b.AppendString(x)
	}
}

func (c *kafkaCodec) encode(dst []byte, v any) ([]byte, error) {
	if len(c.cols) == 0 {
		return dst, nil
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int32:
		return binary.BigEndian.AppendUint32(dst, uint32(x)), nil
	case int64:
		return binary.BigEndian.AppendUint64(dst, uint64(x)), nil
	case float64:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(x)), nil
	case string:
		return nonNil(append(dst, x...)), nil
	case []byte:
		return nonNil(append(dst, x...)), nil
	}
	return nil, &EncodeError{Format: Kafka, Column: c.cols[0].Name, Msg: "value does not match " + c.cols[0].Type.String()}
}

func (c *kafkaCodec) EncodeRow(dst []byte, row []any) ([]byte, error) {
	if row == nil {
		return nil, nil
	}
	if len(row) != len(c.cols) {
		return nil, &EncodeError{Format: Kafka, Msg: "row does not match the columns"}
	}
	if len(c.cols) == 0 {
		return nonNil(dst), nil
	}
	return c.encode(dst, row[0])
}

func (c *kafkaCodec) EncodeBatchRow(dst []byte, b *types.Batch, cols []int, row int) ([]byte, error) {
	if len(c.cols) == 0 {
		return nonNil(dst), nil
	}
	col := cols[0]
	if b.IsNull(col, row) {
		return nil, nil
	}
	switch c.cols[0].Type.Kind {
	case types.String:
		return nonNil(append(dst, b.StringView(col, row)...)), nil
	case types.Bigint:
		return binary.BigEndian.AppendUint64(dst, uint64(b.Int64s(col)[row])), nil
	case types.Integer:
		return binary.BigEndian.AppendUint32(dst, uint32(b.Int32s(col)[row])), nil
	case types.Double:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(b.Float64s(col)[row])), nil
	}
	return c.encode(dst, b.Value(col, row))
}

// nonNil keeps an empty encoding distinct from a null record: a row whose
// bytes happen to be empty (an empty STRING, a lone NULL in DELIMITED) is
// still a row, while nil means a tombstone.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
