package functions

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

func lower(s string) string { return strings.ToLower(s) }

func stringFunctions() []*Function {
	return []*Function{
		scalar("LCASE", catString, "Converts a string to lower case.",
			sig(PString, "Lower-cases the input.", func(a []any) (any, error) { return strings.ToLower(a[0].(string)), nil }, p("input", PString))),
		scalar("UCASE", catString, "Converts a string to upper case.",
			sig(PString, "Upper-cases the input.", func(a []any) (any, error) { return strings.ToUpper(a[0].(string)), nil }, p("input", PString))),
		scalar("TRIM", catString, "Removes whitespace and control characters from both ends of a string.",
			sig(PString, "Trims the input.", func(a []any) (any, error) { return javaTrim(a[0].(string)), nil }, p("input", PString))),
		scalar("LEN", catString, "Returns the length of a STRING in characters or of BYTES in bytes.",
			sig(PInt, "Number of characters.", func(a []any) (any, error) { return int32(utf16Len(a[0].(string))), nil }, p("input", PString)),
			sig(PInt, "Number of bytes.", func(a []any) (any, error) { return int32(len(a[0].([]byte))), nil }, p("input", PBytes))),
		scalar("CONCAT", catString, "Concatenates strings or bytes; NULL inputs count as empty.",
			nullable(variadic(sig(PString, "Concatenates strings.", concatStrings, p("inputs", PString)))),
			nullable(variadic(sig(PBytes, "Concatenates bytes.", concatBytes, p("inputs", PBytes))))),
		scalar("CONCAT_WS", catString, "Concatenates strings or bytes with a separator between them, skipping NULL inputs; NULL if the separator is NULL.",
			nullable(variadic(sig(PString, "Joins strings with the separator.", concatWS, p("separator", PString), p("inputs", PString)))),
			nullable(variadic(sig(PBytes, "Joins bytes with the separator.", concatWS, p("separator", PBytes), p("inputs", PBytes))))),
		scalar("INITCAP", catString, "Capitalizes the first letter of each whitespace-delimited word and lower-cases the rest.",
			sig(PString, "Title-cases the input.", func(a []any) (any, error) { return initcap(a[0].(string)), nil }, p("input", PString))),
		scalar("INSTR", catString, "Returns the 1-based position of the n-th occurrence of a substring, searching from a position (backwards if negative); 0 if not found.",
			sig(PInt, "First occurrence.", instr, p("str", PString), p("substring", PString)),
			sig(PInt, "First occurrence from position.", instr, p("str", PString), p("substring", PString), p("position", PInt)),
			sig(PInt, "n-th occurrence from position.", instr, p("str", PString), p("substring", PString), p("position", PInt), p("occurrence", PInt))),
		scalar("LPAD", catString, "Pads the input on the left with padding up to length, truncating longer input; NULL for empty padding or negative length.",
			nullable(sig(PString, "Pads a string.", padString(true), p("input", PString), p("length", PInt), p("padding", PString))),
			nullable(sig(PBytes, "Pads bytes.", padBytes(true), p("input", PBytes), p("length", PInt), p("padding", PBytes)))),
		scalar("RPAD", catString, "Pads the input on the right with padding up to length, truncating longer input; NULL for empty padding or negative length.",
			nullable(sig(PString, "Pads a string.", padString(false), p("input", PString), p("length", PInt), p("padding", PString))),
			nullable(sig(PBytes, "Pads bytes.", padBytes(false), p("input", PBytes), p("length", PInt), p("padding", PBytes)))),
		maskFn("MASK", "Masks a string: upper-case letters, lower-case letters, digits and other characters are replaced by the given characters (default X, x, n, -); a NULL mask character keeps that class.", maskAll),
		maskFn("MASK_KEEP_LEFT", "Like MASK, except the first numChars characters are kept.", maskKeepLeft),
		maskFn("MASK_KEEP_RIGHT", "Like MASK, except the last numChars characters are kept.", maskKeepRight),
		maskFn("MASK_LEFT", "Like MASK, except only the first numChars characters are masked.", maskLeft),
		maskFn("MASK_RIGHT", "Like MASK, except only the last numChars characters are masked.", maskRight),
		scalar("REPLACE", catString, "Replaces every occurrence of a substring with a new string.",
			sig(PString, "Replaces all occurrences.", func(a []any) (any, error) {
				return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
			}, p("str", PString), p("target", PString), p("replacement", PString))),
		scalar("SUBSTRING", catString, "Returns the part of a string or bytes starting at a 1-based position (negative counts from the end), optionally of a given length.",
			sig(PString, "Substring to the end.", substringString, p("str", PString), p("pos", PInt)),
			sig(PString, "Substring of length len.", substringString, p("str", PString), p("pos", PInt), p("len", PInt)),
			sig(PBytes, "Bytes to the end.", substringBytes, p("bytes", PBytes), p("pos", PInt)),
			sig(PBytes, "Bytes of length len.", substringBytes, p("bytes", PBytes), p("pos", PInt), p("len", PInt))),
		scalar("SPLIT", catString, "Splits a string or bytes on a delimiter into an array; an empty delimiter splits every character or byte.",
			sig(ArrayP(PString), "Splits a string.", splitString, p("input", PString), p("delimiter", PString)),
			sig(ArrayP(PBytes), "Splits bytes.", splitBytes, p("input", PBytes), p("delimiter", PBytes))),
		scalar("SPLIT_TO_MAP", catString, "Splits a string into key-value pairs on entryDelimiter and kvDelimiter and builds a map; the last value of a repeated key wins.",
			nullable(sig(MapP(PString, PString), "Builds the map.", splitToMap, p("input", PString), p("entryDelimiter", PString), p("kvDelimiter", PString)))),
		scalar("CHR", catString, "Returns the single-character string for a Unicode code point, given as a decimal code or a '\\uXXXX' string; NULL if invalid.",
			sig(PString, "From a decimal code point.", func(a []any) (any, error) { return chrCode(int64(a[0].(int32))), nil }, p("decimalCode", PInt)),
			sig(PString, "From a UTF-16 escape such as '\\u004b'.", func(a []any) (any, error) { return chrString(a[0].(string)), nil }, p("utfString", PString))),
		scalar("UUID", catString, "Returns a random (version 4) UUID string, or the string form of a 16-byte UUID.",
			sig(PString, "A new random UUID.", func([]any) (any, error) { return newUUID() }),
			sig(PString, "Formats 16 bytes as a UUID string.", func(a []any) (any, error) { return formatUUID(a[0].([]byte)) }, p("bytes", PBytes))),
		scalar("MD5", catString, "Returns the hex-encoded MD5 hash of a string.",
			sig(PString, "MD5 of the UTF-8 bytes of the input.", func(a []any) (any, error) {
				h := md5.Sum([]byte(a[0].(string)))
				return hex.EncodeToString(h[:]), nil
			}, p("input", PString))),
		scalar("ELT", catString, "Returns the n-th (1-based) of the string arguments, or NULL if n is out of range.",
			nullable(variadic(sig(PString, "Picks an argument.", elt, p("n", PInt), p("args", PString))))),
		scalar("FIELD", catString, "Returns the 1-based position of str among the arguments, or 0 if absent or NULL.",
			nullable(variadic(sig(PInt, "Finds str.", field, p("str", PString), p("args", PString))))),
	}
}

