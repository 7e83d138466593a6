package format

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/sluicedb/sluice/types"
)

// JSON decoding follows ksqlDB's JSON deserializer, which is lenient about
// representation and strict about syntax:
//   - object fields match columns case-insensitively (an exact match wins
//     over a case-folded one); unknown fields are ignored; missing ones are
//     NULL;
//   - numbers may arrive as strings and vice versa where the meaning is
//     clear ("10" for an INTEGER, 10 for a STRING);
//   - DECIMAL is read exactly from the number's text, DATE as days, TIME
//     as ms of the day, TIMESTAMP as ms since the epoch (or the ISO text),
//     BYTES as base64;
//   - an empty record or the literal null is a null record (a tombstone).
//
// The hot path decodes a record's scalar fields into fixed slots without
// boxing, then appends the whole row at once, so a record that fails half
// way leaves the batch untouched.

type jsonDecoder struct {
	cols    []types.Column
	wrapped bool
	exact   map[string]int
	folded  map[string]int
	sc      jsonScanner
	slots   []slot
	fold    []byte
	// keys remembers, per field position in the object, the last field
	// name seen there and its column. Records from one producer repeat the
	// same names in the same order, so a field is usually matched by one
	// byte comparison instead of a hash lookup and case folding.
	keys []keyMemo
}

type keyMemo struct {
	name  []byte
	col   int
	exact bool
}

// slot holds one decoded column value until the row is committed.
type slot struct {
	state  uint8 // slotUnset, slotNull, slotSet
	exact  bool  // set by an exact-case field name
	i      int64
	f      float64
	b      bool
	sStart int // string: data or arena range
	sEnd   int
	sArena bool
	v      any // values of the general path (decimals, bytes, nested)
	boxed  bool
}

// maxKeyMemo bounds the remembered field positions per decoder.
const maxKeyMemo = 256

const (
	slotUnset uint8 = iota
	slotNull
	slotSet
)

func newJSONDecoder(cols []types.Column, opts Options) *jsonDecoder {
	d := &jsonDecoder{
		cols:    cols,
		wrapped: wrapped(cols, opts),
		exact:   make(map[string]int, len(cols)),
		folded:  make(map[string]int, len(cols)),
		slots:   make([]slot, len(cols)),
	}
	for i, c := range cols {
		d.exact[c.Name] = i
		if _, dup := d.folded[strings.ToUpper(c.Name)]; !dup {
			d.folded[strings.ToUpper(c.Name)] = i
		}
	}
	return d
}

func (d *jsonDecoder) decodeErr(col int, msg string, err error) error {
	name := ""
	if col >= 0 {
		name = d.cols[col].Name
	}
	off := d.sc.pos
	if d.sc.err != "" {
		msg, off = d.sc.err, d.sc.errAt
	}
	return &DecodeError{Format: JSON, Column: name, Offset: off, Msg: msg, Err: err}
}

// lookup finds the column for a field name: exact first, then folded.
func (d *jsonDecoder) lookup(key []byte, hint int) (int, bool) {
	if hint < len(d.cols) && d.cols[hint].Name == unsafe.String(unsafe.SliceData(key), len(key)) {
		return hint, true
	}
	if i, ok := d.exact[unsafe.String(unsafe.SliceData(key), len(key))]; ok {
		return i, true
	}
	d.fold = d.fold[:0]
	for _, c := range key {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		d.fold = append(d.fold, c)
	}
	if i, ok := d.folded[unsafe.String(unsafe.SliceData(d.fold), len(d.fold))]; ok {
		return i, false
	}
	// Non-ASCII names need full Unicode folding.
	for i, c := range d.cols {
		if strings.EqualFold(c.Name, string(key)) {
			return i, false
		}
	}
	return -1, false
}

