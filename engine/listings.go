package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/functions"
	"github.com/sluicedb/sluice/planner"
)

func (s *Session) show(ctx context.Context, st *ast.Show, text string) (Result, error) {
	e := s.e
	switch st.Kind {
	case ast.ShowStreams, ast.ShowTables:
		kind, plural := ast.StreamSource, "STREAMS"
		if st.Kind == ast.ShowTables {
			kind, plural = ast.TableSource, "TABLES"
		}
		out := &SourceList{Statement: text, Kind: plural}
		for _, src := range e.cat.Sources() {
			if src.Kind != kind {
				continue
			}
			if st.Extended {
				out.Descriptions = append(out.Descriptions, e.describe(ctx, src, true, text))
				continue
			}
			out.Sources = append(out.Sources, SourceInfo{Name: src.Name, Kind: src.Kind.String(), Topic: src.Topic,
				KeyFormat: src.KeyFormat, ValueFormat: src.ValueFormat, IsWindowed: src.Window != nil})
		}
		return out, nil
	case ast.ShowTopics:
		names, err := e.log.ListTopics(ctx)
		if err != nil {
			return nil, &Error{Code: CodeServerError, Message: err.Error(), Err: err}
		}
		out := &TopicList{Statement: text}
		for _, n := range names {
			if strings.HasPrefix(n, "_") && !st.AllTopics {
				continue
			}
			d, err := e.log.DescribeTopic(ctx, n)
			if err != nil {
				continue // deleted meanwhile
			}
			out.Topics = append(out.Topics, TopicInfo{Name: n, Partitions: len(d.Partitions), Replicas: 1})
		}
		return out, nil
	case ast.ShowQueries:
		out := &QueryList{Statement: text}
		for _, q := range e.cat.Queries() {
			out.Queries = append(out.Queries, q.info())
		}
		for _, p := range e.push.list() {
			out.Queries = append(out.Queries, QueryInfo{ID: p.id, Statement: p.statement, Type: "PUSH", State: string(p.run.State())})
		}
		return out, nil
	case ast.ShowFunctions:
		return &FunctionList{Statement: text, Functions: e.funcs.Show()}, nil
	case ast.ShowTypes:
		return &TypeList{Statement: text, Types: e.cat.Types()}, nil
	case ast.ShowProperties:
		return s.showProperties(text), nil
	case ast.ShowVariables:
		out := &VariableList{Statement: text}
		vars := s.Variables()
		for _, k := range sortedKeys(vars) {
			out.Variables = append(out.Variables, Variable{Name: k, Value: vars[k]})
		}
		return out, nil
	case ast.ShowConnectors, ast.ShowConnectorPlugins:
		return nil, errorf(st, "Connectors are not supported: Sluice does not embed Kafka Connect")
	}
	return nil, errorf(st, "SHOW %s is not supported", st.Kind)
}

