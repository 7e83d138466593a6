package planner

import (
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/format"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/types"
)

// sinkSpec builds the exec sink for output columns cols written to dst.
func sinkSpec(dst *Source, cols []types.Column) *exec.SinkSpec {
	s := &exec.SinkSpec{Topic: dst.Topic, Partitions: dst.Partitions, TimestampColumn: -1,
		Key:   exec.SerdeSpec{Format: dst.KeyFormat, Options: dst.KeyOptions},
		Value: exec.SerdeSpec{Format: dst.ValueFormat, Options: dst.ValueOptions}}
	s.Key.Options.Key = true
	for i, c := range cols {
		if c.Key {
			s.KeyColumns = append(s.KeyColumns, i)
			s.Key.Columns = append(s.Key.Columns, c)
		} else {
			s.ValueColumns = append(s.ValueColumns, i)
			s.Value.Columns = append(s.Value.Columns, c)
		}
		if dst.TimestampColumn != "" && c.Name == dst.TimestampColumn {
			s.TimestampColumn = i
		}
	}
	return s
}

func planCreateAsSelect(s *ast.CreateAsSelect, cat Catalog, o Options) (p *QueryPlan, err error) {
	defer recoverInternal(&err)
	if err := aggregatesWithoutGroupBy(s, o); err != nil {
		return nil, err
	}
	if isAggregation(s.Query) && len(s.Query.From.Joins) == 0 {
		return planAggregate(s, cat, o)
	}
	if err := windowWithoutGroupBy(s.Query, o); err != nil {
		return nil, err
	}
	if err := resultKind(s, cat); err != nil {
		return nil, err
	}
	pr, err := parseProps(s.Properties, createAsProps)
	if err != nil {
		return nil, err
	}
	a, err := analyzeSelect(s.Query, cat, o, true, s.Name)
	if err != nil {
		return nil, err
	}
	if err := tableResultKind(s, a); err != nil {
		return nil, err
	}
	if p, err = a.build(o); err != nil {
		return nil, err
	}
	dst, err := a.sinkSource(s, pr, p.Columns, o)
	if err != nil {
		return nil, err
	}
	p.Sink = dst
	p.Spec.Sink = sinkSpec(dst, p.Columns)
	p.Spec.Sink.NullKeysWithoutValue = a.nullKeysWithoutValue()
	if w := a.src.Window; w != nil {
		// The output keeps the source's windowed key.
		dst.Window = &WindowInfo{Kind: w.Kind, SizeMs: w.SizeMs}
		a.windowedSink(p)
	}
	if err := a.parsedSinkTimestamp(p, dst, o); err != nil {
		return nil, err
	}
	p.Root = &Node{Op: "Sink", Detail: dst.Name, Schema: p.Columns, Input: p.Root}
	return p, nil
}

// parsedSinkTimestamp handles a STRING TIMESTAMP column with a
// TIMESTAMP_FORMAT on CREATE ... AS SELECT: the projection gets one more,
// hidden column holding the parsed timestamp (PARSE_TIMESTAMP of the
// column with the format), which the sink uses as the record timestamp
// and encodes in neither key nor value.
func (a *analysis) parsedSinkTimestamp(p *QueryPlan, dst *Source, o Options) error {
	ts := p.Spec.Sink.TimestampColumn
	if ts < 0 || p.Columns[ts].Type.Kind != types.String {
		return nil
	}
	call, err := o.registry().Resolve("PARSE_TIMESTAMP", functions.TypeArgs(types.StringType, types.StringType))
	if err != nil {
		return fmt.Errorf("planner: PARSE_TIMESTAMP for the sink timestamp: %w", err)
	}
	parse, err := call.Scalar()
	if err != nil {
		return fmt.Errorf("planner: PARSE_TIMESTAMP for the sink timestamp: %w", err)
	}
	col, layout := a.projExprs[ts], dst.TimestampFormat
	hidden := &evaluator{reads: nil, f: func(row []any) (any, error) {
		v, err := col.Eval(row)
		if v == nil || err != nil {
			return nil, err
		}
		return parse([]any{v, layout})
	}}
	if cr, ok := col.(interface{ ReadsColumns() []int }); ok {
		hidden.reads = cr.ReadsColumns()
	}
	cols := append(append([]types.Column(nil), a.projCols...), types.Column{Name: "$SINK_TIMESTAMP", Type: call.Return})
	out, err := types.NewSchema(cols...)
	if err != nil {
		return fmt.Errorf("planner: projection schema: %w", err)
	}
	exprs := append(append([]exec.Evaluator(nil), a.projExprs...), hidden)
	p.Spec.Operators[len(p.Spec.Operators)-1] = exec.NewProject(out, exprs)
	p.Spec.Sink.TimestampColumn = len(cols) - 1
	return nil
}

