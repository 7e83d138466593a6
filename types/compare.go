package types

import (
	"math"
	"unicode/utf8"
)

// Comparison across types follows ksqlDB: numbers compare by value whatever
// their type (INTEGER and BIGINT exactly, DECIMAL exactly against integers,
// anything against DOUBLE as DOUBLE); a DATE compares with a TIMESTAMP as
// its midnight; a STRING compared with a DATE, TIME or TIMESTAMP is parsed
// as one. NULL handling is the caller's: SQL comparisons with NULL are NULL
// (false in a WHERE), which Compare cannot express, so it refuses nil.

// Compare orders two non-null values, returning -1, 0 or +1. It fails with
// CodeIncomparable for NULL, for containers and for kinds with no ordering
// between them, and with CodeParse when a string does not parse as the
// temporal value it is compared with.
func Compare(a, b any) (int, error) {
	if a == nil || b == nil {
		return 0, errorf(CodeIncomparable, "cannot order NULL")
	}
	if invalidDecimal(a) || invalidDecimal(b) {
		return 0, errorf(CodeIncomparable, "invalid DECIMAL value")
	}
	switch x := a.(type) {
	case int32:
		return compareNumber(int64(x), 0, false, b, a)
	case int64:
		return compareNumber(x, 0, false, b, a)
	case float64:
		return compareNumber(0, x, true, b, a)
	case Decimal:
		switch y := b.(type) {
		case Decimal:
			return x.Cmp(y), nil
		case int32:
			return x.Cmp(NewDecimal(int64(y), 0)), nil
		case int64:
			return x.Cmp(NewDecimal(y, 0)), nil
		case float64:
			return compareFloat(x.Float64(), y), nil
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, nil
			case !x:
				return -1, nil
			}
			return 1, nil
		}
	case string:
		switch y := b.(type) {
		case string:
			return compareJavaStrings(x, y), nil
		case Date, Time, Timestamp:
			c, err := Compare(b, a)
			return -c, err
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return compareSignedBytes(x, y), nil
		}
	case Date:
		switch y := b.(type) {
		case Date:
			return cmpInt(int64(x), int64(y)), nil
		case Timestamp:
			return cmpInt(int64(TimestampOf(x)), int64(y)), nil
		case string:
			d, err := ParseDate(y)
			if err != nil {
				return 0, err
			}
			return cmpInt(int64(x), int64(d)), nil
		}
	case Time:
		switch y := b.(type) {
		case Time:
			return cmpInt(int64(x), int64(y)), nil
		case string:
			t, err := ParseTime(y)
			if err != nil {
				return 0, err
			}
			return cmpInt(int64(x), int64(t)), nil
		}
	case Timestamp:
		switch y := b.(type) {
		case Timestamp:
			return cmpInt(int64(x), int64(y)), nil
		case Date:
			return cmpInt(int64(x), int64(TimestampOf(y))), nil
		case string:
			t, err := ParseTimestamp(y)
			if err != nil {
				return 0, err
			}
			return cmpInt(int64(x), int64(t)), nil
		}
	}
	return 0, errorf(CodeIncomparable, "cannot compare %s with %s", kindOfValue(a), kindOfValue(b))
}

// compareNumber compares an integer (i) or double (f, when isFloat) with
// any numeric b; orig is the left operand for error text.
func compareNumber(i int64, f float64, isFloat bool, b, orig any) (int, error) {
	switch y := b.(type) {
	case int32:
		if isFloat {
			return compareFloat(f, float64(y)), nil
		}
		return cmpInt(i, int64(y)), nil
	case int64:
		if isFloat {
			return compareFloat(f, float64(y)), nil
		}
		return cmpInt(i, y), nil
	case float64:
		if isFloat {
			return compareFloat(f, y), nil
		}
		return compareFloat(float64(i), y), nil
	case Decimal:
		if isFloat {
			return compareFloat(f, y.Float64()), nil
		}
		return NewDecimal(i, 0).Cmp(y), nil
	}
	return 0, errorf(CodeIncomparable, "cannot compare %s with %s", kindOfValue(orig), kindOfValue(b))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareFloat orders doubles as Java's Double.compare does, except that
// -0.0 equals 0.0 (SQL compares values): NaN is above everything and
// equal to itself, so sorting and grouping stay total.
func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}

// compareSignedBytes orders byte strings as java.nio.ByteBuffer does, with
// signed bytes, so ORDER BY and MIN/MAX over BYTES agree with ksqlDB.
func compareSignedBytes(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return cmpInt(int64(int8(a[i])), int64(int8(b[i])))
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

func kindOfValue(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case bool:
		return "BOOLEAN"
	case int32:
		return "INTEGER"
	case int64:
		return "BIGINT"
	case float64:
		return "DOUBLE"
	case Decimal:
		return "DECIMAL"
	case string:
		return "STRING"
	case []byte:
		return "BYTES"
	case Date:
		return "DATE"
	case Time:
		return "TIME"
	case Timestamp:
		return "TIMESTAMP"
	case []any:
		return "ARRAY"
	case *Map:
		return "MAP"
	case *Struct:
		return "STRUCT"
	}
	return "unknown"
}

// Equal is SQL `=`: false when either side is NULL, numeric equality across
// numeric types, and deep equality for arrays, maps (same entries, any
// order) and structs (same field names and values). Inside containers NULL
// equals NULL, as java.util collections compare in ksqlDB.
func Equal(a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	return NotDistinct(a, b)
}

// NotDistinct is `IS NOT DISTINCT FROM`: Equal, except that NULL is not
// distinct from NULL. Map keys and GROUP BY use it.
func NotDistinct(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !NotDistinct(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || !mapOK(x) || !mapOK(y) || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.Keys {
			v, found := y.Lookup(k)
			if !found || !NotDistinct(x.Values[i], v) {
				return false
			}
		}
		return true
	case *Struct:
		y, ok := b.(*Struct)
		if !ok || !structOK(x) || !structOK(y) || len(x.Type.Fields) != len(y.Type.Fields) {
			return false
		}
		for i, f := range x.Type.Fields {
			if f.Name != y.Type.Fields[i].Name || !NotDistinct(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	}
	c, err := Compare(a, b)
	return err == nil && c == 0
}

// invalidDecimal reports a zero Decimal (nil Unscaled), which is not a
// value; it is refused rather than dereferenced.
func invalidDecimal(v any) bool {
	d, ok := v.(Decimal)
	return ok && d.Unscaled == nil
}

// mapOK and structOK reject malformed containers (nil, mismatched lengths)
// so comparisons answer false instead of panicking.
func mapOK(m *Map) bool { return m != nil && len(m.Keys) == len(m.Values) }

func structOK(s *Struct) bool {
	return s != nil && s.Type != nil && len(s.Values) == len(s.Type.Fields)
}

// compareJavaStrings orders strings as Java's String.compareTo does, by
// UTF-16 code units, so MIN, MAX and ORDER BY agree with ksqlDB. It equals
// byte (code point) order except when a character above U+FFFF meets one
// in U+E000..U+FFFF: UTF-16 puts the former first.
func compareJavaStrings(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return cmpInt(int64(len(a)), int64(len(b)))
	}
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRuneInString(a[i:])
	rb, _ := utf8.DecodeRuneInString(b[i:])
	ua, ub := utf16First(ra), utf16First(rb)
	if ua != ub {
		return cmpInt(int64(ua), int64(ub))
	}
	// Same high surrogate: the low surrogates are in code point order.
	return cmpInt(int64(ra), int64(rb))
}

// utf16First returns the first UTF-16 code unit of r.
func utf16First(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}
