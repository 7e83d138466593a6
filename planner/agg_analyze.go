package planner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// aggAnalysis is the aggregation part of a GROUP BY query. The select
// items and HAVING are compiled over the aggregate's result row: the
// GROUP BY values, then one value per distinct aggregate call, then
// WINDOWSTART and WINDOWEND (NULL unless windowed), then the pseudo
// columns (exec.AggregateSpec). Expressions equal to a GROUP BY expression read its
// value; aggregate calls read their result; any other reference to a
// source column is an error, as in ksqlDB.
type aggAnalysis struct {
	groupBy  []ast.Expr
	groupKey []string // normalized text of each GROUP BY expression
	groupC   []*compiled
	// repartition says the input is regrouped through an internal topic
	// first (GROUP BY other than the key of a multi-partition source);
	// the aggregate then reads rows of the source's columns followed by
	// the GROUP BY values, so its pseudo columns come after those.
	repartition bool
	calls       []*aggCall
	having      *compiled
	// offenders collects, while an expression is compiled, the source
	// columns it reads outside aggregate calls and GROUP BY expressions.
	offenders []string
}

// aggCall is one distinct aggregate call.
type aggCall struct {
	key  string
	text string
	call *functions.Call
	// args are the non-literal arguments over the input row; literals
	// the values of the trailing literal parameters.
	args     []evalFn
	literals []any
}

// analyzeAggregate resolves, types and checks a GROUP BY query over a
// stream, reusing the select analysis for the source, WHERE and naming.
func analyzeAggregate(q *ast.Query, cat Catalog, o Options, sinkName string) (*analysis, *aggAnalysis, error) {
	return analyzeAggregation(q, cat, o, sinkName, true)
}

// analyzeAggregation is analyzeAggregate for persistent queries and push
// queries (persistent false: no key rules, output in select order).
func analyzeAggregation(q *ast.Query, cat Catalog, o Options, sinkName string, persistent bool) (*analysis, *aggAnalysis, error) {
	if len(q.From.Joins) > 0 {
		return nil, nil, errorf(q.From.Joins[0].Pos, "JOIN is not yet supported (joins arrive with the stateful operators)")
	}
	if q.PartitionBy != nil {
		return nil, nil, errorf(q.Pos, "PARTITION BY is not supported with GROUP BY")
	}
	rel := q.From.Left
	src, ok := cat.Source(rel.Name)
	if !ok {
		return nil, nil, errorf(rel.Pos, "Source `%s` does not exist.", rel.Name)
	}
	if src.Kind == ast.TableSource && q.Window != nil {
		return nil, nil, errorf(q.Window.Pos, "Windowed aggregations over tables are not supported: %s is a table", rel.Name)
	}
	if src.Window != nil {
		// Rows of a windowed source regroup by new keys (window_group_by.go).
		if err := windowedGroupBy(q, src, rel); err != nil {
			return nil, nil, err
		}
		src = windowedView(src)
	}
	if src.ValueFormat == format.Kafka {
		return nil, nil, errNoPos("Source(s) %s are using the 'KAFKA' value format. This format does not yet support GROUP BY.", src.Name)
	}
	a := &analysis{q: q, src: src, alias: rel.Alias, persistent: persistent, sinkName: sinkName}
	a.scope = newScope(src.Columns, src.Name, rel.Alias, o.registry())
	a.scope.cat = cat
	if err := a.analyzeWhere(); err != nil {
		var pe *Error
		if errors.As(err, &pe) && q.Window != nil {
			for _, b := range []string{"WINDOWSTART", "WINDOWEND"} {
				if strings.Contains(pe.Msg, "column '"+b+"' cannot be resolved") {
					return nil, nil, errNoPos("Error in WHERE expression: Unknown column %s.", b)
				}
			}
		}
		return nil, nil, err
	}
	if err := a.expandSelect(); err != nil {
		return nil, nil, err
	}
	for _, it := range a.items {
		// Checked before GROUP BY resolves, as ksqlDB does.
		if persistent && !it.explicit && it.derived && isPseudoName(it.name) {
			return nil, nil, errorf(it.pos, "Reserved column name in select: `%s`. Please remove or alias the column.", it.name)
		}
	}
	g := &aggAnalysis{}
	g.repartition = src.Partitions > 1 && !groupsBySourceKey(a, q.GroupBy)
	if err := g.analyzeGroupBy(a); err != nil {
		return nil, nil, err
	}
	if q.Emit == ast.EmitFinal {
		for i, c := range g.groupC {
			if !exec.KeyDecodable(c.typ) {
				return nil, nil, errorf(q.GroupBy[i].Position(), "EMIT FINAL with a %s grouping expression is not yet supported", c.typ)
			}
		}
	}
	// Two passes: the first finds the distinct aggregate calls (and the
	// errors), the second compiles over the result row, whose width is
	// only known once every call has been seen.
	for pass := 0; pass < 2; pass++ {
		if err := g.compileResults(a, pass == 0); err != nil {
			return nil, nil, err
		}
	}
	if len(g.calls) == 0 {
		return nil, nil, errorf(q.Pos, "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.")
	}
	if err := checkStateFormat(src, g.calls); err != nil {
		return nil, nil, err
	}
	if src.Kind == ast.TableSource {
		if err := g.checkUndo(q); err != nil {
			return nil, nil, err
		}
	}
	if err := a.nameItems(); err != nil {
		return nil, nil, err
	}
	if persistent {
		if err := g.findKeys(a); err != nil {
			return nil, nil, err
		}
	}
	if err := g.checkDuplicates(a); err != nil {
		return nil, nil, err
	}
	return a, g, nil
}