// sinkSource is the source a CREATE ... AS SELECT registers: its topic,
// partitions and formats come from the WITH clause, else from the query's
// source (formats) or the sink name (topic).
func (a *analysis) sinkSource(s *ast.CreateAsSelect, pr *props, cols []types.Column, o Options) (*Source, error) {
	src := a.src
	dst := &Source{Name: s.Name, Kind: s.Kind, Columns: cols, Statement: ast.Format(s), FromQuery: true}
	dst.Topic = s.Name
	if t, ok := pr.get("KAFKA_TOPIC"); ok && strings.TrimSpace(t) != "" {
		dst.Topic = t
	}
	var err error
	if dst.Partitions, err = pr.int("PARTITIONS"); err != nil {
		return nil, err
	}
	if dst.Partitions == 0 {
		dst.Partitions = src.Partitions
	}
	if dst.Replicas, err = pr.int("REPLICAS"); err != nil {
		return nil, err
	}
	if dst.Replicas == 0 {
		dst.Replicas = src.Replicas
	}
	inheritKey := src.KeyFormat
	if inheritKey == format.None {
		inheritKey = ""
	}
	var keySet bool
	if dst.KeyFormat, dst.ValueFormat, keySet, err = pr.formats(o, inheritKey, src.ValueFormat); err != nil {
		return nil, err
	}
	keys, values := dst.KeyColumns(), dst.ValueColumns()
	if len(keys) == 0 {
		if keySet && dst.KeyFormat != format.None {
			return nil, errNoPos("Key format specified for stream without key columns.")
		}
		dst.KeyFormat = format.None
	}
	if dst.KeyOptions, dst.ValueOptions, err = pr.serdeOptions(o, dst.KeyFormat, dst.ValueFormat, len(values)); err != nil {
		return nil, err
	}
	// A format inherited unchanged keeps its delimiter.
	if _, ok := pr.get("VALUE_DELIMITER"); !ok && dst.ValueFormat == src.ValueFormat {
		dst.ValueOptions.Delimiter = src.ValueOptions.Delimiter
	}
	if _, ok := pr.get("KEY_DELIMITER"); !ok && dst.KeyFormat == src.KeyFormat {
		dst.KeyOptions.Delimiter = src.KeyOptions.Delimiter
	}
	if err := validateFormats(dst); err != nil {
		return nil, withStatement(err, a.statementText(s))
	}
	if err := sinkTimestamp(dst, pr); err != nil {
		return nil, err
	}
	return dst, nil
}

// sinkTimestamp applies TIMESTAMP on a CREATE ... AS SELECT: the output
// column whose value becomes each record's timestamp.
func sinkTimestamp(dst *Source, pr *props) error {
	if err := sourceTimestamp(dst, pr); err != nil {
		return err
	}
	if dst.TimestampColumn == "" {
		return nil
	}
	return nil
}

func planInsertInto(s *ast.InsertInto, cat Catalog, o Options) (p *QueryPlan, err error) {
	defer recoverInternal(&err)
	pr, err := parseProps(s.Properties, insertIntoProps)
	if err != nil {
		return nil, err
	}
	dst, ok := cat.Source(s.Target)
	if !ok {
		return nil, errorf(s.Pos, "Source `%s` does not exist.", s.Target)
	}
	if dst.Kind == ast.TableSource {
		return nil, errorf(s.Pos, "INSERT INTO can only be used to insert into a stream. %s is a table.", dst.Name)
	}
	if src, ok := cat.Source(s.Query.From.Left.Name); ok && src.Kind == ast.TableSource && len(s.Query.From.Joins) == 0 {
		return nil, errorf(s.Pos, "Incompatible data sink and query result. Data sink (%s) type is KSTREAM but select query result is KTABLE.", dst.Name)
	}
	if isAggregation(s.Query) && len(s.Query.From.Joins) == 0 {
		// An aggregation's result is a table, and a stream cannot take it.
		return nil, errorf(s.Pos, "Incompatible data sink and query result. Data sink (%s) type is KSTREAM but select query result is KTABLE.", dst.Name)
	}
	if dst.IsSource {
		return nil, errorf(s.Pos, "Cannot insert into read-only stream: %s", dst.Name)
	}
	if hasHeaders(dst.Columns) {
		return nil, errorf(s.Pos, "Cannot insert into %s because it has header columns", dst.Name)
	}
	a, err := analyzeSelect(s.Query, cat, o, true, dst.Name)
	if err != nil {
		return nil, err
	}
	if p, err = a.build(o); err != nil {
		return nil, err
	}
	want := sinkOrder(dst.Columns)
	if !sameColumns(p.Columns, want) {
		return nil, errorf(s.Pos, "Incompatible schema between results and sink.\nResult schema is %s\nSink schema is %s",
			columnsText(p.Columns), columnsText(want))
	}
	// ksqlDB compares only the schemas here; Sluice also refuses a
	// windowing mismatch, whose records the target's readers could not
	// split into key and window.
	if !sameWindow(dst.Window, a.src.Window) {
		return nil, errorf(s.Pos, "Incompatible data sink and query result. Data sink (%s) is %s but select query result is %s.",
			dst.Name, windowText(dst.Window), windowText(a.src.Window))
	}
	p.Sink = dst
	if id, ok := pr.get("QUERY_ID"); ok {
		p.RequestedQueryID = strings.ToUpper(strings.TrimSpace(id))
	}
	p.Spec.Sink = sinkSpec(dst, p.Columns)
	p.Spec.Sink.NullKeysWithoutValue = a.nullKeysWithoutValue()
	a.windowedSink(p)
	// Records keep the query's ROWTIME: the target's TIMESTAMP column is
	// how readers of the target find event time, not how writers set it.
	p.Spec.Sink.TimestampColumn = -1
	p.Root = &Node{Op: "Sink", Detail: dst.Name, Schema: p.Columns, Input: p.Root}
	return p, nil
}

