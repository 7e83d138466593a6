package types

import "math"

// CAST follows ksqlDB. Every type casts to STRING (containers print as Java
// collections do); STRING parses into the scalar types; numbers convert
// among themselves with Java's narrowing rules (DOUBLE → INTEGER truncates
// toward zero and saturates, BIGINT → INTEGER keeps the low 32 bits, any
// number → DECIMAL rounds HALF_UP and fails if the integer digits do not
// fit); TIMESTAMP casts to DATE and TIME and DATE to TIMESTAMP; ARRAY and
// MAP cast element-wise and STRUCT casts field by field by name (missing
// fields become NULL). NULL casts to NULL of any type.

// CanCast reports whether CAST(x AS to) is valid for x of type from. The
// planner calls it at CREATE time so an unsupported cast is a statement
// error, not a processing-log entry per row.
func CanCast(from, to *Type) bool {
	if from == nil || to == nil || to.Kind == Null {
		return false
	}
	if from.Kind == Null || from.Equal(to) || to.Kind == String {
		return true
	}
	switch from.Kind {
	case Boolean:
		return false
	case Integer, Bigint, Double, DecimalKind:
		return to.IsNumeric()
	case String:
		switch to.Kind {
		case Boolean, Integer, Bigint, Double, DecimalKind, DateKind, TimeKind, TimestampKind:
			return true
		}
	case DateKind:
		return to.Kind == TimestampKind
	case TimestampKind:
		return to.Kind == DateKind || to.Kind == TimeKind
	case Array:
		return to.Kind == Array && CanCast(from.Elem, to.Elem)
	case MapKind:
		return to.Kind == MapKind && CanCast(from.Key, to.Key) && CanCast(from.Elem, to.Elem)
	case StructKind:
		if to.Kind != StructKind {
			return false
		}
		for _, tf := range to.Fields {
			if i := from.FieldIndex(tf.Name); i >= 0 && !CanCast(from.Fields[i].Type, tf.Type) {
				return false
			}
		}
		return true
	}
	return false
}

// Cast converts v, a value of type from, to type to. A nil v gives nil. A
// value that cannot be converted (a string that is not a number, a decimal
// too wide for the target precision) is a CodeCast error; a pair of types
// CanCast rejects is a CodeUnsupportedCast error.
func Cast(v any, from, to *Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if !CanCast(from, to) {
		return nil, errorf(CodeUnsupportedCast, "cannot cast %s to %s", from, to)
	}
	if invalidDecimal(v) {
		return nil, errorf(CodeCast, "invalid DECIMAL value")
	}
	return castValue(v, from, to)
}

func castValue(v any, from, to *Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if to.Kind == String {
		if s, ok := v.(string); ok {
			return s, nil
		}
		return Format(v), nil
	}
	if from.Equal(to) {
		return v, nil
	}
	switch to.Kind {
	case Boolean:
		if s, ok := v.(string); ok {
			return ParseBoolean(s)
		}
	case Integer:
		return castToInteger(v)
	case Bigint:
		return castToBigint(v)
	case Double:
		return castToDouble(v)
	case DecimalKind:
		return castToDecimal(v, to)
	case DateKind:
		switch x := v.(type) {
		case string:
			return ParseDate(x)
		case Timestamp:
			return DateOf(x), nil
		}
	case TimeKind:
		switch x := v.(type) {
		case string:
			return ParseTime(x)
		case Timestamp:
			return TimeOf(x), nil
		}
	case TimestampKind:
		switch x := v.(type) {
		case string:
			return ParseTimestamp(x)
		case Date:
			return TimestampOf(x), nil
		}
	case Array:
		a, ok := v.([]any)
		if !ok {
			break
		}
		out := make([]any, len(a))
		for i, e := range a {
			c, err := castValue(e, from.Elem, to.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case MapKind:
		m, ok := v.(*Map)
		if !ok {
			break
		}
		out := &Map{Keys: make([]any, 0, len(m.Keys)), Values: make([]any, 0, len(m.Values))}
		for i := range m.Keys {
			k, err := castValue(m.Keys[i], from.Key, to.Key)
			if err != nil {
				return nil, err
			}
			e, err := castValue(m.Values[i], from.Elem, to.Elem)
			if err != nil {
				return nil, err
			}
			out.Put(k, e)
		}
		return out, nil
	case StructKind:
		s, ok := v.(*Struct)
		if !ok {
			break
		}
		out := &Struct{Type: to, Values: make([]any, len(to.Fields))}
		for i, tf := range to.Fields {
			j := from.FieldIndex(tf.Name)
			if j < 0 || j >= len(s.Values) {
				continue
			}
			c, err := castValue(s.Values[j], from.Fields[j].Type, tf.Type)
			if err != nil {
				return nil, err
			}
			out.Values[i] = c
		}
		return out, nil
	}
	return nil, errorf(CodeCast, "cannot cast %s value %s to %s", from, Format(v), to)
}

// javaDoubleToLong is Java's (long) d: truncate toward zero, saturate at the
// range ends, NaN to 0.
func javaDoubleToLong(d float64) int64 {
	switch {
	case math.IsNaN(d):
		return 0
	case d >= math.MaxInt64:
		return math.MaxInt64
	case d <= math.MinInt64:
		return math.MinInt64
	}
	return int64(d)
}

// javaDoubleToInt is Java's (int) d.
func javaDoubleToInt(d float64) int32 {
	switch {
	case math.IsNaN(d):
		return 0
	case d >= math.MaxInt32:
		return math.MaxInt32
	case d <= math.MinInt32:
		return math.MinInt32
	}
	return int32(d)
}

func castToInteger(v any) (any, error) {
	switch x := v.(type) {
	case int32:
		return x, nil
	case int64:
		return int32(x), nil
	case float64:
		return javaDoubleToInt(x), nil
	case Decimal:
		l, _ := x.Int64()
		return int32(l), nil
	case string:
		return ParseInteger(x)
	}
	return nil, errorf(CodeCast, "cannot cast %T to INTEGER", v)
}

func castToBigint(v any) (any, error) {
	switch x := v.(type) {
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		return javaDoubleToLong(x), nil
	case Decimal:
		l, _ := x.Int64()
		return l, nil
	case string:
		return ParseBigint(x)
	}
	return nil, errorf(CodeCast, "cannot cast %T to BIGINT", v)
}

func castToDouble(v any) (any, error) {
	switch x := v.(type) {
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case Decimal:
		return x.Float64(), nil
	case string:
		return ParseDouble(x)
	}
	return nil, errorf(CodeCast, "cannot cast %T to DOUBLE", v)
}

func castToDecimal(v any, to *Type) (any, error) {
	var d Decimal
	switch x := v.(type) {
	case int32:
		d = NewDecimal(int64(x), 0)
	case int64:
		d = NewDecimal(x, 0)
	case float64:
		var err error
		if d, err = DecimalFromFloat64(x); err != nil {
			return nil, err
		}
	case Decimal:
		d = x
	case string:
		var err error
		if d, err = ParseDecimal(x); err != nil {
			return nil, err
		}
	default:
		return nil, errorf(CodeCast, "cannot cast %T to %s", v, to)
	}
	return d.Fit(to.Precision, to.Scale)
}

// CoerceTo converts a value already known to be of a type that
// CanImplicitlyCast to `to` (an INTEGER argument to a BIGINT parameter,
// DECIMAL(4,2) to DECIMAL(6,3)). It is Cast without the support check and
// is what the function library uses after overload resolution.
func CoerceTo(v any, from, to *Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	if from.Kind == Null {
		return nil, nil
	}
	return castValue(v, from, to)
}