// parse decodes the record into the slots; ok is false for a null record.
func (d *jsonDecoder) parse(data []byte) (bool, error) {
	d.sc.reset(data)
	for i := range d.slots {
		d.slots[i] = slot{}
	}
	switch d.sc.peek() {
	case 0:
		return false, nil // empty record
	case 'n':
		if !d.sc.literal("null") {
			return false, d.decodeErr(-1, "invalid JSON", nil)
		}
		if d.sc.peek() != 0 {
			return false, d.decodeErr(-1, "unexpected data after value", nil)
		}
		return false, nil
	}
	if !d.wrapped {
		if err := d.value(0, 0); err != nil {
			return false, err
		}
		if d.sc.peek() != 0 {
			return false, d.decodeErr(-1, "unexpected data after value", nil)
		}
		if d.slots[0].state == slotNull {
			return false, nil
		}
		return true, nil
	}
	if d.sc.peek() != '{' {
		return false, d.decodeErr(-1, "expected a JSON object", nil)
	}
	d.sc.pos++
	if d.sc.peek() == '}' {
		d.sc.pos++
	} else {
		hint := 0
		for n := 0; ; n++ {
			d.sc.ws()
			key, ok := d.sc.str()
			if !ok {
				return false, d.decodeErr(-1, "invalid JSON", nil)
			}
			var col int
			var exact bool
			if n < len(d.keys) && string(d.keys[n].name) == string(key) {
				col, exact = d.keys[n].col, d.keys[n].exact
			} else {
				col, exact = d.lookup(key, hint)
				if n < maxKeyMemo {
					for len(d.keys) <= n {
						d.keys = append(d.keys, keyMemo{})
					}
					d.keys[n] = keyMemo{name: append(d.keys[n].name[:0], key...), col: col, exact: exact}
				}
			}
			if !d.sc.expect(':') {
				return false, d.decodeErr(-1, "invalid JSON", nil)
			}
			switch {
			case col < 0 || (!exact && d.slots[col].exact):
				if !d.sc.skip(1) {
					return false, d.decodeErr(-1, "invalid JSON", nil)
				}
			default:
				if err := d.value(col, 1); err != nil {
					return false, err
				}
				d.slots[col].exact = exact
				hint = col + 1
			}
			c := d.sc.peek()
			d.sc.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				d.sc.pos--
				return false, d.decodeErr(-1, "expected ',' or '}'", nil)
			}
		}
	}
	if d.sc.peek() != 0 {
		return false, d.decodeErr(-1, "unexpected data after object", nil)
	}
	return true, nil
}

