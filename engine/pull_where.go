package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// checkPullWhere applies, to the WHERE clause of a pull query on a table,
// the checks ksqlDB's pull-query filter makes once its analyzer has
// accepted the clause. That analyzer type-checks IN, BETWEEN and LIKE
// leniently; the filter then rewrites IN into key equalities whose
// literals must convert to the key's type exactly, BETWEEN into a pair of
// comparisons that must type-check, and allows LIKE only on a STRING
// column (or, with table scans, on anything). Sluice's planner checks
// these constructs strictly with its own words, so the checks run before
// planning to give ksqlDB's messages.
func checkPullWhere(q *ast.Query, src *planner.Source, props map[string]string, o planner.Options) error {
	if q.Where == nil {
		return nil
	}
	cols := planner.PullTableSchema(src)
	scans := !strings.EqualFold(props[propPullTableScan], "false")
	for _, d := range disjunctsOf(q.Where, nil) {
		for _, c := range conjuncts(d, nil) {
			var err error
			switch c := c.(type) {
			case *ast.Like:
				err = checkPullLike(c, cols, scans)
			case *ast.In:
				err = checkPullIn(c, src.KeyColumns(), o)
			case *ast.Between:
				err = checkPullBetween(c, cols, o)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// checkPullLike: the value of a LIKE must be a STRING column; anything
// else needs a table scan.
func checkPullLike(l *ast.Like, cols []types.Column, scans bool) error {
	ref, ok := l.Expr.(*ast.ColumnRef)
	if !ok {
		if scans {
			return nil
		}
		return errorf(l, "Like condition must be between strings")
	}
	for _, c := range cols {
		if c.Name == ref.Name && c.Type.Kind != types.String {
			return errorf(l, "The column type for Like condition must be VARCHAR. The column type is %s", baseTypeName(c.Type))
		}
	}
	return nil
}

// checkPullIn: each constant of an IN list on a key column is a key to
// look up, so it must convert to the key's type without loss (a STRING
// literal does not become an INTEGER key).
func checkPullIn(in *ast.In, keys []types.Column, o planner.Options) error {
	ref, ok := in.Expr.(*ast.ColumnRef)
	if !ok || in.Not {
		return nil
	}
	for _, k := range keys {
		if k.Name != ref.Name {
			continue
		}
		for _, v := range in.List {
			if hasColumn(v) {
				continue
			}
			ev, t, err := planner.CompileExpression(v, nil, o)
			if err != nil || t == nil || t.Kind == types.Null || t.Equal(k.Type) || types.CanImplicitlyCast(t, k.Type) {
				continue
			}
			val, err := ev.Eval(nil)
			if err != nil || val == nil {
				continue
			}
			return errorf(v, "'%s' can not be converted to the type of the key column: %s %s KEY", valueText(val), k.Name, k.Type)
		}
	}
	return nil
}

// checkPullBetween type-checks BETWEEN as the two comparisons ksqlDB
// rewrites it into for a pull query.
func checkPullBetween(b *ast.Between, cols []types.Column, o planner.Options) error {
	if b.Not {
		return nil
	}
	for _, cmp := range []*ast.Binary{
		{Pos: b.Pos, Op: ast.OpGte, Left: b.Expr, Right: b.Low},
		{Pos: b.Pos, Op: ast.OpLte, Left: b.Expr, Right: b.High},
	} {
		_, _, err := planner.CompileExpression(cmp, cols, o)
		var pe *planner.Error
		if err != nil && errors.As(err, &pe) && strings.HasPrefix(pe.Msg, "Cannot compare") {
			return errorf(b, "Invalid expression: %s", pe.Msg)
		}
	}
	return nil
}

// baseTypeName is the name of a type without its parameters, as ksqlDB's
// base types print (DECIMAL, ARRAY, STRUCT).
func baseTypeName(t *types.Type) string {
	s := t.String()
	if i := strings.IndexAny(s, "<("); i >= 0 {
		return s[:i]
	}
	return s
}

// valueText prints a key value as Java's toString does in ksqlDB's
// messages: strings bare, numbers in their usual form.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
