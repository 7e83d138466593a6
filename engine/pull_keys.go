package engine

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// Pull query properties: with table scans disabled a pull query must
// name its keys (ksqlDB's key-lookup rules, checkKeyed); range scans let
// a single STRING key of a non-windowed table be bounded instead.
const (
	propPullTableScan = "ksql.query.pull.table.scan.enabled"
	propPullRangeScan = "ksql.query.pull.range.scan.enabled"
)

// checkKeyed applies ksqlDB's rules for a pull query on a table when
// table scans are disabled: every OR-ed disjunct of the WHERE clause must
// pin every key column with = (or IN) against an expression of no
// column, once; a range on the key is a range scan, allowed only when
// range scans are enabled, for one STRING key of a non-windowed table
// compared with a string, in a WHERE clause without OR.
func checkKeyed(q *ast.Query, src *planner.Source, props map[string]string) error {
	if !strings.EqualFold(props[propPullTableScan], "false") {
		return nil
	}
	rangeScan := !strings.EqualFold(props[propPullRangeScan], "false")
	keys := src.KeyColumns()
	if q.Where == nil {
		return errorf(q, "Query requires table scan to be enabled")
	}
	disjuncts := disjunctsOf(q.Where, nil)
	for _, d := range disjuncts {
		// First which keys the disjunct pins, each once, then whether it
		// pins them all, and only then how.
		seen := map[string]bool{}
		type bound struct {
			c  ast.Expr
			op string
		}
		var bounds []bound
		for _, c := range conjuncts(d, nil) {
			name, op, ok, err := keyComparison(c, keys)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if seen[name] {
				return errorf(c, "A comparison condition on the key column cannot be combined with other comparisons such as an IN predicate")
			}
			seen[name] = true
			bounds = append(bounds, bound{c, op})
		}
		if len(seen) < len(keys) {
			if len(keys) > 1 {
				return errorf(d, "Multi-column sources must specify every key in the WHERE clause.")
			}
			return errorf(d, "WHERE clause missing key column for disjunct: %s", exprString(d))
		}
		for _, b := range bounds {
			switch b.op {
			case "=":
			case "<>":
				return errorf(b.c, "Bound on key columns '%s' must currently be '='. ", keyList(keys))
			default:
				if !rangeScan || len(keys) != 1 || keys[0].Type.Kind != types.String || src.Window != nil ||
					len(disjuncts) > 1 || !stringBound(b.c) {
					return errorf(b.c, "Query requires table scan to be enabled")
				}
			}
		}
	}
	return nil
}

// disjunctsOf appends the OR-ed terms of e.
func disjunctsOf(e ast.Expr, out []ast.Expr) []ast.Expr {
	if b, ok := e.(*ast.Binary); ok && b.Op == ast.OpOr {
		return disjunctsOf(b.Right, disjunctsOf(b.Left, out))
	}
	return append(out, e)
}

// keyComparison reports whether c compares a key column, which one and
// with what operator ("=" for IN), or the error ksqlDB gives for a
// comparison that involves a key column in a way it cannot look up.
func keyComparison(c ast.Expr, keys []types.Column) (name, op string, ok bool, err error) {
	isKey := func(x ast.Expr) (string, bool) {
		if r, ok := x.(*ast.ColumnRef); ok {
			for _, k := range keys {
				if k.Name == r.Name {
					return k.Name, true
				}
			}
		}
		return "", false
	}
	mentionsKey := func(x ast.Expr) bool {
		for _, k := range keys {
			if refersTo(x, k.Name) {
				return true
			}
		}
		return false
	}
	switch x := c.(type) {
	case *ast.Binary:
		if !x.Op.IsComparison() {
			return "", "", false, nil
		}
		l, lk := isKey(x.Left)
		r, rk := isKey(x.Right)
		switch {
		case lk && rk:
			return "", "", false, errorf(c, "A comparison must be between a key column and a resolvable expression.")
		case lk:
			if hasColumn(x.Right) {
				return "", "", false, errorf(c, "A comparison must be between a key column and a resolvable expression.")
			}
			return l, x.Op.String(), true, nil
		case rk:
			if hasColumn(x.Left) {
				return "", "", false, errorf(c, "A comparison must be between a key column and a resolvable expression.")
			}
			return r, flipComparison(x.Op).String(), true, nil
		case mentionsKey(x.Left) || mentionsKey(x.Right):
			return "", "", false, errorf(c, "A comparison must directly reference a key column.")
		}
	case *ast.In:
		k, ok := isKey(x.Expr)
		if !ok || x.Not {
			return "", "", false, nil
		}
		for _, v := range x.List {
			if hasColumn(v) {
				return "", "", false, errorf(c, "A comparison must be between a key column and a resolvable expression.")
			}
		}
		return k, "=", true, nil
	}
	return "", "", false, nil
}

