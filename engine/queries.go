package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicedb/sluice/ast"
	"github.com/sluicedb/sluice/broker"
	"github.com/sluicedb/sluice/exec"
	"github.com/sluicedb/sluice/planner"
)

// Query is a persistent query the catalog knows: started by CREATE ... AS
// SELECT or INSERT INTO ... SELECT, running until TERMINATE. Its id is
// also the consumer group whose committed offsets say how far it got, which
// is what lets a restarted engine resume it without loss or duplicates.
type Query struct {
	ID string
	// Statement is the statement (after substitution) that started it.
	Statement string
	// Sink is the source the query writes and SinkTopic its topic.
	Sink      string
	SinkTopic string
	// Inputs are the sources it reads.
	Inputs []string
	// Plan is the planned query (EXPLAIN prints it).
	Plan *planner.QueryPlan

	mu     sync.Mutex
	run    *exec.Query // nil until started
	paused bool
	// stages run Plan.Stages, the internal queries feeding run.
	stages []*exec.Query
}

// each calls f on the running query and its stages; q.mu must be held.
func (q *Query) each(f func(*exec.Query)) {
	if q.run != nil {
		f(q.run)
	}
	for _, s := range q.stages {
		f(s)
	}
}

// State returns RUNNING, PAUSED or ERROR (ksqlDB's query states), or
// PENDING before the query was started.
func (q *Query) State() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.run == nil {
		if q.paused {
			return string(exec.StatePaused)
		}
		return "PENDING"
	}
	return string(q.run.State())
}

// Metrics returns the query's live counters (zero before it started).
func (q *Query) Metrics() exec.QueryMetrics {
	q.mu.Lock()
	r := q.run
	q.mu.Unlock()
	if r == nil {
		return exec.QueryMetrics{}
	}
	return r.Metrics()
}

// WaitCaughtUp waits until the query has processed and committed what its
// input held when it was called.
func (q *Query) WaitCaughtUp(ctx context.Context) error {
	q.mu.Lock()
	r, stages := q.run, q.stages
	q.mu.Unlock()
	if r == nil {
		return nil
	}
	// The stages first: what they write is the query's input.
	for _, s := range stages {
		if err := s.WaitCaughtUp(ctx); err != nil {
			return err
		}
	}
	return r.WaitCaughtUp(ctx)
}

// info returns the SHOW QUERIES row.
func (q *Query) info() QueryInfo {
	return QueryInfo{ID: q.ID, Statement: q.Statement, Sinks: []string{q.Sink},
		SinkTopics: []string{q.SinkTopic}, Type: "PERSISTENT", State: q.State()}
}

// queryID builds ksqlDB's id for the n-th query: CSAS_<SINK>_<n>,
// CTAS_<SINK>_<n> or INSERTQUERY_<n>.
func queryID(prefix, sink string, n int64) string {
	if sink == "" {
		return prefix + "_" + strconv.FormatInt(n, 10)
	}
	return prefix + "_" + strings.ToUpper(sink) + "_" + strconv.FormatInt(n, 10)
}

