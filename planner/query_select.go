package planner

import (
	"fmt"
	"slices"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// selectItem is one output column of a query after the select list was
// expanded (`*`, `source.*`, `struct->*`) and named.
type selectItem struct {
	expr ast.Expr
	pos  ast.Pos
	name string
	// explicit marks an AS alias; derived names come from a column or a
	// struct field; generated ones (KSQL_COL_n) are given last.
	explicit, derived bool
	// fromStar marks items produced by `*` expansion.
	fromStar bool
	// gen is the flat-map generator index of a table function item, or -1.
	gen int
	c   *compiled
}

// analysis is a SELECT after name resolution and typing: everything the
// logical and physical plans are built from.
type analysis struct {
	q          *ast.Query
	src        *Source
	alias      string
	persistent bool
	// sinkName is the source a persistent query writes (for messages).
	sinkName string

	scope     *scope // over the source's columns
	projScope *scope // over the flat-map output (source columns, then generators)
	where     *compiled
	gens      []*compiled
	genExprs  []ast.Expr
	items     []*selectItem

	// partitionBy holds the PARTITION BY expressions; partitionNull is
	// PARTITION BY NULL (a keyless result).
	partitionBy   []ast.Expr
	partitionNull bool
	// keyItems are the items that become key columns, in key order.
	keyItems []int
	// projCols and projExprs are the final projection, kept so the sink
	// can add a hidden column to it.
	projCols  []types.Column
	projExprs []exec.Evaluator
}

// analyzeSelect resolves, types and checks a SELECT.
func analyzeSelect(q *ast.Query, cat Catalog, o Options, persistent bool, sinkName string) (*analysis, error) {
	if err := rejectStateful(q, persistent); err != nil {
		return nil, err
	}
	rel := q.From.Left
	src, ok := cat.Source(rel.Name)
	if !ok {
		return nil, errorf(rel.Pos, "Source `%s` does not exist.", rel.Name)
	}
	if src.Kind == ast.TableSource {
		reg := o.registry()
		for _, it := range q.Select {
			if se, ok := it.(*ast.SelectExpr); ok {
				if fc, ok := se.Expr.(*ast.FunctionCall); ok {
					if f, ok := reg.Lookup(fc.Name); ok && f.Kind == functions.Table {
						return nil, errorf(fc.Pos, "Table source is not supported with table functions")
					}
				}
			}
		}
		if len(q.PartitionBy) > 0 {
			return nil, errorf(q.PartitionBy[0].Position(), "Cannot repartition a TABLE source: PARTITION BY is only supported on streams.")
		}
	}
	if src.Window != nil {
		src = windowedView(src)
	}
	a := &analysis{q: q, src: src, alias: rel.Alias, persistent: persistent, sinkName: sinkName}
	a.scope = newScope(src.Columns, src.Name, rel.Alias, o.registry())
	a.scope.cat = cat
	if err := a.analyzeWhere(); err != nil {
		return nil, err
	}
	if err := a.analyzePartitionBy(); err != nil {
		return nil, err
	}
	if err := a.checkWindowedRepartition(); err != nil {
		return nil, err
	}
	if err := a.expandSelect(); err != nil {
		return nil, err
	}
	if err := a.compileItems(); err != nil {
		return nil, err
	}
	if err := a.nameItems(); err != nil {
		return nil, err
	}
	if persistent {
		if err := a.findKeys(); err != nil {
			return nil, err
		}
	}
	if err := a.checkDuplicates(); err != nil {
		return nil, err
	}
	return a, nil
}

// rejectStateful turns away what needs the stateful operators of issue 7
// with a positioned "not yet supported" error, never a wrong result.
func rejectStateful(q *ast.Query, persistent bool) error {
	if len(q.From.Joins) > 0 {
		return errorf(q.From.Joins[0].Pos, "JOIN is not yet supported (joins arrive with the stateful operators)")
	}
	if q.Window != nil {
		return errorf(q.Window.Pos, "WINDOW is not yet supported (windowed aggregation arrives with the stateful operators)")
	}
	if len(q.GroupBy) > 0 {
		return errorf(q.GroupBy[0].Position(), "GROUP BY is not yet supported (aggregation arrives with the stateful operators)")
	}
	if q.Having != nil {
		return errorf(q.Having.Position(), "HAVING is not yet supported (aggregation arrives with the stateful operators)")
	}
	if q.Emit == ast.EmitFinal {
		return errorf(q.Pos, "EMIT FINAL is only supported for windowed aggregations.")
	}
	if persistent && q.Limit != nil {
		return errorf(q.Pos, "CREATE STREAM AS SELECT statements don't support LIMIT clause.")
	}
	return nil
}

// analyzeWhere compiles the WHERE predicate, which must be BOOLEAN.
func (a *analysis) analyzeWhere() error {
	if a.q.Where == nil {
		return nil
	}
	c, err := compileTop(a.q.Where, a.scope.withClause("WHERE"))
	if err != nil {
		return filterError("WHERE", a.q.Where, err)
	}
	if c.typ.Kind != types.Boolean {
		return errorf(a.q.Where.Position(), "Type error in WHERE expression: Should evaluate to boolean but is %s (%s) instead.", exprText(a.q.Where), typeName(c.typ))
	}
	a.where = c
	return nil
}

func typeName(t *types.Type) string {
	if t.Kind == types.Null {
		return "null"
	}
	return t.String()
}

// analyzePartitionBy checks the PARTITION BY expressions against the
// source (PARTITION BY applies to the input).
func (a *analysis) analyzePartitionBy() error {
	pb := a.q.PartitionBy
	if pb == nil {
		return nil
	}
	if len(pb) == 0 {
		return errorf(a.q.Pos, "PARTITION BY requires at least one expression")
	}
	for _, e := range pb {
		if isNullLiteral(e) {
			if len(pb) > 1 {
				return errorf(e.Position(), "Cannot PARTITION BY multiple columns including NULL")
			}
			a.partitionNull = true
			return nil
		}
	}
	sc := a.scope.withClause("PARTITION BY")
	for _, e := range pb {
		c, err := compileExpr(e, sc)
		if err != nil {
			return err
		}
		if c.typ.Kind == types.Null {
			return errorf(e.Position(), errNullType)
		}
	}
	a.partitionBy = pb
	return nil
}

// expandSelect expands the star forms into one item per column.
func (a *analysis) expandSelect() error {
	for _, it := range a.q.Select {
		switch it := it.(type) {
		case *ast.SelectAll:
			if it.Source != "" {
				if _, ok := a.scope.qualifiers[it.Source]; !ok {
					return errorf(it.Pos, "'%s' is not a valid stream/table name or alias.", it.Source)
				}
			}
			a.items = append(a.items, a.starItems(it.Pos)...)
		case *ast.SelectStructAll:
			c, err := compileExpr(it.Expr, a.scope)
			if err != nil {
				return err
			}
			if c.typ.Kind != types.StructKind {
				return errorf(it.Pos, "Can't dereference a non-STRUCT: %s (%s)", exprText(it.Expr), c.typ)
			}
			for _, f := range c.typ.Fields {
				a.items = append(a.items, &selectItem{expr: &ast.Dereference{Pos: it.Pos, Base: it.Expr, Field: f.Name},
					pos: it.Pos, name: f.Name, derived: true, gen: -1})
			}
		case *ast.SelectExpr:
			si := &selectItem{expr: it.Expr, pos: it.Pos, gen: -1}
			if it.Alias != "" {
				if isPseudoName(it.Alias) {
					return errorf(it.Pos, "`%s` is a reserved column name. You cannot use it as an alias for a column.", it.Alias)
				}
				si.name, si.explicit = it.Alias, true
			} else if n, ok := derivedName(it.Expr); ok {
				si.name, si.derived = n, true
			}
			a.items = append(a.items, si)
		}
	}
	return nil
}

// starItems expands `*`: the key columns then the other columns; after
// PARTITION BY, the new key expressions, the other columns, then the old
// key columns, which became value columns.
func (a *analysis) starItems(pos ast.Pos) []*selectItem {
	col := func(c types.Column) *selectItem {
		return &selectItem{expr: &ast.ColumnRef{Pos: pos, Name: c.Name}, pos: pos, name: c.Name, derived: true, fromStar: true, gen: -1}
	}
	var out []*selectItem
	if a.partitionBy == nil {
		for _, c := range a.src.KeyColumns() {
			out = append(out, col(c))
		}
		for _, c := range a.src.Columns {
			if !c.Key && !a.hiddenBound(c) {
				out = append(out, col(c))
			}
		}
		return out
	}
	partitioned := map[string]bool{}
	for _, e := range a.partitionBy {
		si := &selectItem{expr: e, pos: pos, fromStar: true, gen: -1}
		if n, ok := derivedName(e); ok {
			si.name, si.derived = n, true
		}
		if r, ok := e.(*ast.ColumnRef); ok {
			partitioned[r.Name] = true
		}
		out = append(out, si)
	}
	for _, c := range a.src.Columns {
		if !c.Key && !partitioned[c.Name] && !a.hiddenBound(c) {
			out = append(out, col(c))
		}
	}
	for _, c := range a.src.KeyColumns() {
		if !partitioned[c.Name] {
			out = append(out, col(c))
		}
	}
	return out
}

// derivedName is the name ksqlDB gives an unaliased select expression: a
// column keeps its name, a struct dereference takes the field name.
func derivedName(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.ColumnRef:
		return e.Name, true
	case *ast.Dereference:
		return e.Field, true
	}
	return "", false
}

