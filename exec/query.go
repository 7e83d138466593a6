package exec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluicedb/sluice/broker"
)

// QueryState is what SHOW QUERIES and DESCRIBE report for a query; the
// names are ksqlDB's.
type QueryState string

// The query states.
const (
	// StateRunning: every task is processing or waiting for input.
	StateRunning QueryState = "RUNNING"
	// StatePaused: PAUSE stopped reading; committed work stays committed.
	StatePaused QueryState = "PAUSED"
	// StateError: a task failed and is restarting from its committed
	// offsets, or the query stopped on a fatal error (Err says which).
	StateError QueryState = "ERROR"
	// StateTerminated: the query was stopped or a push query reached its
	// LIMIT.
	StateTerminated QueryState = "TERMINATED"
)

// ErrQueryStopped is returned by WaitCaughtUp when the query ends before it
// caught up.
var ErrQueryStopped = errors.New("exec: query stopped")

// Query is a running query: one task per input partition.
type Query struct {
	// ID is the query id; for persistent queries also the consumer group
	// whose offsets record its progress.
	ID   string
	Spec *QuerySpec

	rt    *Runtime
	push  PushFunc
	tasks []*task

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{}

	mu       sync.Mutex
	paused   bool
	resume   chan struct{} // closed on Resume; replaced on Pause
	progress chan struct{} // closed and replaced whenever a task advances
	stopped  bool
	err      error // fatal error that stopped the query

	// pushMu serialises deliveries of a push query and counts them against
	// the LIMIT.
	pushMu   sync.Mutex
	pushed   int64
	limitHit bool
}

func newQuery(r *Runtime, spec *QuerySpec, parts int, push PushFunc) (*Query, error) {
	ctx, cancel := context.WithCancel(context.Background())
	q := &Query{
		ID: spec.ID, Spec: spec, rt: r, push: push,
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
		resume: make(chan struct{}), progress: make(chan struct{}),
	}
	close(q.resume)
	for p := 0; p < parts; p++ {
		t, err := newTask(q, int32(p))
		if err != nil {
			cancel()
			return nil, err
		}
		q.tasks = append(q.tasks, t)
	}
	return q, nil
}

// run starts the tasks and the goroutine that closes done when all end.
func (q *Query) run() {
	for _, t := range q.tasks {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			t.run(q.ctx)
		}()
	}
	go func() {
		q.wg.Wait()
		q.cancel()
		q.rt.forget(q)
		close(q.done)
		q.notify()
	}()
}

// Stopping is closed as soon as the query begins to stop (Stop, Close, a
// push query's LIMIT, a fatal error): a PushFunc that may block, waiting
// for a slow client, selects on it so that stopping never waits for the
// client.
func (q *Query) Stopping() <-chan struct{} { return q.ctx.Done() }

// Done is closed when every task has ended (Stop, LIMIT reached, or a fatal
// error) and released its reader and producer.
func (q *Query) Done() <-chan struct{} { return q.done }

// Err returns the fatal error that stopped the query, nil otherwise.
func (q *Query) Err() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.err
}

// State returns the query's state.
func (q *Query) State() QueryState {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.err != nil:
		return StateError
	case q.stopped || q.limitHit:
		return StateTerminated
	}
	select {
	case <-q.done:
		return StateTerminated
	default:
	}
	for _, t := range q.tasks {
		if t.failing.Load() {
			return StateError
		}
	}
	if q.paused {
		return StatePaused
	}
	return StateRunning
}

// fail stops the query on an error retrying cannot fix (a fenced producer:
// another instance of the query took over).
func (q *Query) fail(err error) {
	q.mu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.mu.Unlock()
	q.cancel()
}

// Pause stops the tasks from reading after they commit what they have
// processed; Resume continues from there.
func (q *Query) Pause() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.paused {
		q.paused = true
		q.resume = make(chan struct{})
	}
}

// Resume undoes Pause.
func (q *Query) Resume() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.paused {
		q.paused = false
		close(q.resume)
	}
}

// resumed returns a channel that is closed while the query is not paused.
func (q *Query) resumed() (chan struct{}, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.resume, q.paused
}