// sinkOrder returns columns with the key columns first, the order a
// query's output has.
func sinkOrder(cols []types.Column) []types.Column {
	var out []types.Column
	for _, c := range cols {
		if c.Key {
			out = append(out, c)
		}
	}
	for _, c := range cols {
		if !c.Key {
			out = append(out, c)
		}
	}
	return out
}

func sameColumns(a, b []types.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Key != b[i].Key || !a[i].Type.Equal(b[i].Type) {
			return false
		}
	}
	return true
}

// columnsText prints a schema as ksqlDB does in messages:
// `ID` INTEGER KEY, `NAME` STRING.
func columnsText(cols []types.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "`" + c.Name + "` " + c.Type.String()
		if c.Key {
			parts[i] += " KEY"
		}
		if c.Headers {
			parts[i] += " HEADERS"
		}
	}
	return strings.Join(parts, ", ")
}

// aggregatesWithoutGroupBy gives ksqlDB's errors for a CREATE ... AS
// SELECT that calls aggregate functions without GROUP BY: the select items
// that are not aggregates, or, when all are, the aggregates themselves.
func aggregatesWithoutGroupBy(s *ast.CreateAsSelect, o Options) error {
	q := s.Query
	if len(q.GroupBy) > 0 || len(q.From.Joins) > 0 || q.Window != nil {
		return nil
	}
	reg := o.registry()
	var aggs, others []string
	for _, it := range q.Select {
		se, ok := it.(*ast.SelectExpr)
		if !ok {
			others = append(others, "*")
			continue
		}
		if found := aggregateCalls(se.Expr, reg); len(found) > 0 {
			aggs = append(aggs, found...)
		} else {
			others = append(others, exprText(se.Expr))
		}
	}
	if len(aggs) == 0 {
		return nil
	}
	if len(others) > 0 {
		return errorf(q.Pos, "Non-aggregate SELECT expression(s) not part of GROUP BY: %s", strings.Join(others, ", "))
	}
	return errorf(q.Pos, "CREATE %s AS SELECT statement does not support aggregate function [%s] without a GROUP BY clause.",
		s.Kind, strings.Join(aggs, ", "))
}

// aggregateCalls lists the aggregate function calls in e, printed as
// ksqlDB does (COUNT(*) and COUNT() count ROWTIME).
func aggregateCalls(e ast.Expr, reg *functions.Registry) []string {
	var out []string
	var walk func(ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.FunctionCall:
			if f, ok := reg.Lookup(e.Name); ok && f.Kind == functions.Aggregate {
				c := *e
				if c.Star || len(c.Args) == 0 {
					c.Star, c.Args = false, []ast.Expr{&ast.ColumnRef{Name: "ROWTIME"}}
				}
				c.Name = strings.ToUpper(c.Name)
				out = append(out, exprText(&c))
				return
			}
			for _, a := range e.Args {
				walk(a)
			}
		case *ast.Binary:
			walk(e.Left)
			walk(e.Right)
		case *ast.Unary:
			walk(e.Expr)
		case *ast.Cast:
			walk(e.Expr)
		case *ast.Not:
			walk(e.Expr)
		case *ast.Case:
			for _, w := range e.Whens {
				walk(w.Condition)
				walk(w.Result)
			}
			if e.Else != nil {
				walk(e.Else)
			}
		}
	}
	walk(e)
	return out
}
