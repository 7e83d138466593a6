package planner

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/types"
)

// outputColumns are the query's result columns: for a persistent query the
// key columns first (in key order, flagged Key) then the other items in
// select order, the layout ksqlDB gives a sink; for a transient query the
// items in select order.
func (a *analysis) outputColumns() ([]types.Column, []*selectItem) {
	var cols []types.Column
	var items []*selectItem
	isKey := map[int]bool{}
	for _, k := range a.keyItems {
		isKey[k] = true
		it := a.items[k]
		cols = append(cols, types.Column{Name: it.name, Type: it.c.typ, Key: true})
		items = append(items, it)
	}
	for i, it := range a.items {
		if !isKey[i] {
			cols = append(cols, types.Column{Name: it.name, Type: it.c.typ})
			items = append(items, it)
		}
	}
	return cols, items
}

// sourceSpec describes how the query reads its source.
func sourceSpec(src *Source, o Options) (exec.SourceSpec, error) {
	schema, err := types.NewSchema(src.Columns...)
	if err != nil {
		return exec.SourceSpec{}, fmt.Errorf("planner: source %s: %w", src.Name, err)
	}
	spec := exec.SourceSpec{
		Topic:           src.Topic,
		Partitions:      src.Partitions,
		Schema:          schema,
		Key:             exec.SerdeSpec{Format: src.KeyFormat, Options: src.KeyOptions, Columns: src.KeyColumns()},
		Value:           exec.SerdeSpec{Format: src.ValueFormat, Options: src.ValueOptions, Columns: src.ValueColumns()},
		TimestampColumn: -1,
		TimestampFormat: src.TimestampFormat,
		FromBeginning:   o.fromBeginning(),

		ThrowOnInvalidTimestamp: o.throwOnInvalidTimestamp(),
	}
	spec.Key.Options.Key = true
	if src.Window != nil {
		windowedSpec(&spec, src)
	}
	for i, c := range src.Columns {
		if c.Headers {
			if spec.HeaderColumns == nil {
				spec.HeaderColumns = map[int]string{}
			}
			spec.HeaderColumns[i] = src.HeaderKeys[c.Name]
		}
		if src.TimestampColumn != "" && c.Name == src.TimestampColumn {
			spec.TimestampColumn = i
		}
	}
	return spec, nil
}

// evaluator is the exec.Evaluator the planner hands to operators: the
// compiled expression, the row positions it reads (exec's ColumnReader, so
// operators box only those), and a recover so that a panic (a bug, never
// bad data) becomes that row's error instead of taking the task down.
type evaluator struct {
	f     evalFn
	reads []int
}

// Eval implements exec.Evaluator.
func (e *evaluator) Eval(row []any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("planner: internal error evaluating expression: %v", r)
		}
	}()
	return e.f(row)
}

// ReadsColumns lists the row positions the expression reads.
func (e *evaluator) ReadsColumns() []int { return e.reads }

func guarded(c *compiled) exec.Evaluator {
	reads := c.reads
	if reads == nil {
		reads = []int{}
	}
	return &evaluator{f: c.eval, reads: reads}
}