// analyzeGroupBy compiles the GROUP BY expressions over the input row.
func (g *aggAnalysis) analyzeGroupBy(a *analysis) error {
	sc := a.scope.withClause("GROUP BY")
	sc.subst = func(e ast.Expr, sc *scope) (*compiled, bool, error) {
		if f := aggregateFunction(e, sc); f != nil {
			return nil, true, errorf(e.Position(), "GROUP BY does not support aggregate functions: %s is an aggregate function.", f.Name)
		}
		return nil, false, nil
	}
	seen := map[string]bool{}
	for _, e := range a.q.GroupBy {
		key := a.normalized(e)
		if seen[key] {
			return errorf(e.Position(), "Duplicate GROUP BY expression: %s", qualifiedText(e, a.src.Name))
		}
		seen[key] = true
		c, err := compileTop(e, sc)
		if err != nil {
			return err
		}
		if c.typ.Kind == types.Null {
			return errorf(e.Position(), errNullType)
		}
		g.groupBy = append(g.groupBy, e)
		g.groupKey = append(g.groupKey, key)
		g.groupC = append(g.groupC, c)
	}
	return nil
}

// aggregateFunction returns the aggregate function e calls, or nil.
func aggregateFunction(e ast.Expr, sc *scope) *functions.Function {
	fc, ok := e.(*ast.FunctionCall)
	if !ok {
		return nil
	}
	f, ok := sc.reg.Lookup(fc.Name)
	if !ok || f.Kind != functions.Aggregate {
		return nil
	}
	return f
}

