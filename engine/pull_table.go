package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/parser"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// pullTable runs a pull query on a table. A table that a persistent
// aggregation materialises (CREATE TABLE ... AS SELECT ... GROUP BY) is
// read from the aggregation's committed state through a state snapshot,
// never from the tasks' write-back caches, so a pull query sees whole
// commits only. A source table or one a query without GROUP BY derives
// is read from its topic's committed records, compacted by key
// (scanTable), windowed or not; a plain CREATE TABLE is not queryable,
// as in ksqlDB. A WHERE clause that pins the key (key = literal,
// key IN (literals)) becomes lookups, WINDOWSTART bounds narrow the
// windows read; everything else scans. The query's WHERE and select list
// then run over the rows as a filter and projection (planner.PlanPullTable),
// so the lookups only ever save work and never change the answer.
func (s *Session) pullTable(ctx context.Context, st *ast.QueryStatement, text string, props map[string]string, src *planner.Source) (Result, error) {
	e := s.e
	q := st.Query
	id := transientID(q)
	// ksqlDB's order: the filter's own checks and the logical plan, then
	// whether the table can be read at all.
	if err := checkPullWhere(q, src, props, e.plannerOptions(props, id)); err != nil {
		return nil, err
	}
	plan, err := planner.PlanPullTable(q, e.cat, e.plannerOptions(props, id))
	if err != nil {
		return nil, planErr(err, text)
	}
	mat := e.materialization(src.Name)
	if mat == nil && !queryableScan(src, e.derived(src.Name)) {
		return nil, errorf(q.From.Left, "The `%s` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_%s AS SELECT * FROM %s'. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query.", src.Name, src.Name, src.Name)
	}
	if err := rejectPullPseudo(q); err != nil {
		return nil, err
	}
	if err := rejectNullKeys(q, src); err != nil {
		return nil, err
	}
	if err := checkKeyed(q, src, props); err != nil {
		return nil, err
	}
	cols := plan.Columns
	if len(cols) == 0 {
		cols = plan.Spec.OutputSchema().Columns
	}
	out := &Rows{Statement: text, QueryID: id, Columns: cols}
	if q.Limit != nil && *q.Limit == 0 {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rows [][]any
	var metas []types.RowMeta
	if mat != nil {
		rows, metas, err = e.readTable(src, mat, pullLookup(q, src, e.plannerOptions(props, id)))
	} else {
		rows, metas, err = s.scanTable(ctx, src, props)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + err.Error(), Err: err}
	}
	if out.Rows, err = exec.ApplyOperators(plan.Spec, rows, metas); err != nil {
		return nil, &Error{Code: CodeServerError, Message: "Pull query failed: " + err.Error(), Err: err}
	}
	if q.Limit != nil && int64(len(out.Rows)) > *q.Limit {
		out.Rows = out.Rows[:*q.Limit]
	}
	return out, nil
}

// materialization returns the persistent query whose aggregation
// materialises table, or nil.
func (e *Engine) materialization(table string) *Query {
	if e.state == nil {
		return nil
	}
	for _, q := range e.cat.Queries() {
		if q.Sink != table || q.Plan == nil {
			continue
		}
		if _, ok := exec.Materialization(q.Plan.Spec); ok {
			return q
		}
	}
	return nil
}

// queryableScan reports whether a table that no aggregation materialises
// can be read by scanning its topic. ksqlDB materialises every table a
// query derives (CREATE TABLE ... AS SELECT, windowed or not) and source
// tables (CREATE SOURCE TABLE); a windowed source table stays refused, as
// it was before derived windowed tables became queryable, for want of a
// ksqlDB case saying otherwise.
func queryableScan(src *planner.Source, derived bool) bool {
	return derived || (src.IsSource && src.Window == nil)
}

// derived reports whether a persistent query writes table.
func (e *Engine) derived(table string) bool {
	for _, q := range e.cat.Queries() {
		if q.Sink == table {
			return true
		}
	}
	return false
}

