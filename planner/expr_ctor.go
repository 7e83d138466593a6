package planner

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

// compileCase is both forms of CASE. The result type is the common type of
// the THEN and ELSE branches; a missing ELSE is NULL.
func compileCase(e *ast.Case, sc *scope) (*compiled, error) {
	var operand *compiled
	if e.Operand != nil {
		var err error
		if operand, err = compileExpr(e.Operand, sc); err != nil {
			return nil, err
		}
	}
	conds := make([]*compiled, len(e.Whens))
	results := make([]*compiled, 0, len(e.Whens)+1)
	for i, w := range e.Whens {
		c, err := compileExpr(w.Condition, sc)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if err := checkComparable(w.Pos, "EQUAL", true, e.Operand, w.Condition, operand, c); err != nil {
				return nil, err
			}
		} else if c.typ.Kind != types.Boolean && c.typ.Kind != types.Null {
			return nil, errorf(w.Condition.Position(), "WHEN operand type should be boolean. Type for '%s' is %s", exprText(w.Condition), c.typ)
		}
		conds[i] = c
		r, err := compileExpr(w.Result, sc)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	if e.Else != nil {
		r, err := compileExpr(e.Else, sc)
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	ts := make([]*types.Type, len(results))
	for i, r := range results {
		ts[i] = r.typ
	}
	rt, err := commonType(ts)
	if err != nil {
		return nil, errorf(e.Pos, "Invalid Case expression. Type for all 'THEN' clauses should be the same. Result types: %s", typeList(ts))
	}
	if rt.Kind == types.Null {
		return nil, errorf(e.Pos, "Invalid Case expression. All case branches have NULL type")
	}
	condFns := make([]evalFn, len(conds))
	for i, c := range conds {
		condFns[i] = c.eval
	}
	resFns := make([]evalFn, len(results))
	for i, r := range results {
		resFns[i] = coerce(r, rt).eval
	}
	var elseFn evalFn
	if e.Else != nil {
		elseFn = resFns[len(resFns)-1]
	}
	var opFn evalFn
	if operand != nil {
		opFn = operand.eval
	}
	c := &compiled{typ: rt, eval: func(row []any) (any, error) {
		var ov any
		if opFn != nil {
			var err error
			if ov, err = opFn(row); err != nil {
				return nil, err
			}
		}
		for i, cf := range condFns {
			v, err := cf(row)
			if err != nil {
				return nil, err
			}
			match := false
			if opFn == nil {
				match = v == true
			} else if ov != nil && v != nil {
				n, err := compareValues(ov, v)
				if err != nil {
					return nil, err
				}
				match = n == 0
			}
			if match {
				return resFns[i](row)
			}
		}
		if elseFn != nil {
			return elseFn(row)
		}
		return nil, nil
	}}
	return c, nil
}

func typeList(ts []*types.Type) string {
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		if t.Kind == types.Null {
			s += "null"
		} else {
			s += t.String()
		}
	}
	return "[" + s + "]"
}

// elementType is the common type of constructor elements. As in ksqlDB, a
// string literal among other types is coerced to their type when it parses
// (ARRAY[1, '2'] is ARRAY<INTEGER>), and fails the statement when it does
// not.
func elementType(pos ast.Pos, elems []ast.Expr, cs []*compiled, what string) (*types.Type, error) {
	ts := make([]*types.Type, len(cs))
	for i, c := range cs {
		ts[i] = c.typ
	}
	t, err := commonType(ts)
	if err == nil {
		return t, nil
	}
	var others []*types.Type
	for i, c := range cs {
		if _, lit := elems[i].(*ast.StringLiteral); !lit {
			others = append(others, c.typ)
		}
	}
	t, err2 := commonType(others)
	if err2 != nil || t.Kind == types.Null || len(others) == len(cs) {
		return nil, errorf(pos, "invalid input syntax for %s: incompatible element types %s", what, typeList(ts))
	}
	// Among numbers, a string literal that reads as a number joins as the
	// exact DECIMAL it spells, as ksqlDB types it ('2e1' with a BIGINT gives
	// DECIMAL(19, 0)).
	if t.IsNumeric() {
		for i, c := range cs {
			if _, lit := elems[i].(*ast.StringLiteral); lit {
				if d, ok := decimalLiteral(c.val.(string)); ok {
					if w, err := widerType(t, types.DecimalOf(max(d.Precision(), int(d.Scale), 1), int(max(d.Scale, 0)))); err == nil {
						t = w
					}
				}
			}
		}
	}
	for i, c := range cs {
		if _, lit := elems[i].(*ast.StringLiteral); lit {
			if _, ok := castLiteral(c.val.(string), t); !ok {
				return nil, errorf(elems[i].Position(), "invalid input syntax for type %s: \"%s\"", t, c.val)
			}
		}
	}
	return t, nil
}