// Stop ends the query: each task commits what it processed, aborts nothing
// it has acknowledged, and closes its reader and producer. Stop returns when
// all tasks have ended or ctx is done (they still end on their own then).
// It returns the query's fatal error, if any.
func (q *Query) Stop(ctx context.Context) error {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
	q.cancel()
	select {
	case <-q.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return q.Err()
}

// notify wakes WaitCaughtUp callers after a task made progress.
func (q *Query) notify() {
	q.mu.Lock()
	close(q.progress)
	q.progress = make(chan struct{})
	q.mu.Unlock()
}

// WaitCaughtUp returns once every task has processed (and, for a persistent
// query, committed) every record that was readable in its input partition
// when it was called. It is the engine's --until-caught-up and what tests
// and benchmarks use to run a pipeline to completion. It fails if the query
// ends first (nil for a push query that reached its LIMIT).
func (q *Query) WaitCaughtUp(ctx context.Context) error {
	d, err := q.rt.log.DescribeTopic(ctx, q.Spec.Source.Topic)
	if err != nil {
		return fmt.Errorf("exec: query %s: %w", q.ID, err)
	}
	targets := make([]int64, len(q.tasks))
	for i, t := range q.tasks {
		for _, p := range d.Partitions {
			if p.Partition == t.tp.Partition {
				targets[i] = p.StableOffset
			}
		}
	}
	for {
		q.mu.Lock()
		ch := q.progress
		q.mu.Unlock()
		all := true
		for i, t := range q.tasks {
			if t.done.Load() < targets[i] {
				all = false
				break
			}
		}
		if all {
			return nil
		}
		select {
		case <-q.done:
			q.mu.Lock()
			hit, err := q.limitHit, q.err
			q.mu.Unlock()
			if hit {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: %w", ErrQueryStopped, err)
			}
			return ErrQueryStopped
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// QueryMetrics are a query's counters, summed over its tasks; DESCRIBE
// EXTENDED shows them.
type QueryMetrics struct {
	// RecordsIn counts input records read, RecordsOut rows emitted (to
	// the sink or the push receiver).
	RecordsIn, RecordsOut int64
	// ProcessingErrors counts rows sent to the processing log.
	ProcessingErrors int64
	// Lag is the number of readable input offsets not yet processed.
	Lag int64
	// Commits counts committed transactions; CommitLatency is their mean
	// and CommitLatencyMax the slowest.
	Commits          int64
	CommitLatency    time.Duration
	CommitLatencyMax time.Duration
	// Restarts counts task restarts after failures; LastError is the
	// latest failure, empty if none.
	Restarts  int64
	LastError string
}

// Metrics returns the query's counters. Lag asks the log for the partitions'
// ends, so it costs a DescribeTopic.
func (q *Query) Metrics() QueryMetrics {
	var m QueryMetrics
	var commitNanos int64
	for _, t := range q.tasks {
		m.RecordsIn += t.m.in.Load()
		m.RecordsOut += t.m.out.Load()
		m.ProcessingErrors += t.m.errs.Load()
		m.Commits += t.m.commits.Load()
		commitNanos += t.m.commitNanos.Load()
		m.CommitLatencyMax = max(m.CommitLatencyMax, time.Duration(t.m.commitMax.Load()))
		m.Restarts += t.m.restarts.Load()
		if e, ok := t.m.lastErr.Load().(string); ok && e != "" {
			m.LastError = e
		}
	}
	if m.Commits > 0 {
		m.CommitLatency = time.Duration(commitNanos / m.Commits)
	}
	if d, err := q.rt.log.DescribeTopic(context.Background(), q.Spec.Source.Topic); err == nil {
		for _, t := range q.tasks {
			for _, p := range d.Partitions {
				if p.Partition == t.tp.Partition {
					m.Lag += max(0, p.StableOffset-max(t.pos.Load(), p.StartOffset))
				}
			}
		}
	}
	return m
}

// taskMetrics are one task's counters, read concurrently by Metrics.
type taskMetrics struct {
	in, out, errs        atomic.Int64
	commits, commitNanos atomic.Int64
	commitMax, restarts  atomic.Int64
	lastErr              atomic.Value // string
}

// isFatal says whether a task error must stop the query instead of
// restarting the task.
func isFatal(err error) bool {
	return errors.Is(err, broker.ErrProducerFenced) || errors.Is(err, broker.ErrUnknownTopic) ||
		errors.Is(err, ErrInvalidTimestamp)
}