// readTable reads the table's rows from the committed state of its
// aggregation, laid out as planner.PullTableSchema(src).
func (e *Engine) readTable(src *planner.Source, mat *Query, lk exec.PullLookup) ([][]any, []types.RowMeta, error) {
	view := planner.PullTableSchema(src)
	agg, _ := exec.Materialization(mat.Plan.Spec)
	aggCols := agg.Schema().Columns
	// from[i] is the aggregate column of view column i; -1 and -2 are the
	// window start and end.
	from := make([]int, len(view))
	for i, c := range view {
		from[i] = -3
		switch {
		case src.Window != nil && c.Name == "WINDOWSTART" && !c.Key:
			from[i] = -1
		case src.Window != nil && c.Name == "WINDOWEND" && !c.Key:
			from[i] = -2
		default:
			for j, a := range aggCols {
				if a.Name == c.Name {
					from[i] = j
					break
				}
			}
		}
		if from[i] == -3 {
			return nil, nil, fmt.Errorf("column %s of %s is not in its materialisation", c.Name, src.Name)
		}
	}
	snap := e.state.NewSnapshot()
	defer snap.Close()
	var rows [][]any
	var metas []types.RowMeta
	err := exec.ReadMaterialized(snap, mat.Plan.Spec, lk, func(r exec.TableRow) error {
		row := make([]any, len(view))
		for i, j := range from {
			switch j {
			case -1:
				row[i] = r.Start
			case -2:
				row[i] = r.End
			default:
				row[i] = r.Row[j]
			}
		}
		rows = append(rows, row)
		metas = append(metas, types.RowMeta{Rowtime: r.Rowtime})
		return nil
	})
	return rows, metas, err
}

// pullLookup derives what the WHERE clause lets the read skip: the keys
// of a `key = literal` or `key IN (literals)` conjunct on a one-column
// key, and WINDOWSTART bounds of a windowed table. Anything it does not
// understand leaves the read a full scan; the query's filter still runs
// over what is read.
func pullLookup(q *ast.Query, src *planner.Source, o planner.Options) exec.PullLookup {
	lk := exec.AllWindows()
	keys := src.KeyColumns()
	for _, c := range conjuncts(q.Where, nil) {
		if len(keys) == 1 && lk.Keys == nil {
			if vals, ok := keyValues(c, keys[0], o); ok {
				lk.Keys = vals
				continue
			}
		}
		if src.Window != nil {
			narrowStart(c, &lk)
		}
	}
	return lk
}

// conjuncts appends the AND-ed terms of e.
func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	if e == nil {
		return out
	}
	if b, ok := e.(*ast.Binary); ok && b.Op == ast.OpAnd {
		return conjuncts(b.Right, conjuncts(b.Left, out))
	}
	return append(out, e)
}

// keyValues reads `key = literal`, `literal = key` and `key IN (...)`.
func keyValues(e ast.Expr, key types.Column, o planner.Options) ([][]any, bool) {
	isKey := func(x ast.Expr) bool {
		r, ok := x.(*ast.ColumnRef)
		return ok && r.Name == key.Name
	}
	var lits []ast.Expr
	switch x := e.(type) {
	case *ast.Binary:
		if x.Op != ast.OpEq {
			return nil, false
		}
		switch {
		case isKey(x.Left):
			lits = []ast.Expr{x.Right}
		case isKey(x.Right):
			lits = []ast.Expr{x.Left}
		default:
			return nil, false
		}
	case *ast.In:
		if x.Not || !isKey(x.Expr) {
			return nil, false
		}
		lits = x.List
	default:
		return nil, false
	}
	out := make([][]any, 0, len(lits))
	for _, l := range lits {
		v, ok := keyLiteral(l, key.Type)
		if !ok {
			v, ok = keyConstant(l, key.Type, o)
		}
		if !ok {
			return nil, false
		}
		out = append(out, []any{v})
	}
	return out, true
}

