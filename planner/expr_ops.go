package planner

import (
	"fmt"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// errNullType is ksqlDB's message for an expression whose type cannot be
// inferred because it is an untyped NULL.
const errNullType = "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR)."

// compileUnary is -x or +x on a number.
func compileUnary(e *ast.Unary, sc *scope) (*compiled, error) {
	in, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	if in.typ.Kind == types.Null {
		return nil, errorf(e.Pos, errNullType)
	}
	if !in.typ.IsNumeric() {
		return nil, errorf(e.Pos, "Unsupported arithmetic type for unary %s: %s (%s)", e.Op, exprText(e.Expr), in.typ)
	}
	if e.Op == ast.UnaryPlus {
		return in, nil
	}
	ie := in.eval
	c := &compiled{typ: in.typ, eval: func(row []any) (any, error) {
		v, err := ie(row)
		if v == nil || err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int32:
			return types.NegInt32(x)
		case int64:
			return types.NegInt64(x)
		case float64:
			return -x, nil
		case types.Decimal:
			return x.Neg(), nil
		}
		return nil, fmt.Errorf("planner: negate %T", v)
	}}
	return fold(c, in), nil
}

var arithOps = map[ast.BinaryOp]types.ArithOp{
	ast.OpAdd: types.OpAdd, ast.OpSub: types.OpSub, ast.OpMul: types.OpMul,
	ast.OpDiv: types.OpDiv, ast.OpMod: types.OpMod,
}

// compileBinary dispatches on the operator class.
func compileBinary(e *ast.Binary, sc *scope) (*compiled, error) {
	switch {
	case e.Op == ast.OpAnd || e.Op == ast.OpOr:
		return compileLogic(e, sc)
	case e.Op.IsComparison():
		return compileComparison(e, sc)
	}
	l, err := compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := compileExpr(e.Right, sc)
	if err != nil {
		return nil, err
	}
	isStr := func(t *types.Type) bool { return t.Kind == types.String || t.Kind == types.Null }
	bothStr := isStr(l.typ) && isStr(r.typ) && (l.typ.Kind == types.String || r.typ.Kind == types.String)
	if e.Op == ast.OpConcat || (e.Op == ast.OpAdd && bothStr) {
		return compileConcat(e, l, r)
	}
	return compileArith(e, l, r)
}

// compileArith is + - * / % with ksqlDB's numeric result types. An
// untyped NULL operand takes the other side's type and yields NULL.
func compileArith(e *ast.Binary, l, r *compiled) (*compiled, error) {
	op := arithOps[e.Op]
	lt, rt := l.typ, r.typ
	if lt.Kind == types.Null && rt.Kind == types.Null {
		return nil, errorf(e.Pos, errNullType)
	}
	if lt.Kind == types.Null {
		lt = rt
	}
	if rt.Kind == types.Null {
		rt = lt
	}
	if !lt.IsNumeric() || !rt.IsNumeric() {
		return nil, errorf(e.Pos, "Error processing expression: %s. Unsupported arithmetic types. %s %s", exprText(e), lt, rt)
	}
	res, err := types.ArithResultType(op, lt, rt)
	if err != nil {
		return nil, errorf(e.Pos, "Error processing expression: %s. Unsupported arithmetic types. %s %s", exprText(e), lt, rt)
	}
	le, re := l.eval, r.eval
	c := &compiled{typ: res, eval: func(row []any) (any, error) {
		a, err := le(row)
		if a == nil || err != nil {
			return nil, err
		}
		b, err := re(row)
		if b == nil || err != nil {
			return nil, err
		}
		return types.Arith(op, a, lt, b, rt)
	}}
	return fold(c, l, r), nil
}

// compileConcat is a || b (and STRING + STRING, which ksqlDB also treats
// as concatenation) on strings; a NULL side gives NULL.
func compileConcat(e *ast.Binary, l, r *compiled) (*compiled, error) {
	for _, o := range []*compiled{l, r} {
		if o.typ.Kind != types.String && o.typ.Kind != types.Null {
			return nil, errorf(e.Pos, "Error processing expression: %s. Unsupported concatenation types. %s %s", exprText(e), l.typ, r.typ)
		}
	}
	le, re := l.eval, r.eval
	c := &compiled{typ: types.StringType, eval: func(row []any) (any, error) {
		a, err := le(row)
		if a == nil || err != nil {
			return nil, err
		}
		b, err := re(row)
		if b == nil || err != nil {
			return nil, err
		}
		return a.(string) + b.(string), nil
	}}
	return fold(c, l, r), nil
}

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
		return nil, errorf(e.Pos, "Comparison with NULL not supported: %s %s %s", nullText(e.Left), e.Op, nullText(e.Right))
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