// castLiteral converts a string literal to type t the way ksqlDB coerces
// literals: as the type's text, or for numbers through the literal's own
// numeric reading ('2e1' is 20 in a BIGINT array).
func castLiteral(s string, t *types.Type) (any, bool) {
	if v, err := types.Cast(s, types.StringType, t); err == nil {
		return v, true
	}
	if t.IsNumeric() {
		if v, vt, err := types.ParseNumericLiteral(strings.TrimSpace(s)); err == nil {
			if out, err := types.Cast(v, vt, t); err == nil {
				return out, true
			}
		}
	}
	return nil, false
}

// castTo converts an element to the constructor's element type,
// including the string literals elementType accepted.
func castTo(c *compiled, t *types.Type) *compiled {
	if c.typ.Kind == types.String && t.Kind != types.String && c.isConst && c.val != nil {
		if v, ok := castLiteral(c.val.(string), t); ok {
			return constant(v, t)
		}
	}
	return coerce(c, t)
}

// compileArray is ARRAY[e1, ...].
func compileArray(e *ast.ArrayConstructor, sc *scope) (*compiled, error) {
	if len(e.Elems) == 0 {
		return nil, errorf(e.Pos, "Array constructor cannot be empty. Please supply at least one element (see https://github.com/confluentinc/ksql/issues/4239).")
	}
	cs := make([]*compiled, len(e.Elems))
	for i, el := range e.Elems {
		c, err := compileExpr(el, sc)
		if err != nil {
			return nil, err
		}
		cs[i] = c
	}
	et, err := elementType(e.Pos, e.Elems, cs, "ARRAY")
	if err != nil {
		return nil, err
	}
	if et.Kind == types.Null {
		return nil, errorf(e.Pos, "Cannot construct an array with all NULL elements (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value to the desired type.")
	}
	fns := make([]evalFn, len(cs))
	for i, c := range cs {
		fns[i] = castTo(c, et).eval
	}
	c := &compiled{typ: types.ArrayOf(et), eval: func(row []any) (any, error) {
		out := make([]any, len(fns))
		for i, f := range fns {
			// An element that fails is NULL, as in ksqlDB.
			v, err := f(row)
			if err != nil {
				v = nil
			}
			out[i] = v
		}
		return out, nil
	}}
	return c, nil
}