// javaTrim removes leading and trailing characters <= U+0020, as
// java.lang.String.trim does.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// utf16Len counts UTF-16 code units, the unit of Java string lengths, so
// LEN agrees with ksqlDB for characters outside the BMP.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func concatStrings(a []any) (any, error) {
	var b strings.Builder
	for _, v := range a {
		if s, ok := v.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String(), nil
}

func concatBytes(a []any) (any, error) {
	out := []byte{}
	for _, v := range a {
		if s, ok := v.([]byte); ok {
			out = append(out, s...)
		}
	}
	return out, nil
}

func concatWS(a []any) (any, error) {
	switch sep := a[0].(type) {
	case nil:
		return nil, nil
	case string:
		parts := make([]string, 0, len(a)-1)
		for _, v := range a[1:] {
			if s, ok := v.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, sep), nil
	case []byte:
		out := []byte{}
		first := true
		for _, v := range a[1:] {
			if s, ok := v.([]byte); ok {
				if !first {
					out = append(out, sep...)
				}
				out = append(out, s...)
				first = false
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("functions: CONCAT_WS: unexpected separator %T", a[0])
}

// initcap title-cases each whitespace-delimited word. Like ksqlDB (which
// matches words with [^\s]+\s*), leading whitespace is dropped.
func initcap(s string) string {
	s = strings.TrimLeftFunc(s, isJavaSpace)
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case isJavaSpace(r):
			b.WriteRune(r)
			start = true
		case start:
			b.WriteRune(unicode.ToUpper(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isJavaSpace is java.util.regex's \s: [ \t\n\x0B\f\r].
func isJavaSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// instr follows Oracle's INSTR, which ksqlDB copies: a negative position
// searches backwards from that many characters before the end.
func instr(a []any) (any, error) {
	str, sub := []rune(a[0].(string)), []rune(a[1].(string))
	pos, occ := int64(1), int64(1)
	if len(a) > 2 {
		pos, _ = asInt64(a[2])
	}
	if len(a) > 3 {
		occ, _ = asInt64(a[3])
	}
	if pos == 0 || occ <= 0 {
		return int32(0), nil
	}
	matchAt := func(i int) bool {
		if i < 0 || i+len(sub) > len(str) {
			return false
		}
		for j := range sub {
			if str[i+j] != sub[j] {
				return false
			}
		}
		return true
	}
	if pos > 0 {
		found := int64(0)
		for i := int(pos - 1); i <= len(str)-len(sub); i++ {
			if matchAt(i) {
				if found++; found == occ {
					return int32(i + 1), nil
				}
			}
		}
		return int32(0), nil
	}
	found := int64(0)
	for i := min(len(str)+int(pos), len(str)-len(sub)); i >= 0; i-- {
		if matchAt(i) {
			if found++; found == occ {
				return int32(i + 1), nil
			}
		}
	}
	return int32(0), nil
}

func padString(left bool) ScalarFunc {
	return func(a []any) (any, error) {
		if a[0] == nil || a[1] == nil || a[2] == nil {
			return nil, nil
		}
		in, pad := []rune(a[0].(string)), []rune(a[2].(string))
		n := int(a[1].(int32))
		if len(pad) == 0 || n < 0 {
			return nil, nil
		}
		return string(padRunes(in, pad, n, left)), nil
	}
}

func padRunes[E any](in, pad []E, n int, left bool) []E {
	if len(in) >= n {
		return in[:n]
	}
	fill := make([]E, 0, n-len(in))
	for len(fill) < n-len(in) {
		fill = append(fill, pad[len(fill)%len(pad)])
	}
	out := make([]E, 0, n)
	if left {
		return append(append(out, fill...), in...)
	}
	return append(append(out, in...), fill...)
}

func padBytes(left bool) ScalarFunc {
	return func(a []any) (any, error) {
		if a[0] == nil || a[1] == nil || a[2] == nil {
			return nil, nil
		}
		in, pad := a[0].([]byte), a[2].([]byte)
		n := int(a[1].(int32))
		if len(pad) == 0 || n < 0 {
			return nil, nil
		}
		return padRunes(in, pad, n, left), nil
	}
}

// masker masks runes by class; a zero rune (from a NULL mask argument)
// keeps the class unmasked.
type masker struct{ upper, lower, digit, other rune }

func (m masker) mask(r rune) rune {
	var c rune
	switch {
	case unicode.IsUpper(r):
		c = m.upper
	case unicode.IsLower(r):
		c = m.lower
	case unicode.IsDigit(r):
		c = m.digit
	default:
		c = m.other
	}
	if c == 0 {
		return r
	}
	return c
}

// maskFn declares a MASK family function: the input, for all but MASK a
// character count, then up to four optional mask characters.
func maskFn(name, description string, apply func(rs []rune, n int, m masker) []rune) *Function {
	withCount := name != "MASK"
	eval := func(a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		rs := []rune(a[0].(string))
		i, n := 1, 0
		if withCount {
			if a[1] == nil {
				return nil, nil
			}
			n = int(a[1].(int32))
			if n < 0 {
				return nil, fmt.Errorf("functions: %s: numChars must be non-negative: %d", name, n)
			}
			i = 2
		}
		m := masker{'X', 'x', 'n', '-'}
		chars := []*rune{&m.upper, &m.lower, &m.digit, &m.other}
		for j := 0; i+j < len(a) && j < 4; j++ {
			switch c := a[i+j].(type) {
			case nil:
				*chars[j] = 0
			case string:
				r, size := utf8.DecodeRuneInString(c)
				if c == "" || size != len(c) {
					return nil, fmt.Errorf("functions: %s: invalid mask character, must be a single character, but was '%s'", name, c)
				}
				*chars[j] = r
			}
		}
		return string(apply(rs, n, m)), nil
	}
	var sigs []*Signature
	base := []Param{p("input", PString)}
	if withCount {
		base = append(base, p("numChars", PInt))
	}
	names := []string{"upper", "lower", "digit", "other"}
	for k := 0; k <= 4; k++ {
		ps := append([]Param(nil), base...)
		for j := 0; j < k; j++ {
			ps = append(ps, p(names[j], PString))
		}
		sigs = append(sigs, nullable(sig(PString, fmt.Sprintf("Masks with %d explicit mask characters.", k), eval, ps...)))
	}
	return scalar(name, catString, description, sigs...)
}

func maskRange(rs []rune, from, to int, m masker) []rune {
	out := append([]rune(nil), rs...)
	for i := max(from, 0); i < min(to, len(out)); i++ {
		out[i] = m.mask(out[i])
	}
	return out
}

func maskAll(rs []rune, _ int, m masker) []rune       { return maskRange(rs, 0, len(rs), m) }
func maskKeepLeft(rs []rune, n int, m masker) []rune  { return maskRange(rs, n, len(rs), m) }
func maskKeepRight(rs []rune, n int, m masker) []rune { return maskRange(rs, 0, len(rs)-n, m) }
func maskLeft(rs []rune, n int, m masker) []rune      { return maskRange(rs, 0, n, m) }
func maskRight(rs []rune, n int, m masker) []rune     { return maskRange(rs, len(rs)-n, len(rs), m) }

// substringBounds applies ksqlDB's rules: 1-based positions, negative
// positions count from the end, out-of-range bounds are clamped.
func substringBounds(length int, a []any) (int, int) {
	pos := int(a[1].(int32))
	var start int
	if pos < 0 {
		start = max(length+pos, 0)
	} else {
		start = max(min(pos-1, length), 0)
	}
	end := length
	if len(a) > 2 {
		n := int(a[2].(int32))
		end = max(min(start+n, length), start)
	}
	return start, end
}

func substringString(a []any) (any, error) {
	rs := []rune(a[0].(string))
	s, e := substringBounds(len(rs), a)
	return string(rs[s:e]), nil
}

func substringBytes(a []any) (any, error) {
	b := a[0].([]byte)
	s, e := substringBounds(len(b), a)
	return append([]byte{}, b[s:e]...), nil
}

func splitString(a []any) (any, error) {
	s, d := a[0].(string), a[1].(string)
	var parts []string
	if d == "" {
		for _, r := range s {
			parts = append(parts, string(r))
		}
		if s == "" {
			parts = []string{""}
		}
	} else {
		parts = strings.Split(s, d)
	}
	out := make([]any, len(parts))
	for i, x := range parts {
		out[i] = x
	}
	return out, nil
}

func splitBytes(a []any) (any, error) {
	s, d := a[0].([]byte), a[1].([]byte)
	var out []any
	if len(d) == 0 {
		for _, c := range s {
			out = append(out, []byte{c})
		}
		return out, nil
	}
	for {
		i := indexBytes(s, d)
		if i < 0 {
			return append(out, append([]byte{}, s...)), nil
		}
		out = append(out, append([]byte{}, s[:i]...))
		s = s[i+len(d):]
	}
}

func indexBytes(s, sep []byte) int { return strings.Index(string(s), string(sep)) }

func splitToMap(a []any) (any, error) {
	if a[0] == nil || a[1] == nil || a[2] == nil {
		return nil, nil
	}
	in, ed, kd := a[0].(string), a[1].(string), a[2].(string)
	if ed == "" || kd == "" {
		return nil, nil
	}
	m := newStringMap()
	for _, entry := range strings.Split(in, ed) {
		if entry == "" {
			continue
		}
		kv := strings.Split(entry, kd)
		if len(kv) < 2 {
			continue
		}
		m.put(kv[0], kv[1])
	}
	return m.m, nil
}

func chrCode(c int64) any {
	if c < 0 || c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
		return nil
	}
	return string(rune(c))
}

// chrString follows ksqlDB: the argument must start with \u and have at
// least six characters; it is then unescaped as a Java string literal
// body (\uXXXX escapes, surrogate pairs combined, other backslash
// escapes), so trailing text is kept. Invalid escapes give NULL.
func chrString(s string) any {
	if len(s) < 6 || !strings.HasPrefix(s, `\u`) {
		return nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'u':
			// Java allows several u's: \uuuu0041.
			for i+1 < len(s) && s[i+1] == 'u' {
				i++
			}
			if i+5 > len(s) {
				return nil
			}
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return nil
			}
			i += 4
			r := rune(v)
			if utf16.IsSurrogate(r) {
				if i+7 <= len(s) && strings.HasPrefix(s[i+1:], `\u`) {
					if lo, err := strconv.ParseUint(s[i+3:i+7], 16, 16); err == nil {
						if pair := utf16.DecodeRune(r, rune(lo)); pair != unicode.ReplacementChar {
							b.WriteRune(pair)
							i += 6
							continue
						}
					}
				}
				return nil // a lone surrogate has no UTF-8 form
			}
			b.WriteRune(r)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func newUUID() (any, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("functions: UUID: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b[:])
}

func formatUUID(b []byte) (any, error) {
	if len(b) != 16 {
		return nil, nil
	}
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

func elt(a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	n := int(a[0].(int32))
	if n < 1 || n >= len(a) {
		return nil, nil
	}
	return a[n], nil
}

func field(a []any) (any, error) {
	if a[0] == nil {
		return int32(0), nil
	}
	for i, v := range a[1:] {
		if v != nil && v.(string) == a[0].(string) {
			return int32(i + 1), nil
		}
	}
	return int32(0), nil
}
