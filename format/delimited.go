package format

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/sluicedb/sluice/types"
)

// DELIMITED is one line of CSV per record: columns in schema order,
// separated by the delimiter, fields quoted with '"' (and '"' doubled
// inside) when needed, NULL as an empty field. It carries scalar types
// only. DATE, TIME and TIMESTAMP travel as their integers (days, ms of the
// day, ms since the epoch), BYTES as base64, DECIMAL as plain text. The
// quoting on output mirrors Apache Commons CSV's minimal mode, which ksqlDB
// uses, so output bytes match.
type delimitedFormat struct{}

func (delimitedFormat) Name() string { return Delimited }

func delimitedSupports(t *types.Type) bool {
	switch t.Kind {
	case types.Array, types.MapKind, types.StructKind:
		return false
	}
	return true
}

// ParseDelimiter resolves a VALUE_DELIMITER/KEY_DELIMITER value: a single
// character, or TAB or SPACE. Empty means comma.
func ParseDelimiter(s string) (byte, error) {
	switch {
	case s == "":
		return ',', nil
	case s == "TAB" || s == "tab":
		return '\t', nil
	case s == "SPACE" || s == "space":
		return ' ', nil
	case len(s) == 1 && s[0] != '"' && s[0] != '\n' && s[0] != '\r' && s[0] < utf8.RuneSelf:
		return s[0], nil
	}
	return 0, &SchemaError{Format: Delimited, Reason: "Invalid delimiter value: '" + s + "'. Delimiter must be a single character or TAB or SPACE"}
}

func (delimitedFormat) Validate(cols []types.Column, opts Options) error {
	if opts.WrapSingleValue != nil && *opts.WrapSingleValue {
		return &SchemaError{Format: Delimited, Reason: "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'."}
	}
	if col, kind, bad := unsupportedType(cols, delimitedSupports); bad {
		return &SchemaError{Format: Delimited, Column: col, Reason: "The 'DELIMITED' format does not support type '" + kind + "', column: `" + col + "`"}
	}
	_, err := ParseDelimiter(opts.Delimiter)
	return err
}

func (f delimitedFormat) NewDecoder(cols []types.Column, opts Options) (Decoder, error) {
	return f.newCodec(cols, opts)
}

func (f delimitedFormat) NewEncoder(cols []types.Column, opts Options) (Encoder, error) {
	return f.newCodec(cols, opts)
}

func (f delimitedFormat) newCodec(cols []types.Column, opts Options) (*delimitedCodec, error) {
	if err := f.Validate(cols, opts); err != nil {
		return nil, err
	}
	d, _ := ParseDelimiter(opts.Delimiter)
	return &delimitedCodec{cols: cols, delim: d, fields: make([]field, 0, len(cols))}, nil
}

type delimitedCodec struct {
	cols    []types.Column
	delim   byte
	fields  []field
	scratch []byte // unquoted field text
	row     []any
	slots   []slot
	staged  []byte // the record of the staged slots
}

// field is one parsed field: a view of the record or of scratch.
type field struct {
	start, end int
	inScratch  bool
}

func (c *delimitedCodec) errAt(col string, off int, msg string, err error) error {
	return &DecodeError{Format: Delimited, Column: col, Offset: off, Msg: msg, Err: err}
}

// split parses one CSV record into c.fields. A trailing newline is
// ignored; quoted fields may contain the delimiter, newlines and doubled
// quotes.
func (c *delimitedCodec) split(data []byte) error {
	c.fields = c.fields[:0]
	c.scratch = c.scratch[:0]
	n := len(data)
	if n > 0 && data[n-1] == '\n' {
		n--
		if n > 0 && data[n-1] == '\r' {
			n--
		}
	}
	data = data[:n]
	i := 0
	for {
		if i < n && data[i] == '"' {
			start := len(c.scratch)
			i++
			for {
				if i >= n {
					return c.errAt("", i, "unterminated quoted field", nil)
				}
				if data[i] == '"' {
					if i+1 < n && data[i+1] == '"' {
						c.scratch = append(c.scratch, '"')
						i += 2
						continue
					}
					i++
					break
				}
				c.scratch = append(c.scratch, data[i])
				i++
			}
			c.fields = append(c.fields, field{start, len(c.scratch), true})
			if i < n && data[i] != c.delim {
				return c.errAt("", i, "unexpected character after quoted field", nil)
			}
		} else {
			start := i
			for i < n && data[i] != c.delim {
				if data[i] == '"' {
					return c.errAt("", i, "unexpected quote in unquoted field", nil)
				}
				i++
			}
			c.fields = append(c.fields, field{start, i, false})
		}
		if i >= n {
			return nil
		}
		i++ // delimiter
	}
}