// compileMap is MAP(k := v, ...).
func compileMap(e *ast.MapConstructor, sc *scope) (*compiled, error) {
	if len(e.Entries) == 0 {
		return nil, errorf(e.Pos, "Map constructor cannot be empty. Please supply at least one key value pair (see https://github.com/confluentinc/ksql/issues/4239).")
	}
	var keyExprs, valExprs []ast.Expr
	var keys, vals []*compiled
	for _, en := range e.Entries {
		k, err := compileExpr(en.Key, sc)
		if err != nil {
			return nil, err
		}
		v, err := compileExpr(en.Value, sc)
		if err != nil {
			return nil, err
		}
		keyExprs, valExprs = append(keyExprs, en.Key), append(valExprs, en.Value)
		keys, vals = append(keys, k), append(vals, v)
	}
	// ksqlDB's messages: keys must share one type and none may be an
	// untyped NULL; values must share one type and not all be NULL.
	keyTypes, valTypes := make([]*types.Type, len(keys)), make([]*types.Type, len(vals))
	for i := range keys {
		keyTypes[i], valTypes[i] = keys[i].typ, vals[i].typ
	}
	kt, err := elementType(e.Pos, keyExprs, keys, "MAP keys")
	if err != nil || kt.Kind == types.Null || hasNullType(keyTypes) {
		return nil, errorf(e.Pos, "Only STRING keys are supported in maps but got: %s", upperTypeList(keyTypes))
	}
	vt, err := elementType(e.Pos, valExprs, vals, "MAP values")
	if err != nil {
		return nil, errorf(e.Pos, "Cannot construct a map with mismatching value types (%s) from expression %s.", upperTypeList(valTypes), exprText(e))
	}
	if vt.Kind == types.Null {
		return nil, errorf(e.Pos, "Cannot construct a map with all NULL values")
	}
	kf, vf := make([]evalFn, len(keys)), make([]evalFn, len(vals))
	for i := range keys {
		kf[i], vf[i] = castTo(keys[i], kt).eval, castTo(vals[i], vt).eval
	}
	c := &compiled{typ: types.MapOf(kt, vt), eval: func(row []any) (any, error) {
		m := &types.Map{}
		for i := range kf {
			k, err := kf[i](row)
			if err != nil || k == nil {
				continue
			}
			v, err := vf[i](row)
			if err != nil {
				v = nil
			}
			m.Put(k, v)
		}
		return m, nil
	}}
	return c, nil
}

// compileStruct is STRUCT(name := value, ...).
func compileStruct(e *ast.StructConstructor, sc *scope) (*compiled, error) {
	seen := map[string]bool{}
	fields := make([]types.Field, len(e.Fields))
	fns := make([]evalFn, len(e.Fields))
	for i, f := range e.Fields {
		if seen[f.Name] {
			return nil, errorf(e.Pos, "Duplicate field names found in STRUCT: '%s' and '%s'", f.Name, f.Name)
		}
		seen[f.Name] = true
		c, err := compileExpr(f.Value, sc)
		if err != nil {
			return nil, err
		}
		t := c.typ
		if t.Kind == types.Null {
			// ksqlDB types a NULL field as STRING, the type that every
			// format can carry.
			t = types.StringType
		}
		fields[i] = types.Field{Name: f.Name, Type: t}
		fns[i] = c.eval
	}
	st := types.StructOf(fields...)
	c := &compiled{typ: st, eval: func(row []any) (any, error) {
		vals := make([]any, len(fns))
		for i, f := range fns {
			v, err := f(row)
			if err != nil {
				v = nil
			}
			vals[i] = v
		}
		return &types.Struct{Type: st, Values: vals}, nil
	}}
	return c, nil
}

// decimalLiteral reads a string as an exact decimal number, exponent
// notation included.
func decimalLiteral(s string) (types.Decimal, bool) {
	s = strings.TrimSpace(s)
	if d, err := types.ParseDecimal(s); err == nil {
		return d, true
	}
	if v, vt, err := types.ParseNumericLiteral(s); err == nil && vt.Kind == types.Double {
		f := v.(float64)
		if d, err := types.DecimalFromFloat64(f); err == nil {
			if d.Scale > 0 && f == float64(int64(f)) {
				d = d.Rescale(0)
			}
			return d, true
		}
	}
	return types.Decimal{}, false
}

func hasNullType(ts []*types.Type) bool {
	for _, t := range ts {
		if t.Kind == types.Null {
			return true
		}
	}
	return false
}

// upperTypeList prints types as ksqlDB lists them in constructor
// messages: [INTEGER, STRING], NULL for an untyped NULL.
func upperTypeList(ts []*types.Type) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		if t.Kind == types.Null {
			parts[i] = "NULL"
		} else {
			parts[i] = t.String()
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
