package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// pullHelp ends ksqlDB's pull-query rejections: users who forgot EMIT
// CHANGES are the usual authors of a pull query with a GROUP BY.
const pullHelp = " See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query."

// pullQuery runs a pull query (SELECT without EMIT CHANGES). On a stream it
// scans the topic, as ksqlDB does: every partition from its beginning to
// the end it had when the query arrived, through the same filter and
// projection a push query uses, and returns the rows as a finished *Rows.
// Records written after the query arrived are not part of the answer, so
// the result is a snapshot even while producers keep writing.
// Pull queries on tables read materialised state (pull_table.go).
func (s *Session) pullQuery(ctx context.Context, st *ast.QueryStatement, text string, props map[string]string) (Result, error) {
	e := s.e
	q := st.Query
	if err := validatePull(q); err != nil {
		return nil, err
	}
	if q.From != nil {
		if src, ok := e.cat.Source(q.From.Left.Name); ok && src.Kind == ast.TableSource {
			return s.pullTable(ctx, st, text, props, src)
		}
	}
	id := transientID(q)
	plan, err := planner.PlanQuery(q, e.cat, e.plannerOptions(props, id))
	if err != nil {
		return nil, planErr(err, text)
	}
	if err := rejectPullPseudo(q); err != nil {
		return nil, err
	}
	cols := plan.Columns
	if len(cols) == 0 {
		cols = plan.Spec.OutputSchema().Columns
	}
	if q.Limit != nil && *q.Limit == 0 {
		return &Rows{Statement: text, QueryID: id, Columns: cols}, nil
	}
	spec := plan.Spec
	spec.Source.FromBeginning = true
	d, err := e.log.DescribeTopic(ctx, spec.Source.Topic)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Message: "Failed to scan the stream's topic: " + err.Error(), Err: err}
	}
	// The end of each partition now: rows at or past it arrived after the
	// query and are skipped even if the scan happens to read them.
	ends := make(map[int32]int64, len(d.Partitions))
	for _, p := range d.Partitions {
		ends[p.Partition] = p.StableOffset
	}
	if len(d.Partitions) > 1 {
		// Partitions are scanned concurrently, so the first n rows
		// delivered are not the first n of the answer's order: scan all
		// and cut after sorting. One partition stops at the LIMIT.
		spec.Limit = 0
	}
	type found struct {
		row  []any
		part int32
		off  int64
	}
	var mu sync.Mutex
	var rows []found
	hasValue := len(spec.Source.Value.Columns) > 0
	push := func(row []any, m types.RowMeta) error {
		if m.Change == types.Delete && hasValue {
			return exec.ErrSkipRow // a null value is no row of a stream
		}
		if end, ok := ends[m.Partition]; !ok || m.Offset >= end {
			return exec.ErrSkipRow
		}
		mu.Lock()
		rows = append(rows, found{row: row, part: m.Partition, off: m.Offset})
		mu.Unlock()
		return nil
	}
	run, err := e.rt.StartPush(ctx, spec, push)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Message: "Failed to start pull query: " + err.Error(), Err: err}
	}
	waitErr := run.WaitCaughtUp(ctx)
	stopErr := run.Stop(context.Background())
	if waitErr != nil && !errors.Is(waitErr, exec.ErrQueryStopped) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + waitErr.Error(), Err: waitErr}
	}
	if err := run.Err(); err != nil {
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + err.Error(), Err: err}
	}
	if waitErr != nil {
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + waitErr.Error(), Err: waitErr}
	}
	if stopErr != nil {
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + stopErr.Error(), Err: stopErr}
	}
	// Partitions are scanned concurrently: order the answer by partition
	// and offset so the same topic always gives the same rows in the same
	// order (within a partition the scan already is in offset order).
	slices.SortStableFunc(rows, func(a, b found) int {
		if a.part != b.part {
			return int(a.part) - int(b.part)
		}
		return int(min(max(a.off-b.off, -1), 1))
	})
	out := &Rows{Statement: text, QueryID: id, Columns: cols, Rows: make([][]any, len(rows))}
	for i, r := range rows {
		out.Rows[i] = r.row
	}
	if q.Limit != nil && int64(len(out.Rows)) > *q.Limit {
		out.Rows = out.Rows[:*q.Limit]
	}
	return out, nil
}

// validatePull rejects the clauses a pull query cannot have, with
// ksqlDB's messages.
func validatePull(q *ast.Query) error {
	if q == nil {
		return nil
	}
	var at ast.Node
	clause := ""
	switch {
	case q.From != nil && len(q.From.Joins) > 0:
		at, clause = q.From.Joins[0], "JOIN"
	case q.Window != nil:
		at, clause = q.Window, "WINDOW"
	case len(q.GroupBy) > 0:
		at, clause = q.GroupBy[0], "GROUP BY"
	case len(q.PartitionBy) > 0:
		at, clause = q.PartitionBy[0], "PARTITION BY"
	case q.Having != nil:
		at, clause = q.Having, "HAVING"
	default:
		return nil
	}
	return errorf(at, "Pull queries don't support %s clauses.%s", clause, pullHelp)
}

// rejectPullPseudo rejects ROWPARTITION and ROWOFFSET in a pull query's
// select list and WHERE clause, as ksqlDB does: a pull query's rows do not
// come from one record position.
func rejectPullPseudo(q *ast.Query) error {
	var sel []string
	for _, it := range q.Select {
		if se, ok := it.(*ast.SelectExpr); ok {
			sel = pseudoRefs(se.Expr, sel)
		}
	}
	if len(sel) > 0 {
		return errorf(q, "Pull queries don't support the following columns in SELECT clauses: %s", quoteList(sel))
	}
	if q.Where != nil {
		if w := pseudoRefs(q.Where, nil); len(w) > 0 {
			return errorf(q.Where, "Pull queries don't support the following columns in WHERE clauses: %s", quoteList(w))
		}
	}
	return nil
}

// pseudoRefs appends the ROWPARTITION/ROWOFFSET columns expr reads, once
// each, in the order they appear. It walks the tree by reflection so that
// new expression nodes are covered without a change here.
func pseudoRefs(expr ast.Expr, out []string) []string {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if c, ok := v.Interface().(*ast.ColumnRef); ok {
				name := strings.ToUpper(c.Name)
				if (name == "ROWPARTITION" || name == "ROWOFFSET") && !slices.Contains(out, name) {
					out = append(out, name)
				}
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
	walk(reflect.ValueOf(expr))
	return out
}

// quoteList renders names as ksqlDB lists columns: `A`, `B`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("`%s`", n)
	}
	return strings.Join(q, ", ")
}