func (c *delimitedCodec) text(data []byte, f field) []byte {
	if f.inScratch {
		return c.scratch[f.start:f.end]
	}
	return data[f.start:f.end]
}

func (c *delimitedCodec) prepare(data []byte) (bool, error) {
	if data == nil {
		return false, nil
	}
	if len(c.cols) == 0 {
		return true, nil
	}
	if err := c.split(data); err != nil {
		return false, err
	}
	if len(c.fields) != len(c.cols) {
		return false, &DecodeError{Format: Delimited, Offset: -1,
			Msg: "unexpected field count, csvFields:" + strconv.Itoa(len(c.fields)) + " schemaFields:" + strconv.Itoa(len(c.cols))}
	}
	return true, nil
}

// parseField converts one field's text to the column's Go value; empty
// text is NULL.
func parseField(t *types.Type, s []byte) (any, error) {
	if len(s) == 0 {
		return nil, nil
	}
	str := unsafe.String(&s[0], len(s)) // only parsed, never retained
	switch t.Kind {
	case types.Boolean:
		return types.ParseBoolean(str)
	case types.Integer:
		return types.ParseInteger(str)
	case types.Bigint:
		return types.ParseBigint(str)
	case types.Double:
		return types.ParseDouble(str)
	case types.DecimalKind:
		d, err := types.ParseDecimal(str)
		if err != nil {
			return nil, err
		}
		return d.Fit(t.Precision, t.Scale)
	case types.String:
		return validUTF8(s), nil
	case types.Bytes:
		return base64.StdEncoding.DecodeString(str)
	case types.DateKind:
		v, err := types.ParseInteger(str)
		return types.Date(v), err
	case types.TimeKind:
		v, err := types.ParseInteger(str)
		return types.Time(v), err
	case types.TimestampKind:
		v, err := types.ParseBigint(str)
		return types.Timestamp(v), err
	}
	return nil, &types.Error{Code: types.CodeCast, Msg: "DELIMITED cannot carry " + t.String()}
}

func (c *delimitedCodec) DecodeRow(data []byte, dst []any) ([]any, error) {
	ok, err := c.prepare(data)
	if err != nil || !ok {
		return nil, err
	}
	if cap(dst) < len(c.cols) {
		dst = make([]any, len(c.cols))
	}
	dst = dst[:len(c.cols)]
	for i, col := range c.cols {
		f := c.fields[i]
		v, err := parseField(col.Type, c.text(data, f))
		if err != nil {
			return nil, c.errAt(col.Name, f.start, "invalid value", err)
		}
		dst[i] = v
	}
	return dst, nil
}

func (c *delimitedCodec) DecodeInto(data []byte, out []*types.ColumnBuilder) (bool, error) {
	ok, err := c.stage(data)
	if err != nil || !ok {
		return false, err
	}
	c.commit(out)
	return true, nil
}

// stage parses a record into the slots without touching any builder; the
// slots may point into data, which must stay unchanged until commit.
func (c *delimitedCodec) stage(data []byte) (bool, error) {
	c.staged = data
	ok, err := c.prepare(data)
	if err != nil || !ok {
		return false, err
	}
	// Parse every field into a slot before appending any, so a bad field
	// leaves the builders untouched. Scalars stay unboxed.
	if cap(c.slots) < len(c.cols) {
		c.slots = make([]slot, len(c.cols))
	}
	c.slots = c.slots[:len(c.cols)]
	for i, col := range c.cols {
		f := c.fields[i]
		txt := c.text(data, f)
		s := &c.slots[i]
		*s = slot{}
		if len(txt) == 0 {
			continue
		}
		str := unsafe.String(&txt[0], len(txt))
		var err error
		switch col.Type.Kind {
		case types.Integer, types.DateKind, types.TimeKind:
			var v int32
			v, err = types.ParseInteger(str)
			s.i = int64(v)
		case types.Bigint, types.TimestampKind:
			s.i, err = types.ParseBigint(str)
		case types.Double:
			s.f, err = types.ParseDouble(str)
		case types.Boolean:
			s.b, err = types.ParseBoolean(str)
		case types.String:
			s.sStart, s.sEnd, s.sArena = f.start, f.end, f.inScratch
		default:
			s.v, err = parseField(col.Type, txt)
			s.boxed = true
		}
		if err != nil {
			return false, c.errAt(col.Name, f.start, "invalid value", err)
		}
		s.state = slotSet
	}
	return true, nil
}