// showProperties lists every property with where its value comes from.
func (s *Session) showProperties(text string) *PropertyList {
	defaults := DefaultProperties()
	server := s.e.Properties()
	local := s.Overrides()
	all := server
	for k, v := range local {
		all[k] = v
	}
	out := &PropertyList{Statement: text}
	for _, k := range sortedKeys(all) {
		scope := "SERVER"
		switch {
		case hasKey(local, k):
			scope = "SESSION"
		case hasKey(defaults, k) && defaults[k] == server[k]:
			scope = "DEFAULT"
		}
		out.Properties = append(out.Properties, Property{Name: k, Value: all[k], Scope: scope})
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func (s *Session) describeSources(ctx context.Context, st *ast.DescribeSources, text string) (Result, error) {
	kind := ast.ShowStreams
	if st.Kind == ast.TableSource {
		kind = ast.ShowTables
	}
	return s.show(ctx, &ast.Show{Pos: st.Pos, Kind: kind, Extended: true}, text)
}

func (s *Session) describeSource(ctx context.Context, st *ast.DescribeSource, text string) (Result, error) {
	src, ok := s.e.cat.Source(st.Name)
	if !ok {
		return nil, &Error{Code: CodeBadStatement, Pos: st.Pos,
			Message: fmt.Sprintf("Could not find STREAM/TABLE '%s' in the Metastore", st.Name)}
	}
	return s.e.describe(ctx, src, st.Extended, text), nil
}

// describe builds a source description; with extended, live metrics of the
// queries that write the source and the processing errors of those reading
// it.
func (e *Engine) describe(ctx context.Context, src *planner.Source, extended bool, text string) *SourceDescription {
	d := &SourceDescription{Statement: text, Name: src.Name, Kind: src.Kind.String(), Topic: src.Topic,
		Partitions: src.Partitions, Replicas: 1, KeyFormat: src.KeyFormat, ValueFormat: src.ValueFormat,
		Timestamp: src.TimestampColumn, Windowed: src.Window != nil, IsSource: src.IsSource,
		SourceStatement: src.Statement, Extended: extended}
	if src.Window != nil {
		d.WindowType = src.Window.Kind.String()
	}
	for _, c := range src.Columns {
		role := ""
		switch {
		case c.Key && src.Kind == ast.TableSource:
			role = "PRIMARY KEY"
		case c.Key:
			role = "KEY"
		case c.Headers:
			if k, ok := src.HeaderKeys[c.Name]; ok {
				role = "HEADER('" + k + "')"
			} else {
				role = "HEADERS"
			}
		}
		d.Fields = append(d.Fields, FieldInfo{Name: c.Name, Type: c.Type.String(), Role: role})
	}
	readers, writers := e.cat.queriesUsing(src.Name)
	for _, id := range readers {
		if q, ok := e.cat.Query(id); ok {
			d.ReadQueries = append(d.ReadQueries, q.info())
			if extended {
				d.ErrorStats += e.plog.count(q.ID)
			}
		}
	}
	for _, id := range writers {
		if q, ok := e.cat.Query(id); ok {
			d.WriteQueries = append(d.WriteQueries, q.info())
			if extended {
				d.Metrics = addMetrics(d.Metrics, q.Metrics())
			}
		}
	}
	return d
}

// addMetrics sums the counters of two queries writing the same source.
func addMetrics(a, b exec.QueryMetrics) exec.QueryMetrics {
	a.RecordsIn += b.RecordsIn
	a.RecordsOut += b.RecordsOut
	a.ProcessingErrors += b.ProcessingErrors
	a.Lag += b.Lag
	a.Commits += b.Commits
	a.CommitLatencyMax = max(a.CommitLatencyMax, b.CommitLatencyMax)
	a.CommitLatency = max(a.CommitLatency, b.CommitLatency)
	a.Restarts += b.Restarts
	if b.LastError != "" {
		a.LastError = b.LastError
	}
	return a
}

func (s *Session) describeFunction(st *ast.DescribeFunction, text string) (Result, error) {
	f, ok := s.e.funcs.Lookup(st.Name)
	if !ok {
		return nil, &Error{Code: CodeBadStatement, Pos: st.Pos,
			Message: fmt.Sprintf("Can't find any functions with the name '%s'", st.Name)}
	}
	return &FunctionDescription{Statement: text, Description: functions.Describe(f)}, nil
}

// explain plans a statement without running it, or shows a running query.
func (s *Session) explain(ctx context.Context, st *ast.Explain, text string, props map[string]string) (Result, error) {
	e := s.e
	if st.QueryID != "" {
		q, ok := e.cat.Query(st.QueryID)
		if !ok {
			q, ok = e.cat.Query(strings.ToUpper(st.QueryID))
		}
		if !ok {
			return nil, &Error{Code: CodeBadStatement, Pos: st.Pos, Message: fmt.Sprintf("Query with id:%s does not exist, use SHOW QUERIES to view the full set of queries.", st.QueryID)}
		}
		return &Explanation{Statement: text, QueryID: q.ID, QueryStatement: q.Statement,
			Plan: planner.Explain(q.Plan), State: q.State(), Metrics: q.Metrics()}, nil
	}
	inner := ast.Format(st.Statement)
	opts := e.plannerOptions(props, "")
	var plan *planner.QueryPlan
	var err error
	switch is := st.Statement.(type) {
	case *ast.CreateAsSelect:
		if err := rejectStatefulCreate(is.Query, e.cat); err != nil {
			return nil, err
		}
		opts.QueryID = queryIDPreview(is)
		plan, err = planner.PlanCreateAsSelect(is, e.cat, opts)
	case *ast.InsertInto:
		if err := rejectStateful(is.Query, e.cat); err != nil {
			return nil, err
		}
		opts.QueryID = "INSERTQUERY"
		plan, err = planner.PlanInsertInto(is, e.cat, opts)
	case *ast.QueryStatement:
		if err := rejectStateful(is.Query, e.cat); err != nil {
			return nil, err
		}
		opts.QueryID = "transient"
		plan, err = planner.PlanQuery(is.Query, e.cat, opts)
	default:
		return nil, errorf(st, "The provided statement does not run a ksql query")
	}
	if err != nil {
		return nil, planErr(err, text)
	}
	return &Explanation{Statement: text, QueryID: opts.QueryID, QueryStatement: inner, Plan: planner.Explain(plan)}, nil
}

// queryIDPreview is the id shown by EXPLAIN CREATE ... AS SELECT, which
// starts nothing and so takes no query number.
func queryIDPreview(st *ast.CreateAsSelect) string {
	if st.Kind == ast.TableSource {
		return "CTAS_" + st.Name
	}
	return "CSAS_" + st.Name
}