func nullText(e ast.Expr) string {
	if isNullLiteral(e) {
		return "NULL"
	}
	return exprText(e)
}

// booleanOperand compiles an operand that must be BOOLEAN (or NULL).
func booleanOperand(e ast.Expr, sc *scope, what string) (*compiled, error) {
	c, err := compileExpr(e, sc)
	if err != nil {
		return nil, err
	}
	if c.typ.Kind != types.Boolean && c.typ.Kind != types.Null {
		return nil, errorf(e.Position(), "%s requires a BOOLEAN operand but %s is %s", what, exprText(e), c.typ)
	}
	return c, nil
}

// compileLogic is AND/OR with SQL's three-valued logic: FALSE AND NULL is
// FALSE, TRUE OR NULL is TRUE, otherwise a NULL operand gives NULL. The
// right side is not evaluated when the left decides.
func compileLogic(e *ast.Binary, sc *scope) (*compiled, error) {
	what := e.Op.String()
	l, err := booleanOperand(e.Left, sc, what)
	if err != nil {
		return nil, err
	}
	r, err := booleanOperand(e.Right, sc, what)
	if err != nil {
		return nil, err
	}
	// decisive is the value that settles the result on its own.
	decisive := e.Op == ast.OpOr
	le, re := l.eval, r.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		if a == decisive {
			return decisive, nil
		}
		b, err := re(row)
		if err != nil {
			return nil, err
		}
		if b == decisive {
			return decisive, nil
		}
		if a == nil || b == nil {
			return nil, nil
		}
		return !decisive, nil
	}}
	return fold(c, l, r), nil
}

// compileNot is NOT x: NULL stays NULL.
func compileNot(e *ast.Not, sc *scope) (*compiled, error) {
	in, err := booleanOperand(e.Expr, sc, "NOT")
	if err != nil {
		return nil, err
	}
	ie := in.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		v, err := ie(row)
		if v == nil || err != nil {
			return nil, err
		}
		return !v.(bool), nil
	}}
	return fold(c, in), nil
}

// compileBetween is x [NOT] BETWEEN low AND high, inclusive; any NULL
// gives NULL.
func compileBetween(e *ast.Between, sc *scope) (*compiled, error) {
	x, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	lo, err := compileExpr(e.Low, sc)
	if err != nil {
		return nil, err
	}
	hi, err := compileExpr(e.High, sc)
	if err != nil {
		return nil, err
	}
	var err2 error
	if x, lo, err2 = magicTimestamps(e.Expr, e.Low, x, lo); err2 != nil {
		return nil, err2
	}
	if x, hi, err2 = magicTimestamps(e.Expr, e.High, x, hi); err2 != nil {
		return nil, err2
	}
	if err := checkComparable(e.Pos, "BETWEEN", false, e.Expr, e.Low, x, lo); err != nil {
		return nil, err
	}
	if err := checkComparable(e.Pos, "BETWEEN", false, e.Expr, e.High, x, hi); err != nil {
		return nil, err
	}
	not, xe, le, he := e.Not, x.eval, lo.eval, hi.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		v, err := xe(row)
		if v == nil || err != nil {
			return nil, err
		}
		a, err := le(row)
		if a == nil || err != nil {
			return nil, err
		}
		b, err := he(row)
		if b == nil || err != nil {
			return nil, err
		}
		n1, err := types.Compare(v, a)
		if err != nil {
			return nil, err
		}
		n2, err := types.Compare(v, b)
		if err != nil {
			return nil, err
		}
		return (n1 >= 0 && n2 <= 0) != not, nil
	}}
	return fold(c, x, lo, hi), nil
}

// compileIn is x [NOT] IN (list): TRUE when an element equals x; NULL when
// none does but x or an element is NULL; FALSE otherwise.
func compileIn(e *ast.In, sc *scope) (*compiled, error) {
	x, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	list := make([]evalFn, len(e.List))
	var all []*compiled
	for i, le := range e.List {
		c, err := compileExpr(le, sc)
		if err != nil {
			return nil, err
		}
		if err := checkComparable(le.Position(), "EQUAL", true, e.Expr, le, x, c); err != nil {
			return nil, err
		}
		list[i] = c.eval
		all = append(all, c)
	}
	not, xe := e.Not, x.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		v, err := xe(row)
		if v == nil || err != nil {
			return nil, err
		}
		sawNull := false
		for _, le := range list {
			w, err := le(row)
			if err != nil {
				return nil, err
			}
			if w == nil {
				sawNull = true
				continue
			}
			n, err := compareValues(v, w)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return !not, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return not, nil
	}}
	return fold(c, append(all, x)...), nil
}