// commitInterval reads commit.interval.ms from the properties.
func commitInterval(props map[string]string) time.Duration {
	for _, k := range []string{"commit.interval.ms", "ksql.streams.commit.interval.ms"} {
		if v, ok := props[k]; ok {
			if ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && ms > 0 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	return 0
}

// replayQueryNum recovers the number of a replayed query id so new queries
// continue after it.
func (e *Engine) replayQueryNum(id string) {
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		if n, err := strconv.ParseInt(id[i+1:], 10, 64); err == nil {
			e.cat.bumpQueryNum(n)
		}
	}
}

// nextQueryID returns the id for a new query, or the recorded one when
// replaying.
func (e *Engine) nextQueryID(ac *applyCtx, prefix, sink string) string {
	if ac.replay && ac.cmd.QueryID != "" {
		e.replayQueryNum(ac.cmd.QueryID)
		return ac.cmd.QueryID
	}
	return queryID(prefix, sink, e.cat.allocQueryNum())
}

// rejectStateful returns ksqlDB-style "not yet supported" errors for the
// parts of a query that need the stateful runtime (issue 7).
func rejectStateful(q *ast.Query, cat *Catalog) error {
	if q == nil || q.From == nil {
		return nil
	}
	return rejectStatefulParts(q, cat)
}

// rejectStatefulCreate is rejectStateful for CREATE ... AS SELECT, which
// may aggregate a stream (GROUP BY, HAVING; the planner checks the rest).
func rejectStatefulCreate(q *ast.Query, cat *Catalog) error {
	if q == nil || q.From == nil {
		return nil
	}
	if (len(q.GroupBy) > 0 || q.Window != nil) && len(q.From.Joins) == 0 {
		return nil
	}
	return rejectStatefulParts(q, cat)
}

// rejectStatefulPush is rejectStateful for push queries, which may
// aggregate (the planner checks the rest).
func rejectStatefulPush(q *ast.Query, cat *Catalog) error {
	if q != nil && q.From != nil && len(q.GroupBy) > 0 && len(q.From.Joins) == 0 {
		return nil
	}
	return rejectStateful(q, cat)
}

// rejectStatefulInsert is rejectStateful for INSERT INTO ... SELECT: an
// aggregation reaches the planner, which answers as ksqlDB does (a stream
// cannot take an aggregation's table).
func rejectStatefulInsert(q *ast.Query, cat *Catalog) error {
	if q != nil && q.From != nil && len(q.GroupBy) > 0 && len(q.From.Joins) == 0 {
		return nil
	}
	return rejectStateful(q, cat)
}

// insertTargetPos locates the target name of INSERT INTO in the statement
// text, where ksqlDB points when the target does not exist: the statement
// starts at st's position and the name follows the INSERT and INTO keywords
// (whitespace and comments may separate them). Text it cannot follow gives
// the statement's own position.
func insertTargetPos(text string, st *ast.InsertInto) ast.Pos {
	pos := ast.Pos{Line: 1, Col: 1}
	i := 0
	advance := func(n int) {
		for ; n > 0 && i < len(text); n-- {
			if text[i] == '\n' {
				pos.Line, pos.Col = pos.Line+1, 1
			} else {
				pos.Col++
			}
			i++
		}
	}
	skipSpace := func() {
		for i < len(text) {
			switch {
			case text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n':
				advance(1)
			case strings.HasPrefix(text[i:], "--"):
				n := strings.IndexByte(text[i:], '\n')
				if n < 0 {
					n = len(text) - i
				}
				advance(n)
			case strings.HasPrefix(text[i:], "/*"):
				n := strings.Index(text[i+2:], "*/")
				if n < 0 {
					return
				}
				advance(n + 4)
			default:
				return
			}
		}
	}
	for _, kw := range []string{"INSERT", "INTO"} {
		skipSpace()
		if len(text)-i < len(kw) || !strings.EqualFold(text[i:i+len(kw)], kw) {
			return st.Pos
		}
		advance(len(kw))
	}
	skipSpace()
	if i >= len(text) {
		return st.Pos
	}
	return pos
}

func rejectStatefulParts(q *ast.Query, cat *Catalog) error {
	switch {
	case len(q.From.Joins) > 0:
		return errorf(q.From.Joins[0], "Joins are not yet supported")
	case q.Window != nil:
		return errorf(q.Window, "Windowed aggregations are not yet supported")
	case len(q.GroupBy) > 0:
		return errorf(q.GroupBy[0], "Aggregations (GROUP BY) are not yet supported")
	case q.Having != nil:
		return errorf(q.Having, "HAVING is not yet supported")
	}
	// Queries over tables: the planner lays out the table operators (and
	// refuses what is still missing, e.g. windowed sources).
	return nil
}

func (e *Engine) createAsSelect(ctx context.Context, st *ast.CreateAsSelect, ac *applyCtx) (Result, error) {
	if err := rejectStatefulCreate(st.Query, e.cat); err != nil {
		return nil, err
	}
	old, skip, err := e.checkNewSource(st, st.Name, st.Kind, st.OrReplace, st.IfNotExists, false)
	if err != nil {
		return nil, err
	}
	if skip {
		return &Warning{Statement: ac.cmd.Statement,
			Message: fmt.Sprintf("Cannot add %s %s: A %s with the same name already exists.", kindWord(st.Kind), st.Name, kindWord(old.Kind))}, nil
	}
	var replaced *Query
	if old != nil {
		if _, writers := e.cat.queriesUsing(st.Name); len(writers) == 1 {
			replaced, _ = e.cat.Query(writers[0])
		}
	}
	prefix := "CSAS"
	if st.Kind == ast.TableSource {
		prefix = "CTAS"
	}
	var id string
	if replaced != nil {
		// An aggregation's state belongs to its definition: another one
		// cannot continue from it.
		if hasState(replaced.Plan) || (st.Query != nil && len(st.Query.GroupBy) > 0) {
			return nil, errorf(st, "CREATE OR REPLACE of an aggregation is not yet supported: terminate %s and create the table again", replaced.ID)
		}
		// CREATE OR REPLACE keeps the query id, and with it the committed
		// offsets: the new definition continues where the old one stopped.
		id = replaced.ID
	} else {
		id = e.nextQueryID(ac, prefix, st.Name)
	}
	plan, err := planner.PlanCreateAsSelect(st, e.cat, e.plannerOptions(ac.props, id))
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	plan.Sink.Statement = ac.cmd.Statement
	if err := e.ensureSinkTopic(ctx, st, plan.Sink, ac.replay); err != nil {
		return nil, err
	}
	ac.cmd.QueryID = id
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	if replaced != nil {
		if err := e.stopQuery(replaced); err != nil {
			e.logf("engine: stop %s for replacement: %v", replaced.ID, err)
		}
	}
	q := &Query{ID: id, Statement: ac.cmd.Statement, Sink: plan.Sink.Name, SinkTopic: plan.Sink.Topic,
		Inputs: plan.Inputs, Plan: plan}
	e.cat.putSource(plan.Sink)
	e.cat.putQuery(q)
	if !ac.replay {
		if err := e.startQuery(ctx, q, ac.props); err != nil {
			return nil, err
		}
	}
	return &Status{Statement: ac.cmd.Statement, QueryID: id, CommandSeq: seq,
		Message: "Created query with ID " + id}, nil
}

func (e *Engine) insertInto(ctx context.Context, st *ast.InsertInto, ac *applyCtx) (Result, error) {
	if err := rejectStatefulInsert(st.Query, e.cat); err != nil {
		return nil, err
	}
	target, ok := e.cat.Source(st.Target)
	if !ok {
		return nil, planErr(&planner.Error{Pos: insertTargetPos(ac.cmd.Statement, st),
			Msg: fmt.Sprintf("Source `%s` does not exist.", st.Target)}, ac.cmd.Statement)
	}
	if target.IsSource {
		return nil, errorf(st, "Cannot insert into read-only %s: %s", kindWord(target.Kind), target.Name)
	}
	id := e.nextQueryID(ac, "INSERTQUERY", "")
	plan, err := planner.PlanInsertInto(st, e.cat, e.plannerOptions(ac.props, id))
	if err != nil {
		return nil, planErr(err, ac.cmd.Statement)
	}
	ac.cmd.QueryID = id
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	q := &Query{ID: id, Statement: ac.cmd.Statement, Sink: target.Name, SinkTopic: target.Topic,
		Inputs: plan.Inputs, Plan: plan}
	e.cat.putQuery(q)
	if !ac.replay {
		if err := e.startQuery(ctx, q, ac.props); err != nil {
			return nil, err
		}
	}
	return &Status{Statement: ac.cmd.Statement, QueryID: id, CommandSeq: seq,
		Message: "Created query with ID " + id}, nil
}

// ensureSinkTopic creates the topic of a CREATE ... AS SELECT, or checks
// that an existing one has the partitions the query will write, as ksqlDB
// does (a mismatch would put keys where readers do not expect them).
func (e *Engine) ensureSinkTopic(ctx context.Context, st *ast.CreateAsSelect, sink *planner.Source, replay bool) error {
	d, err := e.log.DescribeTopic(ctx, sink.Topic)
	if err == nil {
		if sink.Partitions > 0 && len(d.Partitions) != sink.Partitions && !replay {
			return errorf(st, "A Kafka topic with the name '%s' already exists, with different partition/replica configuration than required. KSQL expects %d partitions (topic has %d), 1 replication factor (topic has 1).",
				sink.Topic, sink.Partitions, len(d.Partitions))
		}
		if sink.Partitions <= 0 {
			sink.Partitions = len(d.Partitions)
		}
		return nil
	}
	if !errors.Is(err, broker.ErrUnknownTopic) {
		return &Error{Code: CodeServerError, Message: err.Error(), Err: err}
	}
	parts := sink.Partitions
	if parts <= 0 {
		parts = 1
		sink.Partitions = 1
	}
	return e.createTopic(ctx, sink.Topic, parts, st.Kind)
}

// startQuery hands a planned persistent query to the runtime. A query
// recorded as paused is started paused.
func (e *Engine) startQuery(ctx context.Context, q *Query, props map[string]string) error {
	spec := q.Plan.Spec
	ci := commitInterval(props)
	if ci > 0 {
		spec.CommitInterval = ci
	}
	var stages []*exec.Query
	stopStages := func() {
		for _, s := range stages {
			s.Stop(ctx)
		}
	}
	for _, st := range q.Plan.Stages {
		if ci > 0 {
			st.CommitInterval = ci
		}
		err := e.log.CreateTopic(ctx, st.Sink.Topic, broker.TopicConfig{Partitions: st.Sink.Partitions})
		if err != nil && !errors.Is(err, broker.ErrTopicExists) {
			stopStages()
			return &Error{Code: CodeServerError, Message: fmt.Sprintf("Failed to create internal topic %s: %v", st.Sink.Topic, err), Err: err}
		}
		run, err := e.rt.Start(ctx, st)
		if err != nil {
			stopStages()
			return &Error{Code: CodeServerError, Message: fmt.Sprintf("Failed to start query %s: %v", q.ID, err), Err: err}
		}
		stages = append(stages, run)
	}
	run, err := e.rt.Start(ctx, spec)
	if err != nil {
		stopStages()
		return &Error{Code: CodeServerError, Message: fmt.Sprintf("Failed to start query %s: %v", q.ID, err), Err: err}
	}
	q.mu.Lock()
	q.run, q.stages = run, stages
	if q.paused {
		q.each((*exec.Query).Pause)
	}
	q.mu.Unlock()
	return nil
}

// stopQuery stops a query's runtime, which commits what it processed.
func (e *Engine) stopQuery(q *Query) error {
	q.mu.Lock()
	r, stages := q.run, q.stages
	q.run, q.stages = nil, nil
	q.mu.Unlock()
	if r == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.Stop(ctx)
	for _, s := range stages {
		err = errors.Join(err, s.Stop(ctx))
	}
	return err
}

// hasState reports whether a planned query keeps state (aggregations).
func hasState(p *planner.QueryPlan) bool {
	if p == nil {
		return false
	}
	for _, op := range p.Spec.Operators {
		if _, ok := op.(*exec.Aggregate); ok {
			return true
		}
	}
	return false
}

// dropQueryState deletes a terminated query's state, changelog topics and
// internal topics; failures are logged (the query is gone either way).
func (e *Engine) dropQueryState(ctx context.Context, q *Query) {
	if q.Plan == nil {
		return
	}
	if err := exec.DropQueryState(ctx, q.Plan.Spec, e.state, e.log); err != nil {
		e.logf("engine: terminate %s: drop state: %v", q.ID, err)
	}
	// The consumer groups go too (the query's, and its stages'): a
	// terminated query's id is never reused, so its offsets would only
	// grow the offsets topic.
	groups := []string{q.Plan.Spec.ID}
	for _, st := range q.Plan.Stages {
		if err := e.log.DeleteTopic(ctx, st.Sink.Topic); err != nil && !errors.Is(err, broker.ErrUnknownTopic) {
			e.logf("engine: terminate %s: delete %s: %v", q.ID, st.Sink.Topic, err)
		}
		groups = append(groups, st.ID)
	}
	for _, g := range groups {
		if err := e.log.DeleteGroup(ctx, g); err != nil {
			e.logf("engine: terminate %s: delete consumer group %s: %v", q.ID, g, err)
		}
	}
}

// stopQueries stops every persistent query; Close calls it.
func (e *Engine) stopQueries() error {
	var errs []error
	for _, q := range e.cat.Queries() {
		if err := e.stopQuery(q); err != nil {
			errs = append(errs, fmt.Errorf("engine: stop %s: %w", q.ID, err))
		}
	}
	if e.rt != nil {
		if err := e.rt.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%v", errs)
}

func (e *Engine) queryControl(ctx context.Context, st *ast.QueryControl, ac *applyCtx) (Result, error) {
	var targets []*Query
	if st.All {
		targets = e.cat.Queries()
	} else {
		q, ok := e.cat.Query(st.QueryID)
		if !ok {
			q, ok = e.cat.Query(strings.ToUpper(st.QueryID))
		}
		if !ok {
			return nil, errorf(st, "Unknown queryId: %s", st.QueryID)
		}
		targets = []*Query{q}
	}
	seq, err := e.record(ctx, ac)
	if err != nil {
		return nil, err
	}
	for _, q := range targets {
		switch st.Action {
		case ast.Terminate:
			if err := e.stopQuery(q); err != nil {
				e.logf("engine: terminate %s: %v", q.ID, err)
			}
			e.dropQueryState(ctx, q)
			e.cat.dropQuery(q.ID)
		case ast.Pause:
			q.mu.Lock()
			q.paused = true
			q.each((*exec.Query).Pause)
			q.mu.Unlock()
		case ast.Resume:
			q.mu.Lock()
			q.paused = false
			q.each((*exec.Query).Resume)
			q.mu.Unlock()
		}
	}
	msg := map[ast.QueryControlAction]string{ast.Terminate: "Query terminated.", ast.Pause: "Query paused.", ast.Resume: "Query resumed."}[st.Action]
	return &Status{Statement: ac.cmd.Statement, CommandSeq: seq, Message: msg}, nil
}

// WaitCaughtUp waits until every persistent query has processed and
// committed all the input it can see, repeating until a full round finds
// nothing new, so that a chain of queries (a CSAS reading another CSAS's
// output) is caught up end to end. Paused queries are not waited for.
func (e *Engine) WaitCaughtUp(ctx context.Context) error {
	for {
		before, err := e.totalOut()
		if err != nil {
			return err
		}
		for _, q := range e.cat.Queries() {
			if q.State() == string(exec.StatePaused) {
				continue // it would never catch up; RESUME it first
			}
			if err := q.WaitCaughtUp(ctx); err != nil {
				return fmt.Errorf("engine: query %s: %w", q.ID, err)
			}
		}
		after, err := e.totalOut()
		if err != nil {
			return err
		}
		if after == before {
			e.plog.flush()
			return nil
		}
	}
}

// totalOut sums the stable end offsets of every query's input topics: it
// stops changing once no query produces anything another reads.
func (e *Engine) totalOut() (int64, error) {
	var sum int64
	seen := map[string]bool{}
	for _, q := range e.cat.Queries() {
		for _, in := range q.Inputs {
			src, ok := e.cat.Source(in)
			if !ok || seen[src.Topic] {
				continue
			}
			seen[src.Topic] = true
			d, err := e.log.DescribeTopic(e.ctx, src.Topic)
			if err != nil {
				return 0, fmt.Errorf("engine: %w", err)
			}
			for _, p := range d.Partitions {
				sum += p.StableOffset
			}
		}
	}
	return sum, nil
}