// commit appends the staged row.
func (c *delimitedCodec) commit(out []*types.ColumnBuilder) {
	data := c.staged
	for i, col := range c.cols {
		s := &c.slots[i]
		b := out[i]
		if s.state != slotSet {
			b.AppendNull()
			continue
		}
		switch col.Type.Kind {
		case types.Integer:
			b.AppendInt32(int32(s.i))
		case types.DateKind:
			b.AppendDate(types.Date(s.i))
		case types.TimeKind:
			b.AppendTime(types.Time(s.i))
		case types.Bigint:
			b.AppendInt64(s.i)
		case types.TimestampKind:
			b.AppendTimestamp(types.Timestamp(s.i))
		case types.Double:
			b.AppendFloat64(s.f)
		case types.Boolean:
			b.AppendBool(s.b)
		case types.String:
			if txt := c.text(data, field{s.sStart, s.sEnd, s.sArena}); utf8.Valid(txt) {
				b.AppendStringBytes(txt)
			} else {
				b.AppendString(validUTF8(txt))
			}
		default:
			_ = b.AppendValue(s.v)
		}
	}
}

// appendField writes one field with Commons CSV minimal quoting: quote when
// the text contains the delimiter, a quote or a line break, ends in a space
// or control character, starts with a character at or below '#', or is the
// first field of the record and does not start with a letter or digit.
func (c *delimitedCodec) appendField(dst []byte, s []byte, first bool) []byte {
	quote := false
	if len(s) == 0 {
		quote = first
	} else {
		ch := s[0]
		alnum := ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z'
		switch {
		case first && !alnum:
			quote = true
		case ch <= '#':
			quote = true
		default:
			for _, x := range s {
				if x == '\n' || x == '\r' || x == '"' || x == c.delim {
					quote = true
					break
				}
			}
			if !quote && s[len(s)-1] <= ' ' {
				quote = true
			}
		}
	}
	if !quote {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, x := range s {
		if x == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, x)
	}
	return append(dst, '"')
}

// appendScalar appends the DELIMITED text of a non-null value.
func appendScalar(dst []byte, v any) []byte {
	switch x := v.(type) {
	case types.Date:
		return strconv.AppendInt(dst, int64(x), 10)
	case types.Time:
		return strconv.AppendInt(dst, int64(x), 10)
	case types.Timestamp:
		return strconv.AppendInt(dst, int64(x), 10)
	case string:
		return append(dst, x...)
	}
	return types.AppendValue(dst, v)
}

func (c *delimitedCodec) EncodeRow(dst []byte, row []any) ([]byte, error) {
	if row == nil {
		return nil, nil
	}
	if len(row) != len(c.cols) {
		return nil, &EncodeError{Format: Delimited, Msg: "row does not match the columns"}
	}
	for i, v := range row {
		if i > 0 {
			dst = append(dst, c.delim)
		}
		if v == nil {
			continue
		}
		if err := types.CheckValue(v, c.cols[i].Type); err != nil {
			return nil, &EncodeError{Format: Delimited, Column: c.cols[i].Name, Msg: "invalid value", Err: err}
		}
		c.scratch = appendScalar(c.scratch[:0], v)
		dst = c.appendField(dst, c.scratch, i == 0)
	}
	return nonNil(dst), nil
}

func (c *delimitedCodec) EncodeBatchRow(dst []byte, b *types.Batch, cols []int, row int) ([]byte, error) {
	for i, col := range cols {
		if i > 0 {
			dst = append(dst, c.delim)
		}
		if b.IsNull(col, row) {
			continue
		}
		c.scratch = c.scratch[:0]
		switch c.cols[i].Type.Kind {
		case types.String:
			c.scratch = append(c.scratch, b.StringView(col, row)...)
		case types.Bigint:
			c.scratch = strconv.AppendInt(c.scratch, b.Int64s(col)[row], 10)
		case types.Integer:
			c.scratch = strconv.AppendInt(c.scratch, int64(b.Int32s(col)[row]), 10)
		case types.Double:
			c.scratch = types.AppendDouble(c.scratch, b.Float64s(col)[row])
		case types.DecimalKind:
			c.scratch = b.AppendDecimalText(c.scratch, col, row)
		case types.TimestampKind:
			c.scratch = strconv.AppendInt(c.scratch, int64(b.TimestampAt(col, row)), 10)
		case types.DateKind:
			c.scratch = strconv.AppendInt(c.scratch, int64(b.DateAt(col, row)), 10)
		case types.TimeKind:
			c.scratch = strconv.AppendInt(c.scratch, int64(b.TimeAt(col, row)), 10)
		default:
			c.scratch = appendScalar(c.scratch, b.Value(col, row))
		}
		dst = c.appendField(dst, c.scratch, i == 0)
	}
	return nonNil(dst), nil
}
