package planner

import (
	"strings"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// comparisonNames are the operator names ksqlDB's messages use.
var comparisonNames = map[ast.BinaryOp]string{
	ast.OpEq: "EQUAL", ast.OpNeq: "NOT_EQUAL", ast.OpLt: "LESS_THAN", ast.OpLte: "LESS_THAN_OR_EQUAL",
	ast.OpGt: "GREATER_THAN", ast.OpGte: "GREATER_THAN_OR_EQUAL",
}

// checkComparable applies ksqlDB's comparison typing: = and <> accept
// containers of the same shape, the ordering operators do not.
func checkComparable(pos ast.Pos, opName string, equality bool, le, re ast.Expr, l, r *compiled) error {
	if l.typ.Kind == types.Null || r.typ.Kind == types.Null {
		return nil
	}
	ok := types.Comparable(l.typ, r.typ)
	if equality {
		ok = types.EqualityComparable(l.typ, r.typ)
	}
	if !ok {
		return errorf(pos, "Cannot compare %s (%s) to %s (%s) with %s.", exprText(le), l.typ, exprText(re), r.typ, opName)
	}
	return nil
}

// compareValues compares two non-null values: containers only by
// equality (ordered is false for them), everything else through
// types.Compare, which also parses strings compared with temporal values.
func compareValues(a, b any) (int, error) {
	switch a.(type) {
	case []any, *types.Map, *types.Struct:
		if types.Equal(a, b) {
			return 0, nil
		}
		return 1, nil
	}
	return types.Compare(a, b)
}

// compileComparison is = <> < <= > >=. A NULL operand gives FALSE, not
// NULL: that is how ksqlDB evaluates comparisons (its corpus expects
// `ID = COL0` to be false when COL0 is null). A literal NULL operand is
// rejected, as in ksqlDB. A string literal compared with ROWTIME is read
// as a timestamp ("magic timestamp conversion").
func compileComparison(e *ast.Binary, sc *scope) (*compiled, error) {
	l, err := compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := compileExpr(e.Right, sc)
	if err != nil {
		return nil, err
	}
	if isNullLiteral(e.Left) || isNullLiteral(e.Right) {
		return nil, errorf(e.Pos, "Comparison with NULL not supported: %s %s %s\nUse 'IS NULL' or 'IS NOT NULL' instead.", nullOperand(e.Left, l), e.Op, nullOperand(e.Right, r))
	}
	var err2 error
	if l, r, err2 = magicTimestamps(e.Left, e.Right, l, r); err2 != nil {
		return nil, err2
	}
	eq := e.Op == ast.OpEq || e.Op == ast.OpNeq
	if err := checkComparable(e.Pos, comparisonNames[e.Op], eq, e.Left, e.Right, l, r); err != nil {
		return nil, err
	}
	l, r = alignConstant(l, r)
	if fast := typedComparison(e.Op, l, r); fast != nil {
		return fold(fast, l, r), nil
	}
	op, le, re := e.Op, l.eval, r.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return false, nil
		}
		b, err := re(row)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return false, nil
		}
		n, err := compareValues(a, b)
		if err != nil {
			return nil, err
		}
		switch op {
		case ast.OpEq:
			return n == 0, nil
		case ast.OpNeq:
			return n != 0, nil
		case ast.OpLt:
			return n < 0, nil
		case ast.OpLte:
			return n <= 0, nil
		case ast.OpGt:
			return n > 0, nil
		}
		return n >= 0, nil
	}}
	return fold(c, l, r), nil
}

func isNullLiteral(e ast.Expr) bool {
	_, ok := e.(*ast.NullLiteral)
	return ok
}

// nullOperand names an operand of a comparison with a NULL literal the
// way ksqlDB's type checker does: by its SQL type, NULL for the literal.
func nullOperand(e ast.Expr, c *compiled) string {
	if isNullLiteral(e) || c.typ == nil || c.typ.Kind == types.Null {
		return "NULL"
	}
	return c.typ.String()
}