// resultScope is the scope of the expressions evaluated after the
// aggregate: GROUP BY values, aggregate results, pseudo columns.
func (g *aggAnalysis) resultScope(a *analysis, clause string) *scope {
	sc := newScope(nil, "", "", a.scope.reg)
	sc.cat = a.scope.cat
	sc.clause = clause
	windowAt := len(g.groupBy) + len(g.calls)
	sc.pseudo = windowAt + 2
	sc.width = sc.pseudo + len(exec.PseudoColumns)
	sc.subst = func(e ast.Expr, rs *scope) (*compiled, bool, error) {
		if r, ok := e.(*ast.ColumnRef); ok && a.q.Window != nil && r.Source == "" {
			switch r.Name {
			case "WINDOWSTART":
				return readAt(windowAt, types.BigintType), true, nil
			case "WINDOWEND":
				return readAt(windowAt+1, types.BigintType), true, nil
			}
		}
		key := a.normalized(e)
		for i, k := range g.groupKey {
			if k == key {
				return readAt(i, g.groupC[i].typ), true, nil
			}
		}
		if f := aggregateFunction(e, rs); f != nil {
			i, err := g.addCall(a, e.(*ast.FunctionCall))
			if err != nil {
				return nil, true, err
			}
			return readAt(len(g.groupBy)+i, g.calls[i].call.Return), true, nil
		}
		if r, ok := e.(*ast.ColumnRef); ok && !isPseudoName(r.Name) {
			if c, err := compileColumn(r, a.scope); err == nil {
				// A source column outside GROUP BY and aggregates: note it
				// and carry on, so the message can list every offender.
				g.offenders = append(g.offenders, exprText(e))
				return readAt(0, c.typ), true, nil
			}
		}
		return nil, false, nil
	}
	return sc
}

// addCall resolves an aggregate call over the input row, returning its
// index among the distinct calls.
func (g *aggAnalysis) addCall(a *analysis, fc *ast.FunctionCall) (int, error) {
	key := a.normalized(fc)
	for i, c := range g.calls {
		if c.key == key {
			return i, nil
		}
	}
	sc := a.scope.withClause("SELECT")
	if g.repartition {
		sc.pseudo = len(a.src.Columns) + len(g.groupBy)
		sc.width = sc.pseudo + len(exec.PseudoColumns)
	}
	sc.subst = func(e ast.Expr, sc *scope) (*compiled, bool, error) {
		if aggregateFunction(e, sc) != nil {
			return nil, true, errorf(fc.Pos, "Aggregate functions can not be nested: %s", exprText(fc))
		}
		if r, ok := e.(*ast.ColumnRef); ok && a.q.Window != nil && (r.Name == "WINDOWSTART" || r.Name == "WINDOWEND") {
			return nil, true, errorf(r.Pos, "Window bounds column %s can only be used in the SELECT clause of windowed aggregations", r.Name)
		}
		return nil, false, nil
	}
	call := *fc
	if call.Star {
		call.Star, call.Args = false, nil
	}
	rc, err := resolveCall(&call, sc)
	if err != nil {
		return 0, err
	}
	lits := rc.call.Signature.Literals
	nargs := len(call.Args) - lits
	if nargs < 0 {
		return 0, errorf(fc.Pos, "Function %s expects %d literal arguments", fc.Name, lits)
	}
	ac := &aggCall{key: key, text: exprText(fc), call: rc.call, args: rc.args[:nargs]}
	for i := nargs; i < len(call.Args); i++ {
		c := rc.consts[i]
		if c == nil || !c.isConst {
			return 0, errorf(call.Args[i].Position(), "Parameter %d passed to function %s must be a literal constant, but was expression: '%s'", i+1, strings.ToUpper(fc.Name), exprText(call.Args[i]))
		}
		v := c.val
		if i < len(rc.call.ArgTypes) && rc.call.ArgTypes[i] != nil && v != nil {
			if cv, err := types.Cast(v, c.typ, rc.call.ArgTypes[i]); err == nil {
				v = cv
			}
		}
		ac.literals = append(ac.literals, v)
	}
	if _, err := rc.call.Accumulator(ac.literals, functions.Config{}); err != nil {
		return 0, errorf(fc.Pos, "%v", err)
	}
	g.calls = append(g.calls, ac)
	return len(g.calls) - 1, nil
}

