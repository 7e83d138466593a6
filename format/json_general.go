package format

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unsafe"

	"github.com/sluicedb/sluice/types"
)

// The general JSON path: nested ARRAY, MAP and STRUCT values, DECIMAL and
// BYTES, and the representation coercions ksqlDB allows (numbers in
// strings, scalars in STRING columns). It builds Go values, so it
// allocates; the scalar hot path in json_decode.go avoids it.

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
				javaMapOrder(m)
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
	var kind string
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
