package types

// TypeOf infers the SQL type of a Go value, for literals and for checking
// what a function returned. DECIMAL gets the value's own precision and
// scale; an empty or all-NULL array or map has NULL element types (which
// CommonType and CanImplicitlyCast accept anywhere); element types are the
// CommonType of the elements. It returns nil for a Go type outside the
// representation, and NullType for nil.
func TypeOf(v any) *Type {
	switch x := v.(type) {
	case nil:
		return NullType
	case bool:
		return BooleanType
	case int32:
		return IntegerType
	case int64:
		return BigintType
	case float64:
		return DoubleType
	case Decimal:
		if x.Unscaled == nil {
			return nil
		}
		s := max(int(x.Scale), 0)
		return DecimalOf(max(x.Precision()+max(0, -int(x.Scale)), s, 1), s)
	case string:
		return StringType
	case []byte:
		return BytesType
	case Date:
		return DateType
	case Time:
		return TimeType
	case Timestamp:
		return TimestampType
	case []any:
		e := commonOf(x)
		if e == nil {
			return nil
		}
		return ArrayOf(e)
	case *Map:
		if x == nil {
			return nil
		}
		k, e := commonOf(x.Keys), commonOf(x.Values)
		if k == nil || e == nil {
			return nil
		}
		return MapOf(k, e)
	case *Struct:
		if x == nil {
			return nil
		}
		return x.Type
	}
	return nil
}

func commonOf(vs []any) *Type {
	t := NullType
	for _, v := range vs {
		vt := TypeOf(v)
		if vt == nil {
			return nil
		}
		c, err := CommonType(t, vt)
		if err != nil {
			return nil
		}
		t = c
	}
	return t
}
