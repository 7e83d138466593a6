package planner

import (
	"strings"

	"github.com/sluicedb/sluice/ast"
)

// findKeys decides which select items become the key columns of a
// persistent query's output, with ksqlDB's rules: without PARTITION BY the
// source's key columns must each be selected exactly once; with it, each
// partitioning expression must be; PARTITION BY NULL gives no key.
func (a *analysis) findKeys() error {
	if a.partitionNull {
		return a.checkValueColumns()
	}
	var wanted []ast.Expr
	if a.partitionBy != nil {
		wanted = a.partitionBy
	} else {
		for _, c := range a.src.KeyColumns() {
			wanted = append(wanted, &ast.ColumnRef{Name: c.Name})
		}
	}
	var missing []ast.Expr
	for _, w := range wanted {
		key := a.normalized(w)
		var hits []int
		for i, it := range a.items {
			if it.gen < 0 && a.normalized(it.expr) == key {
				hits = append(hits, i)
			}
		}
		switch len(hits) {
		case 0:
			missing = append(missing, w)
		case 1:
			a.keyItems = append(a.keyItems, hits[0])
		default:
			names := make([]string, len(hits))
			for i, h := range hits {
				names[i] = a.items[h].name
			}
			return errorf(a.items[hits[1]].pos, "The projection contains a key column (`%s`) more than once, aliased as: %s.",
				keyText(w), strings.Join(names, " and "))
		}
	}
	if len(missing) > 0 {
		// ksqlDB names every key column (or partitioning expression) when
		// any is missing, so the message shows the whole key.
		return a.missingKeyError(wanted)
	}
	return a.checkValueColumns()
}

// checkValueColumns rejects a stream whose projection holds only keys.
func (a *analysis) checkValueColumns() error {
	if len(a.items) == len(a.keyItems) {
		return errorf(a.q.Pos, "The projection contains no value columns.")
	}
	return nil
}

// keyText names a key expression in the duplicate-key message.
func keyText(e ast.Expr) string {
	if r, ok := e.(*ast.ColumnRef); ok {
		return r.Name
	}
	return exprText(e)
}

// missingKeyError is ksqlDB's message for key columns or partitioning
// expressions absent from the projection.
func (a *analysis) missingKeyError(missing []ast.Expr) error {
	texts := make([]string, len(missing))
	for i, m := range missing {
		if a.partitionBy != nil {
			texts[i] = qualifiedText(m, a.src.Name)
		} else {
			texts[i] = keyText(m)
		}
	}
	what := "key column"
	if a.partitionBy != nil {
		what = "partitioning expression"
	}
	if len(texts) > 1 {
		what += "s"
	}
	list := strings.Join(texts, " and ")
	return errorf(a.q.Pos, "The query used to build `%s` must include the %s %s in its projection (eg, SELECT %s...).",
		a.sinkName, what, list, strings.Join(texts, ", "))
}

// normalized prints an expression with the qualifiers that name this
// query's source removed, so `INPUT.ID`, `I.ID` and `ID` compare equal.
func (a *analysis) normalized(e ast.Expr) string {
	return ast.Dump(a.unqualify(e))
}

func (a *analysis) unqualify(e ast.Expr) ast.Expr {
	switch e := e.(type) {
	case *ast.ColumnRef:
		c := *e
		c.Pos = ast.Pos{}
		if _, ok := a.scope.qualifiers[e.Source]; ok {
			c.Source = ""
		}
		return &c
	case *ast.Binary:
		c := *e
		c.Pos = ast.Pos{}
		c.Left, c.Right = a.unqualify(e.Left), a.unqualify(e.Right)
		return &c
	case *ast.Unary:
		c := *e
		c.Pos = ast.Pos{}
		c.Expr = a.unqualify(e.Expr)
		return &c
	case *ast.Dereference:
		c := *e
		c.Pos = ast.Pos{}
		c.Base = a.unqualify(e.Base)
		return &c
	case *ast.Subscript:
		c := *e
		c.Pos = ast.Pos{}
		c.Base, c.Index = a.unqualify(e.Base), a.unqualify(e.Index)
		return &c
	case *ast.FunctionCall:
		c := *e
		c.Pos = ast.Pos{}
		c.Name = strings.ToUpper(e.Name)
		c.Args = make([]ast.Expr, len(e.Args))
		for i, x := range e.Args {
			c.Args[i] = a.unqualify(x)
		}
		return &c
	case *ast.Cast:
		c := *e
		c.Pos = ast.Pos{}
		c.Expr = a.unqualify(e.Expr)
		return &c
	case *ast.StructConstructor:
		c := *e
		c.Pos = ast.Pos{}
		c.Fields = make([]ast.StructFieldValue, len(e.Fields))
		for i, f := range e.Fields {
			c.Fields[i] = ast.StructFieldValue{Name: f.Name, Value: a.unqualify(f.Value)}
		}
		return &c
	}
	return e
}

// nullKeysWithoutValue lists the key columns (indexes into the output's
// keys) that PARTITION BY computes from more than the source's key: value
// columns, ROWTIME and other pseudo columns, table function output. ksqlDB
// evaluates such expressions on the value, so a null-value record gets a
// NULL there; keys computed from key columns alone are still evaluated.
func (a *analysis) nullKeysWithoutValue() []int {
	if a.partitionBy == nil || a.src.Kind != ast.StreamSource {
		return nil
	}
	var out []int
	for j, k := range a.keyItems {
		for _, p := range a.items[k].c.reads {
			if p >= len(a.src.Columns) || !a.src.Columns[p].Key {
				out = append(out, j)
				break
			}
		}
	}
	return out
}
