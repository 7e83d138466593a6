package types

// Implicit widening follows ksqlDB: numbers widen along
// INTEGER → BIGINT → DECIMAL → DOUBLE and never narrow, a DECIMAL widens to
// another DECIMAL only when neither integer digits nor scale are lost, an
// untyped NULL fits anything, and containers widen element-wise. Function
// overload resolution, INSERT INTO and the branches of CASE/COALESCE all
// use these rules, so they live here rather than in the planner.

// CanImplicitlyCast reports whether a value of type from may be used where
// type to is expected without an explicit CAST.
func CanImplicitlyCast(from, to *Type) bool {
	if from == nil || to == nil {
		return false
	}
	if from.Kind == Null {
		return true
	}
	if from.Equal(to) {
		return true
	}
	switch from.Kind {
	case Integer:
		switch to.Kind {
		case Bigint, Double:
			return true
		case DecimalKind:
			return decimalHolds(to, DecimalOf(10, 0))
		}
	case Bigint:
		switch to.Kind {
		case Double:
			return true
		case DecimalKind:
			return decimalHolds(to, DecimalOf(19, 0))
		}
	case DecimalKind:
		switch to.Kind {
		case Double:
			return true
		case DecimalKind:
			return decimalHolds(to, from)
		}
	case Array:
		return to.Kind == Array && CanImplicitlyCast(from.Elem, to.Elem)
	case MapKind:
		return to.Kind == MapKind && CanImplicitlyCast(from.Key, to.Key) && CanImplicitlyCast(from.Elem, to.Elem)
	case StructKind:
		if to.Kind != StructKind || len(from.Fields) != len(to.Fields) {
			return false
		}
		for i, f := range from.Fields {
			if f.Name != to.Fields[i].Name || !CanImplicitlyCast(f.Type, to.Fields[i].Type) {
				return false
			}
		}
		return true
	}
	return false
}

// decimalHolds reports whether every value of DECIMAL d fits DECIMAL t.
func decimalHolds(t, d *Type) bool {
	return t.Scale >= d.Scale && t.Precision-t.Scale >= d.Precision-d.Scale
}

// CommonType returns the narrowest type both a and b widen to implicitly,
// for CASE branches, COALESCE arguments, array and map constructors and
// the two sides of a comparison. It fails when there is none.
func CommonType(a, b *Type) (*Type, error) {
	if a == nil || b == nil {
		return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
	}
	switch {
	case a.Kind == Null:
		return b, nil
	case b.Kind == Null:
		return a, nil
	case a.Equal(b):
		return a, nil
	}
	if a.IsNumeric() && b.IsNumeric() {
		switch {
		case a.Kind == Double || b.Kind == Double:
			return DoubleType, nil
		case a.Kind == DecimalKind || b.Kind == DecimalKind:
			da, db := DecimalTypeOf(a), DecimalTypeOf(b)
			s := max(da.Scale, db.Scale)
			return decimalType(s+max(da.Precision-da.Scale, db.Precision-db.Scale), s), nil
		default:
			return BigintType, nil
		}
	}
	switch {
	case a.Kind == Array && b.Kind == Array:
		e, err := CommonType(a.Elem, b.Elem)
		if err != nil {
			return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
		}
		return ArrayOf(e), nil
	case a.Kind == MapKind && b.Kind == MapKind:
		k, err1 := CommonType(a.Key, b.Key)
		v, err2 := CommonType(a.Elem, b.Elem)
		if err1 != nil || err2 != nil {
			return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
		}
		return MapOf(k, v), nil
	case a.Kind == StructKind && b.Kind == StructKind && len(a.Fields) == len(b.Fields):
		fields := make([]Field, len(a.Fields))
		for i, f := range a.Fields {
			if f.Name != b.Fields[i].Name {
				return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
			}
			t, err := CommonType(f.Type, b.Fields[i].Type)
			if err != nil {
				return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
			}
			fields[i] = Field{Name: f.Name, Type: t}
		}
		return StructOf(fields...), nil
	}
	return nil, errorf(CodeUnsupportedCast, "no common type for %s and %s", a, b)
}

// Comparable reports whether values of a and b may be compared with the
// ordering operators (<, <=, >, >=, BETWEEN): numbers with numbers, a
// string with a string, a DATE/TIME/TIMESTAMP with its own kind, with
// DATE/TIMESTAMP mixed, or with a STRING that parses as one, BOOLEAN with
// BOOLEAN, BYTES with BYTES. Containers only support equality, see
// EqualityComparable.
func Comparable(a, b *Type) bool {
	if a == nil || b == nil {
		return false
	}
	if a.Kind == Null || b.Kind == Null {
		return true
	}
	if a.IsNumeric() && b.IsNumeric() {
		return true
	}
	if a.Kind == b.Kind {
		switch a.Kind {
		case Boolean, String, Bytes, DateKind, TimeKind, TimestampKind:
			return true
		}
		return false
	}
	temporal := func(k Kind) bool { return k == DateKind || k == TimeKind || k == TimestampKind }
	switch {
	case a.Kind == DateKind && b.Kind == TimestampKind, a.Kind == TimestampKind && b.Kind == DateKind:
		return true
	case a.Kind == String && temporal(b.Kind), b.Kind == String && temporal(a.Kind):
		return true
	}
	return false
}

// EqualityComparable reports whether = and <> apply to values of a and b:
// everything Comparable, plus arrays, maps and structs of the same shape.
func EqualityComparable(a, b *Type) bool {
	if Comparable(a, b) {
		return true
	}
	if a == nil || b == nil || a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Array:
		return EqualityComparable(a.Elem, b.Elem)
	case MapKind:
		return EqualityComparable(a.Key, b.Key) && EqualityComparable(a.Elem, b.Elem)
	case StructKind:
		_, err := CommonType(a, b)
		return err == nil
	}
	return false
}
