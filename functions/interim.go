package functions

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"

	"github.com/sluicedb/sluice/types"
)

// INTERIM: the helpers in this file stand in for types.CanImplicitlyCast,
// types.Compare and types.Equal, which the types package is adding under
// those agreed names. Replace each call with the types function once it
// lands, then delete this file.

// canImplicitlyCast reports whether ksqlDB widens from to to without an
// explicit CAST: INT → BIGINT → DECIMAL → DOUBLE, and DECIMAL to a DECIMAL
// with at least as many integer and fraction digits.
func canImplicitlyCast(from, to *types.Type) bool {
	if from == nil || to == nil {
		return false
	}
	if from.Equal(to) {
		return true
	}
	switch from.Kind {
	case types.Integer:
		switch to.Kind {
		case types.Bigint, types.Double:
			return true
		case types.DecimalKind:
			return to.Precision-to.Scale >= 10
		}
	case types.Bigint:
		switch to.Kind {
		case types.Double:
			return true
		case types.DecimalKind:
			return to.Precision-to.Scale >= 19
		}
	case types.DecimalKind:
		switch to.Kind {
		case types.Double:
			return true
		case types.DecimalKind:
			return to.Scale >= from.Scale && to.Precision-to.Scale >= from.Precision-from.Scale
		}
	}
	return false
}

// errIncomparable is returned when two values have no SQL ordering.
var errIncomparable = errors.New("functions: values are not comparable")

// compareValues orders two non-nil values of the same SQL type (numbers
// across numeric types), the natural order ARRAY_SORT, MIN, MAX, TOPK and
// GREATEST use. Strings compare by UTF-16 code unit in ksqlDB; for the
// BMP that equals byte order of UTF-8, which is what we use.
func compareValues(a, b any) (int, error) {
	switch x := a.(type) {
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
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y), nil
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y), nil
		}
	case types.Date:
		if y, ok := b.(types.Date); ok {
			return cmp.Compare(x, y), nil
		}
	case types.Time:
		if y, ok := b.(types.Time); ok {
			return cmp.Compare(x, y), nil
		}
	case types.Timestamp:
		if y, ok := b.(types.Timestamp); ok {
			return cmp.Compare(x, y), nil
		}
	case int32, int64, float64, types.Decimal:
		return compareNumbers(a, b)
	}
	return 0, fmt.Errorf("%w: %T and %T", errIncomparable, a, b)
}

func compareNumbers(a, b any) (int, error) {
	ia, aInt := asInt64(a)
	ib, bInt := asInt64(b)
	if aInt && bInt {
		return cmp.Compare(ia, ib), nil
	}
	da, aDec := a.(types.Decimal)
	db, bDec := b.(types.Decimal)
	switch {
	case aDec && bDec:
		return da.Cmp(db), nil
	case aDec && bInt:
		return da.Cmp(types.DecimalFromInt64(ib)), nil
	case aInt && bDec:
		return types.DecimalFromInt64(ia).Cmp(db), nil
	}
	fa, okA := asFloat64(a)
	fb, okB := asFloat64(b)
	if !okA || !okB {
		return 0, fmt.Errorf("%w: %T and %T", errIncomparable, a, b)
	}
	// Java's Double.compare: NaN is greater than everything, -0 < +0.
	switch {
	case math.IsNaN(fa) && math.IsNaN(fb):
		return 0, nil
	case math.IsNaN(fa):
		return 1, nil
	case math.IsNaN(fb):
		return -1, nil
	}
	return cmp.Compare(fa, fb), nil
}

// equalValues is SQL equality of two values, NULL equal to NULL (the
// semantics collection functions need: ARRAY_DISTINCT keeps one NULL).
func equalValues(a, b any) bool {
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
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case *types.Map:
		y, ok := b.(*types.Map)
		if !ok || len(x.Keys) != len(y.Keys) {
			return false
		}
		for i, k := range x.Keys {
			j := mapIndex(y, k)
			if j < 0 || !equalValues(x.Values[i], y.Values[j]) {
				return false
			}
		}
		return true
	case *types.Struct:
		y, ok := b.(*types.Struct)
		if !ok || len(x.Values) != len(y.Values) {
			return false
		}
		for i := range x.Values {
			if !equalValues(x.Values[i], y.Values[i]) {
				return false
			}
		}
		return true
	case float64:
		if y, ok := b.(float64); ok {
			return x == y || (math.IsNaN(x) && math.IsNaN(y))
		}
	}
	c, err := compareValues(a, b)
	return err == nil && c == 0
}
