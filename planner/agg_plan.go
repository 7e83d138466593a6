package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// aggregateOperator names the aggregation's store and changelog, as
// ksqlDB names the state store of its aggregate step.
const aggregateOperator = "Aggregate-Aggregate-Materialize"

// isAggregation reports whether a query aggregates (GROUP BY); windowed
// and joined aggregations are not planned here yet.
func isAggregation(q *ast.Query) bool {
	return q != nil && len(q.GroupBy) > 0
}

// planAggregate plans CREATE TABLE ... AS SELECT ... GROUP BY over a
// stream: scan -> filter -> aggregate -> sink, the aggregate emitting the
// table's changelog keyed by the GROUP BY values.
func planAggregate(s *ast.CreateAsSelect, cat Catalog, o Options) (*QueryPlan, error) {
	q := s.Query
	if q.Emit == ast.EmitFinal && q.Window == nil {
		return nil, errorf(q.Pos, "EMIT FINAL is only supported for windowed aggregations.")
	}
	pr, err := parseProps(s.Properties, createAsProps)
	if err != nil {
		return nil, err
	}
	a, g, err := analyzeAggregate(q, cat, o, s.Name)
	if err != nil {
		return nil, err
	}
	if s.Kind == ast.StreamSource {
		return nil, errorf(s.Pos, "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.")
	}
	p, err := g.build(a, o)
	if err != nil {
		return nil, err
	}
	dst, err := a.sinkSource(s, pr, p.Columns, o)
	if err != nil {
		return nil, err
	}
	p.Sink = dst
	p.Spec.Sink = sinkSpec(dst, p.Columns)
	if w := q.Window; w != nil {
		dst.Window = &WindowInfo{Kind: w.Kind, SizeMs: w.Size.Millis()}
		p.Spec.Sink.Windowed, p.Spec.Sink.WindowStartColumn = true, len(p.Columns)
		if w.Kind == ast.SessionWindow {
			dst.Window.SizeMs = 0
			p.Spec.Sink.SessionWindowed, p.Spec.Sink.WindowEndColumn = true, len(p.Columns)+1
		}
	}
	if ts := p.Spec.Sink.TimestampColumn; ts >= 0 && p.Columns[ts].Type.Kind == types.String {
		return nil, errorf(s.Pos, "A STRING TIMESTAMP column on an aggregation's result is not yet supported")
	}
	p.Root = &Node{Op: "Sink", Detail: dst.Name, Schema: p.Columns, Input: p.Root}
	return p, nil
}

// windowWithoutGroupBy rejects a WINDOW clause without GROUP BY, naming
// the select items that are not aggregates as ksqlDB does.
func windowWithoutGroupBy(q *ast.Query, o Options) error {
	if q.Window == nil || len(q.GroupBy) > 0 || len(q.From.Joins) > 0 {
		return nil
	}
	var others []string
	for _, it := range q.Select {
		se, ok := it.(*ast.SelectExpr)
		if !ok {
			others = append(others, "*")
			continue
		}
		if len(aggregateCalls(se.Expr, o.registry())) == 0 {
			others = append(others, exprText(se.Expr))
		}
	}
	if len(others) > 0 {
		return errorf(q.Pos, "Non-aggregate SELECT expression(s) not part of GROUP BY: %s", strings.Join(others, ", "))
	}
	return errorf(q.Window.Pos, "WINDOW without GROUP BY is not yet supported")
}

// planTransientAggregate plans a push query with GROUP BY: its rows are
// the aggregate's updates, one per input row, in select order. A GROUP BY
// that regroups a source with several partitions gets its repartition
// stage in QueryPlan.Stages, as a persistent query does; the engine runs
// it for as long as the push query lives.
func planTransientAggregate(q *ast.Query, cat Catalog, o Options) (*QueryPlan, error) {
	a, g, err := analyzeAggregation(q, cat, o, "", false)
	if err != nil {
		return nil, err
	}
	p, err := g.build(a, o)
	if err != nil {
		return nil, err
	}
	if err := flagResultKeys(a, g, p); err != nil {
		return nil, err
	}
	if q.Limit != nil {
		p.Spec.Limit = *q.Limit
	}
	p.Root = &Node{Op: "Output", Detail: "transient", Schema: p.Columns, Input: p.Root}
	return p, nil
}

