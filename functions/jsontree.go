package functions

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sluicedb/sluice/types"
)

// The JSON functions need a tree that keeps object key order (JSON_KEYS,
// JSON_RECORDS and JSON_CONCAT report keys in document order) and number
// text (so 1.50 is not rewritten), which encoding/json's map decoding
// loses. This is a small strict parser producing that tree.

// jsonNumber is a JSON number kept as its source text.
type jsonNumber string

// jsonObject is a JSON object with its keys in document order.
type jsonObject struct {
	keys []string
	vals []any
}

func (o *jsonObject) get(k string) (any, bool) {
	for i, key := range o.keys {
		if key == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

func (o *jsonObject) set(k string, v any) {
	for i, key := range o.keys {
		if key == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// jsonNull marks an explicit JSON null inside a tree, distinct from "no
// value" (Go nil) when looking up paths.
type jsonNullT struct{}

var jsonNull = jsonNullT{}

var errJSONSyntax = errors.New("functions: invalid JSON")

// parseJSON parses one JSON value with optional surrounding whitespace.
// Values are jsonNull, bool, jsonNumber, string, []any and *jsonObject.
func parseJSON(s string) (any, error) {
	p := jsonParser{s: s}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("%w: trailing data at offset %d", errJSONSyntax, p.i)
	}
	return v, nil
}

type jsonParser struct {
	s string
	i int
}

const maxJSONDepth = 512

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errJSONSyntax, what, p.i)
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, p.fail("nesting too deep")
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		o := &jsonObject{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return o, nil
		}
		for {
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return nil, p.fail("expected object key")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.fail("expected ':'")
			}
			p.i++
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return o, nil
			}
			return nil, p.fail("expected ',' or '}'")
		}
	case c == '[':
		p.i++
		arr := []any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return arr, nil
		}
		for {
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return arr, nil
			}
			return nil, p.fail("expected ',' or ']'")
		}
	case c == '"':
		return p.str()
	case c == 't' && strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, nil
	case c == 'f' && strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, nil
	case c == 'n' && strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return jsonNull, nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		if c == '-' {
			p.i++
		}
		digits := func() int {
			n := 0
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
				n++
			}
			return n
		}
		if digits() == 0 {
			return nil, p.fail("bad number")
		}
		if p.i < len(p.s) && p.s[p.i] == '.' {
			p.i++
			if digits() == 0 {
				return nil, p.fail("bad number")
			}
		}
		if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
			p.i++
			if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
				p.i++
			}
			if digits() == 0 {
				return nil, p.fail("bad number")
			}
		}
		return jsonNumber(p.s[start:p.i]), nil
	}
	return nil, p.fail("unexpected character")
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.fail("bad escape")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.fail("bad \\u escape")
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
					p.i += 2
					r2, ok := p.hex4()
					if !ok {
						return "", p.fail("bad \\u escape")
					}
					r = utf16.DecodeRune(r, r2)
				}
				b.WriteRune(r)
			default:
				return "", p.fail("bad escape")
			}
		case c < 0x20:
			return "", p.fail("control character in string")
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += size
		}
	}
	return "", p.fail("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// writeJSONNode writes a tree compactly, as Jackson's JsonNode.toString.
func writeJSONNode(b *strings.Builder, v any) {
	switch x := v.(type) {
	case jsonNullT, nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case jsonNumber:
		// Jackson reads fractions and exponents as doubles and prints them
		// with Double.toString (1.50 -> 1.5, 1e2 -> 100.0).
		if strings.ContainsAny(string(x), ".eE") {
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				b.WriteString(types.FormatDouble(f))
				return
			}
		}
		b.WriteString(string(x))
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONNode(b, e)
		}
		b.WriteByte(']')
	case *jsonObject:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSONNode(b, x.vals[i])
		}
		b.WriteByte('}')
	}
}

