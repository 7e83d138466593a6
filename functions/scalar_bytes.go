package functions

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

func bytesFunctions() []*Function {
	fromBytes := func(size int, conv func(uint64) any) ScalarFunc {
		return func(a []any) (any, error) {
			b := a[0].([]byte)
			if len(b) != size {
				return nil, fmt.Errorf("functions: number of bytes must be equal to %d, but found %d", size, len(b))
			}
			var order binary.ByteOrder = binary.BigEndian
			if len(a) > 1 {
				switch strings.ToUpper(a[1].(string)) {
				case "BIG_ENDIAN":
				case "LITTLE_ENDIAN":
					order = binary.LittleEndian
				default:
					return nil, fmt.Errorf("functions: byte order must be BIG_ENDIAN or LITTLE_ENDIAN: %q", a[1])
				}
			}
			if size == 4 {
				return conv(uint64(order.Uint32(b))), nil
			}
			return conv(order.Uint64(b)), nil
		}
	}
	fromBytesFn := func(name string, size int, ret *Pattern, conv func(uint64) any) *Function {
		f := fromBytes(size, conv)
		return scalar(name, catBytes, fmt.Sprintf("Converts %d BYTES to %s, big-endian unless LITTLE_ENDIAN is given.", size, ret),
			sig(ret, "Big-endian.", f, p("bytes", PBytes)),
			sig(ret, "Byte order BIG_ENDIAN or LITTLE_ENDIAN.", f, p("bytes", PBytes), p("byteOrder", PString)))
	}
	return []*Function{
		fromBytesFn("INT_FROM_BYTES", 4, PInt, func(u uint64) any { return int32(uint32(u)) }),
		fromBytesFn("BIGINT_FROM_BYTES", 8, PBigint, func(u uint64) any { return int64(u) }),
		fromBytesFn("DOUBLE_FROM_BYTES", 8, PDouble, func(u uint64) any { return math.Float64frombits(u) }),
		scalar("TO_BYTES", catBytes, "Converts a STRING in the given encoding (hex, utf8, ascii, base64) to BYTES.",
			sig(PBytes, "Decodes the string.", func(a []any) (any, error) { return decodeString(a[0].(string), a[1].(string)) },
				p("str", PString), p("encoding", PString))),
		scalar("FROM_BYTES", catBytes, "Converts BYTES to a STRING in the given encoding (hex, utf8, ascii, base64).",
			sig(PString, "Encodes the bytes; hex digits in upper case.", func(a []any) (any, error) {
				s, err := encodeBytes(a[0].([]byte), a[1].(string))
				if err == nil && strings.EqualFold(a[1].(string), "hex") {
					// ksqlDB's FROM_BYTES writes base16 in upper case
					// (ENCODE's hex output stays lower case, as ksqlDB's).
					s = strings.ToUpper(s)
				}
				return s, err
			}, p("bytes", PBytes), p("encoding", PString))),
		scalar("ENCODE", catString, "Re-encodes a STRING from input_encoding to output_encoding (hex, utf8, ascii, base64).",
			sig(PString, "Re-encodes the string.", func(a []any) (any, error) {
				if strings.EqualFold(a[1].(string), a[2].(string)) {
					// ksqlDB has no identity encoders.
					return nil, errEncoding
				}
				b, err := decodeString(a[0].(string), a[1].(string))
				if err != nil {
					return nil, err
				}
				return encodeBytes(b, a[2].(string))
			}, p("str", PString), p("inputEncoding", PString), p("outputEncoding", PString))),
	}
}

// errEncoding is ksqlDB's message for an unsupported encoding.
var errEncoding = fmt.Errorf("functions: supported input and output encodings are: hex, utf8, ascii and base64")

// decodeString turns text in an encoding into bytes, with the leniencies
// of ksqlDB's codecs: hex may be written 0xAB (odd digit counts padded) or
// X'AB'; base64 ignores characters outside its alphabet and missing
// padding, as Apache commons-codec does.
func decodeString(s, enc string) ([]byte, error) {
	switch strings.ToLower(enc) {
	case "hex":
		t := s
		switch {
		case strings.HasPrefix(t, "0x"):
			t = t[2:]
			if len(t)%2 == 1 {
				t = "0" + t
			}
		case len(t) >= 3 && (t[0] == 'x' || t[0] == 'X') && t[1] == '\'' && t[len(t)-1] == '\'':
			t = t[2 : len(t)-1]
		}
		b, err := hex.DecodeString(t)
		if err != nil {
			return nil, fmt.Errorf("functions: invalid hex string %q: %w", s, err)
		}
		return b, nil
	case "utf8":
		return []byte(s), nil
	case "ascii":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 127 {
				r = '?'
			}
			b = append(b, byte(r))
		}
		return b, nil
	case "base64":
		clean := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
				clean = append(clean, c)
			case c == '-':
				clean = append(clean, '+')
			case c == '_':
				clean = append(clean, '/')
			}
		}
		// A trailing lone character carries no full byte; drop it.
		if len(clean)%4 == 1 {
			clean = clean[:len(clean)-1]
		}
		return base64.RawStdEncoding.DecodeString(string(clean))
	}
	return nil, errEncoding
}

// encodeBytes turns bytes into text in an encoding.
func encodeBytes(b []byte, enc string) (string, error) {
	switch strings.ToLower(enc) {
	case "hex":
		return hex.EncodeToString(b), nil
	case "utf8":
		if utf8.Valid(b) {
			return string(b), nil
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	case "ascii":
		r := make([]rune, len(b))
		for i, c := range b {
			if c > 127 {
				r[i] = '\uFFFD'
			} else {
				r[i] = rune(c)
			}
		}
		return string(r), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(b), nil
	}
	return "", errEncoding
}