// value decodes the next JSON value into slot col.
func (d *jsonDecoder) value(col, depth int) error {
	s := &d.slots[col]
	t := d.cols[col].Type
	sc := &d.sc
	c := sc.peek()
	if c == 'n' {
		if !sc.literal("null") {
			return d.decodeErr(col, "invalid JSON", nil)
		}
		s.state, s.boxed, s.v = slotNull, false, nil
		return nil
	}
	s.boxed = false
	switch t.Kind {
	case types.String:
		if c == '"' {
			start, inArena, ok := sc.strRef()
			if !ok {
				return d.decodeErr(col, "invalid JSON", nil)
			}
			s.state, s.sStart, s.sArena = slotSet, start, inArena
			if inArena {
				s.sEnd = len(sc.arena)
			} else {
				s.sEnd = sc.pos - 1
			}
			return nil
		}
	case types.Bigint, types.Integer, types.TimestampKind, types.DateKind, types.TimeKind:
		if c == '-' || c >= '0' && c <= '9' {
			tok, isInt, ok := sc.number()
			if !ok {
				return d.decodeErr(col, "invalid JSON", nil)
			}
			v, err := jsonInt(tok, isInt, t)
			if err != nil {
				return d.decodeErr(col, "invalid value", err)
			}
			s.state, s.i = slotSet, v
			return nil
		}
	case types.Double:
		if c == '-' || c >= '0' && c <= '9' {
			tok, _, ok := sc.number()
			if !ok {
				return d.decodeErr(col, "invalid JSON", nil)
			}
			f, fast := parseFloatToken(tok)
			if !fast {
				var err error
				f, err = strconv.ParseFloat(unsafe.String(unsafe.SliceData(tok), len(tok)), 64)
				if err != nil && !isRangeErr(err) {
					return d.decodeErr(col, "invalid number", err)
				}
			}
			s.state, s.f = slotSet, f
			return nil
		}
	case types.DecimalKind:
		if c == '-' || c >= '0' && c <= '9' {
			save := sc.pos
			tok, _, ok := sc.number()
			if !ok {
				return d.decodeErr(col, "invalid JSON", nil)
			}
			if u, ok := unscaled64(tok, t.Precision, t.Scale); ok {
				s.state, s.i = slotSet, u
				return nil
			}
			sc.pos = save // exponent, too many digits or too wide: exact path
		}
	case types.Boolean:
		if c == 't' || c == 'f' {
			word := "false"
			if c == 't' {
				word = "true"
			}
			if !sc.literal(word) {
				return d.decodeErr(col, "invalid JSON", nil)
			}
			s.state, s.b = slotSet, c == 't'
			return nil
		}
	}
	v, err := d.general(t, depth)
	if err != nil {
		return d.decodeErr(col, "invalid value", err)
	}
	if v == nil {
		s.state = slotNull
		return nil
	}
	s.state, s.boxed, s.v = slotSet, true, v
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// jsonInt converts a number token for an integer-like column: integers
// exactly (range-checked for INTEGER), others truncated toward zero as
// Jackson's asInt/asLong do.
func jsonInt(tok []byte, isInt bool, t *types.Type) (int64, error) {
	text := unsafe.String(unsafe.SliceData(tok), len(tok))
	if isInt {
		v, ok := parseIntToken(tok)
		if ok && t.Kind != types.Integer && t.Kind != types.DateKind && t.Kind != types.TimeKind {
			return v, nil
		}
		var err error
		if !ok {
			v, err = strconv.ParseInt(text, 10, 64)
		}
		if err != nil {
			return 0, &types.Error{Code: types.CodeCast, Msg: "number " + text + " out of range for " + t.String()}
		}
		if (t.Kind == types.Integer || t.Kind == types.DateKind || t.Kind == types.TimeKind) && (v > math.MaxInt32 || v < math.MinInt32) {
			return 0, &types.Error{Code: types.CodeCast, Msg: "number " + text + " out of range for " + t.String()}
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) {
		return 0, &types.Error{Code: types.CodeCast, Msg: "invalid number " + text}
	}
	if t.Kind == types.Integer || t.Kind == types.DateKind || t.Kind == types.TimeKind {
		if f >= math.MaxInt32+1 || f <= math.MinInt32-1 {
			return 0, &types.Error{Code: types.CodeCast, Msg: "number " + text + " out of range for " + t.String()}
		}
	} else if f >= math.MaxInt64 || f < math.MinInt64 {
		return 0, &types.Error{Code: types.CodeCast, Msg: "number " + text + " out of range for " + t.String()}
	}
	return int64(f), nil
}

// slotString returns the bytes of a string slot.
func (d *jsonDecoder) slotString(s *slot) []byte {
	if s.sArena {
		return d.sc.arena[s.sStart:s.sEnd]
	}
	return d.sc.data[s.sStart:s.sEnd]
}

// slotValue boxes a slot into the Go representation.
func (d *jsonDecoder) slotValue(i int) any {
	s := &d.slots[i]
	if s.state != slotSet {
		return nil
	}
	if s.boxed {
		return s.v
	}
	switch d.cols[i].Type.Kind {
	case types.Boolean:
		return s.b
	case types.Integer:
		return int32(s.i)
	case types.Bigint:
		return s.i
	case types.Double:
		return s.f
	case types.String:
		return string(d.slotString(s))
	case types.DateKind:
		return types.Date(s.i)
	case types.TimeKind:
		return types.Time(s.i)
	case types.TimestampKind:
		return types.Timestamp(s.i)
	case types.DecimalKind:
		return types.NewDecimal(s.i, int32(d.cols[i].Type.Scale))
	}
	return nil
}

func (d *jsonDecoder) DecodeRow(data []byte, dst []any) ([]any, error) {
	ok, err := d.parse(data)
	if err != nil || !ok {
		return nil, err
	}
	if cap(dst) < len(d.cols) {
		dst = make([]any, len(d.cols))
	}
	dst = dst[:len(d.cols)]
	for i := range d.cols {
		dst[i] = d.slotValue(i)
	}
	return dst, nil
}

func (d *jsonDecoder) DecodeInto(data []byte, out []*types.ColumnBuilder) (bool, error) {
	ok, err := d.stage(data)
	if err != nil || !ok {
		return false, err
	}
	d.commit(out)
	return true, nil
}

// stage decodes a record into the slots without touching any builder.
func (d *jsonDecoder) stage(data []byte) (bool, error) {
	ok, err := d.parse(data)
	if err != nil || !ok {
		return false, err
	}
	// Boxed values were produced by this decoder for the column's type, but
	// check them before appending anything so the row stays atomic.
	for i := range d.slots {
		if s := &d.slots[i]; s.state == slotSet && s.boxed {
			if err := types.CheckValue(s.v, d.cols[i].Type); err != nil {
				return false, &DecodeError{Format: JSON, Column: d.cols[i].Name, Offset: -1, Msg: "invalid value", Err: err}
			}
		}
	}
	return true, nil
}

// commit appends the staged row, one value per builder.
func (d *jsonDecoder) commit(out []*types.ColumnBuilder) {
	for i := range d.slots {
		s := &d.slots[i]
		b := out[i]
		if s.state != slotSet {
			b.AppendNull()
			continue
		}
		if s.boxed {
			_ = b.AppendValue(s.v)
			continue
		}
		switch d.cols[i].Type.Kind {
		case types.Boolean:
			b.AppendBool(s.b)
		case types.Integer:
			b.AppendInt32(int32(s.i))
		case types.Bigint:
			b.AppendInt64(s.i)
		case types.Double:
			b.AppendFloat64(s.f)
		case types.String:
			b.AppendStringBytes(d.slotString(s))
		case types.DateKind:
			b.AppendDate(types.Date(s.i))
		case types.TimeKind:
			b.AppendTime(types.Time(s.i))
		case types.TimestampKind:
			b.AppendTimestamp(types.Timestamp(s.i))
		case types.DecimalKind:
			b.AppendUnscaled(s.i)
		}
	}
}

// validUTF8 returns b as a string with invalid UTF-8 replaced by U+FFFD, as
// Java's decoders do; Arrow STRING columns must hold valid UTF-8.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
