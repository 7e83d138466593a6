package planner

import (
	"fmt"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// compileExpr types and compiles e in scope sc. Type errors are planning
// errors positioned at the offending node; errors that depend on values
// (overflow, a bad cast of a column) are left to evaluation.
func compileExpr(e ast.Expr, sc *scope) (*compiled, error) {
	if sc.subst != nil {
		if c, ok, err := sc.subst(e, sc); ok || err != nil {
			return c, err
		}
	}
	switch e := e.(type) {
	case *ast.NullLiteral:
		return constant(nil, types.NullType), nil
	case *ast.BooleanLiteral:
		return constant(e.Value, types.BooleanType), nil
	case *ast.IntegerLiteral:
		if e.Value >= -1<<31 && e.Value < 1<<31 {
			return constant(int32(e.Value), types.IntegerType), nil
		}
		return constant(e.Value, types.BigintType), nil
	case *ast.DecimalLiteral:
		v, t, err := types.ParseNumericLiteral(e.Text)
		if err != nil {
			return nil, errorf(e.Pos, "%s", decimalMessage(err))
		}
		return constant(v, t), nil
	case *ast.DoubleLiteral:
		return constant(e.Value, types.DoubleType), nil
	case *ast.StringLiteral:
		return constant(e.Value, types.StringType), nil
	case *ast.VariableRef:
		return nil, errorf(e.Pos, "Undefined variable: ${%s}", e.Name)
	case *ast.ColumnRef:
		return compileColumn(e, sc)
	case *ast.Dereference:
		return compileDereference(e, sc)
	case *ast.Subscript:
		return compileSubscript(e, sc)
	case *ast.FunctionCall:
		return compileCall(e, sc)
	case *ast.Lambda:
		return nil, errorf(e.Pos, "Lambda expressions are only allowed as function arguments: %s", exprText(e))
	case *ast.Cast:
		return compileCast(e, sc)
	case *ast.Case:
		return compileCase(e, sc)
	case *ast.ArrayConstructor:
		return compileArray(e, sc)
	case *ast.MapConstructor:
		return compileMap(e, sc)
	case *ast.StructConstructor:
		return compileStruct(e, sc)
	case *ast.Unary:
		return compileUnary(e, sc)
	case *ast.Binary:
		return compileBinary(e, sc)
	case *ast.Not:
		return compileNot(e, sc)
	case *ast.Between:
		return compileBetween(e, sc)
	case *ast.In:
		return compileIn(e, sc)
	case *ast.Like:
		return compileLike(e, sc)
	case *ast.IsNull:
		return compileIsNull(e, sc)
	case *ast.IsDistinctFrom:
		return compileDistinct(e, sc)
	}
	return nil, errorf(e.Position(), "Unsupported expression: %s", exprText(e))
}

// compileTop compiles an expression that an operator will evaluate,
// recording the row positions it reads.
func compileTop(e ast.Expr, sc *scope) (*compiled, error) {
	var reads []int
	inner := *sc
	inner.reads = &reads
	c, err := compileExpr(e, &inner)
	if err != nil {
		return nil, err
	}
	out := *c
	out.reads = dedupe(reads)
	return &out, nil
}

func dedupe(xs []int) []int {
	seen := map[int]bool{}
	out := []int{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// constant is a compiled literal.
func constant(v any, t *types.Type) *compiled {
	return &compiled{eval: func([]any) (any, error) { return v, nil }, typ: t, isConst: true, val: v}
}

// fold evaluates an expression whose operands are all constant once, at
// plan time, when doing so cannot fail; otherwise it keeps the evaluator
// (so a value error is reported per row, as ksqlDB does).
func fold(c *compiled, operands ...*compiled) *compiled {
	for _, o := range operands {
		if !o.isConst {
			return c
		}
	}
	v, err := c.eval(nil)
	if err != nil {
		return c
	}
	return &compiled{eval: func([]any) (any, error) { return v, nil }, typ: c.typ, isConst: true, val: v}
}

// compileColumn resolves a column reference: a lambda parameter, a source
// column (qualified or not) or a pseudo column.
func compileColumn(e *ast.ColumnRef, sc *scope) (*compiled, error) {
	if e.Source == "" {
		for i := len(sc.lambdas) - 1; i >= 0; i-- {
			if lv := sc.lambdas[i]; lv.name == e.Name {
				return readAt(lv.index, lv.typ), nil
			}
		}
	} else if _, ok := sc.qualifiers[e.Source]; !ok {
		return nil, errorf(e.Pos, "'%s' is not a valid stream/table name or alias.", e.Source)
	}
	for _, c := range sc.cols {
		if c.name == e.Name && (e.Source == "" || sc.qualifiers[e.Source] == c.source) {
			return readColumn(sc, c.index, c.typ), nil
		}
	}
	if i, t, ok := sc.pseudoColumn(e.Name); ok {
		return readColumn(sc, i, t), nil
	}
	// WINDOWSTART and WINDOWEND exist only on windowed sources, which
	// queries cannot read yet; elsewhere they are unknown, as in ksqlDB.
	clause := sc.clause
	if clause == "" {
		clause = "SELECT"
	}
	name := e.Name
	if e.Source != "" {
		name = e.Source + "." + e.Name
	}
	msg := fmt.Sprintf("%s column '%s' cannot be resolved.", clause, name)
	if clause == "PARTITION BY" {
		msg += fmt.Sprintf(" '%s' must be a column in the source schema since PARTITION BY is applied on the input.", e.Name)
	}
	return nil, errorf(e.Pos, "%s", msg)
}

// readAt reads row position i.
func readAt(i int, t *types.Type) *compiled {
	return &compiled{eval: func(row []any) (any, error) { return row[i], nil }, typ: t}
}

// readColumn reads row position i and records the read.
func readColumn(sc *scope, i int, t *types.Type) *compiled {
	if sc.reads != nil {
		*sc.reads = append(*sc.reads, i)
	}
	c := readAt(i, t)
	c.isCol, c.col = true, i
	return c
}

// compileDereference is base->field on a STRUCT.
func compileDereference(e *ast.Dereference, sc *scope) (*compiled, error) {
	base, err := compileExpr(e.Base, sc)
	if err != nil {
		return nil, err
	}
	if base.typ.Kind != types.StructKind {
		return nil, errorf(e.Pos, "Can't dereference a non-STRUCT: %s (%s)", exprText(e.Base), base.typ)
	}
	i := base.typ.FieldIndex(e.Field)
	if i < 0 {
		return nil, errorf(e.Pos, "Could not find field '%s' in '%s'.", e.Field, exprText(e.Base))
	}
	be := base.eval
	c := &compiled{typ: base.typ.Fields[i].Type, eval: func(row []any) (any, error) {
		v, err := be(row)
		if v == nil || err != nil {
			return nil, err
		}
		s, ok := v.(*types.Struct)
		if !ok || i >= len(s.Values) {
			return nil, fmt.Errorf("planner: dereference of %T", v)
		}
		return s.Values[i], nil
	}}
	return fold(c, base), nil
}

// compileSubscript is array[index] (1-based, negative from the end, out of
// range is NULL) or map[key].
func compileSubscript(e *ast.Subscript, sc *scope) (*compiled, error) {
	base, err := compileExpr(e.Base, sc)
	if err != nil {
		return nil, err
	}
	idx, err := compileExpr(e.Index, sc)
	if err != nil {
		return nil, err
	}
	be, ie := base.eval, idx.eval
	switch base.typ.Kind {
	case types.Array:
		if k := idx.typ.Kind; k != types.Integer && k != types.Bigint && k != types.Null {
			return nil, errorf(e.Index.Position(), "Array index must be an INTEGER or BIGINT, got %s", idx.typ)
		}
		c := &compiled{typ: base.typ.Elem, eval: func(row []any) (any, error) {
			v, err := be(row)
			if v == nil || err != nil {
				return nil, err
			}
			iv, err := ie(row)
			if iv == nil || err != nil {
				return nil, err
			}
			list, _ := v.([]any)
			var n int64
			switch x := iv.(type) {
			case int32:
				n = int64(x)
			case int64:
				n = x
			}
			switch {
			case n > 0 && n <= int64(len(list)):
				return list[n-1], nil
			case n < 0 && -n <= int64(len(list)):
				return list[int64(len(list))+n], nil
			}
			return nil, nil
		}}
		return fold(c, base, idx), nil
	case types.MapKind:
		kt := base.typ.Key
		if idx.typ.Kind != types.Null && !types.CanImplicitlyCast(idx.typ, kt) {
			return nil, errorf(e.Index.Position(), "Map key must be of type %s, got %s", kt, idx.typ)
		}
		from := idx.typ
		c := &compiled{typ: base.typ.Elem, eval: func(row []any) (any, error) {
			v, err := be(row)
			if v == nil || err != nil {
				return nil, err
			}
			k, err := ie(row)
			if k == nil || err != nil {
				return nil, err
			}
			if !from.Equal(kt) {
				if k, err = types.CoerceTo(k, from, kt); err != nil {
					return nil, err
				}
			}
			m, _ := v.(*types.Map)
			if m == nil {
				return nil, nil
			}
			out, _ := m.Lookup(k)
			return out, nil
		}}
		return fold(c, base, idx), nil
	}
	return nil, errorf(e.Pos, "Subscript expression is only supported on ARRAY and MAP, got %s: %s", base.typ, exprText(e))
}

// compileCast is CAST(expr AS type): rejected at plan time when the pair
// of types has no cast, a value error per row otherwise.
func compileCast(e *ast.Cast, sc *scope) (*compiled, error) {
	in, err := compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	to, err := resolveType(e.Type, sc.catalog())
	if err != nil {
		return nil, err
	}
	from := in.typ
	if from.Kind != types.Null && !types.CanCast(from, to) {
		prefix := ""
		if sc.clause == "SELECT" {
			prefix = "Invalid Select: "
		}
		return nil, errorf(e.Pos, "%sCast of %s to %s is not supported", prefix, from, to)
	}
	ie := in.eval
	c := &compiled{typ: to, eval: func(row []any) (any, error) {
		v, err := ie(row)
		if v == nil || err != nil {
			return nil, err
		}
		return types.Cast(v, from, to)
	}}
	return fold(c, in), nil
}

// coerce converts values of type from to type to (an implicit widening the
// type rules allowed); it is the identity when the types are equal.
func coerce(c *compiled, to *types.Type) *compiled {
	if c.typ.Equal(to) || c.typ.Kind == types.Null {
		return c
	}
	from, ce := c.typ, c.eval
	out := &compiled{typ: to, eval: func(row []any) (any, error) {
		v, err := ce(row)
		if v == nil || err != nil {
			return nil, err
		}
		return widenValue(v, from, to)
	}}
	return fold(out, c)
}