// keyConstant evaluates a constant expression of no column whose type is
// the key's (ARRAY['a'], STRUCT(F := 1), 11 - 1) to a key value.
func keyConstant(e ast.Expr, t *types.Type, o planner.Options) (any, bool) {
	if hasColumn(e) {
		return nil, false
	}
	ev, et, err := planner.CompileExpression(e, nil, o)
	if err != nil || !et.Equal(t) {
		return nil, false
	}
	v, err := ev.Eval(nil)
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}

// keyLiteral converts a literal to the Go value of a key of type t, when
// the conversion is exact.
func keyLiteral(e ast.Expr, t *types.Type) (any, bool) {
	switch l := e.(type) {
	case *ast.StringLiteral:
		if t.Kind == types.String {
			return l.Value, true
		}
	case *ast.IntegerLiteral:
		switch t.Kind {
		case types.Integer:
			if l.Value >= math.MinInt32 && l.Value <= math.MaxInt32 {
				return int32(l.Value), true
			}
		case types.Bigint:
			return l.Value, true
		case types.Double:
			if f := float64(l.Value); int64(f) == l.Value {
				return f, true
			}
		}
	case *ast.DoubleLiteral:
		if t.Kind == types.Double {
			return l.Value, true
		}
	case *ast.BooleanLiteral:
		if t.Kind == types.Boolean {
			return l.Value, true
		}
	}
	return nil, false
}

// narrowStart applies a WINDOWSTART comparison with an integer literal to
// the window start bounds.
func narrowStart(e ast.Expr, lk *exec.PullLookup) {
	var col ast.Expr
	var lo, hi *int64
	switch x := e.(type) {
	case *ast.Binary:
		if !x.Op.IsComparison() || x.Op == ast.OpNeq {
			return
		}
		op, lit := x.Op, x.Right
		col = x.Left
		if _, ok := x.Left.(*ast.IntegerLiteral); ok {
			col, lit = x.Right, x.Left
			op = flipComparison(op)
		}
		n, ok := lit.(*ast.IntegerLiteral)
		if !ok {
			return
		}
		v := n.Value
		switch op {
		case ast.OpEq:
			lo, hi = &v, &v
		case ast.OpGt:
			if v == math.MaxInt64 {
				return
			}
			v++
			lo = &v
		case ast.OpGte:
			lo = &v
		case ast.OpLt:
			if v == math.MinInt64 {
				return
			}
			v--
			hi = &v
		case ast.OpLte:
			hi = &v
		}
	case *ast.Between:
		l, ok1 := x.Low.(*ast.IntegerLiteral)
		h, ok2 := x.High.(*ast.IntegerLiteral)
		if x.Not || !ok1 || !ok2 {
			return
		}
		col, lo, hi = x.Expr, &l.Value, &h.Value
	default:
		return
	}
	if r, ok := col.(*ast.ColumnRef); !ok || r.Name != "WINDOWSTART" {
		return
	}
	if lo != nil {
		lk.StartFrom = max(lk.StartFrom, *lo)
	}
	if hi != nil {
		lk.StartTo = min(lk.StartTo, *hi)
	}
}

// flipComparison turns `lit op col` into `col op' lit`.
func flipComparison(op ast.BinaryOp) ast.BinaryOp {
	switch op {
	case ast.OpLt:
		return ast.OpGt
	case ast.OpLte:
		return ast.OpGte
	case ast.OpGt:
		return ast.OpLt
	case ast.OpGte:
		return ast.OpLte
	}
	return op
}

