package planner

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

func planInsertValues(s *ast.InsertValues, cat Catalog, o Options) (r *InsertRow, err error) {
	defer recoverInternal(&err)
	// What ksqlDB's parser rejects while it builds the statement comes
	// first, worded as a failure to prepare it.
	for _, v := range s.Values {
		if ref := qualifiedRef(reflect.ValueOf(v)); ref != nil {
			return nil, prepareErrorf(ref.Pos, "'%s' is not a valid stream/table name or alias.", ref.Source)
		}
	}
	if len(s.Columns) > 0 && len(s.Columns) != len(s.Values) {
		return nil, prepareErrorf(s.Pos, "Expected number columns and values to match: %d, %d", len(s.Columns), len(s.Values))
	}
	dst, ok := cat.Source(s.Target)
	if !ok {
		return nil, errorf(s.Pos, "Cannot insert values into an unknown stream/table: `%s`%s", s.Target, caseHint(s.Target, cat))
	}
	if dst.IsSource {
		return nil, errorf(s.Pos, "Cannot insert values into read-only %s: %s", strings.ToLower(dst.Kind.String()), dst.Name)
	}
	if dst.Window != nil {
		return nil, errorf(s.Pos, "Inserting into windowed sources is not supported: %s", dst.Name)
	}
	names := s.Columns
	if len(names) == 0 {
		for _, c := range sinkOrder(dst.Columns) {
			names = append(names, c.Name)
		}
	}
	if len(names) != len(s.Values) {
		return nil, errorf(s.Pos, "Expected a value for each column. Expected Columns: [%s]. Got [%s]",
			strings.Join(names, ", "), valuesText(s.Values))
	}
	r = &InsertRow{Target: dst, Values: make([]any, len(dst.Columns))}
	sc := newScope(nil, "", "", o.registry())
	sc.cat = cat
	sc.pseudo = -1
	seen := map[string]bool{}
	var headerCols []string
	for i, name := range names {
		if seen[name] {
			return nil, errorf(s.Values[i].Position(), "Duplicate column name: %s", name)
		}
		seen[name] = true
		if name == "ROWPARTITION" || name == "ROWOFFSET" || name == "WINDOWSTART" || name == "WINDOWEND" {
			return nil, errorf(s.Values[i].Position(), "Inserting into column `%s` is not allowed.", name)
		}
		if name == "ROWTIME" {
			v, err := insertValue(s.Values[i], types.BigintType, name, sc)
			if err != nil {
				return nil, err
			}
			if v != nil {
				r.Rowtime, r.HasRowtime = v.(int64), true
			}
			continue
		}
		idx := -1
		for j, c := range dst.Columns {
			if c.Name == name {
				idx = j
			}
		}
		if idx < 0 {
			return nil, errorf(s.Values[i].Position(), "Column name `%s` does not exist.", name)
		}
		col := dst.Columns[idx]
		if col.Headers {
			headerCols = append(headerCols, name)
			continue
		}
		v, err := insertValue(s.Values[i], col.Type, name, sc)
		if err != nil {
			return nil, err
		}
		r.Values[idx] = v
	}
	if len(headerCols) > 0 {
		return nil, errorf(s.Pos, "Cannot insert into HEADER columns: %s", strings.Join(headerCols, ", "))
	}
	return r, nil
}

// insertValue evaluates one VALUES expression and converts it to the
// column's type: implicit widening, or a string parsed as the column's
// type as ksqlDB's value coercion does.
func insertValue(e ast.Expr, t *types.Type, name string, sc *scope) (any, error) {
	c, err := compileExpr(e, sc)
	if err != nil {
		return nil, err
	}
	v, err := c.eval(nil)
	if err != nil {
		return nil, errorf(e.Position(), "Failed to evaluate value for column %s: %v", name, err)
	}
	if out, ok := coerceValue(v, c.typ, t); ok {
		return out, nil
	}
	return nil, errorf(e.Position(), "Expected type %s for field `%s` but got %s(%s)", t, name, types.SQLLiteral(v), c.typ)
}