// compileItems compiles the select items over the flat-map output; table
// function items become generators.
func (a *analysis) compileItems() error {
	sel := a.scope.withClause("SELECT")
	for _, it := range a.items {
		if !isTableFunction(it.expr, sel) {
			continue
		}
		g, err := compileTableCall(it.expr.(*ast.FunctionCall), sel)
		if err != nil {
			return err
		}
		it.gen = len(a.gens)
		a.gens = append(a.gens, g)
		a.genExprs = append(a.genExprs, it.expr)
	}
	ps := *sel
	ps.cols = append([]column(nil), sel.cols...)
	ps.pseudo = len(a.src.Columns) + len(a.gens)
	ps.width = ps.pseudo + len(exec.PseudoColumns)
	a.projScope = &ps
	for _, it := range a.items {
		if it.gen >= 0 {
			pos := len(a.src.Columns) + it.gen
			it.c = readAt(pos, a.gens[it.gen].typ)
			it.c.reads = []int{pos}
			continue
		}
		c, err := compileTop(it.expr, a.projScope)
		if err != nil {
			return err
		}
		if c.typ.Kind == types.Null {
			return errorf(it.pos, errNullType)
		}
		it.c = c
	}
	return nil
}

// nameItems gives unnamed items KSQL_COL_n names (n counting up from 0,
// skipping names in use) and rejects reserved and duplicate names.
func (a *analysis) nameItems() error {
	// A struct field's name that clashes with a source column or an
	// earlier output column gets a suffix: A->B beside B is B_1.
	taken := map[string]bool{}
	for _, c := range a.src.Columns {
		taken[c.Name] = true
	}
	used := map[string]bool{}
	for _, it := range a.items {
		if _, deref := it.expr.(*ast.Dereference); deref && it.derived && !it.fromStar {
			base := it.name
			if taken[base] || used[base] {
				for k := 1; ; k++ {
					if n := fmt.Sprintf("%s_%d", base, k); !taken[n] && !used[n] {
						it.name = n
						break
					}
				}
			}
		}
		if it.name != "" {
			used[it.name] = true
		}
	}
	for n := range used {
		taken[n] = true
	}
	n := 0
	for _, it := range a.items {
		if it.name != "" {
			continue
		}
		for taken[fmt.Sprintf("KSQL_COL_%d", n)] {
			n++
		}
		it.name = fmt.Sprintf("KSQL_COL_%d", n)
		taken[it.name] = true
		n++
	}
	for _, it := range a.items {
		if a.persistent && !it.explicit && !it.fromStar && isPseudoName(it.name) {
			return errorf(it.pos, "Reserved column name in select: `%s`. Please remove or alias the column.", it.name)
		}
	}
	return nil
}

// checkDuplicates rejects two output columns with one name; two value
// columns get the message of ksqlDB's schema builder.
func (a *analysis) checkDuplicates() error {
	seen := map[string]bool{}
	for i, it := range a.items {
		if seen[it.name] {
			if !slices.Contains(a.keyItems, i) && it.c != nil {
				return errorf(it.pos, "Duplicate value columns found in schema: `%s` %s", it.name, it.c.typ)
			}
			return errorf(it.pos, "Duplicate column name in the projection: `%s`", it.name)
		}
		seen[it.name] = true
	}
	return nil
}