// flagResultKeys marks as key, on a push aggregation's output schema, the
// select items that are its result table's key: the GROUP BY expressions
// and, when windowed, WINDOWSTART and WINDOWEND. A push aggregation is a
// table, so a group that leaves it (HAVING turns false, a session merges
// into another) is a tombstone row, and ksqlDB's tombstone keeps exactly
// those columns (its TombstoneFactory fills the projected key columns);
// the aggregate and exec.TombstoneColumns read the flags. The rows'
// columns (p.Columns, shared with the schema by build) stay unflagged: a
// push query's header lists no KEY, as ksqlDB's does, so the schema gets
// a copy.
func flagResultKeys(a *analysis, g *aggAnalysis, p *QueryPlan) error {
	agg, ok := p.Spec.Operators[len(p.Spec.Operators)-1].(*exec.Aggregate)
	if !ok {
		return fmt.Errorf("planner: push aggregation ends in %T, not an aggregate", p.Spec.Operators[len(p.Spec.Operators)-1])
	}
	keys := map[string]bool{}
	for _, k := range g.groupKey {
		keys[k] = true
	}
	if a.q.Window != nil {
		for _, name := range []string{"WINDOWSTART", "WINDOWEND"} {
			keys[a.normalized(&ast.ColumnRef{Name: name})] = true
		}
	}
	out := agg.Schema()
	cols := slices.Clone(out.Columns)
	for j, it := range a.items {
		if j < len(cols) && keys[a.normalized(it.expr)] {
			cols[j].Key = true
		}
	}
	flagged, err := types.NewSchema(cols...)
	if err != nil {
		return fmt.Errorf("planner: aggregate schema: %w", err)
	}
	*out = *flagged
	return nil
}

// groupsBySourceKey reports whether the GROUP BY expressions are the
// source's key columns in order: then every group lives in one input
// partition and the aggregation needs no repartition.
func groupsBySourceKey(a *analysis, groupBy []ast.Expr) bool {
	keys := a.src.KeyColumns()
	if len(keys) != len(groupBy) {
		return false
	}
	for i, e := range groupBy {
		if a.normalized(e) != a.normalized(&ast.ColumnRef{Name: keys[i].Name}) {
			return false
		}
	}
	return true
}

// build lays the aggregation out as operators.
func (g *aggAnalysis) build(a *analysis, o Options) (*QueryPlan, error) {
	spec, err := sourceSpec(a.src, o)
	if err != nil {
		return nil, err
	}
	qs := &exec.QuerySpec{ID: o.QueryID, Source: spec}
	node := &Node{Op: "Source", Detail: a.src.Name, Schema: a.src.Columns}
	var table *exec.TableInput
	var rowKey []int // the positions that identify a table row
	if a.src.Kind == ast.TableSource {
		// A table's rows are filtered inside the aggregate, which must
		// also retract rows that stop passing.
		table = &exec.TableInput{Schema: spec.Schema, Changelog: changelogTopic(o, tableRowsOperator)}
		var keys []int
		for i, c := range a.src.Columns {
			if c.Key {
				keys = append(keys, i)
			}
		}
		// A record with a null key is no row of the table: ksqlDB
		// ignores it.
		qs.Operators = append(qs.Operators, exec.NewDropNullKeys(spec.Schema, keys))
		table.KeyColumns = windowedRowKey(keys, spec.Window)
		rowKey = table.KeyColumns
		if a.where != nil {
			table.Where = guarded(a.where)
			node = &Node{Op: "Filter", Detail: exprText(a.q.Where), Schema: node.Schema, Input: node}
		}
	} else if a.where != nil {
		qs.Operators = append(qs.Operators, exec.NewFilter(spec.Schema, guarded(a.where)))
		node = &Node{Op: "Filter", Detail: exprText(a.q.Where), Schema: node.Schema, Input: node}
	}
	var stages []*exec.QuerySpec
	groupBy := make([]exec.Evaluator, len(g.groupC))
	for i, c := range g.groupC {
		groupBy[i] = guarded(c)
	}
	var regrouped *exec.RegroupedInput
	if g.repartition {
		var stage *exec.QuerySpec
		if table != nil {
			stage, err = g.tableRegroupStage(a, qs, table, o)
			regrouped = &exec.RegroupedInput{Flag: len(a.src.Columns) + len(g.groupC) + 3, Stage: stage}
			table = nil
		} else {
			stage, err = g.repartitionStage(a, qs, o)
		}
		if err != nil {
			return nil, err
		}
		stages = append(stages, stage)
		qs = &exec.QuerySpec{ID: o.QueryID, Source: exec.SourceSpec{
			Topic: stage.Sink.Topic, Partitions: stage.Sink.Partitions, Schema: stage.Operators[len(stage.Operators)-1].Schema(),
			Key: stage.Sink.Key, Value: stage.Sink.Value, TimestampColumn: -1, FromBeginning: true,
		}}
		detail := stage.Sink.Topic
		for i := range groupBy {
			groupBy[i] = exec.ColumnRef(len(a.src.Columns) + i)
		}
		if regrouped != nil {
			detail += "; table changes: subtract the old row, add the new row"
		}
		node = &Node{Op: "Repartition", Detail: detail, Schema: stage.Operators[len(stage.Operators)-1].Schema().Columns, Input: node}
	}
	cols, items := a.outputColumns()
	if !a.persistent {
		// A push query's rows: the select items in order.
		cols, items = nil, a.items
		for _, it := range a.items {
			cols = append(cols, types.Column{Name: it.name, Type: it.c.typ})
		}
	}
	schemaCols := cols
	if a.q.Window != nil && a.persistent {
		// A hidden last column carries the window start to the sink,
		// which appends it to the record key.
		schemaCols = append(append([]types.Column(nil), cols...), types.Column{Name: "$WINDOWSTART", Type: types.BigintType})
		if a.q.Window.Kind == ast.SessionWindow {
			schemaCols = append(schemaCols, types.Column{Name: "$WINDOWEND", Type: types.BigintType})
		}
	}
	out, err := types.NewSchema(schemaCols...)
	if err != nil {
		return nil, fmt.Errorf("planner: aggregate schema: %w", err)
	}
	as := &exec.AggregateSpec{
		Schema:    out,
		Operator:  aggregateOperator,
		Changelog: changelogTopic(o, aggregateOperator),
		Table:     table,
		Regrouped: regrouped,
		Transient: !a.persistent,
	}
	var groupTexts, callTexts, projTexts []string
	as.GroupBy = groupBy
	for _, e := range g.groupBy {
		groupTexts = append(groupTexts, exprText(e))
	}
	for _, c := range g.calls {
		newAcc, err := c.call.Accumulator(c.literals, aggregateConfig(o))
		if err != nil {
			return nil, fmt.Errorf("planner: %s: %w", c.text, err)
		}
		ec := exec.AggregateCall{New: func() exec.Accumulator { return newAcc() }}
		for _, f := range c.args {
			ec.Args = append(ec.Args, &evaluator{f: f, reads: []int{}})
		}
		as.Calls = append(as.Calls, ec)
		callTexts = append(callTexts, c.text)
	}
	if g.having != nil {
		as.Having = guarded(g.having)
	}
	for _, it := range items {
		as.Project = append(as.Project, guarded(it.c))
		t := exprText(it.expr)
		if it.name != t {
			t += " AS " + ast.QuoteIdent(it.name)
		}
		projTexts = append(projTexts, t)
	}
	detail := "GROUP BY " + strings.Join(groupTexts, ", ") + "; " + strings.Join(callTexts, ", ")
	if w := a.q.Window; w != nil {
		as.Window, as.Final = windowSpec(w, a.q.Emit == ast.EmitFinal), a.q.Emit == ast.EmitFinal
		if a.persistent {
			as.Project = append(as.Project, guarded(readAt(len(g.groupBy)+len(g.calls), types.BigintType)))
			if w.Kind == ast.SessionWindow {
				as.Project = append(as.Project, guarded(readAt(len(g.groupBy)+len(g.calls)+1, types.BigintType)))
			}
		}
		detail += fmt.Sprintf("; WINDOW %s size %d advance %d grace %d retention %d",
			w.Kind, as.Window.Size, as.Window.Advance, as.Window.Grace, as.Window.Retention)
		if as.Final {
			detail += "; EMIT FINAL"
		}
	}
	qs.Operators = append(qs.Operators, exec.NewAggregate(as))
	if g.having != nil {
		detail += "; HAVING " + exprText(a.q.Having)
	}
	if rowKey != nil && a.src.Window != nil {
		detail += "; a row is " + strings.Join(columnNames(spec.Schema, rowKey), ", ")
	}
	node = &Node{Op: "Aggregate", Detail: detail, Schema: node.Schema, Input: node}
	node = &Node{Op: "Project", Detail: strings.Join(projTexts, ", "), Schema: cols, Input: node}
	return &QueryPlan{Spec: qs, Stages: stages, Columns: cols, Inputs: []string{a.src.Name}, Root: node}, nil
}

