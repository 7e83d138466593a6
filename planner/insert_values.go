package planner

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/types"
)

func planInsertValues(s *ast.InsertValues, cat Catalog, o Options) (r *InsertRow, err error) {
	defer recoverInternal(&err)
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
	if v == nil || c.typ.Equal(t) {
		return v, nil
	}
	if types.CanImplicitlyCast(c.typ, t) {
		out, err := types.CoerceTo(v, c.typ, t)
		if err == nil {
			return out, nil
		}
	} else if c.typ.Kind == types.String && types.CanCast(c.typ, t) && t.Kind != types.String {
		if out, err := types.Cast(v, c.typ, t); err == nil {
			return out, nil
		}
	}
	return nil, errorf(e.Position(), "Expected type %s for field `%s` but got %s(%s)", t, name, types.SQLLiteral(v), c.typ)
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
