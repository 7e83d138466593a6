package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
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
	// Over a table, a delete is a row of the result: a tombstone. An
	// aggregation's result is a table too: a group that leaves it (HAVING
	// turns false, a session merges into another) is a tombstone row
	// keeping its key columns, as ksqlDB's push queries show it.
	var tombstone []bool
	if overTable(plan, e.cat) || hasState(plan) {
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
	stages, err := e.startPushStages(ctx, plan, props)
	if err != nil {
		return nil, err
	}
	run, err := e.rt.StartPush(ctx, plan.Spec, push)
	if err != nil {
		stages.end()
		return nil, &Error{Code: CodeServerError, Message: "Failed to start push query: " + err.Error(), Err: err}
	}
	var errMu sync.Mutex
	var streamErr error
	closeFn := func() {
		stopOnce.Do(func() {
			close(stop)
			_ = run.Stop(context.Background())
			stages.end()
			e.push.remove(id)
		})
	}
	e.push.add(&pushInfo{id: id, statement: text, run: run, close: closeFn})
	go func() {
		// A query that ends by itself (LIMIT, error) leaves the listing,
		// after its stages are gone: Engine.Close, which closes the
		// listed queries, then finds it and waits for that.
		<-run.Done()
		stages.end()
		e.push.remove(id)
	}()
	stages.watch(run, func(err error) {
		// A stage that fails starves the query: end it with the error.
		errMu.Lock()
		if streamErr == nil {
			streamErr = err
		}
		errMu.Unlock()
		_ = run.Stop(context.Background())
	})
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

// pushStages are the running repartition stages of a push query whose
// GROUP BY regroups a source with several partitions (QueryPlan.Stages).
// Each runs as a persistent query would, with a consumer group and a
// transactional producer, so that the aggregation reads (read-committed)
// every row of a group from one partition, in order; but it lives only as
// long as the push query, and end leaves nothing behind: no topic, no
// state, no group offsets.
type pushStages struct {
	e    *Engine
	plan *planner.QueryPlan
	runs []*exec.Query
	// topics are the stage topics this query created, the only ones end
	// deletes (a name clash, however unlikely, must not delete another's).
	topics []string
	once   sync.Once
	ended  chan struct{}
}

// startPushStages creates each stage's sink topic, named after the push
// query's id (transient, random, so it clashes with nothing), and starts
// the stage; on failure what was started is undone.
func (e *Engine) startPushStages(ctx context.Context, plan *planner.QueryPlan, props map[string]string) (*pushStages, error) {
	ps := &pushStages{e: e, plan: plan, ended: make(chan struct{})}
	ci := commitInterval(props)
	for _, st := range plan.Stages {
		if ci > 0 {
			st.CommitInterval = ci
		}
		err := e.log.CreateTopic(ctx, st.Sink.Topic, broker.TopicConfig{Partitions: st.Sink.Partitions})
		if err != nil {
			ps.end()
			return nil, &Error{Code: CodeServerError, Message: fmt.Sprintf("Failed to create internal topic %s: %v", st.Sink.Topic, err), Err: err}
		}
		ps.topics = append(ps.topics, st.Sink.Topic)
		run, err := e.rt.Start(ctx, st)
		if err != nil {
			ps.end()
			return nil, &Error{Code: CodeServerError, Message: "Failed to start push query: " + err.Error(), Err: err}
		}
		ps.runs = append(ps.runs, run)
	}
	return ps, nil
}

// watch calls fail with the error of a stage that ends by itself while
// the push query q runs.
func (ps *pushStages) watch(q *exec.Query, fail func(error)) {
	for _, r := range ps.runs {
		go func() {
			select {
			case <-r.Done():
			case <-ps.ended:
				return
			case <-q.Done():
				return
			}
			err := r.Err()
			if err == nil {
				err = fmt.Errorf("engine: repartition stage %s ended", r.ID)
			}
			select {
			case <-ps.ended:
			default:
				fail(err)
			}
		}()
	}
}

// end stops the stages and deletes what they and the aggregation kept:
// state stores and store changelogs (exec.DropQueryState), the stages'
// topics and their consumer groups' offsets. It runs once; concurrent
// callers wait for it. Failures are logged: the query is gone either way.
func (ps *pushStages) end() {
	if ps == nil || len(ps.plan.Stages) == 0 {
		return
	}
	ps.once.Do(func() {
		close(ps.ended)
		e := ps.e
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, r := range ps.runs {
			if err := r.Stop(ctx); err != nil {
				e.logf("engine: push query %s: stage %s: %v", ps.plan.Spec.ID, r.ID, err)
			}
		}
		if err := exec.DropQueryState(ctx, ps.plan.Spec, e.state, e.log); err != nil {
			e.logf("engine: push query %s: drop state: %v", ps.plan.Spec.ID, err)
		}
		for _, topic := range ps.topics {
			if err := e.log.DeleteTopic(ctx, topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
				e.logf("engine: push query %s: delete %s: %v", ps.plan.Spec.ID, topic, err)
			}
		}
		for _, r := range ps.runs {
			if err := e.log.DeleteGroup(ctx, r.ID); err != nil {
				e.logf("engine: push query %s: delete group %s: %v", ps.plan.Spec.ID, r.ID, err)
			}
		}
	})
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
