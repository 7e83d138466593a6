package format

import (
	"unicode/utf16"
	"unicode/utf8"
)

// jsonScanner is a validating, allocation-free JSON tokenizer over one
// record. It hands out views into the record wherever it can (strings
// without escapes, number tokens) and unescapes into a reusable arena
// otherwise. Every read checks bounds, so no input can make it panic.
type jsonScanner struct {
	data  []byte
	pos   int
	arena []byte // unescaped strings of the current record
	err   string
	errAt int
}

func (s *jsonScanner) reset(data []byte) {
	s.data, s.pos, s.arena, s.err, s.errAt = data, 0, s.arena[:0], "", 0
}

// fail records the first error; later calls keep it.
func (s *jsonScanner) fail(msg string) bool {
	if s.err == "" {
		s.err, s.errAt = msg, s.pos
	}
	return false
}

func (s *jsonScanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *jsonScanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *jsonScanner) expect(c byte) bool {
	if s.peek() == c {
		s.pos++
		return true
	}
	return s.fail("expected '" + string(c) + "'")
}

// literal consumes the given keyword (true, false, null).
func (s *jsonScanner) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return s.fail("invalid literal")
}

// str reads a string token (the opening quote is next). The result is a
// view of the record or of the arena; arena views stay valid until the
// arena grows, so callers that keep several must copy or use strRef.
func (s *jsonScanner) str() ([]byte, bool) {
	start, inArena, ok := s.strRef()
	if !ok {
		return nil, false
	}
	if inArena {
		return s.arena[start:], true
	}
	return s.data[start : s.pos-1], true
}

// strRef reads a string and returns where it is: data[start:pos-1] when
// not inArena, else arena[start:] (up to the arena's length at return).
func (s *jsonScanner) strRef() (start int, inArena bool, ok bool) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return 0, false, s.fail("expected string")
	}
	s.pos++
	start = s.pos
	ascii := true
	for s.pos < len(s.data) {
		// Plain ASCII runs are the common case; one table lookup per byte.
		for s.pos < len(s.data) && strPlain[s.data[s.pos]] {
			s.pos++
		}
		if s.pos >= len(s.data) {
			break
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			if !ascii && !utf8.Valid(s.data[start:s.pos]) {
				return s.unescape(start)
			}
			s.pos++
			return start, false, true
		case c == '\\':
			return s.unescape(start)
		case c < 0x20:
			return 0, false, s.fail("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.pos++
	}
	return 0, false, s.fail("unterminated string")
}

// unescape copies the string starting at start into the arena, decoding
// escapes and replacing invalid UTF-8 with U+FFFD as encoding/json does.
func (s *jsonScanner) unescape(start int) (int, bool, bool) {
	s.pos = start
	aStart := len(s.arena)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return aStart, true, true
		case c < 0x20:
			return 0, false, s.fail("control character in string")
		case c == '\\':
			if s.pos+1 >= len(s.data) {
				return 0, false, s.fail("unterminated escape")
			}
			e := s.data[s.pos+1]
			s.pos += 2
			switch e {
			case '"', '\\', '/':
				s.arena = append(s.arena, e)
			case 'b':
				s.arena = append(s.arena, '\b')
			case 'f':
				s.arena = append(s.arena, '\f')
			case 'n':
				s.arena = append(s.arena, '\n')
			case 'r':
				s.arena = append(s.arena, '\r')
			case 't':
				s.arena = append(s.arena, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return 0, false, false
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
						save := s.pos
						s.pos += 2
						if r2, ok = s.hex4(); !ok {
							return 0, false, false
						}
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
						} else {
							s.pos = save
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				s.arena = utf8.AppendRune(s.arena, r)
			default:
				return 0, false, s.fail("invalid escape")
			}
		case c < utf8.RuneSelf:
			s.arena = append(s.arena, c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			s.arena = utf8.AppendRune(s.arena, r)
			s.pos += size
		}
	}
	return 0, false, s.fail("unterminated string")
}

func (s *jsonScanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, s.fail("short unicode escape")
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, s.fail("invalid unicode escape")
		}
	}
	s.pos += 4
	return r, true
}

// number reads a number token and reports whether it is an integer (no
// fraction, no exponent).
func (s *jsonScanner) number() (tok []byte, isInt bool, ok bool) {
	start := s.pos
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.fail("invalid number")
	}
	isInt = true
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.pos = i
			return nil, false, s.fail("invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.pos = i
			return nil, false, s.fail("invalid number")
		}
	}
	s.pos = i
	return d[start:i], isInt, true
}

// skip validates and skips one value of any kind. Nesting is bounded so a
// hostile record cannot exhaust the stack.
func (s *jsonScanner) skip(depth int) bool {
	if depth > maxJSONDepth {
		return s.fail("nesting too deep")
	}
	switch s.peek() {
	case '{':
		s.pos++
		if s.peek() == '}' {
			s.pos++
			return true
		}
		for {
			s.ws()
			if _, _, ok := s.strRef(); !ok {
				return false
			}
			if !s.expect(':') || !s.skip(depth+1) {
				return false
			}
			switch s.peek() {
			case ',':
				s.pos++
			case '}':
				s.pos++
				return true
			default:
				return s.fail("expected ',' or '}'")
			}
		}
	case '[':
		s.pos++
		if s.peek() == ']' {
			s.pos++
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			switch s.peek() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				return true
			default:
				return s.fail("expected ',' or ']'")
			}
		}
	case '"':
		_, _, ok := s.strRef()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case 0:
		return s.fail("unexpected end of input")
	}
	_, _, ok := s.number()
	return ok
}

// maxJSONDepth bounds nesting of arrays and objects in one record.
const maxJSONDepth = 512

// strPlain marks bytes that need no attention inside a string: printable
// ASCII other than the quote and the backslash.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