func jsonNodeText(v any) string {
	var b strings.Builder
	writeJSONNode(&b, v)
	return b.String()
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string with Jackson's escaping.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[r>>4])
				b.WriteByte(hexDigits[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// skip validates one JSON value starting at p.i and moves past it without
// building anything, so EXTRACTJSONFIELD can walk to its target without
// allocating for the parts of the document it does not return.
func (p *jsonParser) skip(depth int) error {
	if depth > maxJSONDepth {
		return p.fail("nesting too deep")
	}
	if p.i >= len(p.s) {
		return p.fail("unexpected end")
	}
	switch c := p.s[p.i]; c {
	case '{', '[':
		obj := c == '{'
		closer := byte(']')
		if obj {
			closer = '}'
		}
		p.i++
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == closer {
			p.i++
			return nil
		}
		for {
			p.ws()
			if obj {
				if p.i >= len(p.s) || p.s[p.i] != '"' {
					return p.fail("expected object key")
				}
				if err := p.skipString(); err != nil {
					return err
				}
				p.ws()
				if p.i >= len(p.s) || p.s[p.i] != ':' {
					return p.fail("expected ':'")
				}
				p.i++
				p.ws()
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == closer {
				p.i++
				return nil
			}
			return p.fail("expected ',' or closing bracket")
		}
	case '"':
		return p.skipString()
	case 't':
		return p.skipLiteral("true")
	case 'f':
		return p.skipLiteral("false")
	case 'n':
		return p.skipLiteral("null")
	}
	return p.skipNumber()
}

func (p *jsonParser) skipLiteral(lit string) error {
	if !strings.HasPrefix(p.s[p.i:], lit) {
		return p.fail("unexpected character")
	}
	p.i += len(lit)
	return nil
}

// skipNumber validates a number with the grammar value() accepts.
func (p *jsonParser) skipNumber() error {
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	if digits() == 0 {
		return p.fail("bad number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return p.fail("bad number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return p.fail("bad number")
		}
	}
	return nil
}

// skipString validates a string and moves past it, returning its raw
// contents' bounds through p.i only.
func (p *jsonParser) skipString() error {
	p.i++
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return p.fail("bad escape")
			}
			switch p.s[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				p.i += 2
				if _, ok := p.hex4(); !ok {
					return p.fail("bad \\u escape")
				}
			default:
				return p.fail("bad escape")
			}
		case c < 0x20:
			return p.fail("control character in string")
		default:
			p.i++
		}
	}
	return p.fail("unterminated string")
}

// validJSON reports whether s is exactly one JSON value.
func validJSON(s string) bool {
	p := jsonParser{s: s}
	p.ws()
	if p.skip(0) != nil {
		return false
	}
	p.ws()
	return p.i == len(p.s)
}

// lookupJSONPath walks a valid document to the value at the path and
// returns its source text, or false if the path does not exist. Only the
// keys on the way are decoded.
func lookupJSONPath(s string, steps []jsonPathStep) (string, bool) {
	p := jsonParser{s: s}
	p.ws()
	for _, st := range steps {
		if p.i >= len(p.s) {
			return "", false
		}
		switch p.s[p.i] {
		case '{':
			if st.isIdx {
				return "", false
			}
			// Scan every member: with duplicate keys the last one wins, as
			// in Jackson's tree model.
			p.i++
			at := -1
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				return "", false
			}
			for {
				p.ws()
				start := p.i
				if p.skipString() != nil {
					return "", false
				}
				raw := p.s[start+1 : p.i-1]
				key := raw
				if strings.IndexByte(raw, '\\') >= 0 {
					q := jsonParser{s: p.s, i: start}
					k, err := q.str()
					if err != nil {
						return "", false
					}
					key = k
				}
				p.ws()
				p.i++ // ':' (the document is valid)
				p.ws()
				if key == st.field {
					at = p.i
				}
				if p.skip(0) != nil {
					return "", false
				}
				p.ws()
				if p.i < len(p.s) && p.s[p.i] == ',' {
					p.i++
					continue
				}
				break
			}
			if at < 0 {
				return "", false
			}
			p.i = at
		case '[':
			if !st.isIdx || st.index < 0 {
				return "", false
			}
			p.i++
			p.ws()
			for n := 0; n < st.index; n++ {
				if p.i < len(p.s) && p.s[p.i] == ']' {
					return "", false
				}
				if p.skip(0) != nil {
					return "", false
				}
				p.ws()
				if p.i >= len(p.s) || p.s[p.i] != ',' {
					return "", false
				}
				p.i++
				p.ws()
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				return "", false
			}
		default:
			return "", false
		}
	}
	start := p.i
	if p.skip(0) != nil {
		return "", false
	}
	return p.s[start:p.i], true
}