// stringBound reports whether a key range compares with a string literal.
func stringBound(c ast.Expr) bool {
	b, ok := c.(*ast.Binary)
	if !ok {
		return false
	}
	_, l := b.Left.(*ast.StringLiteral)
	_, r := b.Right.(*ast.StringLiteral)
	return l || r
}

// refersTo reports whether e reads column name.
func refersTo(e ast.Expr, name string) bool {
	found := false
	walkRefs(e, func(r *ast.ColumnRef) {
		if r.Name == name {
			found = true
		}
	})
	return found
}

// hasColumn reports whether e reads any column.
func hasColumn(e ast.Expr) bool {
	found := false
	walkRefs(e, func(*ast.ColumnRef) { found = true })
	return found
}

// walkRefs calls fn on each column reference in e (by reflection, as
// pseudoRefs does, so new expression nodes need no change here).
func walkRefs(e ast.Expr, fn func(*ast.ColumnRef)) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if c, ok := v.Interface().(*ast.ColumnRef); ok {
				fn(c)
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(e))
}

// keyList renders key columns as ksqlDB does in its messages:
// [`ID` STRING KEY].
func keyList(keys []types.Column) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("`%s` %s KEY", k.Name, k.Type)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// exprString renders a simple comparison as ksqlDB prints a disjunct,
// "(COUNT = 100)"; other expressions render as "".
func exprString(e ast.Expr) string {
	operand := func(x ast.Expr) (string, bool) {
		switch v := x.(type) {
		case *ast.ColumnRef:
			return v.Name, true
		case *ast.IntegerLiteral:
			return fmt.Sprint(v.Value), true
		case *ast.StringLiteral:
			return "'" + strings.ReplaceAll(v.Value, "'", "''") + "'", true
		}
		return "", false
	}
	if b, ok := e.(*ast.Binary); ok && b.Op.IsComparison() {
		l, lok := operand(b.Left)
		r, rok := operand(b.Right)
		if lok && rok {
			return fmt.Sprintf("(%s %s %s)", l, b.Op, r)
		}
	}
	return ""
}

// rejectNullKeys refuses NULL in an IN list on a key column, as ksqlDB
// does: no row has a NULL key.
func rejectNullKeys(q *ast.Query, src *planner.Source) error {
	if q.Where == nil {
		return nil
	}
	for _, d := range disjunctsOf(q.Where, nil) {
		for _, c := range conjuncts(d, nil) {
			in, ok := c.(*ast.In)
			if !ok || in.Not {
				continue
			}
			r, ok := in.Expr.(*ast.ColumnRef)
			if !ok {
				continue
			}
			for _, k := range src.KeyColumns() {
				if k.Name != r.Name {
					continue
				}
				for _, v := range in.List {
					if _, null := v.(*ast.NullLiteral); null {
						return errorf(c, "Primary key columns can not be NULL: (%s = null)", k.Name)
					}
				}
			}
		}
	}
	return nil
}
