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
	if e.Op != ast.OpConcat && (l.typ.Kind == types.Null || r.typ.Kind == types.Null) {
		// ksqlDB rejects arithmetic on an untyped NULL rather than typing it.
		return nil, errorf(e.Pos, "Error processing expression: %s. Arithmetic on types %s and %s are not supported.",
			exprText(e), typeName(l.typ), typeName(r.typ))
	}
	if e.Op == ast.OpConcat || (e.Op == ast.OpAdd && l.typ.Kind == types.String && r.typ.Kind == types.String) {
		return compileConcat(e, l, r)
	}
	return compileArith(e, l, r, len(sc.lambdas) > 0)
}

// compileArith is + - * / % with ksqlDB's numeric result types. A NULL
// operand gives NULL, except inside a lambda body, where it is an error:
// ksqlDB's lambdas fail on it (TRANSFORM(ARRAY[5, NULL], x => x + 5) is
// NULL as a whole, not [10, NULL]), and its corpus expects that.
func compileArith(e *ast.Binary, l, r *compiled, inLambda bool) (*compiled, error) {
	op := arithOps[e.Op]
	lt, rt := l.typ, r.typ
	if !lt.IsNumeric() || !rt.IsNumeric() {
		return nil, errorf(e.Pos, "Error processing expression: %s. Unsupported arithmetic types. %s %s", exprText(e), lt, rt)
	}
	res, err := types.ArithResultType(op, lt, rt)
	if err != nil {
		return nil, errorf(e.Pos, "Error processing expression: %s. Unsupported arithmetic types. %s %s", exprText(e), lt, rt)
	}
	le, re := l.eval, r.eval
	text := exprText(e)
	c := &compiled{typ: res, eval: func(row []any) (any, error) {
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		b, err := re(row)
		if err != nil {
			return nil, err
		}
		if a == nil || b == nil {
			if inLambda {
				return nil, fmt.Errorf("planner: NULL operand in %s inside a lambda", text)
			}
			return nil, nil
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
// checkComparable applies ksqlDB's comparison typing: = and <> accept
// containers of the same shape, the ordering operators do not.
// compareValues compares two non-null values: containers only by
// equality (ordered is false for them), everything else through
// types.Compare, which also parses strings compared with temporal values.
// compileComparison is = <> < <= > >=. A NULL operand gives FALSE, not
// NULL: that is how ksqlDB evaluates comparisons (its corpus expects
// `ID = COL0` to be false when COL0 is null). A literal NULL operand is
// rejected, as in ksqlDB. A string literal compared with ROWTIME is read
// as a timestamp ("magic timestamp conversion").
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

// compileBetween is x [NOT] BETWEEN low AND high, inclusive. As in
// ksqlDB, a NULL operand makes BETWEEN false (so NOT BETWEEN true).
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
		if err != nil {
			return nil, err
		}
		a, err := le(row)
		if err != nil {
			return nil, err
		}
		b, err := he(row)
		if err != nil {
			return nil, err
		}
		if v == nil || a == nil || b == nil {
			return not, nil
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

// compileIn is x [NOT] IN (list): TRUE when an element equals x, FALSE
// otherwise, NULLs matching nothing; as in ksqlDB it is never NULL.
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
		if err != nil {
			return nil, err
		}
		if v == nil {
			return not, nil
		}
		for _, le := range list {
			w, err := le(row)
			if err != nil {
				return nil, err
			}
			if w == nil {
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