// build lays the analysed query out as operators and a logical plan:
// scan -> filter -> flat-map -> (repartition) -> project.
func (a *analysis) build(o Options) (*QueryPlan, error) {
	spec, err := sourceSpec(a.src, o)
	if err != nil {
		return nil, err
	}
	qs := &exec.QuerySpec{ID: o.QueryID, Source: spec}
	node := &Node{Op: "Source", Detail: a.src.Name, Schema: a.src.Columns}
	schema := spec.Schema
	if a.src.Kind == ast.TableSource {
		// A record with a null key is no row of the table: ksqlDB ignores it.
		var keys []int
		for i, c := range a.src.Columns {
			if c.Key {
				keys = append(keys, i)
			}
		}
		qs.Operators = append(qs.Operators, exec.NewDropNullKeys(schema, keys))
	}
	if a.where != nil {
		if a.src.Kind == ast.TableSource {
			// A table's changelog: a rejected row deletes its key if the
			// key was output, which the filter keeps in a state store.
			qs.Operators = append(qs.Operators, exec.NewTableFilter(a.tableFilterSpec(o, schema, spec.Window)))
		} else {
			qs.Operators = append(qs.Operators, exec.NewFilter(schema, guarded(a.where)))
		}
		node = &Node{Op: "Filter", Detail: exprText(a.q.Where), Schema: node.Schema, Input: node}
	}
	if len(a.gens) > 0 {
		cols := append([]types.Column(nil), schema.Columns...)
		gens := make([]exec.Evaluator, len(a.gens))
		var texts []string
		for i, g := range a.gens {
			cols = append(cols, types.Column{Name: fmt.Sprintf("$TF%d", i), Type: g.typ})
			gens[i] = guarded(g)
			texts = append(texts, exprText(a.genExprs[i]))
		}
		if schema, err = types.NewSchema(cols...); err != nil {
			return nil, fmt.Errorf("planner: flat-map schema: %w", err)
		}
		qs.Operators = append(qs.Operators, exec.NewFlatMap(schema, gens))
		node = &Node{Op: "FlatMap", Detail: strings.Join(texts, ", "), Schema: cols, Input: node}
	}
	if a.partitionBy != nil || a.partitionNull {
		detail := "NULL"
		if a.partitionBy != nil {
			texts := make([]string, len(a.partitionBy))
			for i, e := range a.partitionBy {
				texts[i] = exprText(e)
			}
			detail = strings.Join(texts, ", ")
		}
		node = &Node{Op: "Repartition", Detail: detail, Schema: node.Schema, Input: node}
	}
	cols, items := a.outputColumns()
	if !a.persistent {
		cols, items = nil, a.items
		for _, it := range a.items {
			cols = append(cols, types.Column{Name: it.name, Type: it.c.typ})
		}
	}
	exprs := make([]exec.Evaluator, len(items))
	texts := make([]string, len(items))
	for i, it := range items {
		exprs[i] = guarded(it.c)
		if it.c.isCol {
			exprs[i] = exec.ColumnRef(it.c.col)
		}
		texts[i] = exprText(it.expr)
		if it.name != texts[i] {
			texts[i] += " AS " + ast.QuoteIdent(it.name)
		}
	}
	// Over a windowed source the projection also carries the window
	// bounds, hidden, for the sink's windowed keys.
	hidden, hiddenExprs, err := a.windowBoundsProjection(schema)
	if err != nil {
		return nil, err
	}
	projCols := append(append([]types.Column(nil), cols...), hidden...)
	exprs = append(exprs, hiddenExprs...)
	out, err := types.NewSchema(projCols...)
	if err != nil {
		return nil, fmt.Errorf("planner: projection schema: %w", err)
	}
	qs.Operators = append(qs.Operators, exec.NewProject(out, exprs))
	a.projCols, a.projExprs = projCols, exprs
	node = &Node{Op: "Project", Detail: strings.Join(texts, ", "), Schema: cols, Input: node}
	if a.q.Limit != nil {
		qs.Limit = *a.q.Limit
	}
	return &QueryPlan{Spec: qs, Columns: cols, Inputs: []string{a.src.Name}, Root: node}, nil
}

func planTransient(q *ast.Query, cat Catalog, o Options) (p *QueryPlan, err error) {
	defer recoverInternal(&err)
	if g := implicitGroupBy(q, o); g != nil {
		q = g
	}
	if isAggregation(q) && len(q.From.Joins) == 0 {
		return planTransientAggregate(q, cat, o)
	}
	a, err := analyzeSelect(q, cat, o, false, "")
	if err != nil {
		return nil, err
	}
	if p, err = a.build(o); err != nil {
		return nil, err
	}
	p.Root = &Node{Op: "Output", Detail: "transient", Schema: p.Columns, Input: p.Root}
	return p, nil
}