// magicTimestamps implements ksqlDB's conversion of a string literal
// compared with ROWTIME (or WINDOWSTART/WINDOWEND): the string is parsed as
// a timestamp (partial dates and zones allowed) and compared as epoch
// milliseconds.
func magicTimestamps(le, re ast.Expr, l, r *compiled) (*compiled, *compiled, error) {
	conv := func(col ast.Expr, lit ast.Expr, c *compiled) (*compiled, error) {
		ref, ok := col.(*ast.ColumnRef)
		if !ok || (ref.Name != "ROWTIME" && ref.Name != "WINDOWSTART" && ref.Name != "WINDOWEND") {
			return c, nil
		}
		s, ok := lit.(*ast.StringLiteral)
		if !ok {
			return c, nil
		}
		ts, err := parseMagicTimestamp(s.Value)
		if err != nil {
			return nil, errorf(s.Pos, "Failed to parse timestamp '%s': %v", s.Value, decimalMessage(err))
		}
		return constant(int64(ts), types.BigintType), nil
	}
	var err error
	if r, err = conv(le, re, r); err != nil {
		return nil, nil, err
	}
	if l, err = conv(re, le, l); err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// parseMagicTimestamp reads the text of a string compared with ROWTIME or a
// window bound as ksqlDB's partial-timestamp parser does: missing parts
// are completed, then Java's SMART resolution applies, which also takes
// the hour 24 with an otherwise zero time as the midnight that ends that
// day ('2020-02-24T24' is 2020-02-25T00:00).
func parseMagicTimestamp(s string) (types.Timestamp, error) {
	ts, err := types.ParseTimestamp(s)
	if err == nil {
		return ts, nil
	}
	t := strings.TrimSpace(s)
	i := strings.IndexAny(t, "T ")
	if i < 0 || !strings.HasPrefix(t[i+1:], "24") {
		return 0, err
	}
	rest := t[i+3:]
	if z := strings.IndexAny(rest, "Zz+-"); z >= 0 {
		rest = rest[:z]
	}
	if strings.Trim(rest, ":.0") != "" {
		return 0, err
	}
	midnight, err2 := types.ParseTimestamp(t[:i+1] + "00" + t[i+3:])
	if err2 != nil {
		return 0, err
	}
	return midnight + types.Timestamp(24*time.Hour/time.Millisecond), nil
}

// alignConstant converts a numeric constant compared with a numeric
// expression of another type to that expression's type when that is their
// common type (TEMP > 30.0 compares DOUBLEs), so the comparison can use a
// typed fast path instead of converting on every row.
func alignConstant(l, r *compiled) (*compiled, *compiled) {
	if l.typ.Kind == r.typ.Kind || !l.typ.IsNumeric() || !r.typ.IsNumeric() || l.isConst == r.isConst {
		return l, r
	}
	common, err := types.CommonType(l.typ, r.typ)
	if err != nil {
		return l, r
	}
	conv := func(c *compiled, to *types.Type) *compiled {
		if c.val == nil {
			return c
		}
		v, err := types.CoerceTo(c.val, c.typ, to)
		if err != nil {
			return c
		}
		return constant(v, to)
	}
	if r.isConst && common.Kind == l.typ.Kind && common.Kind != types.DecimalKind {
		return l, conv(r, l.typ)
	}
	if l.isConst && common.Kind == r.typ.Kind && common.Kind != types.DecimalKind {
		return conv(l, r.typ), r
	}
	return l, r
}

// typedComparison returns a comparison specialised for two operands of the
// same primitive kind, or nil when the generic path is needed. The result
// is ksqlDB's: a NULL operand compares FALSE.
func typedComparison(op ast.BinaryOp, l, r *compiled) *compiled {
	if l.typ.Kind != r.typ.Kind {
		return nil
	}
	le, re := l.eval, r.eval
	var cmp func(a, b any) int
	switch l.typ.Kind {
	case types.Integer:
		cmp = func(a, b any) int { return cmpOrdered(a.(int32), b.(int32)) }
	case types.Bigint:
		cmp = func(a, b any) int { return cmpOrdered(a.(int64), b.(int64)) }
	case types.String:
		cmp = func(a, b any) int { return cmpOrdered(a.(string), b.(string)) }
	case types.Double:
		// Plain float comparison: NaN is neither less, equal nor greater.
		cmp = func(a, b any) int {
			x, y := a.(float64), b.(float64)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			case x == y:
				return 0
			}
			return 2
		}
	default:
		return nil
	}
	test := comparisonTest(op)
	return &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return false, nil
		}
		b, err := re(row)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return false, nil
		}
		return test(cmp(a, b)), nil
	}}
}

func cmpOrdered[T int32 | int64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// comparisonTest maps a three-way result to the operator's truth; 2 means
// unordered (NaN), for which only <> holds.
func comparisonTest(op ast.BinaryOp) func(n int) bool {
	switch op {
	case ast.OpEq:
		return func(n int) bool { return n == 0 }
	case ast.OpNeq:
		return func(n int) bool { return n != 0 }
	case ast.OpLt:
		return func(n int) bool { return n == -1 }
	case ast.OpLte:
		return func(n int) bool { return n == -1 || n == 0 }
	case ast.OpGt:
		return func(n int) bool { return n == 1 }
	}
	return func(n int) bool { return n == 1 || n == 0 }
}
