package types

import "math"

// Checked integer arithmetic. ksqlDB inherits Java's silent wrap-around on
// INTEGER and BIGINT overflow; Sluice reports it instead, as a CodeOverflow
// error the engine routes to the processing log (the row's result is NULL
// and the query keeps running). Division and modulo by zero are
// CodeDivideByZero, as in ksqlDB. DOUBLE arithmetic follows IEEE 754 and
// never fails.

// AddInt32 returns a + b or an overflow error.
func AddInt32(a, b int32) (int32, error) {
	s := int64(a) + int64(b)
	if s > math.MaxInt32 || s < math.MinInt32 {
		return 0, errorf(CodeOverflow, "integer overflow: %d + %d", a, b)
	}
	return int32(s), nil
}

// SubInt32 returns a - b or an overflow error.
func SubInt32(a, b int32) (int32, error) {
	s := int64(a) - int64(b)
	if s > math.MaxInt32 || s < math.MinInt32 {
		return 0, errorf(CodeOverflow, "integer overflow: %d - %d", a, b)
	}
	return int32(s), nil
}

// MulInt32 returns a × b or an overflow error.
func MulInt32(a, b int32) (int32, error) {
	s := int64(a) * int64(b)
	if s > math.MaxInt32 || s < math.MinInt32 {
		return 0, errorf(CodeOverflow, "integer overflow: %d * %d", a, b)
	}
	return int32(s), nil
}

// DivInt32 returns a / b truncated toward zero.
func DivInt32(a, b int32) (int32, error) {
	if b == 0 {
		return 0, errorf(CodeDivideByZero, "integer division by zero: %d / 0", a)
	}
	if a == math.MinInt32 && b == -1 {
		return 0, errorf(CodeOverflow, "integer overflow: %d / -1", a)
	}
	return a / b, nil
}

// ModInt32 returns a % b with the sign of a.
func ModInt32(a, b int32) (int32, error) {
	if b == 0 {
		return 0, errorf(CodeDivideByZero, "integer modulo by zero: %d %% 0", a)
	}
	if b == -1 {
		return 0, nil
	}
	return a % b, nil
}

// NegInt32 returns -a or an overflow error for the minimum value.
func NegInt32(a int32) (int32, error) {
	if a == math.MinInt32 {
		return 0, errorf(CodeOverflow, "integer overflow: -(%d)", a)
	}
	return -a, nil
}

// AddInt64 returns a + b or an overflow error.
func AddInt64(a, b int64) (int64, error) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, errorf(CodeOverflow, "bigint overflow: %d + %d", a, b)
	}
	return s, nil
}

// SubInt64 returns a - b or an overflow error.
func SubInt64(a, b int64) (int64, error) {
	s := a - b
	if (s < a) != (b > 0) {
		return 0, errorf(CodeOverflow, "bigint overflow: %d - %d", a, b)
	}
	return s, nil
}

// MulInt64 returns a × b or an overflow error.
func MulInt64(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, errorf(CodeOverflow, "bigint overflow: %d * %d", a, b)
	}
	return p, nil
}

// DivInt64 returns a / b truncated toward zero.
func DivInt64(a, b int64) (int64, error) {
	if b == 0 {
		return 0, errorf(CodeDivideByZero, "bigint division by zero: %d / 0", a)
	}
	if a == math.MinInt64 && b == -1 {
		return 0, errorf(CodeOverflow, "bigint overflow: %d / -1", a)
	}
	return a / b, nil
}

// ModInt64 returns a % b with the sign of a.
func ModInt64(a, b int64) (int64, error) {
	if b == 0 {
		return 0, errorf(CodeDivideByZero, "bigint modulo by zero: %d %% 0", a)
	}
	if b == -1 {
		return 0, nil
	}
	return a % b, nil
}

// NegInt64 returns -a or an overflow error for the minimum value.
func NegInt64(a int64) (int64, error) {
	if a == math.MinInt64 {
		return 0, errorf(CodeOverflow, "bigint overflow: -(%d)", a)
	}
	return -a, nil
}

// ArithOp names a binary arithmetic operator.
type ArithOp uint8

// The arithmetic operators.
const (
	OpAdd ArithOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
)

// String returns the operator symbol.
func (op ArithOp) String() string { return [...]string{"+", "-", "*", "/", "%"}[op] }

