package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"sync"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/planner"
	"github.com/sluicedb/sluice/types"
)

// pushBuffer is how many rows a push query may run ahead of its reader
// before its task blocks: enough to smooth bursts, small enough that a slow
// client holds the query back instead of buffering without bound.
const pushBuffer = 256

// pushQuery starts a transient push query and returns its stream of rows.
// A query without EMIT CHANGES is a pull query (pullQuery).
func (s *Session) pushQuery(ctx context.Context, st *ast.QueryStatement, text string, props map[string]string) (Result, error) {
	e := s.e
	q := st.Query
	if q.Emit == ast.EmitNone {
		return s.pullQuery(ctx, st, text, props)
	}
	if err := rejectStatefulPush(q, e.cat); err != nil {
		return nil, err
	}
	id := transientID(q)
	plan, err := planner.PlanQuery(q, e.cat, e.plannerOptions(props, id))
	if err != nil {
		return nil, planErr(err, text)
	}
	if q.Limit != nil && *q.Limit == 0 {
		// LIMIT 0: the limit is reached before the first row, so the
		// stream ends at once without reading the topic.
		cols := plan.Columns
		if len(cols) == 0 {
			cols = plan.Spec.OutputSchema().Columns
		}
		return &RowStream{Statement: text, QueryID: id, Columns: cols,
			NextRow: func(context.Context) (StreamRow, bool) { return StreamRow{}, false },
			Close:   func() {}, Err: func() error { return nil }}, nil
	}
	rows := make(chan StreamRow, pushBuffer)
	stop := make(chan struct{})
	var stopOnce sync.Once
	hasValue := len(plan.Spec.Source.Value.Columns) > 0
	// Over a table, a delete is a row of the result: a tombstone.
	var tombstone []bool
	if overTable(plan, e.cat) {
		tombstone = exec.TombstoneColumns(plan.Spec)
	}
	push := func(row []any, m types.RowMeta) error {
		r := StreamRow{Values: row}
		switch {
		case m.Change == types.Delete && tombstone != nil:
			r.Tombstone = true
			for j := range r.Values {
				if j >= len(tombstone) || !tombstone[j] {
					r.Values[j] = nil
				}
			}
		case m.Change == types.Delete && hasValue:
			// A stream record with a null value carries no row: ksqlDB's
			// push queries skip it (persistent queries pass it on). A
			// stream without value columns has nothing but its key.
			return exec.ErrSkipRow
		}
		select {
		case rows <- r:
			return nil
		case <-stop:
			return context.Canceled
		}
	}
	run, err := e.rt.StartPush(ctx, plan.Spec, push)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Message: "Failed to start push query: " + err.Error(), Err: err}
	}
	var errMu sync.Mutex
	var streamErr error
	closeFn := func() {
		stopOnce.Do(func() {
			close(stop)
			_ = run.Stop(context.Background())
			e.push.remove(id)
		})
	}
	e.push.add(&pushInfo{id: id, statement: text, run: run, close: closeFn})
	go func() {
		// A query that ends by itself (LIMIT, error) leaves the listing.
		<-run.Done()
		e.push.remove(id)
	}()
	next := func(ctx context.Context) (StreamRow, bool) {
		select {
		case <-stop:
			return StreamRow{}, false // closed: queued rows are dropped
		default:
		}
		select {
		case r := <-rows:
			return r, true
		default:
		}
		select {
		case r := <-rows:
			return r, true
		case <-run.Done():
			// Rows delivered before the query ended are still queued.
			select {
			case r := <-rows:
				return r, true
			default:
			}
			errMu.Lock()
			if streamErr == nil {
				streamErr = run.Err()
			}
			errMu.Unlock()
			return StreamRow{}, false
		case <-stop:
			return StreamRow{}, false
		case <-e.ctx.Done():
			closeFn()
			errMu.Lock()
			streamErr = ErrClosed
			errMu.Unlock()
			return StreamRow{}, false
		case <-ctx.Done():
			errMu.Lock()
			streamErr = ctx.Err()
			errMu.Unlock()
			return StreamRow{}, false
		}
	}
	return &RowStream{Statement: text, QueryID: id, Columns: outputColumns(plan, run),
		NextRow: next, Close: closeFn,
		Err: func() error {
			errMu.Lock()
			defer errMu.Unlock()
			return streamErr
		}}, nil
}

// overTable reports whether a push query reads a table, whose deletes
// its rows show as tombstones.
func overTable(plan *planner.QueryPlan, cat *Catalog) bool {
	if len(plan.Inputs) != 1 {
		return false
	}
	src, ok := cat.Source(plan.Inputs[0])
	return ok && src.Kind == ast.TableSource
}

// outputColumns are the columns a push query's rows carry.
func outputColumns(plan *planner.QueryPlan, run *exec.Query) []types.Column {
	if len(plan.Columns) > 0 {
		return plan.Columns
	}
	return run.Spec.OutputSchema().Columns
}

// transientID names a push query as ksqlDB does: transient_<SOURCE>_<random>.
func transientID(q *ast.Query) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	src := ""
	if q.From != nil {
		src = q.From.Left.Name
	}
	return "transient_" + src + "_" + hex.EncodeToString(b[:])
}

// pushInfo is a running push query as SHOW QUERIES lists it.
type pushInfo struct {
	id, statement string
	run           *exec.Query
	close         func()
}

// pushRegistry tracks running push queries so that SHOW QUERIES lists them
// and TERMINATE can end one, as in ksqlDB. They are not in the catalog:
// they are not recorded and do not survive a restart.
type pushRegistry struct {
	mu sync.Mutex
	m  map[string]*pushInfo
}

func (r *pushRegistry) add(p *pushInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]*pushInfo{}
	}
	r.m[p.id] = p
}

func (r *pushRegistry) remove(id string) {
	r.mu.Lock()
	delete(r.m, id)
	r.mu.Unlock()
}

// get finds a push query by id, ignoring case: the parser upper-cases an
// unquoted id, and transient ids are lower case.
func (r *pushRegistry) get(id string) (*pushInfo, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.m[id]; ok {
		return p, true
	}
	for k, p := range r.m {
		if strings.EqualFold(k, id) {
			return p, true
		}
	}
	return nil, false
}

// list returns the running push queries sorted by id.
func (r *pushRegistry) list() []*pushInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*pushInfo, 0, len(r.m))
	for _, p := range r.m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *pushInfo) int { return strings.Compare(a.id, b.id) })
	return out
}