// scanTable reads a table that no aggregation materialises (a source
// table, or one a query without GROUP BY derives) from its topic: every
// committed record up to the end each partition had when the query
// arrived, compacted to the newest row per key (per key and window for a
// windowed table, whose bounds come from the windowed record key),
// tombstones removing rows. The rows come laid out as
// planner.PullTableSchema(src).
func (s *Session) scanTable(ctx context.Context, src *planner.Source, props map[string]string) ([][]any, []types.RowMeta, error) {
	e := s.e
	st, err := parser.ParseStatement(fmt.Sprintf("SELECT * FROM `%s` EMIT CHANGES;", src.Name))
	if err != nil {
		return nil, nil, err
	}
	q := st.(*ast.QueryStatement).Query
	plan, err := planner.PlanQuery(q, e.cat, e.plannerOptions(props, transientID(q)))
	if err != nil {
		return nil, nil, err
	}
	out := plan.Spec.OutputSchema().Columns
	view := planner.PullTableSchema(src)
	from := make([]int, len(view))
	var keyAt []int
	for i, c := range view {
		from[i] = slices.IndexFunc(out, func(o types.Column) bool { return o.Name == c.Name })
		if from[i] < 0 {
			return nil, nil, fmt.Errorf("column %s of %s is not in its scan", c.Name, src.Name)
		}
		if c.Key || (src.Window != nil && (c.Name == "WINDOWSTART" || c.Name == "WINDOWEND")) {
			// A windowed table's row is its key and its window: the
			// latest record of each (key, window) is the row.
			keyAt = append(keyAt, from[i])
		}
	}
	spec := plan.Spec
	spec.Source.FromBeginning = true
	d, err := e.log.DescribeTopic(ctx, spec.Source.Topic)
	if err != nil {
		return nil, nil, err
	}
	ends := make(map[int32]int64, len(d.Partitions))
	for _, p := range d.Partitions {
		ends[p.Partition] = p.StableOffset
	}
	type found struct {
		row  []any
		meta types.RowMeta
	}
	var mu sync.Mutex
	var recs []found
	push := func(row []any, m types.RowMeta) error {
		if end, ok := ends[m.Partition]; !ok || m.Offset >= end {
			return exec.ErrSkipRow
		}
		mu.Lock()
		recs = append(recs, found{row: slices.Clone(row), meta: m})
		mu.Unlock()
		return nil
	}
	run, err := e.rt.StartPush(ctx, spec, push)
	if err != nil {
		return nil, nil, err
	}
	waitErr := run.WaitCaughtUp(ctx)
	stopErr := run.Stop(context.Background())
	if waitErr != nil && !errors.Is(waitErr, exec.ErrQueryStopped) {
		return nil, nil, waitErr
	}
	if err := errors.Join(run.Err(), stopErr); err != nil {
		return nil, nil, err
	}
	// Each key lives in one partition: apply each partition's records in
	// offset order, then list the live rows in a stable order.
	slices.SortStableFunc(recs, func(a, b found) int {
		if a.meta.Partition != b.meta.Partition {
			return int(a.meta.Partition) - int(b.meta.Partition)
		}
		return int(min(max(a.meta.Offset-b.meta.Offset, -1), 1))
	})
	live := map[string]int{}
	var order []found
	for _, r := range recs {
		k := rowIdentity(pick(r.row, keyAt))
		i, ok := live[k]
		switch {
		case r.meta.Change == types.Delete:
			if ok {
				order[i].row = nil
				delete(live, k)
			}
		case ok:
			order[i] = r
		default:
			live[k] = len(order)
			order = append(order, r)
		}
	}
	var rows [][]any
	var metas []types.RowMeta
	for _, r := range order {
		if r.row == nil {
			continue
		}
		rows = append(rows, pick(r.row, from))
		metas = append(metas, types.RowMeta{Rowtime: r.meta.Rowtime, Partition: r.meta.Partition, Offset: r.meta.Offset})
	}
	return rows, metas, nil
}

// rowIdentity renders the values that identify a table row as a map key
// in which distinct rows never meet: each value is typed and strings are
// quoted (fmt.Sprint would render ("d1", 10) and ("d11", 0) both as
// "d110"), arrays element by element.
func rowIdentity(vals []any) string {
	var b strings.Builder
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(strconv.Quote(x))
		case []any:
			b.WriteByte('[')
			for _, e := range x {
				add(e)
				b.WriteByte(',')
			}
			b.WriteByte(']')
		default:
			fmt.Fprintf(&b, "%T(%v)", v, v)
		}
	}
	for _, v := range vals {
		add(v)
		b.WriteByte(';')
	}
	return b.String()
}

// pick returns row's values at positions at.
func pick(row []any, at []int) []any {
	out := make([]any, len(at))
	for i, j := range at {
		out[i] = row[j]
	}
	return out
}