// ArithResultType is the type of `a op b` for numeric operands: the common
// numeric type, except that DECIMAL results follow ksqlDB's precision and
// scale rules (see DecimalAddType and friends).
func ArithResultType(op ArithOp, a, b *Type) (*Type, error) {
	if a == nil || b == nil || !a.IsNumeric() || !b.IsNumeric() {
		return nil, errorf(CodeUnsupportedCast, "operator %s does not apply to %s and %s", op, a, b)
	}
	if a.Kind == Double || b.Kind == Double {
		return DoubleType, nil
	}
	if a.Kind == DecimalKind || b.Kind == DecimalKind {
		da, db := DecimalTypeOf(a), DecimalTypeOf(b)
		switch op {
		case OpAdd, OpSub:
			return DecimalAddType(da, db), nil
		case OpMul:
			return DecimalMulType(da, db), nil
		case OpDiv:
			return DecimalDivType(da, db), nil
		default:
			return DecimalModType(da, db), nil
		}
	}
	if a.Kind == Bigint || b.Kind == Bigint {
		return BigintType, nil
	}
	return IntegerType, nil
}

// Arith evaluates `a op b` for values of types at and bt, producing a value
// of ArithResultType. NULL in gives NULL out (no error). Errors are the
// value-level CodeOverflow, CodeDivideByZero and CodeCast (a DECIMAL result
// that does not fit its type).
func Arith(op ArithOp, a any, at *Type, b any, bt *Type) (any, error) {
	if a == nil || b == nil {
		return nil, nil
	}
	if invalidDecimal(a) || invalidDecimal(b) {
		return nil, errorf(CodeCast, "invalid DECIMAL value")
	}
	rt, err := ArithResultType(op, at, bt)
	if err != nil {
		return nil, err
	}
	switch rt.Kind {
	case Integer:
		x, ok1 := a.(int32)
		y, ok2 := b.(int32)
		if !ok1 || !ok2 {
			return nil, errorf(CodeCast, "operator %s: values %T and %T do not match INTEGER", op, a, b)
		}
		switch op {
		case OpAdd:
			return AddInt32(x, y)
		case OpSub:
			return SubInt32(x, y)
		case OpMul:
			return MulInt32(x, y)
		case OpDiv:
			return DivInt32(x, y)
		default:
			return ModInt32(x, y)
		}
	case Bigint:
		x, y := toInt64(a), toInt64(b)
		switch op {
		case OpAdd:
			return AddInt64(x, y)
		case OpSub:
			return SubInt64(x, y)
		case OpMul:
			return MulInt64(x, y)
		case OpDiv:
			return DivInt64(x, y)
		default:
			return ModInt64(x, y)
		}
	case Double:
		x, _ := castToDouble(a)
		y, _ := castToDouble(b)
		fx, fy := x.(float64), y.(float64)
		switch op {
		case OpAdd:
			return fx + fy, nil
		case OpSub:
			return fx - fy, nil
		case OpMul:
			return fx * fy, nil
		case OpDiv:
			return fx / fy, nil
		default:
			return math.Mod(fx, fy), nil
		}
	}
	x, y := toDecimal(a), toDecimal(b)
	var r Decimal
	switch op {
	case OpAdd:
		r = x.Add(y)
	case OpSub:
		r = x.Sub(y)
	case OpMul:
		r = x.Mul(y)
	case OpDiv:
		if r, err = x.Quo(y, int32(rt.Scale)); err != nil {
			return nil, err
		}
	default:
		if r, err = x.Rem(y); err != nil {
			return nil, err
		}
	}
	return r.Fit(rt.Precision, rt.Scale)
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func toDecimal(v any) Decimal {
	switch x := v.(type) {
	case int32:
		return NewDecimal(int64(x), 0)
	case int64:
		return NewDecimal(x, 0)
	case Decimal:
		return x
	}
	return NewDecimal(0, 0)
}

// AnyNull reports whether any argument is NULL; most functions and
// operators return NULL without evaluating when it is true.
func AnyNull(vs ...any) bool {
	for _, v := range vs {
		if v == nil {
			return true
		}
	}
	return false
}

// Coalesce returns the first non-NULL value, or NULL.
func Coalesce(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
