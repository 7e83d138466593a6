package format

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/sluicedb/sluice/types"
)

// JSON is ksqlDB's JSON format (without a schema registry): a value or
// multi-column key is an object keyed by column name; a single column is
// bare when unwrapped.
type jsonFormat struct{}

func (jsonFormat) Name() string { return JSON }

func (jsonFormat) Validate(cols []types.Column, opts Options) error {
	return checkWrapOption(JSON, cols, opts)
}

func (f jsonFormat) NewDecoder(cols []types.Column, opts Options) (Decoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	return newJSONDecoder(cols, opts), nil
}

func (f jsonFormat) NewEncoder(cols []types.Column, opts Options) (Encoder, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	e := &jsonEncoder{cols: cols, wrapped: wrapped(cols, opts), names: make([][]byte, len(cols))}
	for i, c := range cols {
		var n []byte
		if i == 0 {
			n = append(n, '{')
		} else {
			n = append(n, ',')
		}
		n = appendJSONString(n, c.Name)
		e.names[i] = append(n, ':')
	}
	return e, nil
}

// jsonEncoder writes rows as Jackson does in ksqlDB: column names as
// declared, DOUBLE in Java's notation, DECIMAL as a plain number, BYTES as
// base64 text, temporal types as integers, maps as objects with their keys
// as text. NaN and infinities, which JSON numbers cannot hold, are written
// as the strings "NaN", "Infinity" and "-Infinity".
type jsonEncoder struct {
	cols    []types.Column
	wrapped bool
	names   [][]byte // `{"NAME":` / `,"NAME":` per column
}

func (e *jsonEncoder) EncodeRow(dst []byte, row []any) ([]byte, error) {
	if row == nil {
		return nil, nil
	}
	if len(row) != len(e.cols) {
		return nil, &EncodeError{Format: JSON, Msg: "row does not match the columns"}
	}
	var err error
	if !e.wrapped {
		if row[0] == nil {
			return nil, nil
		}
		if dst, err = appendJSONValue(dst, row[0], e.cols[0].Type); err != nil {
			return nil, &EncodeError{Format: JSON, Column: e.cols[0].Name, Msg: "invalid value", Err: err}
		}
		return dst, nil
	}
	if len(e.cols) == 0 {
		return append(dst, '{', '}'), nil
	}
	for i, v := range row {
		dst = append(dst, e.names[i]...)
		if dst, err = appendJSONValue(dst, v, e.cols[i].Type); err != nil {
			return nil, &EncodeError{Format: JSON, Column: e.cols[i].Name, Msg: "invalid value", Err: err}
		}
	}
	return append(dst, '}'), nil
}

func (e *jsonEncoder) EncodeBatchRow(dst []byte, b *types.Batch, cols []int, row int) ([]byte, error) {
	if !e.wrapped {
		if b.IsNull(cols[0], row) {
			return nil, nil
		}
		return e.appendBatchValue(dst, b, cols[0], row, 0)
	}
	if len(e.cols) == 0 {
		return append(dst, '{', '}'), nil
	}
	var err error
	for i, col := range cols {
		dst = append(dst, e.names[i]...)
		if dst, err = e.appendBatchValue(dst, b, col, row, i); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// appendBatchValue reads scalar columns straight from the Arrow arrays and
// falls back to the row view for the rest.
func (e *jsonEncoder) appendBatchValue(dst []byte, b *types.Batch, col, row, i int) ([]byte, error) {
	if b.IsNull(col, row) {
		return append(dst, "null"...), nil
	}
	switch e.cols[i].Type.Kind {
	case types.Bigint:
		return strconv.AppendInt(dst, b.Int64s(col)[row], 10), nil
	case types.Integer:
		return strconv.AppendInt(dst, int64(b.Int32s(col)[row]), 10), nil
	case types.Double:
		return appendJSONDouble(dst, b.Float64s(col)[row]), nil
	case types.String:
		return appendJSONString(dst, b.StringView(col, row)), nil
	case types.DecimalKind:
		return b.AppendDecimalText(dst, col, row), nil
	case types.Boolean:
		return strconv.AppendBool(dst, b.Bool(col, row)), nil
	case types.TimestampKind:
		return strconv.AppendInt(dst, int64(b.TimestampAt(col, row)), 10), nil
	case types.DateKind:
		return strconv.AppendInt(dst, int64(b.DateAt(col, row)), 10), nil
	case types.TimeKind:
		return strconv.AppendInt(dst, int64(b.TimeAt(col, row)), 10), nil
	}
	out, err := appendJSONValue(dst, b.Value(col, row), e.cols[i].Type)
	if err != nil {
		return nil, &EncodeError{Format: JSON, Column: e.cols[i].Name, Msg: "invalid value", Err: err}
	}
	return out, nil
}

func appendJSONDouble(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		dst = append(dst, '"')
		dst = types.AppendDouble(dst, f)
		return append(dst, '"')
	}
	return types.AppendDouble(dst, f)
}

// appendJSONValue appends v, a value of type t, as JSON.
func appendJSONValue(dst []byte, v any, t *types.Type) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case float64:
		return appendJSONDouble(dst, x), nil
	case types.Decimal:
		if x.Unscaled == nil {
			return nil, &types.Error{Code: types.CodeCast, Msg: "invalid DECIMAL"}
		}
		return x.AppendText(dst), nil
	case string:
		return appendJSONString(dst, x), nil
	case []byte:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, '"'), nil
	case types.Date:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case types.Time:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case types.Timestamp:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case []any:
		var elem *types.Type
		if t != nil {
			elem = t.Elem
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendJSONValue(dst, e, elem); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case *types.Map:
		if x == nil || len(x.Keys) != len(x.Values) {
			return nil, &types.Error{Code: types.CodeCast, Msg: "malformed MAP value"}
		}
		var elem *types.Type
		if t != nil {
			elem = t.Elem
		}
		dst = append(dst, '{')
		for i := range x.Keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			if s, ok := x.Keys[i].(string); ok {
				dst = appendJSONString(dst, s)
			} else {
				dst = appendJSONString(dst, types.Format(x.Keys[i]))
			}
			dst = append(dst, ':')
			if dst, err = appendJSONValue(dst, x.Values[i], elem); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case *types.Struct:
		if x == nil || x.Type == nil {
			return nil, &types.Error{Code: types.CodeCast, Msg: "malformed STRUCT value"}
		}
		dst = append(dst, '{')
		for i, f := range x.Type.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, f.Name)
			dst = append(dst, ':')
			var fv any
			if i < len(x.Values) {
				fv = x.Values[i]
			}
			if dst, err = appendJSONValue(dst, fv, f.Type); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, &types.Error{Code: types.CodeCast, Msg: "no JSON form for Go type"}
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes that need no escaping.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s quoted, escaping as Jackson does: quote,
// backslash and control characters; other text, non-ASCII included, is
// written as is (invalid UTF-8 becomes U+FFFD).
func appendJSONString[S ~string | ~[]byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