// compileResults compiles the select items and HAVING over the result row.
func (g *aggAnalysis) compileResults(a *analysis, first bool) error {
	sel := g.resultScope(a, "SELECT")
	var bad []string
	for _, it := range a.items {
		g.offenders = g.offenders[:0]
		c, err := compileTop(it.expr, sel)
		if err != nil {
			return err
		}
		if len(g.offenders) > 0 {
			bad = append(bad, exprText(it.expr))
			continue
		}
		if c.typ.Kind == types.Null {
			return errorf(it.pos, errNullType)
		}
		it.c = c
	}
	if a.q.Having == nil {
		return g.nonAggregateItems(a, first, bad)
	}
	g.offenders = g.offenders[:0]
	c, err := compileTop(a.q.Having, g.resultScope(a, "HAVING"))
	if err != nil {
		return filterError("HAVING", a.q.Having, err)
	}
	if err := g.nonAggregateItems(a, first, bad); err != nil {
		return err
	}
	if len(g.offenders) > 0 {
		return errorf(a.q.Having.Position(), "Non-aggregate HAVING expression not part of GROUP BY: %s", strings.Join(g.offenders, ", "))
	}
	if c.typ.Kind != types.Boolean {
		return errorf(a.q.Having.Position(), "Type error in HAVING expression: Should evaluate to boolean but is %s (%s) instead.", exprText(a.q.Having), typeName(c.typ))
	}
	g.having = c
	return nil
}

// nonAggregateItems reports select items that read source columns outside
// GROUP BY expressions and aggregates; a query without any aggregate gets
// the message that says so first.
func (g *aggAnalysis) nonAggregateItems(a *analysis, first bool, bad []string) error {
	if !first {
		return nil
	}
	if len(g.calls) == 0 {
		return errorf(a.q.Pos, "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.")
	}
	if len(bad) > 0 {
		return errorf(a.q.Pos, "Non-aggregate SELECT expression(s) not part of GROUP BY: %s\nEither add the column(s) to the GROUP BY or remove them from the SELECT.",
			strings.Join(bad, ", "))
	}
	return nil
}

// checkUndo rejects, on a table, aggregates that cannot retract a row.
func (g *aggAnalysis) checkUndo(q *ast.Query) error {
	var names []string
	seen := map[string]bool{}
	for _, c := range g.calls {
		if n := c.call.Function.Name; !functions.SupportsUndo(c.call.Function) && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	list := names[0]
	if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return errorf(q.Pos, "The aggregation functions %s cannot be applied to a table source, only to a stream source.", list)
}

// findKeys makes the select items equal to the GROUP BY expressions the
// key columns, in GROUP BY order; every one must appear exactly once.
func (g *aggAnalysis) findKeys(a *analysis) error {
	var missing []string
	for gi, key := range g.groupKey {
		var hits []int
		for i, it := range a.items {
			if a.normalized(it.expr) == key {
				hits = append(hits, i)
			}
		}
		switch len(hits) {
		case 0:
			missing = append(missing, keyText(g.groupBy[gi]))
		case 1:
			a.keyItems = append(a.keyItems, hits[0])
		default:
			return errorf(a.items[hits[1]].pos, "The projection contains a key column more than once: `%s` and `%s`.",
				a.items[hits[0]].name, a.items[hits[1]].name)
		}
	}
	if len(missing) > 0 {
		what, list := "expression", missing[0]
		if len(missing) > 1 {
			what = "expressions"
			list = strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
		}
		return errorf(a.q.Pos, "The query used to build `%s` must include the grouping %s %s in its projection (eg, SELECT %s...).",
			a.sinkName, what, list, strings.Join(missing, ", "))
	}
	return a.checkValueColumns()
}

// checkDuplicates rejects two output columns with one name; a value
// column named like a key column gets ksqlDB's schema message.
func (g *aggAnalysis) checkDuplicates(a *analysis) error {
	isKey := map[int]bool{}
	for _, k := range a.keyItems {
		isKey[k] = true
	}
	seen := map[string]bool{}
	for i, it := range a.items {
		if seen[it.name] {
			if !isKey[i] {
				return errorf(it.pos, "Duplicate value columns found in schema: `%s` %s", it.name, it.c.typ)
			}
			return errorf(it.pos, "Duplicate column name in the projection: `%s`", it.name)
		}
		seen[it.name] = true
	}
	return nil
}

// String describes a call for EXPLAIN.
func (c *aggCall) String() string { return fmt.Sprintf("%s -> %s", c.text, c.call.Return) }