// coerceValue converts a value to a column's type the way ksqlDB's value
// coercion does for INSERT VALUES: implicit widening, a string parsed as
// the column's type, and containers element by element (structs by field
// name, fields left out being NULL).
func coerceValue(v any, from, to *types.Type) (any, bool) {
	if v == nil || from.Equal(to) {
		return v, true
	}
	switch {
	case from.Kind == types.StructKind && to.Kind == types.StructKind:
		s, ok := v.(*types.Struct)
		if !ok {
			return nil, false
		}
		vals := make([]any, len(to.Fields))
		for j, f := range from.Fields {
			i := to.FieldIndex(f.Name)
			if i < 0 {
				return nil, false
			}
			fv, ok := coerceValue(s.Values[j], f.Type, to.Fields[i].Type)
			if !ok {
				return nil, false
			}
			vals[i] = fv
		}
		return &types.Struct{Type: to, Values: vals}, true
	case from.Kind == types.Array && to.Kind == types.Array:
		list, _ := v.([]any)
		out := make([]any, len(list))
		for i, e := range list {
			ev, ok := coerceValue(e, from.Elem, to.Elem)
			if !ok {
				return nil, false
			}
			out[i] = ev
		}
		return out, true
	case from.Kind == types.MapKind && to.Kind == types.MapKind:
		m, _ := v.(*types.Map)
		if m == nil {
			return nil, false
		}
		out := &types.Map{}
		for i, k := range m.Keys {
			kv, ok := coerceValue(k, from.Key, to.Key)
			if !ok {
				return nil, false
			}
			vv, ok := coerceValue(m.Values[i], from.Elem, to.Elem)
			if !ok {
				return nil, false
			}
			out.Put(kv, vv)
		}
		return out, true
	case from.Kind == types.Null:
		return nil, true
	}
	if types.CanImplicitlyCast(from, to) {
		if out, err := types.CoerceTo(v, from, to); err == nil {
			return out, true
		}
		return nil, false
	}
	if from.Kind == types.String && to.Kind != types.String && types.CanCast(from, to) {
		if out, err := types.Cast(v, from, to); err == nil {
			return out, true
		}
	}
	return nil, false
}

func valuesText(vs []ast.Expr) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = exprText(v)
	}
	return strings.Join(parts, ", ")
}

// caseHint suggests the source the user probably meant when the name only
// differs in case, with ksqlDB's wording for quoted and unquoted names.
func caseHint(name string, cat Catalog) string {
	if up := strings.ToUpper(name); up != name {
		if _, ok := cat.Source(up); ok {
			return "\nDid you mean " + up + "? Hint: try removing double quotes from the source name."
		}
	}
	if low := strings.ToLower(name); low != name {
		if _, ok := cat.Source(low); ok {
			return "\nDid you mean \"" + low + "\"? Hint: wrap the source name in double quotes to make it case-sensitive."
		}
	}
	return ""
}

// prepareErrorf is an error ksqlDB's parser raises while building the
// statement: "Failed to prepare statement: ..." without a position in the
// message (Pos still locates it for a caret).
func prepareErrorf(pos ast.Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: "Failed to prepare statement: " + fmt.Sprintf(format, args...), NoPosInMessage: true}
}

// qualifiedRef finds a column reference with a source qualifier in an
// expression tree (walked by reflection, so every node type is covered).
// VALUES has no FROM, so any qualifier names no source.
func qualifiedRef(v reflect.Value) *ast.ColumnRef {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if c, ok := v.Interface().(*ast.ColumnRef); ok {
			if c.Source != "" {
				return c
			}
			return nil
		}
		return qualifiedRef(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				if c := qualifiedRef(v.Field(i)); c != nil {
					return c
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if c := qualifiedRef(v.Index(i)); c != nil {
				return c
			}
		}
	}
	return nil
}
