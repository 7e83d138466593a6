package types

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// Text forms of values. ksqlDB runs on the JVM, so the strings users see
// (CAST(x AS STRING), DELIMITED columns, the shell) are Java's: doubles as
// Double.toString prints them ("10.0", "1.0E10"), collections as
// java.util.List/Map print them ("[1, 3]", "{this=1}"), structs as Kafka
// Connect's Struct ("Struct{F0=1,f1=3}"). Matching them byte for byte is
// what lets the conformance corpus pass.

// FormatDouble formats f as Java's Double.toString does (JDK 19 and later):
// the shortest digits that read back as f, but at least two significant
// digits; plain notation for 10^-3 ≤ |f| < 10^7, otherwise `d.dddE±n`.
func FormatDouble(f float64) string { return string(AppendDouble(nil, f)) }

// AppendDouble appends the FormatDouble form of f to b.
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if abs := math.Abs(f); abs >= 1e-3 && abs < 1e7 {
		// Plain range: Go's shortest digits are Java's (a one-digit
		// shortest form is exact enough that Java's two-digit rule only
		// adds ".0"), so strconv does it in one pass.
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		if indexByte(b[start:], '.') < 0 {
			b = append(b, '.', '0')
		}
		return b
	}
	return appendDoubleDigits(b, f)
}

// appendDoubleDigits is the general form of AppendDouble for finite,
// non-zero f: shortest digits (two when one would do, picking the closest
// pair as JDK 19+ does), then plain or scientific notation by magnitude.
func appendDoubleDigits(b []byte, f float64) []byte {
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64)
	if i := indexByte(e, 'e'); i == 1 || (i == 2 && e[0] == '-') {
		// One significant digit: Java picks the closest two-digit decimal.
		e = strconv.AppendFloat(scratch[:0], f, 'e', 1, 64)
	}
	// e is [-]d[.ddd]e±xx
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		b = append(b, '-')
	}
	ei := indexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[ei+1:]))
	var digits [24]byte
	nd := 0
	for _, c := range e[:ei] {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	for nd > 1 && digits[nd-1] == '0' {
		nd--
	}
	ds := digits[:nd]
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		if exp >= 0 {
			for i := 0; i <= exp; i++ {
				if i < len(ds) {
					b = append(b, ds[i])
				} else {
					b = append(b, '0')
				}
			}
			b = append(b, '.')
			if exp+1 < len(ds) {
				return append(b, ds[exp+1:]...)
			}
			return append(b, '0')
		}
		b = append(b, '0', '.')
		for i := 0; i < -exp-1; i++ {
			b = append(b, '0')
		}
		return append(b, ds...)
	}
	b = append(b, ds[0], '.')
	if len(ds) > 1 {
		b = append(b, ds[1:]...)
	} else {
		b = append(b, '0')
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// ParseDouble parses a DOUBLE the way Java's Double.parseDouble does for the
// forms users write: surrounding spaces ignored, an optional d/D/f/F
// suffix, "NaN" and "[+-]Infinity".
func ParseDouble(s string) (float64, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if n := len(t); n > 1 {
		switch t[n-1] {
		case 'd', 'D', 'f', 'F':
			t = t[:n-1]
		}
	}
	// strconv accepts spellings Java does not ("inf", "0x1p3", "1_0"); refuse
	// anything but digits, sign, point and exponent.
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return 0, errorf(CodeParse, "invalid DOUBLE %q", s)
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !isRange(err) { // out of range is ±Infinity or 0, as in Java
		return 0, errorf(CodeParse, "invalid DOUBLE %q", s)
	}
	return f, nil
}

// ParseBoolean accepts what ksqlDB's CAST to BOOLEAN accepts, ignoring
// case and surrounding spaces: true/t/yes/y and false/f/no/n.
func ParseBoolean(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "yes", "y":
		return true, nil
	case "false", "f", "no", "n":
		return false, nil
	}
	return false, errorf(CodeParse, "invalid BOOLEAN %q: expected true or false", s)
}

// ParseInteger parses an INTEGER (Integer.parseInt after trimming).
func ParseInteger(s string) (int32, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, errorf(CodeParse, "invalid INTEGER %q", s)
	}
	return int32(v), nil
}

// ParseBigint parses a BIGINT (Long.parseLong after trimming).
func ParseBigint(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, errorf(CodeParse, "invalid BIGINT %q", s)
	}
	return v, nil
}

// Format returns the text of a value as ksqlDB shows it and as CAST(v AS
// STRING) produces it. NULL is "null".
func Format(v any) string { return string(AppendValue(nil, v)) }

// AppendValue appends the Format text of v to b.
func AppendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return AppendDouble(b, x)
	case Decimal:
		return x.AppendText(b)
	case string:
		return append(b, x...)
	case []byte:
		return base64.StdEncoding.AppendEncode(b, x)
	case Date:
		return x.AppendText(b)
	case Time:
		return x.AppendText(b)
	case Timestamp:
		return x.AppendText(b)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = AppendValue(b, e)
		}
		return append(b, ']')
	case *Map:
		if x == nil || len(x.Keys) != len(x.Values) {
			return append(b, "<malformed map>"...)
		}
		b = append(b, '{')
		for i := range x.Keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = AppendValue(b, x.Keys[i])
			b = append(b, '=')
			b = AppendValue(b, x.Values[i])
		}
		return append(b, '}')
	case *Struct:
		if x == nil || x.Type == nil {
			return append(b, "<malformed struct>"...)
		}
		// Kafka Connect's Struct.toString leaves out null fields.
		b = append(b, "Struct{"...)
		first := true
		for i, f := range x.Type.Fields {
			if i >= len(x.Values) || x.Values[i] == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, f.Name...)
			b = append(b, '=')
			b = AppendValue(b, x.Values[i])
		}
		return append(b, '}')
	}
	return append(b, "<unknown value>"...)
}
