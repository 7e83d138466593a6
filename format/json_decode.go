package format

import (
	"encoding/base64"
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
			f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(tok), len(tok)), 64)
			if err != nil && !isRangeErr(err) {
				return d.decodeErr(col, "invalid number", err)
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
		v, err := strconv.ParseInt(text, 10, 64)
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

// general decodes the next value as a Go value of type t, for nested
// types, decimals, bytes and representation coercions.
func (d *jsonDecoder) general(t *types.Type, depth int) (any, error) {
	sc := &d.sc
	if depth > maxJSONDepth {
		sc.fail("nesting too deep")
		return nil, &types.Error{Code: types.CodeCast, Msg: "nesting too deep"}
	}
	c := sc.peek()
	if c == 'n' {
		if !sc.literal("null") {
			return nil, syntaxErr(sc)
		}
		return nil, nil
	}
	switch t.Kind {
	case types.Array:
		if c != '[' {
			return nil, d.mismatch(t)
		}
		sc.pos++
		out := []any{}
		if sc.peek() == ']' {
			sc.pos++
			return out, nil
		}
		for {
			v, err := d.general(t.Elem, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			switch sc.peek() {
			case ',':
				sc.pos++
			case ']':
				sc.pos++
				return out, nil
			default:
				sc.fail("expected ',' or ']'")
				return nil, syntaxErr(sc)
			}
		}
	case types.MapKind:
		if c != '{' {
			return nil, d.mismatch(t)
		}
		sc.pos++
		m := &types.Map{}
		if sc.peek() == '}' {
			sc.pos++
			return m, nil
		}
		// Map.Put is a linear scan; past a few entries, an index by key
		// text keeps large JSON maps linear. Duplicate keys: last wins.
		var index map[string]int
		for {
			sc.ws()
			key, ok := sc.str()
			if !ok {
				return nil, syntaxErr(sc)
			}
			k, err := coerceText(string(key), t.Key)
			if err != nil {
				return nil, err
			}
			if !sc.expect(':') {
				return nil, syntaxErr(sc)
			}
			v, err := d.general(t.Elem, depth+1)
			if err != nil {
				return nil, err
			}
			if index == nil && len(m.Keys) >= 16 {
				index = make(map[string]int, 2*len(m.Keys))
				for j, x := range m.Keys {
					index[types.Format(x)] = j
				}
			}
			if index == nil {
				m.Put(k, v)
			} else {
				text := types.Format(k)
				if j, dup := index[text]; dup {
					m.Values[j] = v
				} else {
					index[text] = len(m.Keys)
					m.Keys = append(m.Keys, k)
					m.Values = append(m.Values, v)
				}
			}
			switch sc.peek() {
			case ',':
				sc.pos++
			case '}':
				sc.pos++
				return m, nil
			default:
				sc.fail("expected ',' or '}'")
				return nil, syntaxErr(sc)
			}
		}
	case types.StructKind:
		if c != '{' {
			return nil, d.mismatch(t)
		}
		sc.pos++
		st := &types.Struct{Type: t, Values: make([]any, len(t.Fields))}
		if sc.peek() == '}' {
			sc.pos++
			return st, nil
		}
		var exactSet uint64 // which fields were set by exact name (first 64)
		for {
			sc.ws()
			key, ok := sc.str()
			if !ok {
				return nil, syntaxErr(sc)
			}
			fi, exact := structField(t, key)
			if !sc.expect(':') {
				return nil, syntaxErr(sc)
			}
			if fi < 0 || (!exact && fi < 64 && exactSet&(1<<fi) != 0) {
				if !sc.skip(depth + 1) {
					return nil, syntaxErr(sc)
				}
			} else {
				v, err := d.general(t.Fields[fi].Type, depth+1)
				if err != nil {
					return nil, err
				}
				st.Values[fi] = v
				if exact && fi < 64 {
					exactSet |= 1 << fi
				}
			}
			switch sc.peek() {
			case ',':
				sc.pos++
			case '}':
				sc.pos++
				return st, nil
			default:
				sc.fail("expected ',' or '}'")
				return nil, syntaxErr(sc)
			}
		}
	}
	// Scalars.
	switch {
	case c == '"':
		b, ok := sc.str()
		if !ok {
			return nil, syntaxErr(sc)
		}
		if t.Kind == types.Bytes {
			v, err := base64.StdEncoding.DecodeString(string(b))
			if err != nil {
				return nil, &types.Error{Code: types.CodeCast, Msg: "invalid base64 for BYTES", Err: err}
			}
			return v, nil
		}
		return coerceText(string(b), t)
	case c == '-' || c >= '0' && c <= '9':
		tok, isInt, ok := sc.number()
		if !ok {
			return nil, syntaxErr(sc)
		}
		switch t.Kind {
		case types.Integer:
			v, err := jsonInt(tok, isInt, t)
			return int32(v), err
		case types.Bigint:
			return jsonInt(tok, isInt, t)
		case types.DateKind:
			v, err := jsonInt(tok, isInt, t)
			return types.Date(v), err
		case types.TimeKind:
			v, err := jsonInt(tok, isInt, t)
			return types.Time(v), err
		case types.TimestampKind:
			v, err := jsonInt(tok, isInt, t)
			return types.Timestamp(v), err
		case types.Double:
			f, err := strconv.ParseFloat(string(tok), 64)
			if err != nil && !isRangeErr(err) {
				return nil, err
			}
			return f, nil
		case types.DecimalKind:
			dec, err := types.ParseDecimal(string(tok))
			if err != nil {
				return nil, err
			}
			return dec.Fit(t.Precision, t.Scale)
		case types.String:
			return string(tok), nil
		}
		return nil, d.mismatch(t)
	case c == 't' || c == 'f':
		word := "false"
		if c == 't' {
			word = "true"
		}
		if !sc.literal(word) {
			return nil, syntaxErr(sc)
		}
		switch t.Kind {
		case types.Boolean:
			return c == 't', nil
		case types.String:
			return word, nil
		}
		return nil, d.mismatch(t)
	case (c == '{' || c == '[') && t.Kind == types.String:
		// A nested document in a STRING column is kept as its JSON text.
		start := sc.pos
		if !sc.skip(depth + 1) {
			return nil, syntaxErr(sc)
		}
		return validUTF8(sc.data[start:sc.pos]), nil
	}
	if c == 0 {
		sc.fail("unexpected end of input")
		return nil, syntaxErr(sc)
	}
	return nil, d.mismatch(t)
}

// mismatch reports a JSON value of the wrong shape for t, after skipping
// it so the error offset points past it.
func (d *jsonDecoder) mismatch(t *types.Type) error {
	start := d.sc.pos
	kind := "value"
	switch d.sc.peek() {
	case '{':
		kind = "object"
	case '[':
		kind = "array"
	case '"':
		kind = "string"
	case 't', 'f':
		kind = "boolean"
	default:
		kind = "number"
	}
	if !d.sc.skip(1) {
		return syntaxErr(&d.sc)
	}
	_ = start
	return &types.Error{Code: types.CodeCast, Msg: "cannot read a JSON " + kind + " as " + t.String()}
}

func syntaxErr(sc *jsonScanner) error {
	msg := sc.err
	if msg == "" {
		msg = "invalid JSON"
	}
	return &types.Error{Code: types.CodeParse, Msg: msg}
}

// structField finds a struct field by name, exact first, then ignoring
// case.
func structField(t *types.Type, key []byte) (int, bool) {
	k := unsafe.String(unsafe.SliceData(key), len(key))
	for i, f := range t.Fields {
		if f.Name == k {
			return i, true
		}
	}
	for i, f := range t.Fields {
		if strings.EqualFold(f.Name, k) {
			return i, false
		}
	}
	return -1, false
}

// coerceText converts JSON string content (or a map key) to type t: the
// text of a number for numeric columns, ISO text or digits for temporal
// ones.
func coerceText(s string, t *types.Type) (any, error) {
	switch t.Kind {
	case types.String:
		return s, nil
	case types.DateKind:
		if isDigits(s) {
			v, err := types.ParseInteger(s)
			return types.Date(v), err
		}
		return types.ParseDate(s)
	case types.TimeKind:
		if isDigits(s) {
			v, err := types.ParseInteger(s)
			return types.Time(v), err
		}
		return types.ParseTime(s)
	case types.TimestampKind:
		if isDigits(s) {
			v, err := types.ParseBigint(s)
			return types.Timestamp(v), err
		}
		return types.ParseTimestamp(s)
	case types.Bytes:
		return base64.StdEncoding.DecodeString(s)
	case types.Boolean, types.Integer, types.Bigint, types.Double, types.DecimalKind:
		return types.Cast(s, types.StringType, t)
	}
	return nil, &types.Error{Code: types.CodeCast, Msg: "cannot read a JSON string as " + t.String()}
}

func isDigits(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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