// compileIsNull is x IS [NOT] NULL, never NULL itself.
func compileIsNull(e *ast.IsNull, sc *scope) (*compiled, error) {
	in, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	not, ie := e.Not, in.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		v, err := ie(row)
		if err != nil {
			return nil, err
		}
		return (v == nil) != not, nil
	}}
	return fold(c, in), nil
}

// compileDistinct is a IS [NOT] DISTINCT FROM b: equality where NULL equals
// NULL, never NULL itself.
func compileDistinct(e *ast.IsDistinctFrom, sc *scope) (*compiled, error) {
	l, err := compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := compileExpr(e.Right, sc)
	if err != nil {
		return nil, err
	}
	name := "IS_DISTINCT_FROM"
	if e.Not {
		name = "IS_NOT_DISTINCT_FROM"
	}
	if err := checkComparable(e.Pos, name, true, e.Left, e.Right, l, r); err != nil {
		return nil, err
	}
	not, le, re := e.Not, l.eval, r.eval
	c := &compiled{typ: types.BooleanType, eval: func(row []any) (any, error) {
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		b, err := re(row)
		if err != nil {
			return nil, err
		}
		same := a == nil && b == nil
		if a != nil && b != nil {
			n, err := compareValues(a, b)
			if err != nil {
				return nil, err
			}
			same = n == 0
		}
		return same == not, nil
	}}
	return fold(c, l, r), nil
}

// commonType folds types.CommonType over the non-NULL types; it returns
// NullType when all are NULL.
func commonType(ts []*types.Type) (*types.Type, error) {
	out := types.NullType
	for _, t := range ts {
		if t.Kind == types.Null {
			continue
		}
		if out.Kind == types.Null {
			out = t
			continue
		}
		c, err := widerType(out, t)
		if err != nil {
			return nil, err
		}
		out = c
	}
	return out, nil
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
		ts, err := types.ParseTimestamp(s.Value)
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

// widerType is types.CommonType, extended as ksqlDB does for structs: two
// structs widen to the struct with the fields of both (by name, in order of
// first appearance), each field at the common type of its occurrences.
func widerType(a, b *types.Type) (*types.Type, error) {
	if a.Kind == types.StructKind && b.Kind == types.StructKind {
		fields := append([]types.Field(nil), a.Fields...)
		for _, f := range b.Fields {
			i := a.FieldIndex(f.Name)
			if i < 0 {
				fields = append(fields, f)
				continue
			}
			ft, err := widerType(fields[i].Type, f.Type)
			if err != nil {
				return nil, err
			}
			fields[i] = types.Field{Name: f.Name, Type: ft}
		}
		return types.StructOf(fields...), nil
	}
	if a.Kind == types.Array && b.Kind == types.Array {
		e, err := widerType(a.Elem, b.Elem)
		if err != nil {
			return nil, err
		}
		return types.ArrayOf(e), nil
	}
	if a.Kind == types.Null {
		return b, nil
	}
	if b.Kind == types.Null {
		return a, nil
	}
	return types.CommonType(a, b)
}

// widenValue converts a value to a wider type, including struct widening
// (missing fields are NULL), which types.CoerceTo does not know.
func widenValue(v any, from, to *types.Type) (any, error) {
	if v == nil || from.Equal(to) {
		return v, nil
	}
	switch {
	case from.Kind == types.StructKind && to.Kind == types.StructKind:
		s, ok := v.(*types.Struct)
		if !ok {
			return nil, fmt.Errorf("planner: struct value %T", v)
		}
		vals := make([]any, len(to.Fields))
		for i, f := range to.Fields {
			j := from.FieldIndex(f.Name)
			if j < 0 {
				continue
			}
			fv, err := widenValue(s.Values[j], from.Fields[j].Type, f.Type)
			if err != nil {
				return nil, err
			}
			vals[i] = fv
		}
		return &types.Struct{Type: to, Values: vals}, nil
	case from.Kind == types.Array && to.Kind == types.Array:
		list, _ := v.([]any)
		out := make([]any, len(list))
		for i, e := range list {
			ev, err := widenValue(e, from.Elem, to.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return types.CoerceTo(v, from, to)
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