// defaultGraceMs is the grace period of a window without GRACE PERIOD:
// 24 hours, Kafka Streams' default that ksqlDB keeps for EMIT CHANGES.
// With EMIT FINAL, ksqlDB emits at the window's end: no grace.
const defaultGraceMs = 24 * 60 * 60 * 1000

// windowSpec converts a WINDOW clause; tumbling windows advance by their
// size.
func windowSpec(w *ast.Window, final bool) *exec.WindowSpec {
	ws := &exec.WindowSpec{Size: w.Size.Millis(), Advance: w.Size.Millis(), Grace: defaultGraceMs}
	if final {
		ws.Grace = 0
	}
	switch w.Kind {
	case ast.HoppingWindow:
		ws.Advance = w.Advance.Millis()
	case ast.SessionWindow:
		ws.Session = true // Size is the inactivity gap
	}
	if w.Grace != nil {
		ws.Grace = w.Grace.Millis()
	}
	if w.Retention != nil {
		ws.Retention = w.Retention.Millis()
	}
	return ws
}

// changelogTopic names the compacted topic backing a store of the query,
// as ksqlDB names it: _confluent-ksql-<service id>query_<id>-<store>-changelog.
func changelogTopic(o Options, store string) string {
	service := "default_"
	if v, ok := o.Properties["ksql.service.id"]; ok {
		service = v
	}
	return "_confluent-ksql-" + service + "query_" + o.QueryID + "-" + store + "-changelog"
}

// aggregateConfig reads the properties that change aggregate behaviour.
func aggregateConfig(o Options) functions.Config {
	var cfg functions.Config
	read := func(name string, dst *int) {
		if v, ok := o.property(name); ok {
			var n int
			if _, err := fmt.Sscan(strings.TrimSpace(v), &n); err == nil {
				*dst = n
			}
		}
	}
	read("ksql.functions.collect_list.limit", &cfg.CollectListLimit)
	read("ksql.functions.collect_set.limit", &cfg.CollectSetLimit)
	return cfg
}
